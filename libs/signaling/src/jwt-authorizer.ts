import { jwtVerify } from 'jose';
import { DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS } from './signaling.constants.js';
import type { AuthorizeContext, SignalingIdentity } from './signaling-options.interface.js';

/** What a room token carries. `room` is the room's name, or `*` for any room. */
export interface RoomTokenClaims {
  room: string;
  exp: number;
  iat?: number;
  sub?: string;
  name?: string;
  /** `host`: the bearer is a host of the room (see docs/auth.md). */
  role?: string;
  aud?: string | string[];
  iss?: string;
}

/** Checks `jwtAuthorizer` makes besides the signature, `exp` and `room`. */
export interface JwtAuthorizerOptions {
  /** When set, the token's `aud` must name it (or one of them). Default: `aud` is not checked. */
  audience?: string | string[];
  /** When set, the token's `iss` must be it (or one of them). Default: `iss` is not checked. */
  issuer?: string | string[];
  /** Longest lifetime accepted: `exp - iat`, or `exp - now` without `iat`. Default 24 h. */
  maxTtlSeconds?: number;
}

/**
 * An `authorize` hook that requires `join.token` to be a JWT signed with HS256 under `secret`,
 * unexpired, with `exp` and a `room` claim naming the room (or `*`), living no longer than
 * `maxTtlSeconds`, and with the `aud` and `iss` asked for. Anything else throws, which the room
 * service answers with `unauthorized`.
 */
export function jwtAuthorizer(
  secret: string,
  { audience, issuer, maxTtlSeconds = DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS }: JwtAuthorizerOptions = {},
): (context: AuthorizeContext) => Promise<SignalingIdentity> {
  if (!Number.isFinite(maxTtlSeconds) || maxTtlSeconds <= 0) {
    throw new Error(`jwtAuthorizer: maxTtlSeconds must be a positive number, got ${maxTtlSeconds}`);
  }
  const key = new TextEncoder().encode(secret);
  return async ({ room, token }) => {
    if (!token) throw new Error('a room token is required');
    // algorithms pins HS256, so `alg: none` and every other algorithm are refused.
    const { payload } = await jwtVerify<Partial<RoomTokenClaims>>(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'room'],
      audience,
      issuer,
    }).catch((error: Error) => {
      throw new Error(`the room token is not valid (${error.message})`);
    });
    // A leaked token that lives for years is a standing key to the room: cap how long one lives,
    // from its `iat` and from now (an `iat` in the future must not stretch the window).
    const now = Date.now() / 1000;
    const start = Math.min(typeof payload.iat === 'number' ? payload.iat : now, now);
    if (payload.exp! - start > maxTtlSeconds) throw new Error(`the room token lives longer than ${maxTtlSeconds} s`);
    if (payload.room !== room && payload.room !== '*') throw new Error(`the room token is for another room`);
    return {
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      name: typeof payload.name === 'string' ? payload.name.slice(0, 40) : undefined,
      ...(payload.role === 'host' && { role: 'host' as const }),
    };
  };
}
