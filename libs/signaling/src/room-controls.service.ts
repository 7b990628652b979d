import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@parley/protocol';
import type { HandDto, LockDto, PeerTargetDto, ReactDto, RecordingDto } from './dto/index.js';
import type { PeerOrder } from './message-bus.js';
import { encodeFrame, type PeerSession } from './peer-session.js';
import { RoomRelay } from './room-relay.js';
import { ROOM_STORE, type PeerRecord, type RoomStore } from './room-store.js';
import { RoomService } from './room.service.js';
import { SignalingException } from './signaling.exception.js';
import { WaitingRoom } from './waiting-room.js';

/**
 * What people do to the room beyond being in it: the hosts' controls (lock, admit, deny, remove,
 * mute, hand the role on, lower a hand) and everyone's raised hand, reactions and recordings. The
 * rules are checked here, on the sender's instance; what changes someone else's record is carried
 * out by the instance that holds them (`RoomRelay.order`), which alone writes that record.
 */
@Injectable()
export class RoomControls {
  constructor(
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    private readonly relay: RoomRelay,
    private readonly rooms: RoomService,
    private readonly waitingRoom: WaitingRoom,
  ) {}

  /** Locks the room, or unlocks it and lets everyone waiting in. */
  async lock(session: PeerSession, { locked, ref }: LockDto): Promise<void> {
    const { room, peer } = this.#host(session, 'lock the room');
    await this.store.setLocked(room, locked);
    await this.relay.broadcast(room, 'room-locked', { locked, by: peer.id }, peer.id);
    session.send('room-locked', { locked, by: peer.id, ...(ref !== undefined && { ref }) });
    if (locked) return;
    for (const { id } of await this.store.waiters(room)) await this.#decide(room, id, 'admit');
    await this.waitingRoom.tellHosts(room);
  }

  async admit(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    await this.#decideOne(session, id, 'admit');
  }

  async deny(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    await this.#decideOne(session, id, 'deny');
  }

  /** Removes someone: `peer-left {reason: 'kicked'}` to the room, `removed` to them, and no resume. */
  async remove(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    const { target } = await this.#onOther(session, id, 'remove people');
    await this.relay.order(target.instance, id, 'remove');
  }

  /** Asks someone to turn their microphone off; their client does it, and only they can undo it. */
  async mute(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    const { self, target } = await this.#onOther(session, id, 'mute people');
    await this.relay.deliver(target.instance, [id], encodeFrame('muted', { by: self.peer.id }), 'muted');
  }

  /** Hands the host role on: the other becomes a host first, so the room is never without one. */
  async host(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    const { target } = await this.#onOther(session, id, 'hand the host role on');
    await this.relay.order(target.instance, id, 'grant-host');
    await this.rooms.changeOwn(session, { host: undefined });
  }

  /** A host lowers someone's hand (their own too). */
  async lowerHand(session: PeerSession, { id }: PeerTargetDto): Promise<void> {
    const { room } = this.#host(session, 'lower hands');
    const target = await this.store.get(room, id);
    if (!target) throw unknownPeer(id);
    if (target.peer.hand !== undefined) await this.relay.order(target.instance, id, 'lower-hand');
  }

  /** Raises or lowers your hand; raising it again keeps its place in the order. */
  async hand(session: PeerSession, { raised, ref }: HandDto): Promise<void> {
    const { peer } = this.rooms.member(session);
    await this.rooms.changeOwn(session, { hand: raised ? (peer.hand ?? Date.now()) : undefined }, ref);
  }

  /** A reaction goes to the whole room, the sender included. */
  async react(session: PeerSession, { emoji }: ReactDto): Promise<void> {
    const { room, peer } = this.rooms.member(session);
    await this.relay.broadcast(room, 'reaction', { from: peer.id, emoji });
  }

  /**
   * Anyone in the room may record it in their own browser, and everyone is told who does: the flag
   * lives on the recorder's peer, so a newcomer's `joined` carries it and it goes when they leave.
   */
  async recording(session: PeerSession, { active, ref }: RecordingDto): Promise<void> {
    await this.rooms.changeOwn(session, { recording: active ? true : undefined }, ref);
  }

  /** The sender's record, if they are a host of their room; `unauthorized` otherwise. */
  #host(session: PeerSession, what: string): PeerRecord {
    const self = this.rooms.member(session);
    if (!self.peer.host) throw new SignalingException(ErrorCode.Unauthorized, `Only a host can ${what}`);
    return self;
  }

  /** A host acting on someone else in the room. */
  async #onOther(session: PeerSession, id: string, what: string): Promise<{ self: PeerRecord; target: PeerRecord }> {
    const self = this.#host(session, what);
    const target = id === self.peer.id ? undefined : await this.store.get(self.room, id);
    if (!target) throw unknownPeer(id);
    return { self, target };
  }

  async #decideOne(session: PeerSession, id: string, order: PeerOrder): Promise<void> {
    const { room } = this.#host(session, 'let people in');
    if (!(await this.#decide(room, id, order))) throw new SignalingException(ErrorCode.UnknownPeer, `Nobody with id ${id} is waiting to join`);
    await this.waitingRoom.tellHosts(room);
  }

  /** Takes the person out of the waiting list (once, whichever host asks first) and tells their instance. */
  async #decide(room: string, id: string, order: PeerOrder): Promise<boolean> {
    const waiter = await this.store.takeWaiter(room, id);
    if (waiter) await this.relay.order(waiter.instance, id, order);
    return !!waiter;
  }
}

const unknownPeer = (id: string) => new SignalingException(ErrorCode.UnknownPeer, `No other peer ${id} in this room`);
