import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@parley/protocol';
import { Redis } from 'ioredis';
import { RoomService, type SignalingModuleOptions } from '../src/index.js';
import { InstanceRegistry } from '../src/instance-registry.js';
import { RedisConnections } from '../src/redis-connections.js';
import { SIGNALING_REDIS } from '../src/signaling.providers.js';
import { commandsDuring } from './redis-commands.js';
import { TestApp } from './test-app.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
// Each run has its own keys, and removes only those.
const keyPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
const options: SignalingModuleOptions = { redis: { url: REDIS_URL, keyPrefix }, resumeGraceMs: 2_000, resumeSecret: 'shared' };
const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - start;
}

describe('rooms shared through Redis', () => {
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

  it('lets peers on two instances see each other and exchange signals both ways', async () => {
    const ada = await a.joined('shared', 'Ada');
    const bob = await b.joined('shared', 'Bob');
    expect(bob.joined.peers.map((p) => p.id)).toEqual([ada.id]);
    expect(await ada.client.next('peer-joined')).toEqual({ peer: bob.joined.self });

    bob.client.send('signal', { to: ada.id, description: offer });
    expect(await ada.client.next('signal')).toEqual({ from: bob.id, description: offer });
    ada.client.send('signal', { to: bob.id, candidate: null });
    expect(await bob.client.next('signal')).toEqual({ from: ada.id, candidate: null });

    ada.client.send('chat', { text: 'across' });
    expect(await bob.client.next('chat')).toMatchObject({ from: ada.id, text: 'across' });
    const cy = await a.joined('shared', 'Cy');
    expect(cy.joined.chat.map((m) => m.text)).toEqual(['across']);

    bob.client.send('leave', {});
    expect(await ada.client.next('peer-left')).toEqual({ id: bob.id, reason: 'left' });
  });

  it('admits exactly six of ten concurrent joins split across both instances', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).client()));
    for (const [i, client] of clients.entries()) client.send('join', { room: 'crowd', name: `P${i}`, protocol: 1 });

    const outcomes = await Promise.all(
      clients.map((client) => Promise.race([client.next('joined').then(() => 'joined'), client.next('error').then((e) => e.code)])),
    );

    expect(outcomes.filter((o) => o === 'joined')).toHaveLength(6);
    expect(outcomes.filter((o) => o === ErrorCode.RoomFull)).toHaveLength(4);
    expect(await a.app.get(RoomService).peersOf('crowd')).toHaveLength(6);
  });

  it('resumes on the other instance with the same id and the signals it missed', async () => {
    const ada = await a.joined('hop', 'Ada');
    const bob = await a.joined('hop', 'Bob');
    bob.client.close();
    expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'reconnecting' } });
    ada.client.send('signal', { to: bob.id, description: offer });
    await ada.client.roundTrip();

    const back = await b.client();
    expect((await back.join('hop', 'Bob', { resume: bob.joined.resume })).self.id).toBe(bob.id);
    expect(await back.next('signal')).toEqual({ from: ada.id, description: offer });
    expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'online' } });

    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(ada.client.received.filter((f) => f.event === 'peer-left')).toEqual([]);
    ada.client.send('signal', { to: bob.id, candidate: null });
    expect(await back.next('signal')).toEqual({ from: ada.id, candidate: null });
  });

  it('shows the peers of an instance that died without cleaning up as reconnecting within 10 s, then removes them after the grace window', async () => {
    const ada = await a.joined('crash', 'Ada');
    const bob = await b.joined('crash', 'Bob');
    await ada.client.next('peer-joined');

    // Instance A stops dead: no heartbeat, no Redis, sockets gone, and no shutdown hooks.
    a.app.get(RoomService).onModuleDestroy();
    const redis = a.app.get<RedisConnections>(SIGNALING_REDIS);
    redis.commands.disconnect();
    redis.subscriber.disconnect();
    ada.client.close();

    const started = Date.now();
    expect(await bob.client.next('peer-updated', 10_000)).toEqual({ peer: { ...ada.joined.self, connection: 'reconnecting' } });
    const noticed = Date.now();
    expect(noticed - started).toBeLessThan(10_000);
    // Signals to it wait for a resume, as for any reconnecting peer.
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await bob.client.next('peer-left', 5_000)).toEqual({ id: ada.id, reason: 'timeout' });
    expect(Date.now() - noticed).toBeGreaterThanOrEqual(1_900);
    expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
    expect((await b.app.get(RoomService).peersOf('crash')).map((p) => p.id)).toEqual([bob.id]);
  }, 20_000);

  it('lets a peer of a dead instance resume on another one within the grace window', async () => {
    const ada = await a.joined('phoenix', 'Ada');
    const bob = await b.joined('phoenix', 'Bob');
    a.app.get(RoomService).onModuleDestroy();
    const redis = a.app.get<RedisConnections>(SIGNALING_REDIS);
    redis.commands.disconnect();
    redis.subscriber.disconnect();
    ada.client.close();
    expect(await bob.client.next('peer-updated', 10_000)).toMatchObject({ peer: { id: ada.id, connection: 'reconnecting' } });
    bob.client.send('signal', { to: ada.id, description: offer });
    await bob.client.roundTrip();

    const back = await b.client();
    expect((await back.join('phoenix', 'Ada', { resume: ada.joined.resume })).self.id).toBe(ada.id);
    expect(await back.next('signal')).toEqual({ from: bob.id, description: offer });
    expect(await bob.client.next('peer-updated')).toMatchObject({ peer: { id: ada.id, connection: 'online' } });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(bob.client.received.filter((f) => f.event === 'peer-left')).toEqual([]);
  }, 20_000);

  it('brings back the peers of an instance that only paused its heartbeat, and does not remove them', async () => {
    const ada = await a.joined('paused', 'Ada');
    const bob = await b.joined('paused', 'Bob');
    const registry = a.app.get(InstanceRegistry);
    registry.onModuleDestroy();
    expect(await bob.client.next('peer-updated', 10_000)).toMatchObject({ peer: { id: ada.id, connection: 'reconnecting' } });

    registry.onModuleInit();
    expect(await bob.client.next('peer-updated', 3_000)).toMatchObject({ peer: { id: ada.id, connection: 'online' } });
    expect(await ada.client.next('resync')).toEqual({ peers: [bob.joined.self] });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(bob.client.received.filter((f) => f.event === 'peer-left')).toEqual([]);
    ada.client.send('signal', { to: bob.id, candidate: null });
    expect(await bob.client.next('signal')).toEqual({ from: ada.id, candidate: null });
    expect((await b.app.get(RoomService).peersOf('paused')).map((p) => p.connection)).toEqual(['online', 'online']);
  }, 20_000);

  it('relays between instances again within 5 s after Redis kills their connections', async () => {
    const ada = await a.joined('killed', 'Ada');
    const bob = await b.joined('killed', 'Bob');

    const clients = (await admin.client('LIST')) as string;
    const ours = clients
      .split('\n')
      .filter((line) => / name=parley-/.test(line))
      .map((line) => /id=(\d+)/.exec(line)![1]);
    expect(ours.length).toBeGreaterThanOrEqual(4);
    for (const id of ours) await admin.client('KILL', 'ID', id);

    const took = await eventually(async () => {
      ada.client.send('signal', { to: bob.id, candidate: null });
      return bob.client
        .next('signal', 300)
        .then(() => true)
        .catch(() => false);
    }, 5_000);
    expect(took).toBeLessThan(5_000);
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });
  });

  // Each instance caches the members of the rooms its peers signal in (MemberCache), so a signal
  // to a peer on the other instance is one PUBLISH, with no read of the room; the cache must follow
  // joins, leaves and drops made on the other instance.
  it('relays signals to the other instance without reading the room from Redis', async () => {
    const ada = await a.joined('cached', 'Ada');
    const bob = await b.joined('cached', 'Bob');
    bob.client.send('signal', { to: ada.id, candidate: null });
    await ada.client.next('signal');

    const commands = await commandsDuring(REDIS_URL, keyPrefix, async () => {
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

describe('resume tokens of many peers on Redis', () => {
  let app: TestApp;

  afterEach(async () => {
    await app.close();
  });

  // The rotation writes each record with its new token id, a hundred peers at a time: every peer
  // must get a token, and the store must hold its id, in every batch. Peers join concurrently, so
  // which batch holds whom is not known here: all of them resume.
  it('rotates the tokens of more peers than one batch holds, and each new token resumes', async () => {
    app = await TestApp.start({ ...options, resumeRotateMs: 1_000 });
    const peers = await app.manyJoined(150, 'many');
    const tokens = await Promise.all(peers.map(({ client }) => client.next('resume-token', 5_000)));
    expect(new Set(tokens.map((t) => t.resume)).size).toBe(150);

    for (const { client } of peers) client.close();
    const resumed = await Promise.all(
      peers.map(async ({ address, joined }, i) => {
        const back = await app.client({}, address);
        return (await back.join(joined.room, `P${i}`, { resume: tokens[i]!.resume })).self.id;
      }),
    );
    expect(resumed).toEqual(peers.map(({ joined }) => joined.self.id));
  });
});
