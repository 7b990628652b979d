import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { SignalingModuleOptions } from '../src/index.js';
import { EdgeApp } from './edge-app.js';

/** Opens a socket and resolves with whether the server admitted it (101) or refused it (429). */
function attempt(url: string, options: { localAddress: string; headers?: Record<string, string> }): Promise<WebSocket | number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_, response) => resolve(response.statusCode ?? 0));
    socket.once('error', reject);
  });
}

async function admitted(url: string, requests: { localAddress: string; headers?: Record<string, string> }[]): Promise<number> {
  const outcomes = await Promise.all(requests.map((request) => attempt(url, request)));
  for (const outcome of outcomes) if (outcome instanceof WebSocket) outcome.terminate();
  const refused = outcomes.filter((outcome) => outcome === 429).length;
  expect(refused + outcomes.filter((outcome) => outcome instanceof WebSocket).length).toBe(requests.length);
  return requests.length - refused;
}

const spoofed = (i: number) => `198.51.100.${i % 250}, 10.${i}.0.1`;

describe('client addresses behind proxies', () => {
  let sut: EdgeApp | undefined;

  afterEach(async () => {
    await sut?.close();
  });

  const start = async (trustProxy: SignalingModuleOptions['trustProxy']) => {
    sut = await EdgeApp.start({ trustProxy, maxSocketsPerIp: 50, connectionsPerSecondPerIp: 10_000 });
    return sut;
  };

  it.each([
    ['one trusted hop (trustProxy: true)', true],
    ['one trusted hop (trustProxy: 1)', 1],
    ['a trusted CIDR', '127.0.0.0/8'],
    ['trusted names', ['loopback']],
  ] as [string, SignalingModuleOptions['trustProxy']][])(
    'admits no more than the cap for 120 spoofed X-Forwarded-For values through a proxy trusted as %s',
    async (_, trust) => {
      const app = await start(trust);
      // The proxy (127.0.0.1) appends the address it saw, 203.0.113.7, to what the client sent.
      const requests = Array.from({ length: 120 }, (_, i) => ({
        localAddress: '127.0.0.1',
        headers: { 'X-Forwarded-For': `${spoofed(i)}, 203.0.113.7` },
      }));

      expect(await admitted(app.wsUrl, requests)).toBe(50);
    },
  );

  it('ignores X-Forwarded-For from an address that is not a trusted proxy', async () => {
    const app = await start('127.0.0.1');
    const requests = Array.from({ length: 120 }, (_, i) => ({ localAddress: '127.0.0.9', headers: { 'X-Forwarded-For': spoofed(i) } }));

    expect(await admitted(app.wsUrl, requests)).toBe(50);
  });

  it('takes the address two trusted hops in, and tells clients behind one proxy apart', async () => {
    const app = await start(2);
    const requests = Array.from({ length: 120 }, (_, i) => ({
      localAddress: '127.0.0.1',
      headers: { 'X-Forwarded-For': `${spoofed(i)}, 203.0.113.${i % 2}, 10.0.0.2` },
    }));

    expect(await admitted(app.wsUrl, requests)).toBe(100);
  });

  it('refuses a trustProxy that is not an address, a CIDR, a name or a number of hops', async () => {
    await expect(EdgeApp.start({ trustProxy: 'not-an-address' })).rejects.toThrow(/trustProxy/);
    await expect(EdgeApp.start({ trustProxy: -1 })).rejects.toThrow(/trustProxy/);
  });
});

/** A raw TCP connection that sends part of an upgrade request and never finishes it. */
function halfOpen(port: number, localAddress: string): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`);
      resolve({ socket, closed });
    });
    // Read whatever comes: the server may answer 408 before closing (Node's own headersTimeout),
    // and a socket whose data nobody reads never sees the end of the stream, so never 'close'.
    socket.resume();
    const opened = performance.now();
    const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now() - opened)));
    socket.on('error', () => {});
    socket.once('error', reject);
  });
}

describe('half-sent upgrade requests', () => {
  let sut: EdgeApp;
  const raw: Socket[] = [];

  beforeEach(async () => {
    sut = await EdgeApp.start({ maxSocketsPerIp: 5, connectionsPerSecondPerIp: 10_000 });
  });

  afterEach(async () => {
    for (const socket of raw.splice(0)) socket.destroy();
    await sut.close();
  });

  it('counts them against the per-IP cap, drops the ones over it, and closes the rest within 10 s', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => halfOpen(sut.port, '127.0.0.7')));
    raw.push(...held.map(({ socket }) => socket));

    // 4 half-open and 1 socket make the cap of 5.
    const first = await attempt(sut.wsUrl, { localAddress: '127.0.0.7' });
    expect(first).toBeInstanceOf(WebSocket);
    expect(await attempt(sut.wsUrl, { localAddress: '127.0.0.7' })).toBe(429);
    (first as WebSocket).terminate();
    // Half-open connections alone are capped too: the 6th is dropped at once.
    const fifth = await halfOpen(sut.port, '127.0.0.7');
    raw.push(fifth.socket);
    held.push(fifth);
    const sixth = await halfOpen(sut.port, '127.0.0.7').catch(() => undefined);
    if (sixth) {
      raw.push(sixth.socket);
      expect(await Promise.race([sixth.closed.then(() => 'closed'), new Promise((resolve) => setTimeout(resolve, 2_000, 'open'))])).toBe('closed');
    }
    const elsewhere = await attempt(sut.wsUrl, { localAddress: '127.0.0.8' });
    expect(elsewhere).toBeInstanceOf(WebSocket);
    (elsewhere as WebSocket).terminate();

    const lifetimes = await Promise.all(held.map(({ closed }) => closed));
    expect(Math.max(...lifetimes)).toBeLessThan(10_000);
    // Once they are gone, the address is welcome again.
    const after = await attempt(sut.wsUrl, { localAddress: '127.0.0.7' });
    expect(after).toBeInstanceOf(WebSocket);
    (after as WebSocket).terminate();
  }, 20_000);

  it('does not count a request once its headers have arrived', async () => {
    const sockets = await Promise.all(Array.from({ length: 5 }, () => attempt(sut.wsUrl, { localAddress: '127.0.0.9' })));
    expect(sockets.every((socket) => socket instanceof WebSocket)).toBe(true);
    await expect(sut.healthz()).resolves.toMatchObject({ status: 200 });
    for (const socket of sockets) (socket as WebSocket).terminate();
  });
});
