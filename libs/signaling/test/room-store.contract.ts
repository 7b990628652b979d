import type { ChatMessage } from '@parley/protocol';
import type { PeerRecord, RoomStore, WaiterRecord } from '../src/room-store.js';

/** A fresh, empty store per test; `instances` is false for a store that knows only one instance. */
export interface StoreUnderTest {
  store: RoomStore;
  /** Whether the store tracks other instances (heartbeats, dead instances). */
  instances: boolean;
  cleanup?: () => Promise<void>;
}

let clock = 1_000;
export function record(room: string, id: string, instance = 'i1', extra: Partial<PeerRecord> = {}): PeerRecord {
  return {
    room,
    instance,
    joinedAt: clock++,
    peer: { id, name: id.toUpperCase(), media: { audio: false, video: false, screen: false }, connection: 'online' },
    ...extra,
  };
}
const message = (id: string): ChatMessage => ({ id, from: 'p1', name: 'P1', text: `text ${id}`, at: clock++ });
const ids = (records: PeerRecord[]) => records.map((r) => r.peer.id);

/** The behavior every `RoomStore` must have; run it against each implementation. */
export function roomStoreContract(name: string, create: () => Promise<StoreUnderTest>): void {
  describe(`RoomStore contract: ${name}`, () => {
    let sut: RoomStore;
    let current: StoreUnderTest;

    beforeEach(async () => {
      current = await create();
      sut = current.store;
    });

    afterEach(async () => {
      await current.cleanup?.();
    });

    it('admits up to maxPeers, and re-admitting a member does not count twice', async () => {
      const a = record('r', 'a');
      expect(await sut.admit(a, 2)).toBe(true);
      expect(await sut.admit(record('r', 'b'), 2)).toBe(true);
      expect(await sut.admit(record('r', 'c'), 2)).toBe(false);
      expect(await sut.admit({ ...a, instance: 'i2' }, 2)).toBe(true);
      expect(ids(await sut.members('r'))).toEqual(['a', 'b']);
      expect((await sut.get('r', 'a'))?.instance).toBe('i2');
      expect(await sut.members('other')).toEqual([]);
    });

    it('lists members in the order they joined, with what was stored', async () => {
      const first = record('r', 'x', 'i1', { subject: 'user-1' });
      const second = record('r', 'y');
      // A resync or a resume after a restart may write an earlier joiner last.
      await sut.admit(second, 10);
      await sut.admit(first, 10);
      expect(await sut.members('r')).toEqual([first, second]);
      expect(await sut.get('r', 'x')).toEqual(first);
      expect(await sut.get('r', 'nobody')).toBeUndefined();
    });

    it('updates only a record that exists', async () => {
      const a = record('r', 'a');
      expect(await sut.update(a)).toBe(false);
      expect(await sut.get('r', 'a')).toBeUndefined();
      await sut.admit(a, 10);
      const changed = { ...a, peer: { ...a.peer, connection: 'reconnecting' as const } };
      expect(await sut.update(changed)).toBe(true);
      expect((await sut.get('r', 'a'))?.peer.connection).toBe('reconnecting');
    });

    it('updates on a resume token id only while the stored record accepts it', async () => {
      const a = record('r', 'a', 'i1', { resumeId: 't2', previousResumeId: 't1' });
      await sut.admit(a, 10);
      expect(await sut.update({ ...a, instance: 'i2' }, 't0')).toBe(false);
      expect(await sut.update({ ...record('r', 'nobody'), resumeId: 't2' }, 't2')).toBe(false);
      expect(await sut.update({ ...a, instance: 'i2', resumeId: 't3', previousResumeId: undefined }, 't1')).toBe(true);
      expect(await sut.get('r', 'a')).toMatchObject({ instance: 'i2', resumeId: 't3' });
      // Both racers of one token: the first wins, the second finds it gone.
      expect(await sut.update({ ...a, resumeId: 't4' }, 't1')).toBe(false);
      expect(await sut.update({ ...a, resumeId: 't4' }, 't2')).toBe(false);
      const results = await Promise.all(['i3', 'i4'].map((instance) => sut.update({ ...a, instance, resumeId: `for-${instance}` }, 't3')));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('revokes the resume tokens of a peer for a while', async () => {
      expect(await sut.resumeRevocation('p')).toBeUndefined();
      await sut.revokeResume('p', 100);
      await sut.revokeResume('k', 100, 'removed');
      expect(await sut.resumeRevocation('p')).toBe('left');
      expect(await sut.resumeRevocation('k')).toBe('removed');
      expect(await sut.resumeRevocation('q')).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await sut.resumeRevocation('p')).toBeUndefined();
      expect(await sut.resumeRevocation('k')).toBeUndefined();
    });

    it('locks and unlocks a room, and forgets the lock when the room empties', async () => {
      await sut.admit(record('r', 'a'), 10);
      expect(await sut.locked('r')).toBe(false);
      await sut.setLocked('r', true);
      expect(await sut.locked('r')).toBe(true);
      expect(await sut.locked('other')).toBe(false);
      await sut.setLocked('r', false);
      expect(await sut.locked('r')).toBe(false);
      await sut.setLocked('r', true);
      await sut.remove('r', 'a');
      expect(await sut.locked('r')).toBe(false);
    });

    it('keeps up to max people waiting, longest first, and hands each one out once', async () => {
      const now = Date.now();
      const waiter = (id: string, since: number, expiresAt = now + 60_000): WaiterRecord => ({
        room: 'r',
        id,
        name: id.toUpperCase(),
        since,
        instance: 'i1',
        expiresAt,
      });
      expect(await sut.addWaiter(waiter('w2', now + 2), 2)).toBe(true);
      expect(await sut.addWaiter(waiter('w1', now + 1), 2)).toBe(true);
      expect(await sut.addWaiter(waiter('w3', now + 3), 2)).toBe(false);
      // Someone already waiting may be written again.
      expect(await sut.addWaiter({ ...waiter('w1', now + 1), instance: 'i2' }, 2)).toBe(true);
      expect(await sut.waiters('r')).toEqual([{ ...waiter('w1', now + 1), instance: 'i2' }, waiter('w2', now + 2)]);
      expect(await sut.waiters('other')).toEqual([]);

      const taken = await Promise.all([sut.takeWaiter('r', 'w2'), sut.takeWaiter('r', 'w2')]);
      expect(taken.filter(Boolean)).toEqual([waiter('w2', now + 2)]);
      expect(await sut.takeWaiter('r', 'nobody')).toBeUndefined();
      expect((await sut.waiters('r')).map((w) => w.id)).toEqual(['w1']);
    });

    it('forgets a wait that is over, and does not count it against the cap', async () => {
      const now = Date.now();
      const over: WaiterRecord = { room: 'r', id: 'old', name: 'Old', since: now - 1000, instance: 'dead', expiresAt: now - 1 };
      const soon: WaiterRecord = { room: 'r', id: 'soon', name: 'Soon', since: now, instance: 'i1', expiresAt: now + 100 };
      expect(await sut.addWaiter(soon, 2)).toBe(true);
      expect(await sut.addWaiter(over, 2)).toBe(true);
      expect((await sut.waiters('r')).map((w) => w.id)).toEqual(['soon']);
      expect(await sut.addWaiter({ ...soon, id: 'next', since: now + 1 }, 2)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await sut.waiters('r')).toEqual([]);
      expect(await sut.takeWaiter('r', 'soon')).toBeUndefined();
    });

    it('removes a record, only from the named instance when one is given', async () => {
      const a = record('r', 'a', 'i1');
      await sut.admit(a, 10);
      expect(await sut.remove('r', 'a', 'i2')).toBeUndefined();
      expect(await sut.get('r', 'a')).toEqual(a);
      expect(await sut.remove('r', 'a', 'i1')).toEqual(a);
      expect(await sut.remove('r', 'a')).toBeUndefined();
      expect(await sut.members('r')).toEqual([]);
    });

    it('keeps the last messages of a chat, and forgets it when the room empties', async () => {
      await sut.admit(record('r', 'a'), 10);
      const messages = ['1', '2', '3', '4'].map(message);
      for (const m of messages) await sut.pushChat('r', m, 3);
      expect(await sut.chat('r')).toEqual(messages.slice(1));
      expect(await sut.chat('other')).toEqual([]);
      await sut.remove('r', 'a');
      expect(await sut.chat('r')).toEqual([]);
    });

    it("keeps the first claim of a room's media state, and forgets it when the room empties", async () => {
      const sfu = { mode: 'sfu' as const, sfu: { server: 'ws://janus-a', janusRoom: 'j1', secret: 's1', pin: 'p1' } };
      const other = { mode: 'sfu' as const, sfu: { server: 'ws://janus-b', janusRoom: 'j2', secret: 's2', pin: 'p2' } };
      await sut.admit(record('r', 'a'), 10);
      expect(await sut.roomMedia('r')).toBeUndefined();
      const claims = await Promise.all([sut.claimRoomMedia('r', sfu), sut.claimRoomMedia('r', other)]);
      expect(claims[1]).toEqual(claims[0]);
      expect(await sut.roomMedia('r')).toEqual(claims[0]);
      expect(await sut.claimRoomMedia('r', other)).toEqual(claims[0]);
      expect(await sut.roomMedia('other')).toBeUndefined();
      await sut.remove('r', 'a');
      expect(await sut.roomMedia('r')).toBeUndefined();
    });

    it("moves a room's media to a new assignment once: the first move from the lost one wins, the others adopt it", async () => {
      const lost = { server: 'ws://janus-a', janusRoom: 'j1', secret: 's1', pin: 'p1' };
      const b = { mode: 'sfu' as const, sfu: { server: 'ws://janus-b', janusRoom: 'j2', secret: 's2', pin: 'p2' } };
      const c = { mode: 'sfu' as const, sfu: { server: 'ws://janus-c', janusRoom: 'j3', secret: 's3', pin: 'p3' } };
      expect(await sut.moveRoomMedia('r', lost, b)).toBeUndefined();
      expect(await sut.roomMedia('r')).toBeUndefined();
      await sut.admit(record('r', 'a'), 10);
      await sut.claimRoomMedia('r', { mode: 'sfu', sfu: lost });
      const moves = await Promise.all([sut.moveRoomMedia('r', lost, b), sut.moveRoomMedia('r', lost, c)]);
      expect(moves[1]).toEqual(moves[0]);
      expect(await sut.roomMedia('r')).toEqual(moves[0]);
      // A move from an assignment that no longer holds changes nothing.
      expect(await sut.moveRoomMedia('r', lost, c)).toEqual(moves[0]);
      expect(await sut.roomMedia('other')).toBeUndefined();
      await sut.remove('r', 'a');
      expect(await sut.roomMedia('r')).toBeUndefined();
    });

    it('keeps the last missed frames of a peer, oldest first, and hands them out once', async () => {
      for (const frame of ['f1', 'f2', 'f3']) await sut.pushMissed('p', frame, 2, 10_000);
      await sut.pushMissed('q', 'other', 2, 10_000);
      expect(await sut.takeMissed('p')).toEqual(['f2', 'f3']);
      expect(await sut.takeMissed('p')).toEqual([]);
      expect(await sut.takeMissed('q')).toEqual(['other']);
    });

    it('never hands out a live instance, nor the claimant itself', async () => {
      await sut.heartbeat('i1', 10_000);
      await sut.heartbeat('i2', 10_000);
      expect(await sut.claimDeadInstances('i1')).toEqual([]);
      expect(await sut.claimDeadInstances('i2')).toEqual([]);
      expect(await sut.isInstanceAlive('i1')).toBe(true);
    });

    it('says whether an instance was alive until its heartbeat', async () => {
      if (!current.instances) return expect(await sut.heartbeat('i1', 50)).toBe(true);
      expect(await sut.heartbeat('i1', 10_000)).toBe(false);
      expect(await sut.heartbeat('i1', 50)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await sut.isInstanceAlive('i1')).toBe(false);
      expect(await sut.heartbeat('i1', 10_000)).toBe(false);
      expect(await sut.isInstanceAlive('i1')).toBe(true);
    });

    it('gives each dead instance to exactly one claimant, with the peers it holds, until it is forgotten', async () => {
      if (!current.instances) return expect(await sut.claimDeadInstances('i1')).toEqual([]);
      await sut.heartbeat('i1', 10_000);
      await sut.heartbeat('dead', 50);
      await sut.admit(record('r', 'a', 'dead'), 10);
      await sut.admit(record('r', 'b', 'i1'), 10);
      await sut.admit(record('s', 'c', 'dead'), 10);
      await new Promise((resolve) => setTimeout(resolve, 120));

      const claims = await Promise.all([sut.claimDeadInstances('i1'), sut.claimDeadInstances('i2')]);
      expect(claims.flat()).toEqual(['dead']);
      expect(await sut.isInstanceAlive('dead')).toBe(false);
      expect(ids(await sut.instancePeers('dead')).sort()).toEqual(['a', 'c']);
      // Its peers stay in their rooms until the claimant removes them.
      expect(ids(await sut.members('r'))).toEqual(['a', 'b']);
      await sut.remove('r', 'a', 'dead');
      await sut.remove('s', 'c', 'dead');
      await sut.forgetInstance('dead');
      expect(await sut.instancePeers('dead')).toEqual([]);
      expect(await sut.claimDeadInstances('i1')).toEqual([]);
      expect(await sut.claimDeadInstances('i2')).toEqual([]);
    });

    it('counts a peer with the instance that updated it last', async () => {
      if (!current.instances) return;
      await sut.heartbeat('i1', 10_000);
      await sut.heartbeat('dead', 50);
      const a = record('r', 'a', 'dead');
      await sut.admit(a, 10);
      await sut.update({ ...a, instance: 'i1' });
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await sut.claimDeadInstances('i1')).toEqual(['dead']);
      expect(await sut.instancePeers('dead')).toEqual([]);
      expect(ids(await sut.instancePeers('i1'))).toEqual(['a']);
    });
  });
}
