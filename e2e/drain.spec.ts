/**
 * The drain on a real SIGTERM to the built app's process (apps/api/test/drain.spec.ts covers the
 * same steps in-process): readiness 503 at once, new joins refused, the call in progress served,
 * then 1012 to its socket and exit status 0.
 */
import { expect, test } from '@playwright/test';
import { WebSocket } from 'ws';
import { appServer } from './app-server';

const DRAIN_MS = 3_000;
const server = appServer(3150, { SHUTDOWN_DRAIN_MS: String(DRAIN_MS), LOG_LEVEL: 'info' });

test.afterAll(async () => {
  await server.stop();
});

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

async function connect(url: string): Promise<{ socket: WebSocket; next: (event: string) => Promise<Frame['data']>; closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (raw) => {
    frames.push(JSON.parse(raw.toString()) as Frame);
    for (const wake of waiters) wake();
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = (event: string) =>
    new Promise<Frame['data']>((resolve) => {
      const look = () => {
        const index = frames.findIndex((frame) => frame.event === event);
        if (index < 0) return;
        waiters.delete(look);
        resolve(frames.splice(index, 1)[0].data);
      };
      waiters.add(look);
      look();
    });
  return { socket, next, closed };
}

test('SIGTERM: readiness 503, new sockets and joins refused, the call goes on, then 1012 and exit 0', async () => {
  await server.start();
  const ws = `${server.url.replace('http', 'ws')}/ws`;
  const ada = await connect(ws);
  ada.socket.send(JSON.stringify({ event: 'join', data: { room: 'drain', name: 'Ada', protocol: 1 } }));
  await ada.next('joined');
  // Connected before the drain, joins during it.
  const bob = await connect(ws);
  expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

  const exited = server.stop('SIGTERM');
  await expect.poll(async () => (await fetch(`${server.url}/readyz`)).status, { timeout: 5_000 }).toBe(503);
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

  // A new socket is refused before the upgrade.
  const refused = await new Promise<number>((resolve) => {
    const late = new WebSocket(ws);
    late.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    late.on('open', () => {
      late.close();
      resolve(101);
    });
    late.on('error', () => undefined);
  });
  expect(refused).toBe(503);
  bob.socket.send(JSON.stringify({ event: 'join', data: { room: 'drain', name: 'Bob', protocol: 1 } }));
  expect(await bob.next('error')).toMatchObject({ code: 'internal', message: expect.stringMatching(/^Unavailable/) });

  ada.socket.send(JSON.stringify({ event: 'chat', data: { text: 'still here', ref: 'c1' } }));
  expect(await ada.next('chat')).toMatchObject({ text: 'still here', ref: 'c1' });

  expect(await ada.closed).toBe(1012);
  expect(await exited).toBe(0);
  const lines = server
    .output()
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .map((text) => JSON.parse(text) as Record<string, unknown>);
  // The startup line: the effective configuration, the resume secret only as "set".
  expect(lines.find((line) => line.event === 'start')).toMatchObject({ config: { shutdownDrainMs: DRAIN_MS, resumeSecret: 'set' } });
  expect(server.output()).not.toContain('e2e-resume-secret');
  expect(lines.find((line) => line.event === 'drain')).toMatchObject({ signal: 'SIGTERM', drainMs: DRAIN_MS });
  expect(lines.find((line) => line.event === 'join-refused')).toMatchObject({ room: 'drain', reason: 'draining' });
});
