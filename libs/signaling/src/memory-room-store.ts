import type { ChatMessage } from '@parley/protocol';
import { acceptsResume, type PeerRecord, type ResumeRevocation, type RoomMedia, type RoomStore, type WaiterRecord } from './room-store.js';
import type { SfuRoomAssignment } from './sfu/sfu.types.js';

/** The embedded default: rooms in this process. There are no other instances to watch. */
export class MemoryRoomStore implements RoomStore {
  readonly #rooms = new Map<string, Map<string, PeerRecord>>();
  readonly #chat = new Map<string, ChatMessage[]>();
  readonly #media = new Map<string, RoomMedia>();
  readonly #missed = new Map<string, string[]>();
  /** Peer id to the time its revocation ends, and why. */
  readonly #revoked = new Map<string, { until: number; why: ResumeRevocation }>();
  readonly #locked = new Set<string>();
  readonly #waiting = new Map<string, Map<string, WaiterRecord>>();

  async admit(record: PeerRecord, maxPeers: number): Promise<boolean> {
    const room = this.#rooms.get(record.room) ?? new Map<string, PeerRecord>();
    if (!room.has(record.peer.id) && room.size >= maxPeers) return false;
    room.set(record.peer.id, record);
    this.#rooms.set(record.room, room);
    return true;
  }

  async update(record: PeerRecord, resumeId?: string): Promise<boolean> {
    const room = this.#rooms.get(record.room);
    const current = room?.get(record.peer.id);
    if (!room || !current || (resumeId !== undefined && !acceptsResume(current, resumeId))) return false;
    room.set(record.peer.id, record);
    return true;
  }

  async remove(roomName: string, peerId: string, instance?: string): Promise<PeerRecord | undefined> {
    const room = this.#rooms.get(roomName);
    const record = room?.get(peerId);
    if (!room || !record || (instance !== undefined && record.instance !== instance)) return undefined;
    room.delete(peerId);
    if (room.size === 0) {
      this.#rooms.delete(roomName);
      this.#chat.delete(roomName);
      this.#media.delete(roomName);
      this.#locked.delete(roomName);
    }
    return record;
  }

  async get(room: string, peerId: string): Promise<PeerRecord | undefined> {
    return this.#rooms.get(room)?.get(peerId);
  }

  async members(room: string): Promise<PeerRecord[]> {
    return [...(this.#rooms.get(room)?.values() ?? [])].sort((a, b) => a.joinedAt - b.joinedAt);
  }

  async roomMedia(room: string): Promise<RoomMedia | undefined> {
    return this.#media.get(room);
  }

  async claimRoomMedia(room: string, media: RoomMedia): Promise<RoomMedia> {
    const held = this.#media.get(room);
    if (held) return held;
    this.#media.set(room, media);
    return media;
  }

  async moveRoomMedia(room: string, from: SfuRoomAssignment, media: RoomMedia): Promise<RoomMedia | undefined> {
    const held = this.#media.get(room);
    if (held?.sfu?.janusRoom !== from.janusRoom) return held;
    this.#media.set(room, media);
    return media;
  }

  async pushChat(room: string, message: ChatMessage, keep: number): Promise<void> {
    const chat = this.#chat.get(room) ?? [];
    chat.push(message);
    this.#chat.set(room, chat.slice(-keep));
  }

  async chat(room: string): Promise<ChatMessage[]> {
    return this.#chat.get(room) ?? [];
  }

  async revokeResume(peerId: string, ttlMs: number, why: ResumeRevocation = 'left'): Promise<void> {
    const now = Date.now();
    for (const [id, { until }] of this.#revoked) if (until <= now) this.#revoked.delete(id);
    this.#revoked.set(peerId, { until: now + ttlMs, why });
  }

  async resumeRevocation(peerId: string): Promise<ResumeRevocation | undefined> {
    const revoked = this.#revoked.get(peerId);
    return revoked && revoked.until > Date.now() ? revoked.why : undefined;
  }

  async locked(room: string): Promise<boolean> {
    return this.#locked.has(room);
  }

  async setLocked(room: string, locked: boolean): Promise<void> {
    if (locked) this.#locked.add(room);
    else this.#locked.delete(room);
  }

  async addWaiter(record: WaiterRecord, max: number): Promise<boolean> {
    const waiting = this.#liveWaiters(record.room);
    if (!waiting.has(record.id) && waiting.size >= max) return false;
    waiting.set(record.id, record);
    this.#waiting.set(record.room, waiting);
    return true;
  }

  async takeWaiter(room: string, id: string): Promise<WaiterRecord | undefined> {
    const waiting = this.#liveWaiters(room);
    const record = waiting.get(id);
    if (waiting.delete(id) && waiting.size === 0) this.#waiting.delete(room);
    return record;
  }

  async waiters(room: string): Promise<WaiterRecord[]> {
    return [...this.#liveWaiters(room).values()].sort((a, b) => a.since - b.since);
  }

  /** The room's waiting list without the records whose wait is over. */
  #liveWaiters(room: string): Map<string, WaiterRecord> {
    const waiting = this.#waiting.get(room) ?? new Map<string, WaiterRecord>();
    const now = Date.now();
    for (const [id, record] of waiting) if (record.expiresAt <= now) waiting.delete(id);
    if (waiting.size === 0) this.#waiting.delete(room);
    return waiting;
  }

  async pushMissed(peerId: string, frame: string, keep: number): Promise<void> {
    const missed = this.#missed.get(peerId) ?? [];
    missed.push(frame);
    this.#missed.set(peerId, missed.slice(-keep));
  }

  async takeMissed(peerId: string): Promise<string[]> {
    const missed = this.#missed.get(peerId) ?? [];
    this.#missed.delete(peerId);
    return missed;
  }

  async heartbeat(): Promise<boolean> {
    return true;
  }

  async isInstanceAlive(): Promise<boolean> {
    return true;
  }

  async claimDeadInstances(): Promise<string[]> {
    return [];
  }

  async instancePeers(): Promise<PeerRecord[]> {
    return [];
  }

  async forgetInstance(): Promise<void> {}
}
