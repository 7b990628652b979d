import type { IncomingMessage } from 'node:http';
import { clientAddress, compileTrust, type ProxyTrust, type ResolvedSignalingOptions } from '@parley/nest-signaling';

const compiled = new Map<string, ProxyTrust>();

/**
 * The address a request comes from, for per-IP limits and for binding ICE tickets: the gateway's
 * rule (`clientAddress`), so a proxy's users are told apart the same way on both paths.
 */
export function clientIp(request: IncomingMessage, trustProxy: ResolvedSignalingOptions['trustProxy']): string {
  const key = JSON.stringify(trustProxy);
  let trust = compiled.get(key);
  if (!trust) compiled.set(key, (trust = compileTrust(trustProxy)));
  return clientAddress(request, trust);
}
