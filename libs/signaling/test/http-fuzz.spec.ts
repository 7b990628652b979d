import { randomInt } from 'node:crypto';
import { connect } from 'node:net';
import fc from 'fast-check';
import { EdgeApp } from './edge-app.js';

const REQUESTS = Number(process.env.HTTP_FUZZ_REQUESTS ?? 2_000);
const FIXED_SEED = 20261202;
// A fixed seed keeps finding what it found; a fresh one each run looks somewhere new.
const SEEDS = process.env.HTTP_FUZZ_SEED ? [Number(process.env.HTTP_FUZZ_SEED)] : [FIXED_SEED, randomInt(2 ** 31)];
const BATCH = 50;
const ANSWER_WAIT_MS = 5_000;

/** One generated request, sent whole over a fresh TCP connection and then half-closed. */
interface RawRequest {
  kind: string;
  bytes: Buffer;
  /** The loopback address it comes from, so per-IP limits see many clients. */
  from: string;
}

const CRLF = '\r\n';
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

function upgradeHeaders(host: string): [string, string][] {
  return [
    ['Host', host],
    ['Connection', 'Upgrade'],
    ['Upgrade', 'websocket'],
    ['Sec-WebSocket-Key', KEY],
    ['Sec-WebSocket-Version', '13'],
  ];
}

function request(line: string, headers: [string, string][], tail: string | Buffer = ''): Buffer {
  const head = `${line}${CRLF}${headers.map(([name, value]) => `${name}: ${value}`).join(CRLF)}${CRLF}${CRLF}`;
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(tail) ? tail : Buffer.from(tail, 'latin1')]);
}

// Bytes an HTTP parser should choke on or a URL parser should refuse.
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('', ' ', '\t', '\0', '\r', '\n', '\r\n', ':', '%', '%zz', '\u00ff', 'a\r\nX-Injected: 1', '[::1', 'http://', '//'),
);

const oddTargets = fc.oneof(
  fc.constantFrom(
    '//',
    '///',
    '//ws',
    '//ws/',
    '//@/ws',
    '//:99999/ws',
    '//[::1/ws',
    '/ws',
    '/ws/',
    '/ws?',
    '/ws?%zz',
    '/ws#x',
    '/ws/../ws',
    '/%2fws',
    '/%',
    '/%zz',
    '*',
    '?',
    '#',
    '',
    'ws',
    'http://',
    'http:///ws',
    'http://localhost/ws',
    'http://evil.example:1/ws',
    'ws://[::1]:0/ws',
    'https://a@b@c/ws',
    'file:///etc/passwd',
    'javascript:alert(1)',
    '/\u00e9',
    '/ws\u0000',
    '/ws\t',
  ),
  fc.string({ maxLength: 60 }).map((s) => `/${s}`),
  fc.string({ maxLength: 60 }).map((s) => `//${s}`),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

const methods = fc.oneof(
  fc.constantFrom('GET', 'GET', 'GET', 'POST', 'HEAD', 'OPTIONS', 'CONNECT', 'PRI', 'get', 'G ET', 'PUT'),
  fc.string({ maxLength: 12 }),
);
const versions = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTP/11', 'http/1.1', '');

type Headers = [string, string][];

/** One change to an otherwise valid upgrade's headers. */
const headerMutation: fc.Arbitrary<(headers: Headers) => Headers> = fc.oneof(
  fc.nat(4).map((i) => (h: Headers) => h.filter((_, j) => j !== i)),
  fc.tuple(fc.nat(4), nasty).map(
    ([i, value]) =>
      (h: Headers) =>
        h.map(([n, v], j) => [n, j === i ? value : v] as [string, string]),
  ),
  fc.tuple(fc.nat(4), nasty).map(
    ([i, value]) =>
      (h: Headers) =>
        h.length ? [...h, [h[i % h.length][0], value] as [string, string]] : h,
  ),
  fc.tuple(nasty, nasty).map(([name, value]) => (h: Headers) => [...h, [name, value] as [string, string]]),
  fc
    .tuple(
      fc.constantFrom(
        'Origin',
        'X-Forwarded-For',
        'Forwarded',
        'Sec-WebSocket-Extensions',
        'Sec-WebSocket-Protocol',
        'Content-Length',
        'Transfer-Encoding',
        'Expect',
        'Cookie',
        'Authorization',
      ),
      fc.oneof(
        nasty,
        fc.constantFrom(
          'permessage-deflate; client_max_window_bits=99',
          'chunked',
          '-1',
          '99999999999999999999',
          '100-continue',
          'null',
          '1.2.3.4, , ,, unknown',
        ),
      ),
    )
    .map(([name, value]) => (h: Headers) => [...h, [name, value] as [string, string]]),
  fc.constant((h: Headers) => [...h, ['Host', 'second.example'] as [string, string]]),
  fc.constant((h: Headers) => h.map(([n, v]) => [n.toLowerCase(), v] as [string, string])),
  fc.constant((h: Headers) => [...h, ['X-Folded', 'a'] as [string, string], [' b', 'c'] as [string, string]]),
);

function arbitraries(port: number): fc.Arbitrary<RawRequest> {
  const host = `127.0.0.1:${port}`;
  const from = fc.integer({ min: 10, max: 250 }).map((n) => `127.0.0.${n}`);
  const kind = (name: string, bytes: fc.Arbitrary<Buffer>) => fc.record({ kind: fc.constant(name), bytes, from });
  const upgrade = fc.array(headerMutation, { maxLength: 3 }).map((mutations) =>
    request(
      'GET /ws HTTP/1.1',
      mutations.reduce((h, m) => m(h), upgradeHeaders(host)),
    ),
  );

  return fc.oneof(
    kind(
      'bad request lines',
      fc
        .tuple(methods, oddTargets, versions, fc.constantFrom(' ', '  ', '\t', ''))
        .map(([m, t, v, sp]) => request(`${m}${sp}${t}${sp}${v}`, upgradeHeaders(host))),
    ),
    kind(
      'odd targets on the upgrade path',
      oddTargets.map((target) => request(`GET ${target} HTTP/1.1`, upgradeHeaders(host))),
    ),
    kind(
      'odd targets without an upgrade',
      oddTargets.map((target) => request(`GET ${target} HTTP/1.1`, [['Host', host]])),
    ),
    kind(
      'long targets',
      fc
        .tuple(fc.integer({ min: 1_000, max: 100_000 }), fc.constantFrom('/ws?', '/', '//', 'http://x/'))
        .map(([n, prefix]) => request(`GET ${prefix}${'a'.repeat(n)} HTTP/1.1`, upgradeHeaders(host))),
    ),
    kind('bad, missing and duplicated headers', upgrade),
    kind(
      'bad Sec-WebSocket-Key and -Version',
      fc
        .tuple(fc.oneof(nasty, fc.base64String({ maxLength: 40 })), fc.oneof(nasty, fc.integer({ min: -1, max: 100 }).map(String)))
        .map(([key, version]) =>
          request('GET /ws HTTP/1.1', [
            ['Host', host],
            ['Connection', 'Upgrade'],
            ['Upgrade', 'websocket'],
            ['Sec-WebSocket-Key', key],
            ['Sec-WebSocket-Version', version],
          ]),
        ),
    ),
    kind(
      'half-sent upgrades',
      fc.tuple(upgrade, fc.double({ min: 0, max: 1, noNaN: true })).map(([bytes, cut]) => bytes.subarray(0, Math.floor(bytes.length * cut))),
    ),
    kind(
      'pipelined garbage',
      fc
        .tuple(
          fc.constantFrom('GET /healthz HTTP/1.1', 'GET /ws HTTP/1.1', 'GET // HTTP/1.1'),
          fc.boolean(),
          fc.uint8Array({ minLength: 1, maxLength: 2_000 }),
        )
        .map(([line, up, garbage]) => request(line, up ? upgradeHeaders(host) : [['Host', host]], Buffer.from(garbage))),
    ),
    kind(
      'raw bytes',
      fc.uint8Array({ minLength: 1, maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
    ),
  );
}

type Outcome = { answer: string } | { closed: true };

/** Sends the request, half-closes, and waits for the first bytes of an answer or the close. */
function exchange(port: number, raw: RawRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: raw.from });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no answer and no close within ${ANSWER_WAIT_MS} ms to ${raw.kind}: ${JSON.stringify(raw.bytes.toString('latin1').slice(0, 200))}`),
      );
    }, ANSWER_WAIT_MS);
    const done = (outcome: Outcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    socket.once('data', (chunk) => done({ answer: chunk.toString('latin1', 0, 16) }));
    socket.once('close', () => done({ closed: true }));
    // A reset while sending is a close too.
    socket.on('error', () => {});
    socket.end(raw.bytes);
  });
}

describe('raw HTTP requests to the server and its upgrade path', () => {
  let sut: EdgeApp;

  beforeAll(async () => {
    sut = await EdgeApp.start();
  });

  afterAll(async () => {
    await sut.close();
  });

  it('survives GET // with Connection: Upgrade, and still answers /healthz', async () => {
    const outcome = await exchange(sut.port, {
      kind: 'the request that killed it',
      bytes: request('GET // HTTP/1.1', [
        ['Host', '127.0.0.1'],
        ['Connection', 'Upgrade'],
        ['Upgrade', 'x'],
      ]),
      from: '127.0.0.2',
    });

    expect(outcome).toEqual({ answer: expect.stringMatching(/^HTTP\/1\.1 400 /) });
    await expect(sut.healthz()).resolves.toMatchObject({ status: 200 });
  });

  it.each(SEEDS)(
    `answers or closes each of ${REQUESTS} generated requests (seed %i), and answers /healthz after every batch`,
    async (seed) => {
      const requests = fc.sample(arbitraries(sut.port), { seed, numRuns: REQUESTS });
      const counts: Record<string, number> = {};
      const answers: Record<string, number> = {};
      for (let start = 0; start < requests.length; start += BATCH) {
        const batch = requests.slice(start, start + BATCH);
        const outcomes = await Promise.all(batch.map((raw) => exchange(sut.port, raw)));
        for (const [i, outcome] of outcomes.entries()) {
          counts[batch[i].kind] = (counts[batch[i].kind] ?? 0) + 1;
          const seen =
            'answer' in outcome ? (/^HTTP\/1\.[01] \d{3}/.exec(outcome.answer)?.[0] ?? `not HTTP: ${JSON.stringify(outcome.answer)}`) : 'closed';
          answers[seen] = (answers[seen] ?? 0) + 1;
        }
        expect((await sut.healthz()).status).toBe(200);
      }

      console.log(`HTTP fuzz seed ${seed} (set HTTP_FUZZ_SEED to replay): ${REQUESTS} requests`, counts, answers);
      expect(Object.keys(counts)).toHaveLength(9);
      expect(Object.keys(answers).filter((seen) => seen.startsWith('not HTTP'))).toEqual([]);
      expect(sut.logger.at('error', 'fatal')).toEqual([]);
    },
    240_000,
  );
});
