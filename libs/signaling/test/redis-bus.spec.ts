import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { RoomService } from '../src/index.js';
import { MESSAGE_BUS } from '../src/message-bus.js';
import type { RedisConnections } from '../src/redis-connections.js';
import { MAX_UNSENT_BUS_BYTES, RedisMessageBus } from '../src/redis-message-bus.js';
import { SIGNALING_REDIS } from '../src/signaling.providers.js';
import { REDIS_URL, twoInstancesOnRedis } from './redis-instances.js';
import { waitFor } from './test-client.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

describe('the bus between instances', () => {
  const instances = twoInstancesOnRedis();
  const { admin, keyPrefix } = instances;

  it('ignores and counts malformed, unknown and oversized messages on its channel, and keeps relaying', async () => {
    const ada = await instances.a.joined('garbage', 'Ada');
    const bob = await instances.b.joined('garbage', 'Bob');
    const bus = instances.b.app.get<RedisMessageBus>(MESSAGE_BUS);
    const channel = `${keyPrefix}bus:${bus.instanceId}`;
    const frame = JSON.stringify({ event: 'signal', data: { from: ada.id, candidate: null } });
    const deliver = { kind: 'deliver', to: [bob.id], frame, event: 'signal', at: Date.now() };
    const garbage: [string, string][] = [
      ['not-json', 'not json'],
      ['not-json', '{"kind":'],
      ['not-json', '['.repeat(60_000)],
      ['not-an-object', '['.repeat(100_000) + ']'.repeat(100_000)],
      ['unknown-kind', '{"kind":'.repeat(20_000) + '1' + '}'.repeat(20_000)],
      ['not-an-object', 'null'],
      ['not-an-object', '[]'],
      ['not-an-object', '"deliver"'],
      ['unknown-kind', '{"kind":"future-kind"}'],
      ['unknown-kind', '{}'],
      ['unknown-kind', JSON.stringify({ ...deliver, kind: 'Deliver' })],
      ['bad-fields', '{"kind":"deliver"}'],
      ['bad-fields', '{"kind":"takeover"}'],
      ['bad-fields', '{"kind":"takeover","peerId":5}'],
      ['bad-fields', '{"kind":"order"}'],
      ['bad-fields', JSON.stringify({ kind: 'order', peerId: bob.id, order: 'future-order' })],
      ['bad-fields', JSON.stringify({ kind: 'order', peerId: bob.id, order: 'toString' })],
      ['bad-fields', JSON.stringify({ kind: 'order', peerId: [bob.id], order: 'remove' })],
      ['bad-fields', JSON.stringify({ kind: 'order', peerId: 'x'.repeat(200), order: 'remove' })],
      ['bad-fields', JSON.stringify({ ...deliver, to: bob.id })],
      ['bad-fields', JSON.stringify({ ...deliver, to: [bob.id, 7] })],
      ['bad-fields', JSON.stringify({ ...deliver, frame: { event: 'signal' } })],
      ['bad-fields', JSON.stringify({ ...deliver, event: 'future-event' })],
      ['bad-fields', JSON.stringify({ ...deliver, at: 'now' })],
      ['bad-fields', JSON.stringify({ ...deliver, to: Array.from({ length: 2_000 }, (_, i) => `p${i}`) })],
      ['too-large', JSON.stringify({ ...deliver, frame: 'x'.repeat(300_000) })],
    ];
    for (const [, raw] of garbage) await admin.publish(channel, raw);

    ada.client.send('signal', { to: bob.id, description: offer });
    expect(await bob.client.next('signal')).toEqual({ from: ada.id, description: offer });
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });
    expect(bob.client.received).toEqual([]);

    const expected = new Map<string, number>();
    for (const [problem] of garbage) expected.set(problem, (expected.get(problem) ?? 0) + 1);
    expect(Object.fromEntries(bus.rejected)).toEqual(Object.fromEntries(expected));
    // A well-formed message from a peer of the same protocol still goes through.
    await admin.publish(channel, JSON.stringify(deliver));
    expect(await bob.client.next('signal')).toEqual({ from: ada.id, candidate: null });
  });

  it('tells its peers to resync after its subscriber connection was killed, and relays again', async () => {
    const ada = await instances.a.joined('cut', 'Ada');
    const bob = await instances.b.joined('cut', 'Bob');
    await ada.client.next('peer-joined');
    const subscriber = instances.b.app.get<RedisConnections>(SIGNALING_REDIS).subscriber;
    const port = subscriber.stream.localPort;
    expect(await admin.call('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${port}`, 'SKIPME', 'yes')).toBe(1);
    // Sent while B may not be listening: it may be lost, which is why Bob is told.
    ada.client.send('signal', { to: bob.id, description: offer });

    expect(await bob.client.next('resync', 5_000)).toEqual({ peers: [ada.joined.self] });
    ada.client.send('signal', { to: bob.id, candidate: null });
    // The offer sent during the cut came before this, or was lost: never after it.
    const first = await bob.client.next('signal');
    expect(first.candidate === null ? first : await bob.client.next('signal')).toEqual({ from: ada.id, candidate: null });
    bob.client.send('signal', { to: ada.id, candidate: null });
    expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });
    // Ada's instance kept its link: it is not told anything.
    expect(ada.client.received.filter((f) => f.event === 'resync')).toEqual([]);
    expect(await instances.b.app.get(RoomService).peersOf('cut')).toEqual([ada.joined.self, bob.joined.self]);
  });

  it('asks Redis not to answer its publishes: nothing comes back on its connection for them', async () => {
    const bus = instances.a.app.get<RedisMessageBus>(MESSAGE_BUS);
    const publisher = instances.a.app.get<RedisConnections>(SIGNALING_REDIS).publisher;
    const listener = new Redis(REDIS_URL);
    try {
      const heard: string[] = [];
      listener.on('message', (_channel: string, raw: string) => heard.push((JSON.parse(raw) as { peerId: string }).peerId));
      await listener.subscribe(`${keyPrefix}bus:listener`);
      await waitFor(() => bus.unanswered, 5_000, 'the bus to ask Redis for silence');
      const read = publisher.stream.bytesRead;
      const ids = Array.from({ length: 100 }, (_, i) => `p${i}`);
      for (const peerId of ids) await bus.publish('listener', { kind: 'takeover', peerId });
      await waitFor(() => heard.length === ids.length, 5_000, 'the publishes to arrive');
      expect(heard).toEqual(ids);
      expect(publisher.stream.bytesRead).toBe(read);
    } finally {
      listener.disconnect();
    }
  });

  it('keeps Redis answering where an ACL refuses CLIENT REPLY, and relays all the same', async () => {
    const user = `parley-test-noreply-${randomBytes(4).toString('hex')}`;
    await admin.call('ACL', 'SETUSER', user, 'on', '>secret', '~*', '&*', '+@all', '-client');
    const url = new URL(REDIS_URL);
    [url.username, url.password] = [user, 'secret'];
    const [publisher, subscriber, listener] = [new Redis(url.href), new Redis(url.href), new Redis(REDIS_URL)];
    try {
      const bus = new RedisMessageBus('acl', publisher, subscriber, keyPrefix);
      // Asked after the bus asked (listeners run in order), so answered after it was refused.
      const refused = new Promise((resolve) => publisher.once('ready', () => publisher.call('CLIENT', 'REPLY', 'ON').catch(resolve)));
      const heard: string[] = [];
      listener.on('message', (_channel: string, raw: string) => heard.push((JSON.parse(raw) as { peerId: string }).peerId));
      await listener.subscribe(`${keyPrefix}bus:listener`);
      expect(String(await refused)).toMatch(/NOPERM/);
      await Promise.all(['p1', 'p2', 'p3'].map((peerId) => bus.publish('listener', { kind: 'takeover', peerId })));
      await waitFor(() => heard.length === 3, 5_000, 'the publishes to arrive');
      expect(heard).toEqual(['p1', 'p2', 'p3']);
      expect(bus.unanswered).toBe(false);
    } finally {
      for (const connection of [publisher, subscriber, listener]) connection.disconnect();
      await admin.call('ACL', 'DELUSER', user);
    }
  });

  it('refuses publishes once a Redis that stopped reading holds more than the cap of them, and not before', async () => {
    const socket = join(tmpdir(), `parley-bus-${randomBytes(4).toString('hex')}.sock`);
    const server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(socket), 5_000, 'a private redis-server');
      const [publisher, subscriber] = [new Redis({ path: socket }), new Redis({ path: socket })];
      try {
        const bus = new RedisMessageBus('stopped', publisher, subscriber, keyPrefix);
        await waitFor(() => bus.unanswered, 5_000, 'the bus to ask Redis for silence');
        server.kill('SIGSTOP');
        const frame = 'x'.repeat(60_000);
        const settled: PromiseSettledResult<void>[] = [];
        // One publish a turn, so each is written (or refused) before the next is made.
        while (!settled.some((result) => result.status === 'rejected') && settled.length < 2_000) {
          const [result] = await Promise.allSettled([bus.publish('elsewhere', { kind: 'deliver', to: ['x'], frame, event: 'signal', at: 0 })]);
          settled.push(result);
        }
        const refused = settled.findIndex((result) => result.status === 'rejected');
        expect(String((settled[refused] as PromiseRejectedResult).reason)).toMatch(/not reading/);
        // Refused only past the cap: everything before was taken, and what waits is the cap and one publish at most.
        expect(refused * 60_000).toBeGreaterThan(MAX_UNSENT_BUS_BYTES);
        expect(publisher.stream.writableLength).toBeGreaterThan(MAX_UNSENT_BUS_BYTES);
        expect(publisher.stream.writableLength).toBeLessThan(MAX_UNSENT_BUS_BYTES + 70_000);
      } finally {
        publisher.disconnect();
        subscriber.disconnect();
      }
    } finally {
      server.kill('SIGCONT');
      server.kill('SIGKILL');
      rmSync(socket, { force: true });
    }
  });

  it('writes the publishes of one turn in one write, in the order they were made, without waiting for replies', async () => {
    const bus = instances.a.app.get<RedisMessageBus>(MESSAGE_BUS);
    const publisher = instances.a.app.get<RedisConnections>(SIGNALING_REDIS).publisher;
    // The way publishes go once Redis stopped answering, as they do in production.
    await waitFor(() => bus.unanswered, 5_000, 'the bus to ask Redis for silence');
    const listener = new Redis(REDIS_URL);
    const write = jest.spyOn(publisher.stream, 'write');
    try {
      const heard: string[] = [];
      listener.on('message', (_channel: string, raw: string) => heard.push((JSON.parse(raw) as { peerId: string }).peerId));
      await listener.subscribe(`${keyPrefix}bus:listener`);
      // Only the writes that carry these publishes, not the app's own.
      const writes = () => write.mock.calls.filter(([chunk]) => String(chunk).includes(`${keyPrefix}bus:listener`)).length;
      const ids = Array.from({ length: 100 }, (_, i) => `p${i}`);
      // Redis holds its replies to publishes (a write pause runs no PUBLISH) until unpaused below;
      // the pause's own end is only a backstop, so a slow machine cannot end it early.
      await admin.call('CLIENT', 'PAUSE', '5000', 'WRITE');

      const first = Promise.all(ids.slice(0, 50).map((peerId) => bus.publish('listener', { kind: 'takeover', peerId })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(writes()).toBe(1);
      const second = Promise.all(ids.slice(50).map((peerId) => bus.publish('listener', { kind: 'takeover', peerId })));
      await new Promise((resolve) => setTimeout(resolve, 50));
      // The first turn's replies are not back, and the second turn's write went anyway.
      expect(heard).toEqual([]);
      expect(writes()).toBe(2);

      await admin.call('CLIENT', 'UNPAUSE');
      await Promise.all([first, second]);
      while (heard.length < ids.length) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(heard).toEqual(ids);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      write.mockRestore();
      listener.disconnect();
    }
  });

  it('rejects each publish Redis did not take, alone or in a batch', async () => {
    const unreachable = () => new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    const [publisher, subscriber] = [unreachable(), unreachable()];
    const bus = new RedisMessageBus('lonely', publisher, subscriber, keyPrefix);
    const results = async (count: number) =>
      Promise.allSettled(Array.from({ length: count }, (_, i) => bus.publish('elsewhere', { kind: 'takeover', peerId: `p${i}` })));
    try {
      for (const count of [1, 3]) {
        const settled = await results(count);
        expect(settled.map((result) => result.status)).toEqual(Array(count).fill('rejected'));
      }
    } finally {
      publisher.disconnect();
      subscriber.disconnect();
    }
  });
});
