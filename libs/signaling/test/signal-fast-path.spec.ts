import { randomInt } from 'node:crypto';
import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { LIMITS } from '@parley/protocol';
import { SignalDto } from '../src/dto/index.js';
import { fastSignal } from '../src/dto/signal.fast.js';
import { dataProblem } from '../src/frame-budget.js';
import { signalingValidationPipe } from '../src/signaling-validation.pipe.js';

// The fast check of `signal` against the DTO pipe it stands in for: on random frames, and on valid
// signals mutated one or more ways, both must accept or both refuse, and what they accept must
// serialize the same (the relayed frame is built from it).
const FRAMES = Number(process.env.FAST_PATH_FRAMES ?? 100_000);
const FIXED_SEED = 20261202;
const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [FIXED_SEED, randomInt(2 ** 31)];
const METADATA: ArgumentMetadata = { type: 'body', metatype: SignalDto };

/**
 * A JSON value as a tree whose objects are lists of entries, written out by hand: only JSON.parse
 * makes own `__proto__` keys, and a key may repeat, as in a frame from anyone.
 */
type Json = null | boolean | number | string | Json[] | { entries: [string, Json][] };

function write(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  return `{${value.entries.map(([key, v]) => `${JSON.stringify(key)}:${write(v)}`).join(',')}}`;
}

const object = (entries: [string, Json][]): Json => ({ entries });

// Strings near every limit and the characters class-validator counts apart from `.length`.
const tricky = fc.constantFrom('', 'a', '\uFE0F', 'a\uFE0F', '\uFE0E', '\uD83D\uDE00', '\uD83D', '\uDE00', '\uD83D\uDE00\uFE0F', ' ', '\u0000', 'é');
const stringNear = (limit: number) =>
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc
      .tuple(fc.integer({ min: Math.max(0, limit - 3), max: limit + 3 }), tricky, fc.integer({ min: 0, max: 4 }))
      .map(([n, odd, times]) => 'x'.repeat(Math.max(0, n - times)) + odd.repeat(times)),
    fc.array(tricky, { maxLength: 6 }).map((parts) => parts.join('')),
  );
const notAString: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 2000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant<Json>([]),
  fc.constant(object([])),
);
const STRIPPED = ['__proto__', 'prototype', 'constructor'];
const key = fc.oneof(fc.constantFrom('to', 'ref', 'description', 'candidate', 'type', 'sdp', 'sdpMid', ...STRIPPED), fc.string({ maxLength: 6 }));
const anyJson: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map(object),
  ),
})).value;

const valueOrWrong = (right: fc.Arbitrary<Json>) => fc.oneof({ arbitrary: right, weight: 12 }, { arbitrary: notAString, weight: 1 });
const optional = (name: string, value: fc.Arbitrary<Json>) =>
  fc.oneof(
    fc.constant([] as [string, Json][]),
    value.map((v): [string, Json][] => [[name, v]]),
  );

const description = fc
  .tuple(
    optional('type', valueOrWrong(fc.constantFrom('offer', 'answer', 'pranswer', 'rollback', 'Offer', 'other', ''))),
    optional('sdp', valueOrWrong(stringNear(LIMITS.maxSdpLength))),
  )
  .map(([type, sdp]) => [...type, ...sdp]);
const candidate = fc
  .tuple(
    optional('candidate', valueOrWrong(stringNear(LIMITS.maxCandidateLength))),
    optional('sdpMid', valueOrWrong(stringNear(64))),
    optional(
      'sdpMLineIndex',
      fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 1026 }), fc.constantFrom(0.5, -0, 1023.0001, 1e3), fc.constant('0')),
    ),
    optional('usernameFragment', valueOrWrong(stringNear(256))),
  )
  .map(([c, mid, index, ufrag]) => [...c, ...mid, ...index, ...ufrag]);

/** Entries shuffled, some dropped, some added (stripped keys among them), some repeated. */
function mutate(entries: fc.Arbitrary<[string, Json][]>): fc.Arbitrary<[string, Json][]> {
  return fc
    .tuple(
      entries,
      fc.array(fc.tuple(fc.oneof(fc.constantFrom(...STRIPPED), key), anyJson), { maxLength: 2 }),
      fc.nat(),
      fc.constantFrom(...Array<string>(8).fill('none'), 'add', 'drop', 'repeat', 'shuffle'),
    )
    .map(([list, extra, n, how]) => {
      const out = [...list];
      if (how === 'add') out.splice(n % (out.length + 1), 0, ...extra);
      if (how === 'drop' && out.length) out.splice(n % out.length, 1);
      if (how === 'repeat' && out.length) out.push(out[n % out.length]);
      if (how === 'shuffle') out.reverse();
      return out;
    });
}

const signal: fc.Arbitrary<Json> = fc
  .tuple(
    optional('to', valueOrWrong(fc.oneof(fc.constant('aBcDeFgHiJkLmNoP'), stringNear(64)))),
    optional('ref', fc.oneof(fc.constant(null), valueOrWrong(stringNear(LIMITS.maxRefLength)))),
    fc.oneof(
      mutate(description).map((d): [string, Json][] => [['description', object(d)]]),
      mutate(candidate).map((c): [string, Json][] => [['candidate', object(c)]]),
      fc.constant([['candidate', null]] as [string, Json][]),
      fc.tuple(mutate(description), mutate(candidate)).map(([d, c]): [string, Json][] => [
        ['description', object(d)],
        ['candidate', object(c)],
      ]),
      fc.constant([['description', null]] as [string, Json][]),
      fc.constant([] as [string, Json][]),
      anyJson.map((v): [string, Json][] => [[v === null ? 'candidate' : 'description', v]]),
    ),
  )
  .chain(([to, ref, body]) => mutate(fc.constant([...to, ...ref, ...body])))
  .map(object);

const frames = fc.oneof(
  { arbitrary: signal, weight: 9 },
  { arbitrary: anyJson.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)), weight: 1 },
);

/** What the DTO pipe makes of the payload: its result as JSON, or undefined when it refuses. */
async function throughPipe(data: Record<string, unknown>): Promise<string | undefined> {
  try {
    return JSON.stringify(await signalingValidationPipe.transform(data, METADATA));
  } catch {
    return undefined;
  }
}

describe('the fast check of signal', () => {
  it.each(SEEDS)(`agrees with the DTO pipe on ${FRAMES} random and mutated frames (seed %i)`, async (seed) => {
    const samples = fc.sample(frames, { seed, numRuns: FRAMES });
    const counts = { accepted: 0, refused: 0, overBudget: 0, stripped: 0 };
    for (const sample of samples) {
      const text = write(sample);
      const data = JSON.parse(text) as Record<string, unknown>;
      // The adapter refuses a payload over budget before either sees it.
      if (dataProblem(data)) {
        counts.overBudget++;
        continue;
      }
      const fast = fastSignal(data);
      const fastJson = fast === undefined ? undefined : JSON.stringify(fast);
      const piped = await throughPipe(JSON.parse(text) as Record<string, unknown>);
      if (fastJson !== piped) {
        throw new Error(`seed ${seed} (FUZZ_SEED=${seed} replays it): the fast check gave ${fastJson}, the pipe ${piped}, for ${text.slice(0, 500)}`);
      }
      counts[piped === undefined ? 'refused' : 'accepted']++;
      if (piped !== undefined && STRIPPED.some((k) => text.includes(`"${k}"`))) counts.stripped++;
    }
    console.log(`fast path seed ${seed} (FUZZ_SEED to replay): ${FRAMES} frames`, counts);
    // Both sides of the boundary were explored.
    expect(counts.accepted).toBeGreaterThan(FRAMES / 20);
    expect(counts.refused).toBeGreaterThan(FRAMES / 20);
  });

  it('hands on the payload it was given, without a copy, when there is nothing to strip', () => {
    const data = { to: 'p1', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    expect(fastSignal(data)).toBe(data);
  });
});
