import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** What a resume token binds. */
export interface ResumeClaims {
  peerId: string;
  room: string;
  name: string;
  /** Expiry, in milliseconds since the epoch. */
  expiresAt: number;
}

export type ResumeCheck = { ok: true; claims: ResumeClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Self-contained resume tokens, `<claims>.<HMAC-SHA256>` in base64url. Being self-contained,
 * a restarted server with the same secret can rebuild a room from the peers that resume.
 */
@Injectable()
export class ResumeTokens {
  constructor(@InjectSignalingOptions() private readonly options: ResolvedSignalingOptions) {}

  issue(claims: Omit<ResumeClaims, 'expiresAt'>, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ ...claims, expiresAt: now + TOKEN_TTL_MS })).toString('base64url');
    return `${body}.${this.#sign(body)}`;
  }

  verify(token: string, now = Date.now()): ResumeCheck {
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.#sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as ResumeClaims;
    return claims.expiresAt > now ? { ok: true, claims } : { ok: false, reason: 'expired' };
  }

  #sign(body: string): string {
    return createHmac('sha256', this.options.resumeSecret).update(body).digest('base64url');
  }
}
