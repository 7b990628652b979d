/**
 * The log lines of a real app (JSON, as in a container): one structured line per join, leave,
 * resume and refusal, with room, peer, instance and reason fields, and no token or secret.
 */
import type { INestApplication } from '@nestjs/common';
import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { TestClient } from '../../../libs/signaling/test/test-client.js';
import { start } from './test-app.js';

const AUTH_SECRET = 'auth-secret-for-the-log-test';
const RESUME_SECRET = 'resume-secret-for-the-log-test';
const roomToken = (room: string) =>
  new SignJWT({ room }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(AUTH_SECRET));

type Line = Record<string, unknown>;

describe('log lines', () => {
  let app: INestApplication;
  let base: string;
  let output = '';
  const lines = () =>
    output
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Line);
  const clients: TestClient[] = [];

  beforeAll(async () => {
    const capture = (chunk: unknown) => {
      output += String(chunk);
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    ({ app, base } = await start({ LOG_FORMAT: 'json', LOG_LEVEL: 'info', MAX_PEERS: '2', AUTH_SECRET, RESUME_SECRET }));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app.close();
    jest.restoreAllMocks();
  });

  const connect = async () => {
    const client = await TestClient.connect(`ws://${base}/ws`);
    clients.push(client);
    return client;
  };

  it('has one line per join, resume, leave and refusal (room full, auth, origin), with its fields, and no token or secret', async () => {
    const token = await roomToken('logs');
    const ada = await connect();
    const adaJoined = await ada.join('logs', 'Ada', { token });
    const bob = await connect();
    const bobJoined = await bob.join('logs', 'Bob', { token });
    const full = await connect();
    full.send('join', { room: 'logs', name: 'Cy', protocol: 1, token });
    expect((await full.next('error')).code).toBe('room-full');
    const stranger = await connect();
    stranger.send('join', { room: 'logs', name: 'Eve', protocol: 1, token: 'not.a.token' });
    expect((await stranger.next('error')).code).toBe('unauthorized');
    bob.send('leave', {});
    await ada.next('peer-left');
    // Ada's socket drops and she comes back with her resume token.
    ada.close();
    const again = await connect();
    await again.join('logs', 'Ada', { token, resume: adaJoined.resume });
    const ada2Peer = adaJoined.self.id;

    await expect(TestClient.connect(`ws://${base}/ws`, { origin: 'https://evil.example' })).rejects.toThrow(/403/);

    const signaling = lines().filter((line) => line.context === 'Signaling');
    const instance = signaling.find((line) => line.event === 'join')?.instance;
    expect(instance).toMatch(/^[0-9a-f]{16}$/);
    const find = (fields: Line) => signaling.find((line) => Object.entries(fields).every(([key, value]) => line[key] === value));
    expect(find({ event: 'join', room: 'logs', peer: adaJoined.self.id, instance, level: 'log' })).toBeDefined();
    expect(find({ event: 'join', room: 'logs', peer: bobJoined.self.id, instance })).toBeDefined();
    expect(find({ event: 'join-refused', room: 'logs', reason: 'room-full', instance, level: 'warn' })).toMatchObject({ ip: expect.any(String) });
    expect(find({ event: 'join-refused', room: 'logs', reason: 'unauthorized', instance })).toBeDefined();
    expect(find({ event: 'leave', room: 'logs', peer: bobJoined.self.id, reason: 'left', instance })).toBeDefined();
    expect(find({ event: 'drop', room: 'logs', peer: ada2Peer, instance })).toBeDefined();
    expect(find({ event: 'resume', room: 'logs', peer: ada2Peer, reason: 'session', instance })).toBeDefined();
    expect(find({ event: 'upgrade-refused', reason: 'origin', origin: 'https://evil.example', instance })).toMatchObject({ ip: expect.any(String) });
    // A client's mistake is a refusal, not a server error.
    expect(signaling.filter((line) => line.level === 'error' || 'stack' in line)).toEqual([]);

    for (const secret of [token, AUTH_SECRET, RESUME_SECRET, adaJoined.resume, bobJoined.resume, 'not.a.token']) {
      expect(output).not.toContain(secret);
    }
  });
});
