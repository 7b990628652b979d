import type { INestApplication } from '@nestjs/common';
import type { IceServer } from '@parley/protocol';
import { ICE_TICKET_TTL_MS, IceTickets } from '../src/ice-tickets.js';
import { get, start } from './test-app.js';

const TURN = {
  STUN_URLS: 'stun:127.0.0.1:3478',
  TURN_URLS: 'turn:127.0.0.1:3478',
  TURN_SECRET: 'turn-secret-for-tests',
  RESUME_SECRET: 'resume-secret-for-tests',
};

async function iceServers(base: string, options: { from?: string; ticket?: string; query?: string; headers?: Record<string, string> } = {}) {
  const headers = { ...options.headers, ...(options.ticket === undefined ? {} : { 'x-parley-ticket': options.ticket }) };
  const reply = await get(base, `/api/ice-servers${options.query ?? ''}`, { from: options.from, headers });
  return { ...reply, iceServers: reply.status === 200 ? (JSON.parse(reply.body).iceServers as IceServer[]) : undefined };
}

async function ticket(base: string, from = '127.0.0.1'): Promise<string> {
  const reply = await get(base, '/api/config', { from });
  expect(reply.status).toBe(200);
  return JSON.parse(reply.body).iceTicket;
}

const hasTurn = (servers: IceServer[] | undefined) =>
  Boolean(servers?.some((server) => server.username !== undefined || server.credential !== undefined));

describe('GET /api/config', () => {
  it('gives the configured signaling path and an opaque ICE ticket, nothing else', async () => {
    const { app, base } = await start({ ...TURN, SIGNALING_PATH: '/signal' });
    try {
      const reply = await get(base, '/api/config');
      expect(reply.status).toBe(200);
      const body = JSON.parse(reply.body);
      expect(Object.keys(body).sort()).toEqual(['iceTicket', 'signalingPath']);
      expect(body).toEqual({ signalingPath: '/signal', iceTicket: expect.stringMatching(/^[\w.-]{20,128}$/) });
      expect(reply.body).not.toContain(TURN.TURN_SECRET);
      expect(reply.body).not.toContain(TURN.RESUME_SECRET);
      expect(reply.headers['cache-control']).toBe('no-store');
    } finally {
      await app.close();
    }
  });
});

describe('TURN credentials from /api/ice-servers', () => {
  let sut: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app: sut, base } = await start({ ...TURN, API_REQUESTS_PER_MINUTE_PER_IP: '10000' }));
  });

  afterAll(async () => {
    await sut.close();
  });

  it('hands no TURN credential to 300 callers without a ticket, only STUN', async () => {
    const replies = [];
    for (let i = 0; i < 300; i++) replies.push(await iceServers(base, { from: `127.0.1.${(i % 250) + 1}` }));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
    }
  });

  it('hands a TURN credential to a caller with a valid ticket, not to be cached', async () => {
    const { iceServers: servers, headers } = await iceServers(base, { from: '127.0.2.1', ticket: await ticket(base, '127.0.2.1') });
    expect(headers['cache-control']).toBe('no-store');
    expect(servers).toEqual([
      { urls: ['stun:127.0.0.1:3478'] },
      { urls: ['turn:127.0.0.1:3478'], username: expect.stringMatching(/^\d+:probe-/), credential: expect.any(String) },
    ]);
  });

  const bad: [string, () => Promise<string>][] = [
    ['an empty ticket', async () => ''],
    ['garbage', async () => 'hello'],
    ['a forged signature', async () => (await ticket(base, '127.0.2.2')).replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')],
    [
      'a ticket with a later expiry written in',
      async () => (await ticket(base, '127.0.2.2')).replace(/^v1\.\d+/, `v1.${Math.floor(Date.now() / 1000) + 86_400}`),
    ],
    ['a ticket with a part added', async () => `${await ticket(base, '127.0.2.2')}.x`],
    ['a ticket issued to another IP', () => ticket(base, '127.0.2.3')],
    ['an expired ticket', async () => sut.get(IceTickets).issue('127.0.2.2', Date.now() - ICE_TICKET_TTL_MS - 1000)],
    [
      'a ticket signed under another secret',
      async () => {
        const other = await start({ ...TURN, RESUME_SECRET: 'another-resume-secret' });
        try {
          return await ticket(other.base, '127.0.2.2');
        } finally {
          await other.app.close();
        }
      },
    ],
    ['a very long ticket', async () => `${await ticket(base, '127.0.2.2')}${'A'.repeat(10_000)}`],
  ];

  it.each(bad)('answers %s with STUN only', async (_, make) => {
    const reply = await iceServers(base, { from: '127.0.2.2', ticket: await make() });
    expect(reply.status).toBe(200);
    expect(hasTurn(reply.iceServers)).toBe(false);
  });

  it('accepts a ticket from another instance with the same resume secret', async () => {
    const other = await start({ ...TURN });
    try {
      expect(hasTurn((await iceServers(base, { from: '127.0.2.4', ticket: await ticket(other.base, '127.0.2.4') })).iceServers)).toBe(true);
    } finally {
      await other.app.close();
    }
  });
});

describe('the per-IP limit of /api/config and /api/ice-servers', () => {
  it('answers 429 with Retry-After once an IP used its budget, and other IPs keep theirs', async () => {
    const { app, base } = await start({ ...TURN, API_REQUESTS_PER_MINUTE_PER_IP: '5' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(base, '/api/config', { from: '127.0.3.1' })).status);
      for (let i = 0; i < 3; i++) statuses.push((await get(base, '/api/ice-servers', { from: '127.0.3.1' })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      const limited = await get(base, '/api/config', { from: '127.0.3.1' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.body).not.toContain('iceTicket');
      expect((await get(base, '/api/config', { from: '127.0.3.2' })).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('counts a client behind the trusted proxy by the address the proxy saw, whatever it puts first', async () => {
    const { app, base } = await start({ ...TURN, API_REQUESTS_PER_MINUTE_PER_IP: '3', TRUST_PROXY: '1' });
    try {
      const statuses = [];
      for (let i = 0; i < 6; i++) {
        statuses.push((await get(base, '/api/config', { headers: { 'x-forwarded-for': `10.9.9.${i}, 203.0.113.7` } })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
      expect((await get(base, '/api/config', { headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('/api/ice-servers with AUTH_SECRET', () => {
  it('needs both the room token and the ticket for TURN, and the token alone for STUN', async () => {
    const { SignJWT } = await import('jose');
    const secret = 'jwt-secret-for-tests';
    const token = await new SignJWT({ room: 'r1' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(secret));
    const { app, base } = await start({ ...TURN, AUTH_SECRET: secret });
    try {
      const iceTicket = await ticket(base);
      const bearer = { authorization: `Bearer ${token}` };
      expect((await iceServers(base, { query: '?room=r1', ticket: iceTicket })).status).toBe(403);
      expect((await iceServers(base, { query: '?room=r2', ticket: iceTicket, headers: bearer })).status).toBe(403);
      const stunOnly = await iceServers(base, { query: '?room=r1', headers: bearer });
      expect(stunOnly.status).toBe(200);
      expect(hasTurn(stunOnly.iceServers)).toBe(false);
      expect(hasTurn((await iceServers(base, { query: '?room=r1', ticket: iceTicket, headers: bearer })).iceServers)).toBe(true);
    } finally {
      await app.close();
    }
  });
});
