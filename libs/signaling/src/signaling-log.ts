import { Inject, Injectable, Logger } from '@nestjs/common';
import type { PeerLeftReason } from '@parley/protocol';
import { MESSAGE_BUS, type MessageBus } from './message-bus.js';

/** The fields of a log line; values are ids, names of reasons and counts, never a token or a secret. */
export interface SignalingLogFields {
  room?: string;
  peer?: string;
  /** The other instance an instance event is about. */
  other?: string;
  reason?: string;
  /** The client's address, for refusals and rate limits. */
  ip?: string;
  origin?: string;
  /** The error message a refused client got. */
  detail?: string;
  peers?: number;
}

/**
 * One structured line per room event (join, resume, leave, drop, refusal, rate limit, instance
 * event), with `event`, `instance` and the fields above as parameters: Nest's JSON logger puts
 * them on the line (`flattenParams`), the pretty one after the message. What a client did wrong
 * is logged as a refusal, never as an error with a stack.
 */
@Injectable()
export class SignalingLog {
  readonly #logger = new Logger('Signaling');
  /** This instance's id, on every line. */
  readonly instance: string;

  constructor(@Inject(MESSAGE_BUS) bus: MessageBus) {
    this.instance = bus.instanceId;
  }

  joined(room: string, peer: string): void {
    this.#line('log', 'join', 'Peer joined', { room, peer });
  }

  resumed(room: string, peer: string, how: 'session' | 'token'): void {
    this.#line('log', 'resume', 'Peer resumed', { room, peer, reason: how });
  }

  left(room: string, peer: string, reason: PeerLeftReason): void {
    this.#line('log', 'leave', 'Peer left', { room, peer, reason });
  }

  /** A socket closed without `leave`: the peer waits for a resume. */
  dropped(room: string, peer: string): void {
    this.#line('log', 'drop', 'Peer reconnecting', { room, peer });
  }

  /** A join or an upgrade refused: `reason` is an error code, or `origin`, `caps`, `draining`. */
  refused(what: 'join' | 'upgrade', fields: SignalingLogFields & { reason: string }): void {
    this.#line('warn', `${what}-refused`, what === 'join' ? 'Join refused' : 'Upgrade refused', fields);
  }

  /** A client was slowed down or cut off for sending too much. */
  rateLimited(fields: SignalingLogFields & { reason: string }): void {
    this.#line('warn', 'rate-limited', 'Rate limited', fields);
  }

  /** Another instance stopped or came back, or this one resynced. */
  instanceEvent(event: 'instance-down' | 'instance-gone' | 'resync', message: string, fields: SignalingLogFields = {}): void {
    this.#line(event === 'resync' ? 'warn' : 'log', event, message, fields);
  }

  #line(level: 'log' | 'warn', event: string, message: string, fields: SignalingLogFields): void {
    // A join and a leave each write a line at `log`, which production often turns off: then not
    // even its fields are built.
    if (level === 'log' && !Logger.isLevelEnabled('log')) return;
    this.#logger[level](message, { event, instance: this.instance, ...fields });
  }
}
