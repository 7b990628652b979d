import type { IncomingMessage } from 'node:http';
import type { ResolvedSignalingOptions } from '@parley/nest-signaling';

/**
 * The address a request comes from, for per-IP limits and for binding ICE tickets. The one place
 * the HTTP API decides it: point it at the gateway's rule when that one changes.
 *
 * Behind a trusted proxy the last `X-Forwarded-For` entry is the one that proxy appended; every
 * entry before it is whatever the client sent, so taking the leftmost would let a client choose.
 */
export function clientIp(request: IncomingMessage, trustProxy: ResolvedSignalingOptions['trustProxy']): string {
  const forwarded = trustProxy ? String(request.headers['x-forwarded-for'] ?? '').split(',').at(-1)!.trim() : '';
  return forwarded || request.socket.remoteAddress || 'unknown';
}
