import { Transform } from 'class-transformer';

// Control characters, and the bidi overrides and isolates that can make text read backwards.
const UNSAFE = /[\p{Cc}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;
const UNSAFE_EXCEPT_NEWLINE = /[^\P{Cc}\n]|[\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * A letter, digit, punctuation mark or symbol that is not default-ignorable: what a name needs so
 * that it shows. Spaces, format characters (U+200B), combining marks alone, and the fillers that are
 * letters yet draw nothing (U+3164 HANGUL FILLER and its kin, U+2800 BRAILLE PATTERN BLANK) do not count.
 */
export const VISIBLE_CHARACTER = /(?![\p{Default_Ignorable_Code_Point}\u2800])[\p{L}\p{N}\p{P}\p{S}]/u;

export function cleanText(value: string, { multiline = false } = {}): string {
  return value.replace(multiline ? UNSAFE_EXCEPT_NEWLINE : UNSAFE, '').trim();
}

/** Cleans a string field before validation; other types pass through to fail `IsString`. */
export const CleanText = (options?: { multiline?: boolean }) =>
  Transform(({ value }) => (typeof value === 'string' ? cleanText(value, options) : value));
