/**
 * The room's own controls as the engine sees them: who waits at the door of a locked room, the
 * lock, reactions, and a host's request to mute; and the messages that act on them. The server
 * decides who may do what; this only carries it. No runes, no DOM: `CallState` reads its events.
 */
import type { ClientEvents, JoinedPayload, Reaction, Waiter } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { SignalingClient } from '../signaling/signaling-client';

export interface ModerationEvents {
  /** Who waits to be let in now (hosts only), longest first. */
  knocking: readonly Waiter[];
  locked: boolean;
  reaction: { from: string; emoji: Reaction };
  /** A host asked us to mute: their peer id. */
  'muted-by': string;
}

type Send = <E extends keyof ClientEvents>(event: E, data: ClientEvents[E]) => boolean;

export class Moderation {
  readonly events = new Emitter<ModerationEvents>();
  readonly #send: Send;
  #waiting: readonly Waiter[] = [];
  #locked = false;

  constructor(send: Send) {
    this.#send = send;
  }

  get waiting(): readonly Waiter[] {
    return this.#waiting;
  }

  get locked(): boolean {
    return this.#locked;
  }

  listen(client: SignalingClient): void {
    client.on('knocking', ({ waiting }) => this.#setWaiting(waiting));
    client.on('room-locked', ({ locked }) => this.#setLocked(locked));
    client.on('reaction', (reaction) => this.events.emit('reaction', reaction));
    client.on('muted', ({ by }) => this.events.emit('muted-by', by));
  }

  /** Every `joined`: the lock as it is; the waiting list comes with `knocking`, to hosts only. */
  joined(data: JoinedPayload): void {
    this.#setLocked(!!data.locked);
    if (!data.self.host) this.#setWaiting([]);
  }

  /** Someone who is no longer a host sees nobody waiting. */
  hostChanged(host: boolean): void {
    if (!host) this.#setWaiting([]);
  }

  reset(): void {
    this.#setWaiting([]);
    this.#setLocked(false);
  }

  lock(locked: boolean): boolean {
    return this.#send('lock', { locked });
  }

  admit(id: string): boolean {
    return this.#send('admit', { id });
  }

  deny(id: string): boolean {
    return this.#send('deny', { id });
  }

  remove(id: string): boolean {
    return this.#send('remove', { id });
  }

  mute(id: string): boolean {
    return this.#send('mute', { id });
  }

  makeHost(id: string): boolean {
    return this.#send('host', { id });
  }

  raiseHand(raised: boolean): boolean {
    return this.#send('hand', { raised });
  }

  lowerHand(id: string): boolean {
    return this.#send('lower-hand', { id });
  }

  react(emoji: Reaction): boolean {
    return this.#send('react', { emoji });
  }

  /** Tells the room we started or stopped recording the call. */
  record(active: boolean): boolean {
    return this.#send('recording', { active });
  }

  #setWaiting(waiting: readonly Waiter[]): void {
    if (waiting.length === 0 && this.#waiting.length === 0) return;
    this.#waiting = waiting;
    this.events.emit('knocking', waiting);
  }

  #setLocked(locked: boolean): void {
    if (locked === this.#locked) return;
    this.#locked = locked;
    this.events.emit('locked', locked);
  }
}
