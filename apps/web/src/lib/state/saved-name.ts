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
