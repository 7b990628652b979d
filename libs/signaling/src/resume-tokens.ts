import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@parley/protocol';
import { randomId } from './random-id.js';
import { SignalingException } from './signaling.exception.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** What a resume token binds. */
export interface ResumeClaims {
  peerId: string;
  room: string;
  name: string;
  /** The authorized subject of the peer, when the host's `authorize` hook gave one. */
  subject?: string;
  /** This token's id: the peer record keeps the id it will accept, so a token works once. */
  id: string;
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

export type ResumeCheck = { ok: true; claims: ResumeClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** Time for a server restart to finish, on top of the grace window, in a token's lifetime. */
const RESTART_ALLOWANCE_MS = 60_000;

/**
 * Self-contained resume tokens, `<claims>.<HMAC-SHA256>` in base64url. Being self-contained,
 * a restarted server with the same secret can rebuild a room from the peers that resume; while
 * the store holds the peer, only the token id kept with it is accepted (see `RoomService`).
 */
@Injectable()
export class ResumeTokens {
  /**
   * A token must outlive what a client may need it for: it may hold the one before the last
   * rotation (the newest went into a dead socket), so up to two rotations old, and then it has
   * the grace window, or a restart, to come back in.
   */
  readonly ttlMs: number;

  constructor(@InjectSignalingOptions() private readonly options: ResolvedSignalingOptions) {
    this.ttlMs = options.resumeGraceMs + 2 * options.resumeRotateMs + RESTART_ALLOWANCE_MS;
  }

  /** A new token with a fresh id. */
  issue({ peerId, room, name, subject }: Omit<ResumeClaims, 'expiresAt' | 'id'>, now = Date.now()): { token: string; id: string } {
    const id = randomId(9);
    const expiresAt = now + this.ttlMs;
    // Plain literals, not a spread of the claims: a spread made an object that JSON.stringify
    // walked about three times slower, once per join.
    const claims = subject === undefined ? { peerId, room, name, id, expiresAt } : { peerId, room, name, subject, id, expiresAt };
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${body}.${this.#sign(body)}`, id };
  }

  verify(token: string, now = Date.now()): ResumeCheck {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    const claims = parseClaims(Buffer.from(body, 'base64url').toString());
    if (!claims) return { ok: false, reason: 'malformed' };
    return claims.expiresAt > now ? { ok: true, claims } : { ok: false, reason: 'expired' };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.options.resumeSecret).update(body).digest('base64url');
  }
}

/** Signed claims of an older format (no id) are refused rather than trusted half-way. */
function parseClaims(json: string): ResumeClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const c = value as Partial<ResumeClaims> | null;
  const strings = [c?.peerId, c?.room, c?.name, c?.id].every((v) => typeof v === 'string');
  const ok = strings && typeof c?.expiresAt === 'number' && (c.subject === undefined || typeof c.subject === 'string');
  return ok ? (c as ResumeClaims) : undefined;
}

/** Why a resume token was refused; the word goes to the client in `details[0].problems`. */
export type ResumeRefusal = 'malformed' | 'forged' | 'expired' | 'wrong-room' | 'wrong-subject' | 'used' | 'revoked' | 'removed';

const WHY: Record<ResumeRefusal, string> = {
  malformed: 'is malformed',
  forged: 'is not valid',
  expired: 'has expired',
  'wrong-room': 'is for another room',
  'wrong-subject': 'belongs to someone else',
  used: 'was already used',
  revoked: 'was revoked when the peer left',
  removed: 'was revoked when a host removed the peer',
};

/** The `unauthorized` error for a refused resume token. */
export function resumeRefused(reason: ResumeRefusal): SignalingException {
  return new SignalingException(ErrorCode.Unauthorized, `The resume token ${WHY[reason]}: join afresh`, [{ field: 'resume', problems: [reason] }]);
}
