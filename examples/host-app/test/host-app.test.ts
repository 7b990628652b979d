import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { io } from 'socket.io-client';
import { WebSocket, WebSocketServer } from 'ws';
import { createHostApp } from '../src/bootstrap.js';

// The frames' shapes are Parley's protocol; the test reads them loosely, as JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Data = Record<string, any>;

interface Frame {
  event: string;
  data: Data;
}

/** A socket client that collects frames and waits for the next one of an event. */
async function connect(url: string, user?: string) {
  const socket = new WebSocket(url, { headers: user ? { 'x-user': user } : {} });
  const frames: Frame[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (raw) => {
    frames.push(JSON.parse(raw.toString()));
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const next = async (event: string): Promise<Data> => {
    const deadline = Date.now() + 3000;
    for (;;) {
      const index = frames.findIndex((f) => f.event === event);
      if (index >= 0) return frames.splice(index, 1)[0].data;
      if (Date.now() > deadline) throw new Error(`no ${event}; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  };
  const send = (event: string, data: object) => socket.send(JSON.stringify({ event, data }));
  return { socket, next, send };
}

describe('a host app with its own REST, global ValidationPipe and ThrottlerGuard', () => {
  let app: INestApplication;
  let http: string;
  let ws: string;
  let raw: WebSocketServer;

  before(async () => {
    app = await createHostApp();
    // The host's own WebSocket server on another path of the same HTTP server.
    raw = new WebSocketServer({ noServer: true });
    app.getHttpServer().on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (request.url === '/raw') raw.handleUpgrade(request, socket, head, (client) => client.send('raw ok'));
    });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    http = `http://127.0.0.1:${port}`;
    ws = `ws://127.0.0.1:${port}/signaling`;
  });

  after(async () => {
    raw.close();
    await app.close();
  });

  it('runs a signaling exchange on the configured path, named by the authorize hook', async () => {
    const ada = await connect(ws, 'ada');
    const bob = await connect(ws, 'bob');
    ada.send('join', { room: 'standup', name: 'ignored', protocol: 1 });
    const adaJoined = await ada.next('joined');
    assert.equal(adaJoined.self.name, 'ada');
    bob.send('join', { room: 'standup', name: 'ignored', protocol: 1 });
    const bobJoined = await bob.next('joined');
    assert.deepEqual(
      bobJoined.peers.map((p: Data) => p.id),
      [adaJoined.self.id],
    );
    assert.equal(bobJoined.limits.maxPeers, 4);

    bob.send('signal', { to: adaJoined.self.id, description: { type: 'offer', sdp: 'v=0' } });
    assert.deepEqual(await ada.next('signal'), { from: bobJoined.self.id, description: { type: 'offer', sdp: 'v=0' } });
    ada.send('signal', { to: bobJoined.self.id, candidate: null });
    assert.deepEqual(await bob.next('signal'), { from: adaJoined.self.id, candidate: null });

    // More messages than the host's throttler allows per minute: the gateway is not throttled.
    for (let i = 0; i < 8; i++) ada.send('media', { audio: i % 2 === 0, video: true, screen: false });
    for (let i = 0; i < 8; i++) await ada.next('peer-updated');
    ada.socket.close();
    bob.socket.close();
  });

  it('answers bad messages with the protocol error, despite the host global ValidationPipe', async () => {
    const client = await connect(ws, 'eve');
    client.send('join', { room: 'standup', name: 'Eve', protocol: 1, admin: true });
    const error = await client.next('error');
    assert.equal(error.code, 'invalid-message');
    assert.equal(error.event, 'join');
    client.send('chat', { text: 'before join' });
    assert.equal((await client.next('error')).code, 'not-joined');
    client.socket.close();
  });

  it('refuses a join the hook refuses', async () => {
    const anonymous = await connect(ws);
    anonymous.send('join', { room: 'standup', name: 'Anon', protocol: 1 });
    assert.equal((await anonymous.next('error')).code, 'unauthorized');
    const guest = await connect(ws, 'guest');
    guest.send('join', { room: 'staff-only', name: 'Guest', protocol: 1 });
    assert.equal((await guest.next('error')).code, 'unauthorized');
    anonymous.socket.close();
    guest.socket.close();
  });

  it('keeps the host REST resource, its validation and its throttling', async () => {
    const created = await fetch(`${http}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    });
    assert.equal(created.status, 201);
    const invalid = await fetch(`${http}/notes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: '' }),
    });
    assert.equal(invalid.status, 400);
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${http}/notes`)).status);
    assert.ok(statuses.includes(429), `the host throttler still applies to REST: ${statuses}`);
  });

  it('leaves the host own WebSocket path to the host', async () => {
    const client = new WebSocket(`${http.replace('http', 'ws')}/raw`);
    const first = await new Promise<string>((resolve, reject) => {
      client.once('message', (data) => resolve(data.toString()));
      client.once('error', reject);
    });
    assert.equal(first, 'raw ok');
    client.close();
  });

  it("keeps the host's socket.io gateway working beside Parley's, over WebSocket and long polling", async () => {
    const ada = await connect(ws, 'ada');
    ada.send('join', { room: 'beside', name: 'Ada', protocol: 1 });
    await ada.next('joined');
    for (const transport of ['websocket', 'polling'] as const) {
      const client = io(`${http}/chat`, { transports: [transport], forceNew: true, reconnection: false });
      try {
        const reply = await client.timeout(3000).emitWithAck('echo', { text: `over ${transport}` });
        assert.deepEqual(reply, { text: `over ${transport}`, from: 'chat gateway' });
      } finally {
        client.disconnect();
      }
    }
    // Parley's socket is unaffected.
    ada.send('media', { audio: true, video: false, screen: false });
    assert.equal((await ada.next('peer-updated')).peer.media.audio, true);
    ada.socket.close();
  });
});
