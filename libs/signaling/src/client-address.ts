import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

/**
 * Which proxies in front of the server may say who the client is: `false` none; a number, that
 * many hops (`true` is one); or addresses, CIDRs and the names `loopback`, `linklocal` and
 * `uniquelocal`, as an array or a comma-separated string.
 */
export type TrustProxy = boolean | number | string | string[];

/** Whether the address `hop` hops away from the server is a trusted proxy (hop 0: the socket's peer). */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * Express's rule (proxy-addr), except that `true` trusts one hop, not all: trusting every hop
 * takes the leftmost `X-Forwarded-For` entry, which the client writes itself.
 */
export function compileTrust(trust: TrustProxy): ProxyTrust {
  // One function per setting, so that the address cached for a request under it is found again.
  const key = JSON.stringify(trust);
  let compiled = compiledTrust.get(key);
  if (!compiled) compiledTrust.set(key, (compiled = compileTrustOnce(trust)));
  return compiled;
}

const compiledTrust = new Map<string, ProxyTrust>();

function compileTrustOnce(trust: TrustProxy): ProxyTrust {
  if (trust === true) return compileTrust(1);
  if (trust === false) return () => false;
  if (typeof trust === 'number') {
    if (!Number.isInteger(trust) || trust < 0) throw new Error(`trustProxy: a number of hops must be an integer of at least 0, got ${trust}`);
    return (_, hop) => hop < trust;
  }
  const list =
    typeof trust === 'string'
      ? trust
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : trust;
  return proxyAddr.compile(list);
}

/** The client's address: the nearest `X-Forwarded-For` entry that no trusted proxy wrote. */
export function clientAddress(request: IncomingMessage, trust: ProxyTrust): string {
  // An upgrade asks four times (the origin check, the caps, the count of open sockets, the
  // session): the headers are parsed once.
  const holder = request as IncomingMessage & { [ADDRESS]?: { trust: ProxyTrust; address: string } };
  const cached = holder[ADDRESS];
  if (cached?.trust === trust) return cached.address;
  let address: string;
  try {
    address = proxyAddr(request, trust) || 'unknown';
  } catch {
    address = request.socket.remoteAddress ?? 'unknown';
  }
  holder[ADDRESS] = { trust, address };
  return address;
}

const ADDRESS = Symbol('parley.clientAddress');
