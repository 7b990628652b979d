import { LIMITS } from '@parley/protocol';

// class-transformer and class-validator recurse, so a deeply nested frame overflows the stack;
// they report every unknown key, so a frame of many keys costs more time and a bigger reply than
// the frame itself; and JSON.parse alone takes 16 ms for a 64 KiB frame nested 30,000 deep. So
// a frame is measured twice before validation, each time iteratively and stopping at the first
// problem: its text before JSON.parse, roughly, then its `data`, exactly.

/** Commas and opening brackets a frame may hold: a bound above what a valid `data` needs. */
const MAX_FRAME_SEPARATORS = 2 * LIMITS.maxDataEntries;

const tooDeep = `"data" is nested deeper than ${LIMITS.maxDataDepth} levels`;
const tooMany = `"data" has more than ${LIMITS.maxDataEntries} fields and items`;

/**
 * Why a frame's text is too big to parse, or undefined. Brackets and commas are counted outside
 * strings; the frame's own braces are one level above `data`.
 */
export function frameTextProblem(text: string): string | undefined {
  let depth = 0;
  let separators = 0;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 0x22: // "
        i = endOfString(text, i);
        if (i < 0) return undefined; // not JSON: JSON.parse says so, cheaply
        break;
      case 0x7b: // {
      case 0x5b: // [
        if (++depth > LIMITS.maxDataDepth + 1) return tooDeep;
        if (++separators > MAX_FRAME_SEPARATORS) return tooMany;
        break;
      case 0x7d: // }
      case 0x5d: // ]
        depth--;
        break;
      case 0x2c: // ,
        if (++separators > MAX_FRAME_SEPARATORS) return tooMany;
        break;
    }
  }
  return undefined;
}

/** The index of the quote that closes the string opening at `start`, or -1. */
function endOfString(text: string, start: number): number {
  for (let from = start + 1; ;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    from = quote + 1;
  }
}

/** Where in `data` the budget was passed, and how. */
export interface BudgetProblem {
  field: string;
  problem: string;
}

/** A value still to measure, and where it sits: its path is only spelled out for a problem. */
interface Pending {
  value: unknown;
  depth: number;
  parent?: Pending;
  key: string;
}

const pathOf = (item: Pending): string => (item.parent ? `${pathOf(item.parent)}.${item.key}` : item.key);

/** Why a client's parsed `data` is too big to validate, or undefined when it is within budget. */
export function dataProblem(data: object): BudgetProblem | undefined {
  let entries = 0;
  const pending: Pending[] = [{ value: data, depth: 1, key: 'data' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      if (value.length > LIMITS.maxDataStringLength) return { field: pathOf(next), problem: `longer than ${LIMITS.maxDataStringLength} characters` };
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > LIMITS.maxDataDepth) return { field: pathOf(next), problem: tooDeep };
    if (Array.isArray(value)) {
      entries += value.length;
      if (entries > LIMITS.maxDataEntries) return { field: pathOf(next), problem: tooMany };
      value.forEach((item, i) => pending.push({ value: item, depth: depth + 1, parent: next, key: String(i) }));
      continue;
    }
    // for...in rather than Object.keys: it stops at the first key over budget. JSON.parse makes
    // plain objects, so every enumerable key is an own key.
    for (const key in value) {
      if (++entries > LIMITS.maxDataEntries) return { field: pathOf(next), problem: tooMany };
      if (key.length > LIMITS.maxDataStringLength)
        return { field: pathOf(next), problem: `has a key longer than ${LIMITS.maxDataStringLength} characters` };
      const child = (value as Record<string, unknown>)[key];
      // Numbers, booleans and null need no visit; a short string neither: nothing to allocate for them.
      if (child === null || (typeof child !== 'object' && (typeof child !== 'string' || child.length <= LIMITS.maxDataStringLength))) continue;
      pending.push({ value: child, depth: depth + 1, parent: next, key });
    }
  }
  return undefined;
}
