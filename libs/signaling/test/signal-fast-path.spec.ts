import { randomInt } from 'node:crypto';
import type { ArgumentMetadata } from '@nestjs/common';
import fc from 'fast-check';
import { LIMITS } from '@parley/protocol';
import { JoinDto, SignalDto } from '../src/dto/index.js';
import { fastJoin } from '../src/dto/join.fast.js';
import { fastSignal } from '../src/dto/signal.fast.js';
import { dataProblem } from '../src/frame-budget.js';
import { signalingValidationPipe } from '../src/signaling-validation.pipe.js';

// The fast checks of `signal` and `join` against the DTO pipe they stand in for: on random frames,
// and on valid payloads mutated one or more ways, both must accept or both refuse, and what they
// accept must serialize the same (the relayed frame and the room's records are built from it).
// Per seed: 100,000 signals a run, half of them new each time.
const FRAMES = Number(process.env.FAST_PATH_FRAMES ?? 50_000);
const JOIN_FRAMES = Math.ceil(FRAMES / 4);
const FIXED_SEED = 20261202;
const SEEDS = process.env.FUZZ_SEED ? [Number(process.env.FUZZ_SEED)] : [FIXED_SEED, randomInt(2 ** 31)];

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
const optional = (name: string, value: fc.Arbitrary<Json>, present = 1) =>
  fc.oneof(
    { arbitrary: fc.constant([] as [string, Json][]), weight: 1 },
    { arbitrary: value.map((v): [string, Json][] => [[name, v]]), weight: present },
  );
/** A required key: absent now and then. */
const required = (name: string, value: fc.Arbitrary<Json>) => optional(name, value, 10);

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
    required('to', valueOrWrong(fc.oneof(fc.constant('aBcDeFgHiJkLmNoP'), stringNear(64)))),
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

const randomObject = anyJson.filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
const signalFrames = fc.oneof({ arbitrary: signal, weight: 9 }, { arbitrary: randomObject, weight: 1 });

// Names: what cleanText removes (controls, bidi marks), what shows and what does not (fillers,
// a combining mark alone, format characters), around the length limit.
const nameParts = fc.constantFrom(
  'Ada',
  ' ',
  '\u0000',
  '\n',
  '\u202E',
  '\u200B',
  '\u3164',
  '\u2800',
  '\u0301',
  '\uD83D\uDE00',
  '\uFE0F',
  '-',
  'é',
  '\t',
);
const join: fc.Arbitrary<Json> = fc
  .tuple(
    required(
      'room',
      valueOrWrong(fc.oneof(fc.constantFrom('room-1', 'a', 'x'.repeat(64), 'x'.repeat(65), 'sp ace', ''), fc.string({ maxLength: 6 }))),
    ),
    required(
      'name',
      valueOrWrong(
        fc.oneof(
          fc.array(nameParts, { maxLength: 8 }).map((p) => p.join('')),
          fc.string({ maxLength: 12 }),
          stringNear(LIMITS.maxNameLength),
        ),
      ),
    ),
    required('protocol', fc.oneof(fc.constantFrom(1, 1, 1, 2, 0, -1, 1.5, 1e21), notAString, fc.constant('1'))),
    optional('token', fc.oneof(fc.constant(null), valueOrWrong(stringNear(4096)))),
    optional('resume', fc.oneof(fc.constant(null), valueOrWrong(stringNear(1024)))),
    optional('ref', fc.oneof(fc.constant(null), valueOrWrong(stringNear(LIMITS.maxRefLength)))),
  )
  .chain((parts) => mutate(fc.constant(parts.flat())))
  .map(object);
const joinFrames = fc.oneof({ arbitrary: join, weight: 9 }, { arbitrary: randomObject, weight: 1 });

/** What the DTO pipe makes of the payload: its result as JSON, or undefined when it refuses. */
async function throughPipe(data: Record<string, unknown>, metadata: ArgumentMetadata): Promise<string | undefined> {
  try {
    return JSON.stringify(await signalingValidationPipe.transform(data, metadata));
  } catch {
    return undefined;
  }
}

/** Runs `count` frames of `arbitrary` through both; throws at the first disagreement. */
async function compare(
  event: string,
  check: (data: Record<string, unknown>) => unknown,
  metatype: new () => unknown,
  arbitrary: fc.Arbitrary<Json>,
  count: number,
  seed: number,
) {
  const counts = { accepted: 0, refused: 0, overBudget: 0, stripped: 0 };
  for (const sample of fc.sample(arbitrary, { seed, numRuns: count })) {
    const text = write(sample);
    const data = JSON.parse(text) as Record<string, unknown>;
    // The adapter refuses a payload over budget before either sees it.
    if (dataProblem(data)) {
      counts.overBudget++;
      continue;
    }
    const fast = check(data);
    const fastJson = fast === undefined ? undefined : JSON.stringify(fast);
    const piped = await throughPipe(JSON.parse(text) as Record<string, unknown>, { type: 'body', metatype });
    if (fastJson !== piped) {
      throw new Error(
        `${event}, seed ${seed} (FUZZ_SEED=${seed} replays it): the fast check gave ${fastJson}, the pipe ${piped}, for ${text.slice(0, 500)}`,
      );
    }
    counts[piped === undefined ? 'refused' : 'accepted']++;
    if (piped !== undefined && STRIPPED.some((k) => text.includes(`"${k}"`))) counts.stripped++;
  }
  console.log(`fast ${event} seed ${seed} (FUZZ_SEED to replay): ${count} frames`, counts);
  // Both sides of the boundary were explored (about 5% of joins are valid; 1% leaves room for a seed's spread).
  expect(counts.accepted).toBeGreaterThan(count / 100);
  expect(counts.refused).toBeGreaterThan(count / 100);
}

describe('the fast checks of hot messages', () => {
  it.each(SEEDS)(`signal: agrees with the DTO pipe on ${FRAMES} random and mutated frames (seed %i)`, (seed) =>
    compare('signal', fastSignal, SignalDto, signalFrames, FRAMES, seed),
  );

  it.each(SEEDS)(`join: agrees with the DTO pipe on ${JOIN_FRAMES} random and mutated frames (seed %i)`, (seed) =>
    compare('join', fastJoin, JoinDto, joinFrames, JOIN_FRAMES, seed),
  );

  it('hands on the payload it was given, without a copy, when there is nothing to strip', () => {
    const data = { to: 'p1', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } };
    expect(fastSignal(data)).toBe(data);
  });
});
