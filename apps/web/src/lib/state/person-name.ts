import { LIMITS } from '@parley/protocol';
import { m } from '../../paraglide/messages.js';
import { readStored, writeStored } from '../stored';

const NAME_KEY = 'parley.name';

/** The name this browser joined with last time. */
export function loadName(): string {
  return readStored(NAME_KEY) ?? '';
}

export function saveName(name: string): void {
  writeStored(NAME_KEY, name);
}

/** The name to join with, without control characters, or why it cannot be used. */
export function cleanName(name: string): { name: string } | { problem: string } {
  const clean = name.replace(/\p{Cc}/gu, '').trim();
  if (!clean) return { problem: m.name_missing() };
  if (clean.length > LIMITS.maxNameLength) return { problem: m.name_too_long({ max: LIMITS.maxNameLength }) };
  return { name: clean };
}
