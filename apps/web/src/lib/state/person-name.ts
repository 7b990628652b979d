import { LIMITS } from '@parley/protocol';
import { m } from '../../paraglide/messages.js';

const NAME_KEY = 'parley.name';

/** The name this browser joined with last time. */
export function loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Private mode may refuse storage; the name is then simply not remembered.
  }
}

/** The name to join with, without control characters, or why it cannot be used. */
export function cleanName(name: string): { name: string } | { problem: string } {
  const clean = name.replace(/\p{Cc}/gu, '').trim();
  if (!clean) return { problem: m.name_missing() };
  if (clean.length > LIMITS.maxNameLength) return { problem: m.name_too_long({ max: LIMITS.maxNameLength }) };
  return { name: clean };
}
