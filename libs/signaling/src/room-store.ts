import type { ChatMessage, Peer, RoomMode, Waiter } from '@parley/protocol';
import type { SfuRoomAssignment } from './sfu/sfu.types.js';

/** Injection token of the `RoomStore`. */
export const ROOM_STORE = Symbol('ROOM_STORE');

/** A peer as the store keeps it: which instance holds its socket, and who it is. */
export interface PeerRecord {
  room: string;
  peer: Peer;
  instance: string;
  /** When the peer first joined, in ms; members are listed in this order. */
  joinedAt: number;
  subject?: string;
  /** The id of the resume token this peer may use, and of the one before a timed rotation. */
  resumeId?: string;
  previousResumeId?: string;
}

/** Someone waiting to be let into a locked room, and which instance holds their socket. */
export interface WaiterRecord extends Waiter {
  room: string;
  instance: string;
  /** When the wait ends by itself, in ms: a record past it is gone, even if its instance died. */
  expiresAt: number;
}

/** Why a peer's resume tokens were revoked: it left, or a host removed it. */
export type ResumeRevocation = 'left' | 'removed';

/** How a room's media flows, and where on the SFU it lives when it goes through one. */
export interface RoomMedia {
  mode: RoomMode;
  /** Set in `sfu` mode: shared by every instance, never shown to a client. */
  sfu?: SfuRoomAssignment;
}

/**
 * Where rooms live: in this process by default, in Redis when instances share rooms.
 * Every method is atomic on its own; `admit` enforces capacity across instances.
 */
export interface RoomStore {
  /** Adds the record, or replaces the one with the same id; `false` when the room is full. */
  admit(record: PeerRecord, maxPeers: number): Promise<boolean>;
  /**
   * Replaces a record that exists; `false` when it does not (any more). With `resumeId`, only
   * if the stored record accepts that token id (its `resumeId` or `previousResumeId`), so two
   * resumes with one token cannot both win.
   */
  update(record: PeerRecord, resumeId?: string): Promise<boolean>;
  /** Removes a record; with `instance`, only if that instance still holds it. */
  remove(room: string, peerId: string, instance?: string): Promise<PeerRecord | undefined>;
  get(room: string, peerId: string): Promise<PeerRecord | undefined>;
  members(room: string): Promise<PeerRecord[]>;

  /** The room's media state; undefined for a mesh room that never switched (or an empty room). */
  roomMedia(room: string): Promise<RoomMedia | undefined>;
  /**
   * Sets the room's media state unless one is set already, and returns the one that holds: the
   * first instance to switch a room wins, the others adopt its state. Forgotten when the room empties.
   */
  claimRoomMedia(room: string, media: RoomMedia): Promise<RoomMedia>;
  /**
   * Replaces the room's media state if its SFU assignment is still `from` (same VideoRoom id), and
   * returns the one that holds: when a media server is lost, the first instance to move the room
   * wins and the others adopt its new assignment. Undefined when the room has emptied meanwhile.
   */
  moveRoomMedia(room: string, from: SfuRoomAssignment, media: RoomMedia): Promise<RoomMedia | undefined>;

  /** Appends to the room's chat, keeping the last `keep` messages. */
  pushChat(room: string, message: ChatMessage, keep: number): Promise<void>;
  chat(room: string): Promise<ChatMessage[]>;

  /** Refuses every resume token of a peer that left or was removed, for `ttlMs` (the tokens' lifetime). */
  revokeResume(peerId: string, ttlMs: number, why?: ResumeRevocation): Promise<void>;
  /** Why the peer's tokens are revoked, or undefined when they are not. */
  resumeRevocation(peerId: string): Promise<ResumeRevocation | undefined>;

  /** Whether the room is locked. Forgotten when the room empties. */
  locked(room: string): Promise<boolean>;
  setLocked(room: string, locked: boolean): Promise<void>;
  /**
   * Adds someone to the room's waiting list (or replaces them); `false` when `max` others wait
   * already. Records past their `expiresAt` are dropped first and never listed.
   */
  addWaiter(record: WaiterRecord, max: number): Promise<boolean>;
  /** Removes and returns a waiting record: of two hosts admitting one person, one gets it. */
  takeWaiter(room: string, id: string): Promise<WaiterRecord | undefined>;
  /** Everyone waiting for the room, longest first. */
  waiters(room: string): Promise<WaiterRecord[]>;

  /** Keeps a frame for a reconnecting peer (the last `keep`), for `ttlMs`. */
  pushMissed(peerId: string, frame: string, keep: number, ttlMs: number): Promise<void>;
  /** Returns and forgets the frames kept for a peer, oldest first. */
  takeMissed(peerId: string): Promise<string[]>;

  /**
   * Says this instance is alive for `ttlMs` more; `false` when it was not alive until now (its
   * first heartbeat, or one that lapsed, so others may have taken it for dead).
   */
  heartbeat(instance: string, ttlMs: number): Promise<boolean>;
  isInstanceAlive(instance: string): Promise<boolean>;
  /**
   * Instances that stopped their heartbeat, each given to one caller to clean up (another may
   * claim it again after a minute, if it is still not forgotten).
   */
  claimDeadInstances(claimant: string): Promise<string[]>;
  /** The records an instance holds. */
  instancePeers(instance: string): Promise<PeerRecord[]>;
  /** Forgets a dead instance, once its peers are removed. */
  forgetInstance(instance: string): Promise<void>;
}

/** Whether a stored record accepts a resume token with this id. */
export function acceptsResume(record: PeerRecord, resumeId: string): boolean {
  return record.resumeId === resumeId || record.previousResumeId === resumeId;
}
