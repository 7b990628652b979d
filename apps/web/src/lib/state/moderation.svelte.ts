import type { Peer, Reaction, Waiter } from '@parley/protocol';
import type { Moderation } from '../call/moderation';
import { playKnock } from '../ui/tones';
import { m } from '../../paraglide/messages.js';
import { listOf } from '../i18n/list';

/** A reaction floating over its sender's tile for a few seconds. */
export interface FloatingReaction {
  key: number;
  from: string;
  emoji: Reaction;
}

/** How long a reaction floats over the tile. */
const REACTION_MS = 4000;

/** What the moderation view reads of the call (CallState): who is who, and the toast. */
export interface ModerationContext {
  readonly self: Peer | null;
  readonly remotes: readonly { peer: Peer }[];
  /** A short note for the person. */
  notify(message: string): void;
}

/**
 * The room's controls as components read them: who knocks, the lock, hands in the order they went
 * up, reactions in flight, and what screen readers are told. Runes only; the engine's `Moderation`
 * does the talking to the server.
 */
export class ModerationState {
  waiting = $state.raw<readonly Waiter[]>([]);
  locked = $state(false);
  reactions = $state.raw<readonly FloatingReaction[]>([]);
  /** The last thing announced to screen readers (an `aria-live` region shows it). */
  announcement = $state('');

  readonly isHost: boolean;
  readonly handRaised: boolean;
  /** Peer ids with a raised hand, first raised first; ours is among them. */
  readonly hands: readonly string[];

  readonly #context: ModerationContext;
  #moderation: Moderation | null = null;
  #serial = 0;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(context: ModerationContext) {
    this.#context = context;
    this.isHost = $derived(!!context.self?.host);
    this.handRaised = $derived(context.self?.hand !== undefined);
    this.hands = $derived(handOrder([...this.#selfPeer(), ...context.remotes.map((r) => r.peer)]));
  }

  /** The 1-based place of a peer's raised hand, or null when it is down. */
  handOf(id: string): number | null {
    const index = this.hands.indexOf(id);
    return index < 0 ? null : index + 1;
  }

  /** Listens to the engine's moderation, once the call kit is loaded. */
  connect(moderation: Moderation): void {
    this.#moderation = moderation;
    moderation.events.on('knocking', (waiting) => this.#knocking(waiting));
    moderation.events.on('locked', (locked) => {
      this.locked = locked;
      this.announce(locked ? m.announce_locked() : m.announce_unlocked());
    });
    moderation.events.on('reaction', ({ from, emoji }) => this.#react(from, emoji));
    moderation.events.on('muted-by', (by) => this.#context.notify(m.announce_muted_by({ name: this.#nameOf(by) })));
  }

  toggleLock(): void {
    this.#moderation?.lock(!this.locked);
  }

  toggleHand(): void {
    this.#moderation?.raiseHand(!this.handRaised);
  }

  admit(id: string): void {
    this.#moderation?.admit(id);
  }

  deny(id: string): void {
    this.#moderation?.deny(id);
  }

  remove(id: string): void {
    this.#moderation?.remove(id);
  }

  mute(id: string): void {
    this.#moderation?.mute(id);
  }

  makeHost(id: string): void {
    this.#moderation?.makeHost(id);
  }

  lowerHand(id: string): void {
    this.#moderation?.lowerHand(id);
  }

  react(emoji: Reaction): void {
    this.#moderation?.react(emoji);
  }

  /** Tells the room whether we record the call (see `LocalRecording`). */
  record(active: boolean): void {
    this.#moderation?.record(active);
  }

  destroy(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #selfPeer(): Peer[] {
    const self = this.#context.self;
    return self ? [self] : [];
  }

  #nameOf(id: string): string {
    const self = this.#context.self;
    if (self?.id === id) return m.you();
    return this.#context.remotes.find((r) => r.peer.id === id)?.peer.name || m.a_host();
  }

  #knocking(waiting: readonly Waiter[]): void {
    const known = new Set(this.waiting.map((w) => w.id));
    const arrived = waiting.filter((w) => !known.has(w.id));
    this.waiting = waiting;
    if (arrived.length === 0) return;
    playKnock();
    const names = arrived.map((w) => w.name);
    this.announce(names.length === 1 ? m.announce_knock_one({ name: names[0] }) : m.announce_knock_many({ names: listOf(names) }));
  }

  #react(from: string, emoji: Reaction): void {
    const reaction = { key: ++this.#serial, from, emoji };
    this.reactions = [...this.reactions, reaction];
    this.announce(m.announce_reaction({ name: this.#nameOf(from), emoji }));
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.reactions = this.reactions.filter((r) => r !== reaction);
    }, REACTION_MS);
    this.#timers.add(timer);
  }

  /** Tells screen readers, through the call's one `aria-live` region (also used for joins and leaves). */
  announce(text: string): void {
    this.announcement = text;
  }
}

/** The ids of the peers with a raised hand, by when it went up (then by id, for equal times). */
export function handOrder(peers: readonly Peer[]): string[] {
  return peers
    .filter((peer) => peer.hand !== undefined)
    .sort((a, b) => a.hand! - b.hand! || (a.id < b.id ? -1 : 1))
    .map((peer) => peer.id);
}
