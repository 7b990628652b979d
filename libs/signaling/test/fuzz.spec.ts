import fc from 'fast-check';
import { CLIENT_EVENTS, ErrorCode, LIMITS, type ServerFrame } from '@parley/protocol';
import { WebSocket } from 'ws';
import { TestApp } from './test-app.js';
import { TestClient } from './test-client.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const FRAMES_PER_SOCKET = 30;
const ERROR_CODES = new Set<string>(Object.values(ErrorCode));

/** One generated frame, and what the server must do with it. */
interface Fuzz {
  kind: string;
  payload: string | Buffer;
  binary?: boolean;
  /** `error`: an error event with a code; `close`: the socket is closed with this code. */
  expect: { error: true } | { close: number };
}

function arbitraries(targets: string[]): fc.Arbitrary<Fuzz> {
  const text = (kind: string, arb: fc.Arbitrary<string>) => arb.map((payload): Fuzz => ({ kind, payload, expect: { error: true } }));
  const frame = (event: fc.Arbitrary<unknown>, data: fc.Arbitrary<unknown>) =>
    fc.record({ event, data }).map((f) => JSON.stringify(f));
  // An extra field makes any payload invalid, so every such frame must get an error.
  const poisoned = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })).map((d) => ({ ...d, __fuzz: 1 }));
  const nested = fc.integer({ min: 50, max: 3000 }).map((depth) => `{"event":"chat","data":{"text":${'['.repeat(depth)}${']'.repeat(depth)}}}`);
  const signal = fc.record({
    to: fc.oneof(fc.constantFrom(...targets), fc.string({ minLength: 1, maxLength: 64 })),
    description: fc.record({ type: fc.constant('offer'), sdp: fc.string({ maxLength: 200 }) }),
  });

  return fc.oneof(
    text('malformed JSON', fc.string({ maxLength: 200 }).map((s) => `{${s}`)),
    text('not an object', fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((v) => JSON.stringify(v))),
    text('wrong types', frame(fc.constantFrom(...CLIENT_EVENTS), fc.oneof(poisoned, fc.anything().filter((v) => v !== undefined && (v === null || typeof v !== 'object'))))),
    text('huge strings', frame(fc.constantFrom('chat', 'join'), fc.tuple(fc.constantFrom('text', 'name'), fc.integer({ min: LIMITS.maxChatLength + 1, max: 60_000 })).map(([key, n]) => ({ [key]: 'x'.repeat(n) })))),
    text('deep nesting', nested),
    text('unknown events', frame(fc.string({ maxLength: 100 }).filter((e) => !(CLIENT_EVENTS as readonly string[]).includes(e)), fc.object())),
    text('cross-room and unknown targets', frame(fc.constant('signal'), signal)),
    fc.uint8Array({ maxLength: 300 }).map((bytes): Fuzz => ({ kind: 'binary frames', payload: Buffer.from(bytes), binary: true, expect: { error: true } })),
    fc.constant<Fuzz>({ kind: 'invalid UTF-8', payload: Buffer.from([0x7b, 0xc3, 0x28, 0xff, 0x7d]), binary: false, expect: { close: 1007 } }),
    fc.nat({ max: 20_000 }).map((n): Fuzz => ({ kind: 'oversize frames', payload: 'x'.repeat(LIMITS.maxFrameBytes + 1 + n), expect: { close: 1009 } })),
  );
}

/** Sends one frame and waits for what it must cause: an `error` frame, or the socket closing. */
function exchange(socket: WebSocket, fuzz: Fuzz): Promise<ServerFrame | { closed: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${fuzz.kind}: ${String(fuzz.payload).slice(0, 120)}`)), 5_000);
    const done = (result: ServerFrame | { closed: number }) => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('close', onClose);
      resolve(result);
    };
    const onMessage = (raw: Buffer) => done(JSON.parse(raw.toString()) as ServerFrame);
    const onClose = (code: number) => done({ closed: code });
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.send(fuzz.payload, { binary: fuzz.binary ?? typeof fuzz.payload !== 'string' });
  });
}

// npm run test:unit passes --expose-gc, so the server's heap is measured after collection.
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

describe('fuzzing a live gateway', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await TestApp.start({ maxSocketsPerIp: 10_000, connectionsPerSecondPerIp: 10_000, newRoomJoinsPerIp: { burst: 10_000, perMinute: 10_000 }, resumeRotateMs: 3_600_000 });
  });

  afterAll(async () => {
    await sut.close();
  });

  it(`answers ${FRAMES} generated bad frames with coded errors, while an honest exchange loses nothing`, async () => {
    const ada = await sut.joined('honest', 'Ada');
    const bob = await sut.joined('honest', 'Bob');
    await ada.client.next('peer-joined');
    const honest = [ada, bob];
    const got = new Map(honest.map((h) => [h.id, [] as number[]]));
    const strays: string[] = [];
    for (const h of honest) {
      h.client.socket.on('message', (raw) => {
        const frame = JSON.parse(raw.toString()) as ServerFrame;
        const other = honest.find((o) => o !== h)!;
        if (frame.event === 'signal' && frame.data.from === other.id) got.get(h.id)!.push(Number(frame.data.candidate?.sdpMid));
        else strays.push(`${h.joined.self.name} got ${raw.toString().slice(0, 200)}`);
      });
    }
    let sent = 0;
    let talking = true;
    const talk = (async () => {
      // 30 signals a second each way: well within the signal rate limit.
      while (talking) {
        for (const [from, to] of [[ada, bob], [bob, ada]]) {
          from.client.send('signal', { to: to.id, candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: String(sent) } });
        }
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 33));
      }
    })();

    const frames = fc.sample(arbitraries([ada.id, bob.id]), { seed: SEED, numRuns: FRAMES });
    const counts: Record<string, number> = {};
    const heapBefore = heapAfterGc();
    let socket: WebSocket | undefined;
    let onSocket = 0;
    try {
    for (const [i, fuzz] of frames.entries()) {
      if (!socket || socket.readyState !== WebSocket.OPEN || onSocket === FRAMES_PER_SOCKET) {
        socket?.terminate();
        const client = await sut.client();
        await client.join(`fuzz-${i}`, 'Fuzz');
        socket = client.socket;
        onSocket = 0;
        socket.on('message', (raw) => {
          const frame = JSON.parse(raw.toString()) as ServerFrame;
          if (frame.event !== 'error') strays.push(`fuzz socket got ${raw.toString().slice(0, 200)}`);
        });
      }
      onSocket++;
      counts[fuzz.kind] = (counts[fuzz.kind] ?? 0) + 1;
      const answer = await exchange(socket, fuzz);
      if ('expect' in fuzz && 'close' in fuzz.expect) {
        expect(answer).toEqual({ closed: fuzz.expect.close });
      } else {
        expect(answer).toMatchObject({ event: 'error' });
        expect(ERROR_CODES.has((answer as ServerFrame & { event: 'error' }).data.code)).toBe(true);
      }
    }
    } finally {
      socket?.terminate();
      talking = false;
      await talk;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    const heapGrowth = heapAfterGc() - heapBefore;
    console.log(`fuzz seed ${SEED} (set FUZZ_SEED to replay): ${FRAMES} frames`, counts, `honest signals ${sent} each way, heap +${(heapGrowth / 1e6).toFixed(1)} MB`);
    expect(Object.keys(counts)).toHaveLength(10);
    expect(strays).toEqual([]);
    for (const sequence of got.values()) expect(sequence).toEqual(Array.from({ length: sent }, (_, i) => i));
    // Closed sockets, their sessions and rate limiters must all be collectable.
    expect(heapGrowth).toBeLessThan(30 * 1024 * 1024);
    await expect(TestClient.connect(sut.url)).resolves.toBeInstanceOf(TestClient);
  }, 240_000);
});
