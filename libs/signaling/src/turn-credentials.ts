import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { IceServer } from '@parley/protocol';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions, TurnOptions } from './signaling-options.interface.js';

/**
 * coturn's REST-API credentials (`use-auth-secret`): the username is `<expiry-unix>:<peer id>`,
 * the password the base64 HMAC-SHA1 of the username under the shared secret. coturn checks both
 * without asking us, and the secret itself never leaves the server.
 */
export function turnCredential(peerId: string, turn: Required<TurnOptions>, now = Date.now()): IceServer {
  const username = `${Math.floor(now / 1000) + turn.ttlSeconds}:${peerId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}

/** The ICE servers one peer gets in `joined`: the configured ones, plus its own TURN credential. */
@Injectable()
export class IceServers {
  constructor(@InjectSignalingOptions() private readonly options: ResolvedSignalingOptions) {}

  for(peerId: string): IceServer[] {
    const { iceServers, turn, metrics } = this.options;
    if (!turn) return iceServers;
    metrics.turnCredentialIssued?.();
    return [...iceServers, turnCredential(peerId, turn)];
  }
}
