import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectSignalingOptions, type ResolvedSignalingOptions } from '@parley/nest-signaling';

/** How long an ICE ticket is good for: a lobby visit, not a call. */
export const ICE_TICKET_TTL_MS = 10 * 60 * 1000;

const VERSION = 'v1';
const MAX_TICKET_LENGTH = 128;

/**
 * Tickets that let a lobby fetch TURN credentials: `v1.<expiry>.<nonce>.<HMAC>`, bound to the
 * client IP that asked for it and valid for ten minutes. Self-contained, so any instance that shares
 * the resume secret accepts them; the key is derived from that secret under its own label, so a
 * ticket can never pass as a resume token or the other way round.
 */
@Injectable()
export class IceTickets {
  readonly #key: Buffer;

  constructor(@InjectSignalingOptions() options: ResolvedSignalingOptions) {
    this.#key = createHmac('sha256', options.resumeSecret).update('parley ice-ticket key').digest();
  }

  issue(ip: string, now = Date.now()): string {
    const body = `${VERSION}.${Math.floor((now + ICE_TICKET_TTL_MS) / 1000)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.#sign(body, ip)}`;
  }

  /** Whether `ticket` was issued here (or by a sibling instance) to `ip` and has not expired. */
  verify(ticket: string | undefined, ip: string, now = Date.now()): boolean {
    if (!ticket || ticket.length > MAX_TICKET_LENGTH) return false;
    const cut = ticket.lastIndexOf('.');
    const body = ticket.slice(0, cut);
    const [version, expiry, nonce, extra] = body.split('.');
    if (cut < 0 || version !== VERSION || !nonce || extra !== undefined || !/^\d{1,12}$/.test(expiry)) return false;
    const given = Buffer.from(ticket.slice(cut + 1));
    const expected = Buffer.from(this.#sign(body, ip));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return Number(expiry) * 1000 > now;
  }

  #sign(body: string, ip: string): string {
    return createHmac('sha256', this.#key).update(`${body}|${ip}`).digest('base64url');
  }
}
