import { LIMITS } from '@parley/protocol';

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
  if (!clean) return { problem: 'Enter your name so the others know who you are.' };
  if (clean.length > LIMITS.maxNameLength) return { problem: `Use at most ${LIMITS.maxNameLength} characters.` };
  return { name: clean };
}
