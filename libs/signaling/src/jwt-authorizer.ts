import { jwtVerify } from 'jose';
import type { AuthorizeContext, SignalingIdentity } from './signaling-options.interface.js';

/** What a room token carries. `room` is the room's name, or `*` for any room. */
export interface RoomTokenClaims {
  room: string;
  exp: number;
  sub?: string;
  name?: string;
}

/**
 * An `authorize` hook that requires `join.token` to be a JWT signed with HS256 under `secret`,
 * unexpired, with `exp` and a `room` claim naming the room (or `*`). Anything else throws,
 * which the room service answers with `unauthorized`.
 */
export function jwtAuthorizer(secret: string): (context: AuthorizeContext) => Promise<SignalingIdentity> {
  const key = new TextEncoder().encode(secret);
  return async ({ room, token }) => {
    if (!token) throw new Error('a room token is required');
    // algorithms pins HS256, so `alg: none` and every other algorithm are refused.
    const { payload } = await jwtVerify<Partial<RoomTokenClaims>>(token, key, {
      algorithms: ['HS256'],
      requiredClaims: ['exp', 'room'],
    }).catch((error: Error) => {
      throw new Error(`the room token is not valid (${error.message})`);
    });
    if (payload.room !== room && payload.room !== '*') throw new Error(`the room token is for another room`);
    return {
      subject: typeof payload.sub === 'string' ? payload.sub : undefined,
      name: typeof payload.name === 'string' ? payload.name.slice(0, 40) : undefined,
    };
  };
}
