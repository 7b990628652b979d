import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { ServerEvents } from '@parley/protocol';
import { MESSAGE_BUS, type BusMessage, type MessageBus } from './message-bus.js';
import { encodeFrame, type PeerSession } from './peer-session.js';
import { ROOM_STORE, type RoomStore } from './room-store.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** What the relay asks of the room service about the peers whose sockets are here. */
export interface LocalPeers {
  /** The open session of a peer held here, if any. */
  sessionOf(peerId: string): PeerSession | undefined;
  /** The peer resumed on another instance: forget its old socket here. */
  takeover(peerId: string): void;
}

/**
 * Delivery: a frame goes to a socket on this instance, or over the bus to the instance that
 * holds the peer. It knows nothing of room rules; the room service tells it who gets what.
 */
@Injectable()
export class RoomRelay implements OnModuleInit {
  #local: LocalPeers = { sessionOf: () => undefined, takeover: () => {} };

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

  /** Sends to everyone online in the room; a reconnecting peer gets the whole state on resume. */
  async broadcast<E extends keyof ServerEvents>(room: string, event: E, data: ServerEvents[E], except?: string): Promise<void> {
    const frame = encodeFrame(event, data);
    const byInstance = new Map<string, string[]>();
    for (const { peer, instance } of await this.store.members(room)) {
      if (peer.id === except || peer.connection !== 'online') continue;
      byInstance.set(instance, [...(byInstance.get(instance) ?? []), peer.id]);
    }
    await Promise.all([...byInstance].map(([instance, ids]) => this.deliver(instance, ids, frame, event)));
  }

  /**
   * Sends an encoded frame to peers held by `instance`; `at` is when a relayed signal arrived.
   * Synchronous for this instance's peers; a promise only when the bus carries it.
   */
  deliver(instance: string, to: string[], frame: string, event: keyof ServerEvents, at?: number): void | Promise<void> {
    if (instance === this.bus.instanceId) return this.#deliverHere(to, frame, event, at);
    return this.bus.publish(instance, { kind: 'deliver', to, frame, event, at: at ?? Date.now() });
  }

  /** Tells the instance that held a peer that it resumed elsewhere. */
  async takeover(instance: string, peerId: string): Promise<void> {
    if (instance === this.bus.instanceId) this.#local.takeover(peerId);
    else await this.bus.publish(instance, { kind: 'takeover', peerId });
  }

  #deliverHere(to: string[], frame: string, event: keyof ServerEvents, at?: number): void {
    for (const id of to) this.#local.sessionOf(id)?.sendFrame(frame, event);
    if (at !== undefined && event === 'signal') this.options.metrics.relayed(Date.now() - at);
  }

  #onBusMessage(message: BusMessage): void {
    if (message.kind === 'takeover') return this.#local.takeover(message.peerId);
    this.#deliverHere(message.to, message.frame, message.event, message.at);
  }
}
