import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { start } from './test-app.js';

describe('api app', () => {
  let sut: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app: sut, base } = await start({}));
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers /healthz and /readyz (no Redis configured)', async () => {
    const live = await fetch(`http://${base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'ok', info: { signaling: { status: 'up', rooms: 0, peers: 0 } } });

    const ready = await fetch(`http://${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { redis: { status: 'up', mode: expect.stringContaining('memory') } } });
  });

  it('serves the SPA for / and for a room link, and files as themselves', async () => {
    for (const path of ['/', '/r/brave-otter-42']) {
      const response = await fetch(`http://${base}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>Parley</title>');
    }
    expect(await (await fetch(`http://${base}/app.js`)).text()).toBe('console.log(1)');
  });

  it('sends a CSP that allows only the app itself, and security headers', async () => {
    const { headers } = await fetch(`http://${base}/r/room`);
    const csp = headers.get('content-security-policy');
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("media-src 'self' blob: mediastream:");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(headers.get('x-content-type-options')).toBe('nosniff');
    expect(headers.get('permissions-policy')).toContain('camera=(self)');
  });

  it('runs the gateway on /ws, and counts its traffic in /metrics', async () => {
    const socket = new WebSocket(`ws://${base}/ws`);
    const replies: string[] = [];
    socket.on('message', (data) => replies.push(data.toString()));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ event: 'join', data: { room: 'r1', name: 'Ada', protocol: 1 } }));
    socket.send(JSON.stringify({ event: 'signal', data: { to: 'nobody', candidate: null } }));
    while (replies.length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.parse(replies[0])).toMatchObject({ event: 'joined', data: { room: 'r1', iceServers: [] } });

    const metrics = await (await fetch(`http://${base}/metrics`)).text();
    expect(metrics).toContain('parley_messages_received_total{event="join"} 1');
    expect(metrics).toContain('parley_messages_sent_total{event="joined"} 1');
    expect(metrics).toContain('parley_errors_total{code="unknown-peer"} 1');
    expect(metrics).toContain('parley_open_sockets 1');
    expect(metrics).toContain('parley_peers 1');
    expect(metrics).toMatch(/parley_relay_latency_seconds_bucket\{le="0.001"\}/);
    socket.close();
  });
});

describe('api app with Redis', () => {
  it('is ready when Redis answers, and not ready (503) when it does not', async () => {
    const up = await start({ REDIS_URL: 'redis://127.0.0.1:6379', RESUME_SECRET: 's' });
    const down = await start({ REDIS_URL: 'redis://127.0.0.1:1', RESUME_SECRET: 's' });
    try {
      const ready = await fetch(`http://${up.base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ info: { redis: { status: 'up' } } });

      const notReady = await fetch(`http://${down.base}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
      expect((await fetch(`http://${down.base}/healthz`)).status).toBe(200);
    } finally {
      await Promise.all([up.app.close(), down.app.close()]);
    }
  });
});

describe('GET /api/ice-servers', () => {
  it('hands out the STUN servers and, with a ticket, a short-lived TURN credential, never the secret', async () => {
    const { app, base } = await start({
      STUN_URLS: 'stun:127.0.0.1:3478',
      TURN_URLS: 'turn:127.0.0.1:3478',
      TURN_SECRET: 'never-sent',
      TURN_TTL: '300',
    });
    try {
      const { iceTicket } = (await (await fetch(`http://${base}/api/config`)).json()) as { iceTicket: string };
      const response = await fetch(`http://${base}/api/ice-servers`, { headers: { 'x-parley-ticket': iceTicket } });
      const text = await response.text();
      expect(response.status).toBe(200);
      expect(text).not.toContain('never-sent');
      const { iceServers } = JSON.parse(text);
      expect(iceServers).toEqual([
        { urls: ['stun:127.0.0.1:3478'] },
        { urls: ['turn:127.0.0.1:3478'], username: expect.stringMatching(/^\d+:probe-/), credential: expect.any(String) },
      ]);
      expect(Number(iceServers[1].username.split(':')[0]) - Date.now() / 1000).toBeLessThanOrEqual(300);
      expect((await fetch(`http://${base}/api/nothing`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });

  it('needs a room token when joins do', async () => {
    const { SignJWT } = await import('jose');
    const token = await new SignJWT({ room: 'r1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('jwt-secret'));
    const { app, base } = await start({ AUTH_SECRET: 'jwt-secret' });
    try {
      expect((await fetch(`http://${base}/api/ice-servers?room=r1`)).status).toBe(403);
      expect((await fetch(`http://${base}/api/ice-servers?room=r2`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
      const allowed = await fetch(`http://${base}/api/ice-servers?room=r1`, { headers: { authorization: `Bearer ${token}` } });
      expect(allowed.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
