import { length } from 'class-validator';
import { LIMITS } from '@parley/protocol';
import { cleanText, VISIBLE_CHARACTER } from './clean-text.js';
import { optionalString, STRIPPED, withoutStripped } from './fast-check.js';
import type { JoinDto } from './join.dto.js';

// `JoinDto` checked by hand, as signal.fast.ts checks SignalDto (read its header): a connect's
// one message, whose trip through class-transformer, class-validator and Nest's dispatch was a
// good part of what a connect cost. The differential test holds it to the pipe's answers.
// A change to join.dto.ts (or ref.dto.ts) needs the same change here.

/**
 * The validated payload of a `join` (a plain object of `JoinDto`'s shape, its name cleaned as
 * `@CleanText` cleans it), or undefined when the DTO pipe must decide, which then refuses it.
 */
export function fastJoin(data: Record<string, unknown>): JoinDto | undefined {
  let stripped = false;
  let seen = 0;
  for (const key in data) {
    const value = data[key];
    switch (key) {
      case 'room':
        if (typeof value !== 'string' || !LIMITS.roomNamePattern.test(value)) return undefined;
        seen |= 1;
        break;
      case 'name':
        if (typeof value !== 'string' || !validName(cleanText(value))) return undefined;
        seen |= 2;
        break;
      case 'protocol':
        if (!Number.isInteger(value)) return undefined;
        seen |= 4;
        break;
      case 'ref':
        if (!optionalString(value, LIMITS.maxRefLength)) return undefined;
        break;
      case 'token':
        if (!optionalString(value, 4096)) return undefined;
        break;
      case 'resume':
        if (!optionalString(value, 1024)) return undefined;
        break;
      default:
        if (!STRIPPED.has(key)) return undefined;
        stripped = true;
    }
  }
  if (seen !== 7) return undefined;
  const out = stripped ? withoutStripped(data) : { ...data };
  out.name = cleanText(data.name as string);
  return out as unknown as JoinDto;
}

const validName = (name: string) => length(name, 1, LIMITS.maxNameLength) && VISIBLE_CHARACTER.test(name);
