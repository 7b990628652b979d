import type { Socket } from 'node:net';
import { CloseCode } from '@parley/protocol';
import { WebSocket, type WebSocketServer } from 'ws';
import { SignalingGateway } from '../src/index.js';
import { EdgeApp } from './edge-app.js';
import { TestClient } from './test-client.js';

const SDP = 'a'.repeat(30_000);
const TOTAL_BYTES = 30 * 1024 * 1024;

describe('a client that stops reading', () => {
  let sut: EdgeApp;

  beforeEach(async () => {
    sut = await EdgeApp.start({ joinTimeoutMs: 500, heartbeatMs: 100 });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('is closed with 4002 while its partner sends it 30 MB, and the server does not hold the backlog', async () => {
    // Pings far apart: this socket must be dropped for what it does not read, not for missed pongs.
    await sut.close();
    sut = await EdgeApp.start({ heartbeatMs: 60_000 });
    const ada = await TestClient.connect(sut.wsUrl);
    const { self } = await ada.join('slow', 'Ada');
    const bob = await TestClient.connect(sut.wsUrl);
    await bob.join('slow', 'Bob');
    // Ada's TCP socket stops reading: the kernel's buffers fill, then the server's.
    const tcp = (ada.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    (globalThis as { gc?: () => void }).gc?.();
    const rssBefore = process.memoryUsage().rss;

    let sent = 0;
    let rssPeak = rssBefore;
    // The server's side of Ada's socket: closing, its close frame queued behind what she has not read.
    const server = (sut.app.get(SignalingGateway) as unknown as { server: WebSocketServer }).server;
    const closing = () => [...server.clients].some((socket) => socket.readyState === WebSocket.CLOSING);
    // 40 signals a second stay under the signal rate limit.
    while (!closing() && sent < TOTAL_BYTES) {
      for (let i = 0; i < 4; i++) bob.send('signal', { to: self.id, description: { type: 'offer', sdp: SDP } });
      sent += 4 * SDP.length;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    expect(sent).toBeLessThan(TOTAL_BYTES);
    console.log(`slow reader dropped after ${(sent / 1e6).toFixed(1)} MB sent; RSS +${((rssPeak - rssBefore) / 1e6).toFixed(1)} MB at most`);
    expect(rssPeak - rssBefore).toBeLessThan(24 * 1024 * 1024);
    // Reading again, Ada gets what was queued and then the close, with its reason.
    tcp.resume();
    expect(await ada.closed).toMatchObject({ code: CloseCode.TooSlow });
    expect(await bob.next('peer-updated')).toMatchObject({ peer: { id: self.id, connection: 'reconnecting' } });
  }, 60_000);

  it('is closed by the heartbeat even while it keeps sending: only pongs count as alive', async () => {
    const ada = await TestClient.connect(sut.wsUrl);
    await ada.join('talker', 'Ada');
    ada.socket.pause();
    const talking = setInterval(() => ada.send('media', { audio: true, video: false, screen: false }), 50);
    try {
      // Paused, the client answers no ping: three 100 ms heartbeats, with slack for a loaded machine.
      const closed = await Promise.race([ada.closed, new Promise((resolve) => setTimeout(resolve, 3_000, 'still open'))]);
      expect(closed).not.toBe('still open');
    } finally {
      clearInterval(talking);
    }
  });

  it('is closed when it stays out of a room for joinTimeoutMs after a leave', async () => {
    const ada = await TestClient.connect(sut.wsUrl);
    await ada.join('leaving', 'Ada');
    ada.send('leave', {});

    expect(await Promise.race([ada.closed, new Promise((resolve) => setTimeout(resolve, 3_000, 'still open'))])).toMatchObject({
      code: CloseCode.PolicyViolation,
    });
  });
});
