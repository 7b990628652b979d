import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Peer, ServerEvents } from '@parley/protocol';
import { MESSAGE_BUS, type BusMessage, type MessageBus, type PeerOrder } from './message-bus.js';
import { MemberCache } from './member-cache.js';
import { encodeFrame, type PeerSession } from './peer-session.js';
import { ROOM_STORE, type PeerRecord, type RoomStore } from './room-store.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** What the relay asks of the room service about the peers whose sockets are here. */
export interface LocalPeers {
  /** The open session of a peer held here, if any. */
  sessionOf(peerId: string): PeerSession | undefined;
  /** The peer resumed on another instance: forget its old socket here. */
  takeover(peerId: string): void;
  /** Carry out a host's decision about a peer (or a waiting person) held here. */
  order(peerId: string, order: PeerOrder): void;
}

/** The events that change who is in a room, or how: each one makes the relay forget the room's cached members. */
const MEMBERSHIP_EVENTS: ReadonlySet<keyof ServerEvents> = new Set(['peer-joined', 'peer-left', 'peer-updated']);

/**
 * Delivery: a frame goes to a socket on this instance, or over the bus to the instance that
 * holds the peer, which it finds in its cache of room members or in the store. It knows nothing
 * of room rules; the room service tells it who gets what.
 */
@Injectable()
export class RoomRelay implements OnModuleInit {
  #local: LocalPeers = { sessionOf: () => undefined, takeover: () => {}, order: () => {} };
  readonly #members = new MemberCache();

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {}

  /** This instance's id on the bus. */
  get instanceId(): string {
    return this.bus.instanceId;
  }

  onModuleInit(): void {
    this.bus.onMessage((message) => this.#onBusMessage(message));
  }

  /** Sets who answers for the peers held here (the room service). */
  serve(local: LocalPeers): void {
    this.#local = local;
  }

  /** The open session of a peer held on this instance, if any. */
  sessionOf(peerId: string): PeerSession | undefined {
    return this.#local.sessionOf(peerId);
  }

  /** A peer's record as cached here (see MemberCache), or undefined: then `findMember` asks the store. */
  cachedMember(room: string, id: string): PeerRecord | undefined {
    return this.#members.get(room, id);
  }

  /** A peer's record from the store; a room not cached yet is read whole and cached. */
  async findMember(room: string, id: string): Promise<PeerRecord | undefined> {
    if (this.#members.holds(room)) return this.store.get(room, id);
    return (await this.#members.load(room, () => this.store.members(room))).find((member) => member.peer.id === id);
  }

  /** Messages to this instance may have been lost: no cached room can be trusted. */
  forgetMembers(): void {
    this.#members.forgetAll();
  }

  /** Sends to everyone online in the room; a reconnecting peer gets the whole state on resume. */
  async broadcast<E extends keyof ServerEvents>(room: string, event: E, data: ServerEvents[E], except?: string): Promise<void> {
    await this.broadcastTo(room, event, data, (peer) => peer.id !== except);
  }

  /** Sends to everyone online in the room for whom `to` holds (the hosts, say). */
  async broadcastTo<E extends keyof ServerEvents>(room: string, event: E, data: ServerEvents[E], to: (peer: Peer) => boolean): Promise<void> {
    const membership = MEMBERSHIP_EVENTS.has(event);
    // Forgotten before anyone hears of the change, so a signal that follows it reads the store.
    if (membership) this.#members.forget(room);
    const frame = encodeFrame(event, data);
    const byInstance = new Map<string, string[]>();
    for (const { peer, instance } of await this.store.members(room)) {
      if (!to(peer) || peer.connection !== 'online') continue;
      byInstance.set(instance, [...(byInstance.get(instance) ?? []), peer.id]);
    }
    await Promise.all(
      [...byInstance].map(([instance, ids]) =>
        instance === this.bus.instanceId
          ? this.#deliverHere(ids, frame, event)
          : this.bus.publish(instance, { kind: 'deliver', to: ids, frame, event, at: Date.now(), ...(membership && { room }) }),
      ),
    );
  }

  /**
   * Sends an encoded frame to peers held by `instance`; `at` is when a relayed signal arrived.
   * Synchronous for this instance's peers; a promise only when the bus carries it.
   */
  deliver(instance: string, to: string[], frame: string, event: keyof ServerEvents, at?: number): void | Promise<void> {
    if (instance === this.bus.instanceId) return this.#deliverHere(to, frame, event, at);
    return this.bus.publish(instance, { kind: 'deliver', to, frame, event, at: at ?? Date.now() });
  }

  /** Tells the (other) instance that held a peer that it resumed here. */
  async takeover(instance: string, peerId: string): Promise<void> {
    await this.bus.publish(instance, { kind: 'takeover', peerId });
  }

  /** Has the instance that holds a peer (or a waiting person) carry out a decision about them. */
  async order(instance: string, peerId: string, order: PeerOrder): Promise<void> {
    if (instance === this.bus.instanceId) this.#local.order(peerId, order);
    else await this.bus.publish(instance, { kind: 'order', peerId, order });
  }

  #deliverHere(to: string[], frame: string, event: keyof ServerEvents, at?: number): void {
    for (const id of to) this.#local.sessionOf(id)?.sendFrame(frame, event);
    if (at !== undefined && event === 'signal') this.options.metrics.relayed(Date.now() - at);
  }

  #onBusMessage(message: BusMessage): void {
    if (message.kind === 'takeover') return this.#local.takeover(message.peerId);
    if (message.kind === 'order') return this.#local.order(message.peerId, message.order);
    if (MEMBERSHIP_EVENTS.has(message.event)) {
      if (message.room === undefined) this.#members.forgetAll();
      else this.#members.forget(message.room);
    }
    this.#deliverHere(message.to, message.frame, message.event, message.at);
  }
}
