import { maxLength } from 'class-validator';

// What the hand checks of hot messages (signal.fast.ts, join.fast.ts) share: the ways the DTO pipe
// (signalingValidationPipe) reads a payload that are not in the DTOs' decorators.

/** Keys Nest's pipe deletes from every object before validation (prototype pollution), rather than refusing them. */
export const STRIPPED: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

/** The only characters that make class-validator's count of a string differ from `.length`. */
export const COUNTED_APART = /[\uD800-\uDFFF]|\uFE0E|\uFE0F/;

/**
 * `@MaxLength(max)`. class-validator counts an astral character or a variation selector as one
 * character less than `.length` does, so `.length` within the limit settles it; only a longer
 * string needs the count.
 */
export const within = (value: string, max: number) => value.length <= max || maxLength(value, max);

/** `@IsOptional() @IsString() @MaxLength(max)` of a key that is present: null passes too. */
export const optionalString = (value: unknown, max: number) => value === null || (typeof value === 'string' && within(value, max));

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The object without the keys the pipe strips, keys in the order they came. */
export function withoutStripped(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in value) if (!STRIPPED.has(key)) out[key] = value[key];
  return out;
}
