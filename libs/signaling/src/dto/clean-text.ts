import { Transform } from 'class-transformer';

// Control characters, and the bidi overrides and isolates that can make text read backwards.
const UNSAFE = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const UNSAFE_EXCEPT_NEWLINE = /[^\P{Cc}\n]|[\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

export function cleanText(value: string, { multiline = false } = {}): string {
  return value.replace(multiline ? UNSAFE_EXCEPT_NEWLINE : UNSAFE, '').trim();
}

/** Cleans a string field before validation; other types pass through to fail `IsString`. */
export const CleanText = (options?: { multiline?: boolean }) =>
  Transform(({ value }) => (typeof value === 'string' ? cleanText(value, options) : value));
