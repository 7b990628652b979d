import { LIMITS, SERVER_EVENTS, type ServerEvents } from '@parley/protocol';

/** Injection token of the `MessageBus`. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');

/** What one instance asks of another. */
export type BusMessage =
  /**
   * Send a frame to these peers, whose sockets the receiving instance holds; `at` is when the relay
   * began. `room` names the room of a membership event (peer-joined, -left, -updated), whose cached
   * members the receiver forgets; without it (an older sender) it forgets every room.
   */
  | { kind: 'deliver'; to: string[]; frame: string; event: keyof ServerEvents; at: number; room?: string }
  /** A peer resumed elsewhere: drop its old socket and grace timer here. */
  | { kind: 'takeover'; peerId: string }
  /** A host's decision about a peer (or a waiting person) whose socket the receiving instance holds. */
  | { kind: 'order'; peerId: string; order: PeerOrder };

/**
 * What a host (or the room's rules) decides about someone, carried out by the instance that holds
 * their socket and their record, so that record is only ever written there.
 */
export const PEER_ORDERS = ['admit', 'deny', 'room-ended', 'remove', 'lower-hand', 'grant-host'] as const;
export type PeerOrder = (typeof PEER_ORDERS)[number];

/** Carries messages between instances. Messages to one instance arrive in the order they were sent. */
export interface MessageBus {
  /** This instance's id, unique per process. */
  readonly instanceId: string;
  publish(instance: string, message: BusMessage): Promise<void>;
  /** Sets the one handler for messages addressed to this instance. */
  onMessage(handler: (message: BusMessage) => void): void;
  /** Called after the connection came back and messages may have been lost. */
  onResync(handler: () => void): void;
}

/** The embedded default: one instance, so every message is for this process. */
export class LocalMessageBus implements MessageBus {
  #handler: (message: BusMessage) => void = () => {};

  constructor(readonly instanceId: string) {}

  async publish(_instance: string, message: BusMessage): Promise<void> {
    this.#handler(message);
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.#handler = handler;
  }

  onResync(): void {}
}

/** The largest bus message accepted: a relayed frame is at most a client frame plus a little. */
export const MAX_BUS_MESSAGE_BYTES = 4 * LIMITS.maxFrameBytes;
/** Most recipients of one `deliver`: far more than a room holds. */
const MAX_RECIPIENTS = 1_000;
const MAX_ID_LENGTH = 128;

const SERVER_EVENT_NAMES: ReadonlySet<string> = new Set(SERVER_EVENTS);
const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;

/** Why a bus message was refused; `unknown-kind` is also what an older instance sees of a newer one. */
export type BusProblem = 'too-large' | 'not-json' | 'not-an-object' | 'unknown-kind' | 'bad-fields';

/**
 * Reads a message from another instance. Anyone who can publish to the shared Redis, or a newer
 * version during a rolling upgrade, may send anything: nothing here throws.
 */
export function parseBusMessage(raw: string): { message: BusMessage } | { problem: BusProblem } {
  if (typeof raw !== 'string' || Buffer.byteLength(raw) > MAX_BUS_MESSAGE_BYTES) return { problem: 'too-large' };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { problem: 'not-json' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: 'not-an-object' };
  const m = value as Record<string, unknown>;
  if (m.kind === 'takeover') {
    return isId(m.peerId) ? { message: { kind: 'takeover', peerId: m.peerId } } : { problem: 'bad-fields' };
  }
  if (m.kind === 'order') {
    const order = PEER_ORDERS.find((known) => known === m.order);
    return isId(m.peerId) && order ? { message: { kind: 'order', peerId: m.peerId, order } } : { problem: 'bad-fields' };
  }
  if (m.kind !== 'deliver') return { problem: 'unknown-kind' };
  const { to, frame, event, at, room } = m;
  const ok =
    Array.isArray(to) &&
    to.length <= MAX_RECIPIENTS &&
    to.every(isId) &&
    typeof frame === 'string' &&
    typeof event === 'string' &&
    SERVER_EVENT_NAMES.has(event) &&
    typeof at === 'number' &&
    Number.isFinite(at) &&
    (room === undefined || isId(room));
  if (!ok) return { problem: 'bad-fields' };
  const message: BusMessage = { kind: 'deliver', to: to as string[], frame: frame as string, event: event as keyof ServerEvents, at: at as number };
  if (room !== undefined) message.room = room as string;
  return { message };
}
