/**
 * This browser's remembered settings (name, language, theme). Private mode and storage policies may
 * refuse localStorage: then nothing is remembered, and nothing breaks.
 */
export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeStored(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Refused: the setting lasts until the page closes.
  }
}
