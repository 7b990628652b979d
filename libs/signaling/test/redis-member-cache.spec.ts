import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@parley/protocol';
import { Redis } from 'ioredis';
import type { SignalingModuleOptions } from '../src/index.js';
import { TestApp } from './test-app.js';

// Each instance caches the members of the rooms its peers signal in (MemberCache), so a signal to
// a peer on the other instance is one PUBLISH, with no read of the room. Two real instances and a
// real Redis: the cache must follow joins, leaves and drops made on the other instance.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
const options: SignalingModuleOptions = { redis: { url: REDIS_URL, keyPrefix }, resumeGraceMs: 5_000, resumeSecret: 'shared' };
const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

/** The commands Redis runs on this test's keys and channels while `during` runs, by name. */
async function commandsDuring(during: () => Promise<void>): Promise<Map<string, number>> {
  const redis = new Redis(REDIS_URL);
  const monitor = await redis.monitor();
  const counts = new Map<string, number>();
  // The feed is in order: once it shows this key, it has shown every command before it.
  const marker = `${keyPrefix}marker:${randomBytes(4).toString('hex')}`;
  let sawMarker: () => void = () => {};
  const markerSeen = new Promise<void>((resolve) => (sawMarker = resolve));
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.includes(marker)) return sawMarker();
    if (!args.slice(1).some((arg) => arg.startsWith(keyPrefix))) return;
    const name = args[0].toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  try {
    await during();
    await redis.exists(marker);
    await markerSeen;
  } finally {
    monitor.disconnect();
    redis.disconnect();
  }
  return counts;
}

describe('room members cached per instance', () => {
  const admin = new Redis(REDIS_URL);
  let a: TestApp;
  let b: TestApp;

  beforeEach(async () => {
    [a, b] = await Promise.all([TestApp.start(options), TestApp.start(options)]);
  });

  afterEach(async () => {
    await Promise.all([a.close(), b.close()].map((closing) => closing.catch(() => undefined)));
  });

  afterAll(async () => {
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  it('relays signals to the other instance without reading the room from Redis', async () => {
    const ada = await a.joined('cached', 'Ada');
    const bob = await b.joined('cached', 'Bob');
    bob.client.send('signal', { to: ada.id, candidate: null });
    await ada.client.next('signal');

    const commands = await commandsDuring(async () => {
      for (let i = 0; i < 20; i++) bob.client.send('signal', { to: ada.id, candidate: { candidate: `candidate:${i}` } });
      for (let i = 0; i < 20; i++) expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: { candidate: `candidate:${i}` } });
    });
    expect(commands.get('publish')).toBe(20);
    expect([...commands.keys()].filter((name) => name !== 'publish')).toEqual([]);
  });

  it('follows joins, leaves and drops on the other instance', async () => {
    const ada = await a.joined('moving', 'Ada');
    const bob = await b.joined('moving', 'Bob');
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });

    // A join on A: B hears of it, and reaches the newcomer.
    const cy = await a.joined('moving', 'Cy');
    expect((await bob.client.next('peer-joined')).peer.id).toBe(cy.id);
    bob.client.send('signal', { to: cy.id, description: offer });
    expect(await cy.client.next('signal')).toEqual({ from: bob.id, description: offer });

    // A leave on A: the cached record must not carry a signal to nowhere.
    cy.client.send('leave', {});
    expect(await bob.client.next('peer-left')).toEqual({ id: cy.id, reason: 'left' });
    bob.client.send('signal', { to: cy.id, candidate: null, ref: 'gone' });
    expect(await bob.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'gone' });

    // A drop on A: signals wait for the resume, which brings them.
    ada.client.close();
    expect(await bob.client.next('peer-updated')).toMatchObject({ peer: { id: ada.id, connection: 'reconnecting' } });
    bob.client.send('signal', { to: ada.id, description: offer });
    await bob.client.roundTrip();
    const back = await a.client();
    expect((await back.join('moving', 'Ada', { resume: ada.joined.resume })).self.id).toBe(ada.id);
    expect(await back.next('signal')).toEqual({ from: bob.id, description: offer });

    // Back online: relayed at once again.
    expect(await bob.client.next('peer-updated')).toMatchObject({ peer: { id: ada.id, connection: 'online' } });
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await back.next('signal')).toEqual({ from: bob.id, candidate: null });
    expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
  });

  it('follows a peer that resumes on the other instance', async () => {
    const ada = await a.joined('hop', 'Ada');
    const bob = await b.joined('hop', 'Bob');
    bob.client.send('signal', { to: ada.id, candidate: null });
    await ada.client.next('signal');

    // Ada moves from A to B: B's cached record said A.
    ada.client.close();
    await bob.client.next('peer-updated');
    const back = await b.client();
    await back.join('hop', 'Ada', { resume: ada.joined.resume });
    expect(await bob.client.next('peer-updated')).toMatchObject({ peer: { id: ada.id, connection: 'online' } });
    bob.client.send('signal', { to: ada.id, description: offer });
    expect(await back.next('signal')).toEqual({ from: bob.id, description: offer });
  });
});
