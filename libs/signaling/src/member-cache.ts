import type { PeerRecord } from './room-store.js';

/** Rooms held at once; past that the cache starts again (a bound, not a setting: a room costs a few records). */
const MAX_ROOMS = 10_000;

interface Slot {
  members?: ReadonlyMap<string, PeerRecord>;
  /** Bumped by every forget, so that a load begun before one does not fill the slot. */
  version: number;
  loads: number;
}

/**
 * This instance's copy of the members of the rooms its peers signal in, so that a signal to a peer
 * on another instance costs no store round trip. It is only ever a shortcut: a room is forgotten
 * whenever its membership changes (the relay sees every `peer-joined`, `peer-left` and
 * `peer-updated` of a room with an online peer here, from this instance or over the bus), and
 * what it does not hold is read from the store.
 */
export class MemberCache {
  readonly #slots = new Map<string, Slot>();

  /** The cached record of a peer, or undefined when the room or the peer is not cached. */
  get(room: string, id: string): PeerRecord | undefined {
    return this.#slots.get(room)?.members?.get(id);
  }

  /** Whether the room's members are cached. */
  holds(room: string): boolean {
    return this.#slots.get(room)?.members !== undefined;
  }

  /** Reads the room's members with `read`, and caches them unless the room was forgotten meanwhile. */
  async load(room: string, read: () => Promise<PeerRecord[]>): Promise<PeerRecord[]> {
    if (!this.#slots.has(room) && this.#slots.size >= MAX_ROOMS) this.forgetAll();
    const slot = this.#slots.get(room) ?? { version: 0, loads: 0 };
    this.#slots.set(room, slot);
    const version = slot.version;
    slot.loads++;
    try {
      const members = await read();
      if (slot.version === version && this.#slots.get(room) === slot) slot.members = new Map(members.map((m) => [m.peer.id, m]));
      return members;
    } finally {
      slot.loads--;
      if (!slot.members && slot.loads === 0 && this.#slots.get(room) === slot) this.#slots.delete(room);
    }
  }

  forget(room: string): void {
    const slot = this.#slots.get(room);
    if (!slot) return;
    slot.version++;
    slot.members = undefined;
    if (slot.loads === 0) this.#slots.delete(room);
  }

  /** After messages may have been lost (the bus reconnected): nothing cached can be trusted. */
  forgetAll(): void {
    for (const room of [...this.#slots.keys()]) this.forget(room);
  }
}
