import { length } from 'class-validator';
import { LIMITS } from '@parley/protocol';
import { COUNTED_APART, isPlainObject, optionalString, STRIPPED, within, withoutStripped } from './fast-check.js';
import type { IceCandidateDto, SessionDescriptionDto, SignalDto } from './signal.dto.js';

// `SignalDto` checked by hand: the hot message, which the DTO pipe (class-transformer, then
// class-validator) made cost a quarter of the server's CPU. It accepts exactly what the pipe
// (signalingValidationPipe: whitelist, forbidNonWhitelisted, transform) accepts, and returns what
// the pipe would: the same keys in the same order. Anything it refuses goes to the pipe, which
// then writes the error, so error answers do not depend on this file. The differential test
// (test/signal-fast-path.spec.ts) holds the two to agreement on random and mutated frames.
// A change to signal.dto.ts needs the same change here; that test fails until it has one.

const DESCRIPTION_TYPES = new Set(['offer', 'answer', 'pranswer', 'rollback']);
const validTo = (to: string) => (to.length >= 1 && to.length <= 64 && !COUNTED_APART.test(to)) || length(to, 1, 64);

/**
 * The validated payload of a `signal` (a plain object of `SignalDto`'s shape), or undefined when
 * the DTO pipe must decide, which then refuses it.
 */
export function fastSignal(data: Record<string, unknown>): SignalDto | undefined {
  let to: unknown, ref: unknown, description: unknown, candidate: unknown;
  let hasDescription = false;
  let hasCandidate = false;
  let stripped = false;
  for (const key in data) {
    switch (key) {
      case 'to':
        to = data.to;
        break;
      case 'ref':
        ref = data.ref;
        break;
      case 'description':
        hasDescription = true;
        description = data.description;
        break;
      case 'candidate':
        hasCandidate = true;
        candidate = data.candidate;
        break;
      default:
        if (!STRIPPED.has(key)) return undefined;
        stripped = true;
    }
  }
  if (typeof to !== 'string' || !validTo(to)) return undefined;
  if (ref !== undefined && !optionalString(ref, LIMITS.maxRefLength)) return undefined;
  // Exactly one of the two; `candidate: null` is the end-of-candidates marker.
  if (hasDescription === hasCandidate) return undefined;
  const nested = hasDescription ? fastDescription(description) : candidate === null ? null : fastCandidate(candidate);
  if (nested === undefined) return undefined;
  if (!stripped && nested === (hasDescription ? description : candidate)) return data as unknown as SignalDto;
  // A stripped key somewhere: the same payload without it, keys in the order they came.
  const out: Record<string, unknown> = {};
  for (const key in data) {
    if (STRIPPED.has(key)) continue;
    out[key] = key === 'description' || key === 'candidate' ? nested : data[key];
  }
  return out as unknown as SignalDto;
}

function fastDescription(value: unknown): SessionDescriptionDto | undefined {
  if (!isPlainObject(value)) return undefined;
  let stripped = false;
  for (const key in value) {
    if (key === 'type') {
      if (!DESCRIPTION_TYPES.has(value.type as string)) return undefined;
    } else if (key === 'sdp') {
      if (typeof value.sdp !== 'string' || !within(value.sdp, LIMITS.maxSdpLength)) return undefined;
    } else if (STRIPPED.has(key)) stripped = true;
    else return undefined;
  }
  if (!('type' in value) || !('sdp' in value)) return undefined;
  return (stripped ? withoutStripped(value) : value) as unknown as SessionDescriptionDto;
}

function fastCandidate(value: unknown): IceCandidateDto | undefined {
  if (!isPlainObject(value)) return undefined;
  let stripped = false;
  let hasCandidate = false;
  for (const key in value) {
    const field = value[key];
    switch (key) {
      case 'candidate':
        if (typeof field !== 'string' || !within(field, LIMITS.maxCandidateLength)) return undefined;
        hasCandidate = true;
        break;
      case 'sdpMid':
        if (!optionalString(field, 64)) return undefined;
        break;
      case 'sdpMLineIndex':
        if (field !== null && !(typeof field === 'number' && Number.isInteger(field) && field >= 0 && field <= 1023)) return undefined;
        break;
      case 'usernameFragment':
        if (!optionalString(field, 256)) return undefined;
        break;
      default:
        if (!STRIPPED.has(key)) return undefined;
        stripped = true;
    }
  }
  if (!hasCandidate) return undefined;
  return (stripped ? withoutStripped(value) : value) as unknown as IceCandidateDto;
}
