import { CloseCode, ErrorCode, LIMITS, REACTIONS, type ClientEvents } from '@parley/protocol';
import { RoomService } from '../src/index.js';
import { RoomControls } from '../src/room-controls.service.js';
import { TestApp } from './test-app.js';
import { settle, type TestClient } from './test-client.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };

/** Sends and waits for the `error` it causes. */
async function refused<E extends keyof ClientEvents>(client: TestClient, event: E, data: Record<string, unknown>) {
  client.send(event, { ...data, ref: `r-${event}` });
  const error = await client.next('error');
  expect(error).toMatchObject({ ref: `r-${event}`, event });
  return error;
}

/** A client that sent `join` to a locked room and got `waiting`. */
async function knock(sut: TestApp, room: string, name: string) {
  const client = await sut.client();
  client.send('join', { room, name, protocol: 1, ref: `knock-${name}` });
  expect(await client.next('waiting')).toEqual({ room, ref: `knock-${name}` });
  return client;
}

/** The frames a client got, by event name, besides the ones a test consumed. */
const events = (client: TestClient) => client.received.map((frame) => frame.event);

describe(RoomControls.name, () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({ resumeGraceMs: 300 });
  });

  afterEach(async () => {
    await sut.close();
  });

  describe('hosts', () => {
    it('makes the first person the host, and shows it to everyone', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');

      expect(ada.joined.self.host).toBe(true);
      expect(bob.joined.self.host).toBeUndefined();
      expect(bob.joined.peers).toEqual([ada.joined.self]);
      expect(await ada.client.next('peer-joined')).toEqual({ peer: bob.joined.self });
    });

    it('hands the role on: the other becomes host, the sender stops being one', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');

      ada.client.send('host', { id: bob.id });
      const seen = [await cy.client.next('peer-updated'), await cy.client.next('peer-updated')];
      expect(seen.map(({ peer }) => [peer.name, peer.host])).toEqual(
        expect.arrayContaining([
          ['Bob', true],
          ['Ada', undefined],
        ]),
      );
      await refused(ada.client, 'lock', { locked: true });
      bob.client.send('lock', { locked: true });
      expect(await cy.client.next('room-locked')).toEqual({ locked: true, by: bob.id });
    });

    it('passes the role to the longest-present person when the host leaves or times out', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');

      ada.client.send('leave', {});
      expect(await cy.client.next('peer-left')).toEqual({ id: ada.id, reason: 'left' });
      expect(await cy.client.next('peer-updated')).toEqual({ peer: { ...bob.joined.self, host: true } });

      bob.client.close();
      expect(await cy.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'reconnecting', host: true } });
      expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'timeout' });
      expect(await cy.client.next('peer-updated')).toEqual({ peer: { ...cy.joined.self, host: true } });
    });

    const hostOnly: [keyof ClientEvents, (target: string) => Record<string, unknown>][] = [
      ['lock', () => ({ locked: true })],
      ['admit', (id) => ({ id })],
      ['deny', (id) => ({ id })],
      ['remove', (id) => ({ id })],
      ['mute', (id) => ({ id })],
      ['host', (id) => ({ id })],
      ['lower-hand', (id) => ({ id })],
    ];

    it.each(hostOnly)('answers %s from someone who is not a host with unauthorized, and nothing happens', async (event, data) => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      ada.client.send('hand', { raised: true });
      await bob.client.next('peer-updated');
      await ada.client.next('peer-joined');
      await ada.client.next('peer-updated');

      expect(await refused(bob.client, event, data(ada.id))).toMatchObject({ code: ErrorCode.Unauthorized });
      await settle();
      expect(ada.client.received).toEqual([]);
      await bob.client.roundTrip();
      expect(await sut.app.get(RoomService).peersOf('r1')).toEqual([
        expect.objectContaining({ id: ada.id, host: true, hand: expect.any(Number) }),
        expect.objectContaining({ id: bob.id }),
      ]);
    });

    it.each(hostOnly)('answers %s before join with not-joined', async (event, data) => {
      const eve = await sut.client();
      expect(await refused(eve, event, data('someone'))).toMatchObject({ code: ErrorCode.NotJoined });
    });

    it.each(['remove', 'mute', 'host', 'lower-hand'] as const)('answers %s about a peer of another room with unknown-peer', async (event) => {
      const ada = await sut.joined('r1', 'Ada');
      const eve = await sut.joined('r2', 'Eve');
      expect(await refused(ada.client, event, { id: eve.id })).toMatchObject({ code: ErrorCode.UnknownPeer });
      expect(await refused(ada.client, event, { id: 'nobody' })).toMatchObject({ code: ErrorCode.UnknownPeer });
      await settle();
      expect(eve.client.received).toEqual([]);
    });

    it.each(['remove', 'mute', 'host'] as const)('answers %s about oneself with unknown-peer', async (event) => {
      const ada = await sut.joined('r1', 'Ada');
      expect(await refused(ada.client, event, { id: ada.id })).toMatchObject({ code: ErrorCode.UnknownPeer });
      await ada.client.roundTrip();
      expect(await sut.app.get(RoomService).peersOf('r1')).toEqual([expect.objectContaining({ id: ada.id, host: true })]);
    });
  });

  describe('lock and the waiting room', () => {
    it('keeps a newcomer waiting, out of the room, until a host admits them', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      await ada.client.next('peer-joined');

      ada.client.send('lock', { locked: true, ref: 'l1' });
      expect(await ada.client.next('room-locked')).toEqual({ locked: true, by: ada.id, ref: 'l1' });
      expect(await bob.client.next('room-locked')).toEqual({ locked: true, by: ada.id });

      const cy = await knock(sut, 'r1', 'Cy');
      const { waiting } = await ada.client.next('knocking');
      expect(waiting).toEqual([{ id: expect.any(String), name: 'Cy', since: expect.any(Number) }]);

      // While waiting: nothing of the room reaches Cy, and Cy reaches nobody.
      bob.client.send('chat', { text: 'not for Cy' });
      await bob.client.next('chat');
      for (const [event, data] of [
        ['signal', { to: ada.id, description: offer }],
        ['media', { audio: true, video: false, screen: false }],
        ['chat', { text: 'let me in' }],
        ['hand', { raised: true }],
        ['react', { emoji: '👍' }],
        ['lock', { locked: false }],
      ] as const) {
        expect(await refused(cy, event, data)).toMatchObject({ code: ErrorCode.NotJoined });
      }
      expect(await refused(cy, 'join', { room: 'r2', name: 'Cy', protocol: 1 })).toMatchObject({ code: ErrorCode.InvalidMessage });
      bob.client.send('signal', { to: waiting[0].id, description: offer });
      expect(await bob.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer });
      expect((await sut.app.get(RoomService).peersOf('r1')).map((p) => p.name)).toEqual(['Ada', 'Bob']);
      await settle();
      expect(events(cy)).toEqual([]);
      expect(events(bob.client)).toEqual([]);

      ada.client.send('admit', { id: waiting[0].id });
      const joined = await cy.next('joined');
      expect(joined).toMatchObject({ ref: 'knock-Cy', self: { id: waiting[0].id, name: 'Cy' }, locked: true });
      expect(joined.self.host).toBeUndefined();
      expect(joined.chat.map((m) => m.text)).toEqual(['not for Cy']);
      expect(await bob.client.next('peer-joined')).toEqual({ peer: joined.self });
      expect(await ada.client.next('knocking')).toEqual({ waiting: [] });
      cy.send('signal', { to: ada.id, description: offer });
      expect(await ada.client.next('signal')).toEqual({ from: joined.self.id, description: offer });
    });

    it('turns a denied person away with a reason; their socket may knock again', async () => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      const eve = await knock(sut, 'r1', 'Eve');
      const [first] = (await ada.client.next('knocking')).waiting;

      ada.client.send('deny', { id: first.id });
      expect(await eve.next('denied')).toEqual({ reason: 'denied' });
      expect(await ada.client.next('knocking')).toEqual({ waiting: [] });
      // The decision is taken once: a second one finds nobody.
      expect(await refused(ada.client, 'admit', { id: first.id })).toMatchObject({ code: ErrorCode.UnknownPeer });

      eve.send('join', { room: 'r1', name: 'Eve', protocol: 1 });
      await eve.next('waiting');
      expect((await ada.client.next('knocking')).waiting).toEqual([expect.objectContaining({ name: 'Eve' })]);
    });

    it('lets the hosts see the list change when a waiter leaves or closes the socket', async () => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      const cy = await knock(sut, 'r1', 'Cy');
      await ada.client.next('knocking');
      const di = await knock(sut, 'r1', 'Di');
      expect((await ada.client.next('knocking')).waiting.map((w) => w.name)).toEqual(['Cy', 'Di']);

      cy.send('leave', {});
      expect((await ada.client.next('knocking')).waiting.map((w) => w.name)).toEqual(['Di']);
      di.close();
      expect(await ada.client.next('knocking')).toEqual({ waiting: [] });
    });

    it('tells a later host who is waiting, and a host who joins walks into a locked room', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      ada.client.send('lock', { locked: true });
      await bob.client.next('room-locked');
      await knock(sut, 'r1', 'Cy');
      await ada.client.next('knocking');
      expect(events(bob.client)).toEqual([]);

      ada.client.send('host', { id: bob.id });
      expect((await bob.client.next('knocking')).waiting.map((w) => w.name)).toEqual(['Cy']);
    });

    it('lets everyone waiting in when the room is unlocked', async () => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      const waiting = [await knock(sut, 'r1', 'Cy'), await knock(sut, 'r1', 'Di')];

      ada.client.send('lock', { locked: false });
      for (const client of waiting) expect(await client.next('joined')).not.toHaveProperty('locked');
      const names = [(await ada.client.next('peer-joined')).peer.name, (await ada.client.next('peer-joined')).peer.name];
      expect(names.sort()).toEqual(['Cy', 'Di']);
      const fresh = await sut.joined('r1', 'Ed');
      expect(fresh.joined.peers).toHaveLength(3);
    });

    it('turns the waiting away when everyone in the room has left', async () => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      const cy = await knock(sut, 'r1', 'Cy');
      ada.client.send('leave', {});
      expect(await cy.next('denied')).toEqual({ reason: 'ended' });
      // The lock went with the room: the next one in is its host.
      expect((await cy.join('r1', 'Cy')).self.host).toBe(true);
    });

    it('tells someone waiting too long, and is not fooled into closing a waiting socket as idle', async () => {
      await sut.close();
      sut = await TestApp.start({ waitingTimeoutMs: 1_500, joinTimeoutMs: 300, heartbeatMs: 100 });
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      const cy = await knock(sut, 'r1', 'Cy');
      await ada.client.next('knocking');

      expect(await cy.next('denied', 3_000)).toEqual({ reason: 'timeout' });
      expect(await ada.client.next('knocking')).toEqual({ waiting: [] });
      // Out of the waiting room, the socket is idle like any other, and closed.
      expect((await cy.closed).code).toBe(CloseCode.PolicyViolation);
    });

    it(`keeps at most ${LIMITS.maxWaiting} people waiting per room; the next gets room-full`, async () => {
      await sut.close();
      sut = await TestApp.start({ maxSocketsPerIp: 100, connectionsPerSecondPerIp: 100 });
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('lock', { locked: true });
      await ada.client.next('room-locked');
      for (let i = 0; i < LIMITS.maxWaiting; i++) await knock(sut, 'r1', `W${i}`);

      const late = await sut.client();
      expect(await refused(late, 'join', { room: 'r1', name: 'Late', protocol: 1 })).toMatchObject({ code: ErrorCode.RoomFull });
      const other = await sut.joined('r2', 'Elsewhere');
      expect(other.joined.self.host).toBe(true);
    });

    it('tells an admitted person the room is full when it filled up while they waited', async () => {
      await sut.close();
      sut = await TestApp.start({ maxPeers: 2, authorize: ({ token }) => (token === 'host' ? { role: 'host' } : {}) });
      const ada = await sut.client();
      await ada.join('r1', 'Ada', { token: 'host' });
      ada.send('lock', { locked: true });
      await ada.next('room-locked');
      const cy = await knock(sut, 'r1', 'Cy');
      const [waiter] = (await ada.next('knocking')).waiting;
      // A host walks in past the lock, and takes the last seat.
      const bob = await sut.client();
      await bob.join('r1', 'Bob', { token: 'host' });

      ada.send('admit', { id: waiter.id });
      expect(await cy.next('error')).toMatchObject({ code: ErrorCode.RoomFull, event: 'join', ref: 'knock-Cy' });
      expect((await sut.app.get(RoomService).peersOf('r1')).map((p) => p.name)).toEqual(['Ada', 'Bob']);
    });

    it('admits each waiting person once when two hosts both admit them', async () => {
      await sut.close();
      // Room tokens may make several hosts; a host walks into the locked room.
      sut = await TestApp.start({ authorize: ({ token }) => (token === 'host' ? { role: 'host' } : {}) });
      const h1 = await sut.client();
      await h1.join('r1', 'H1', { token: 'host' });
      const h2 = await sut.client();
      h1.send('lock', { locked: true });
      await h1.next('room-locked');
      expect(await h2.join('r1', 'H2', { token: 'host' })).toMatchObject({ self: { host: true }, locked: true });
      const guest = await knock(sut, 'r1', 'Guest');
      const [waiter] = (await h1.next('knocking')).waiting;
      h1.send('admit', { id: waiter.id, ref: 'a1' });
      h2.send('admit', { id: waiter.id, ref: 'a2' });
      await guest.next('joined');
      await settle();
      const errors = [...h1.received, ...h2.received].filter((f) => f.event === 'error');
      expect(errors).toEqual([{ event: 'error', data: expect.objectContaining({ code: ErrorCode.UnknownPeer, event: 'admit' }) }]);
      expect(guest.received.filter((f) => f.event === 'joined')).toEqual([]);
    });
  });

  describe('remove', () => {
    it('removes a peer for everyone, tells them, and refuses their resume', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');

      ada.client.send('remove', { id: bob.id });
      expect(await bob.client.next('removed')).toEqual({});
      expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'kicked' });
      expect(await ada.client.next('peer-left')).toEqual({ id: bob.id, reason: 'kicked' });
      expect(await refused(bob.client, 'signal', { to: ada.id, description: offer })).toMatchObject({ code: ErrorCode.NotJoined });

      const back = await sut.client();
      back.send('join', { room: 'r1', name: 'Bob', protocol: 1, resume: bob.joined.resume });
      expect(await back.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, details: [{ field: 'resume', problems: ['removed'] }] });
      expect((await sut.app.get(RoomService).peersOf('r1')).map((p) => p.name)).toEqual(['Ada', 'Cy']);
    });

    it('removes a reconnecting peer, who cannot resume either', async () => {
      await sut.close();
      sut = await TestApp.start({ resumeGraceMs: 5_000 });
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      bob.client.close();
      expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'reconnecting' } });

      ada.client.send('remove', { id: bob.id });
      expect(await ada.client.next('peer-left')).toEqual({ id: bob.id, reason: 'kicked' });
      const back = await sut.client();
      back.send('join', { room: 'r1', name: 'Bob', protocol: 1, resume: bob.joined.resume });
      expect(await back.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, details: [{ field: 'resume', problems: ['removed'] }] });
    });
  });

  describe('mute', () => {
    it('asks only the named peer to mute, saying which host asked', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');
      ada.client.send('mute', { id: bob.id });
      expect(await bob.client.next('muted')).toEqual({ by: ada.id });
      await settle();
      expect(events(cy.client)).toEqual([]);
      // There is no way to unmute someone else: only their own media event turns the mic on.
      bob.client.send('media', { audio: true, video: false, screen: false });
      expect(await cy.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, media: { audio: true } } });
    });
  });

  describe('raised hands', () => {
    it('shows raised hands to everyone in the order they went up, and a host lowers one', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');

      cy.client.send('hand', { raised: true, ref: 'h1' });
      const cyHand = (await ada.client.next('peer-updated')).peer.hand!;
      expect(await cy.client.next('peer-updated')).toEqual({ peer: { ...cy.joined.self, hand: cyHand }, ref: 'h1' });
      bob.client.send('hand', { raised: true });
      const bobHand = (await ada.client.next('peer-updated')).peer.hand!;
      expect(bobHand).toBeGreaterThanOrEqual(cyHand);
      // Raising it again keeps its place.
      cy.client.send('hand', { raised: true });
      expect((await ada.client.next('peer-updated')).peer.hand).toBe(cyHand);

      const late = await sut.joined('r1', 'Late');
      expect(late.joined.peers.map((p) => [p.name, p.hand])).toEqual([
        ['Ada', undefined],
        ['Bob', bobHand],
        ['Cy', cyHand],
      ]);

      ada.client.send('lower-hand', { id: cy.id });
      expect((await late.client.next('peer-updated')).peer).toEqual(cy.joined.self);
      expect((await cy.client.next('peer-updated')).peer).toMatchObject({ id: bob.id, hand: bobHand });
      expect(await cy.client.next('peer-updated')).toEqual({ peer: { ...cy.joined.self, hand: cyHand } });
      expect((await cy.client.next('peer-updated')).peer).toEqual(cy.joined.self);
      bob.client.send('hand', { raised: false });
      expect((await late.client.next('peer-updated')).peer).toEqual(bob.joined.self);
    });
  });

  describe('reactions', () => {
    it('relays a reaction to the whole room, the sender included', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      bob.client.send('react', { emoji: '🎉' });
      expect(await ada.client.next('reaction')).toEqual({ from: bob.id, emoji: '🎉' });
      expect(await bob.client.next('reaction')).toEqual({ from: bob.id, emoji: '🎉' });
    });

    it('limits reactions to a few in a row, then one a second', async () => {
      const ada = await sut.joined('r1', 'Ada');
      for (let i = 0; i < 6; i++) ada.client.send('react', { emoji: REACTIONS[i % REACTIONS.length] });
      await settle();
      // The refusals are answered at once, the reactions after a store read: count, not order.
      expect(ada.client.received.map((f) => (f.event === 'error' ? f.data.code : f.event)).sort()).toEqual([
        ErrorCode.RateLimited,
        ErrorCode.RateLimited,
        ...Array(4).fill('reaction'),
      ]);
      ada.client.received.length = 0;
      // Chat and signals have buckets of their own.
      await ada.client.roundTrip();
    });
  });

  describe('bad input', () => {
    const cases: [keyof ClientEvents, unknown, string][] = [
      ['lock', {}, 'locked'],
      ['lock', { locked: 'yes' }, 'locked'],
      ['lock', { locked: 1 }, 'locked'],
      ['lock', { locked: true, room: 'r2' }, 'room'],
      ['admit', {}, 'id'],
      ['admit', { id: 5 }, 'id'],
      ['deny', { id: '' }, 'id'],
      ['remove', { id: 'x'.repeat(65) }, 'id'],
      ['mute', { id: ['a'] }, 'id'],
      ['mute', { id: 'a', audio: false }, 'audio'],
      ['host', { id: null }, 'id'],
      ['lower-hand', { id: {} }, 'id'],
      ['hand', {}, 'raised'],
      ['hand', { raised: 'true' }, 'raised'],
      ['hand', { raised: true, at: 1 }, 'at'],
      ['react', {}, 'emoji'],
      ['react', { emoji: '💩' }, 'emoji'],
      ['react', { emoji: '<img src=x onerror=alert(1)>' }, 'emoji'],
      ['react', { emoji: '👍👍' }, 'emoji'],
      ['react', { emoji: '👍', from: 'someone' }, 'from'],
    ];

    it.each(cases)('answers %s %j with invalid-message naming %s', async (event, data, field) => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send(event, data as Record<string, unknown>);
      const error = await ada.client.next('error');
      expect(error).toMatchObject({ code: ErrorCode.InvalidMessage, event });
      expect(error.details?.map((d) => d.field)).toContain(field);
      await ada.client.roundTrip();
    });
  });
});
