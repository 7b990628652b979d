import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { clientAddress, type ProxyTrust } from './client-address.js';
import { TokenBucket, type BucketSpec } from './rate-limiter.js';

/** How long a connection may take to send its request headers before it is closed with 408. */
export const HEADERS_TIMEOUT_MS = 8_000;

/** On an open socket: its address's entry, whose count it is in until it closes. */
const COUNTED_IN = Symbol('parley.countedIn');
type Counted = EventEmitter & { [COUNTED_IN]?: PerIp };

interface PerIp {
  open: number;
  /** TCP connections whose request headers have not all arrived yet. */
  pending: number;
  arrivals: TokenBucket;
}

/**
 * Caps, per client IP, the sockets open at once and how fast new ones may open. A connection
 * that has not finished sending its request headers counts against the same cap, so half-sent
 * upgrades cannot hold the server's sockets for free.
 */
export class ConnectionLimiter {
  readonly #byIp = new Map<string, PerIp>();
  /** One spec for every address's bucket. */
  readonly #arrivals: BucketSpec;

  constructor(
    private readonly maxOpen: number,
    perSecond: number,
    private readonly trust: ProxyTrust,
  ) {
    this.#arrivals = { burst: perSecond * 2, perSecond };
    // Idle entries are forgotten only once their bucket is full again, so that opening and
    // closing sockets in a loop cannot reset the rate.
    setInterval(() => {
      for (const [ip, entry] of this.#byIp) if (entry.open === 0 && entry.pending === 0 && entry.arrivals.fullAt(Date.now())) this.#byIp.delete(ip);
    }, 60_000).unref();
  }

  ipOf(request: IncomingMessage): string {
    return clientAddress(request, this.trust);
  }

  /** Whether a new socket from this request's IP may open now. */
  admits(request: IncomingMessage, now = Date.now()): boolean {
    const entry = this.#entry(this.ipOf(request), now);
    return entry.open + entry.pending < this.maxOpen && entry.arrivals.take(now);
  }

  /** Counts the socket against its address's cap until it closes. */
  opened(socket: EventEmitter, request: IncomingMessage): void {
    const entry = this.#byIp.get(this.ipOf(request));
    if (!entry) return;
    entry.open++;
    (socket as Counted)[COUNTED_IN] = entry;
    // One listener for every socket, not a closure each; 'close' comes once, so `on` does what
    // `once` would without its wrapper.
    socket.on('close', closed);
  }

  /**
   * A TCP connection from `address` starts a request: the function that ends its count, or
   * undefined when the address is over its cap and the connection should be dropped. A
   * trusted proxy is not counted: the client behind it is, once its headers arrive.
   */
  connecting(address: string | undefined, now = Date.now()): (() => void) | undefined {
    if (!address || this.trust(address, 0)) return () => {};
    const entry = this.#entry(address, now);
    // Only half-open connections are capped here: an IP that holds its 50 sockets may still load pages.
    if (entry.pending >= this.maxOpen) return undefined;
    entry.pending++;
    let counted = true;
    return () => {
      if (counted) entry.pending--;
      counted = false;
    };
  }

  #entry(ip: string, now: number): PerIp {
    let entry = this.#byIp.get(ip);
    if (!entry) this.#byIp.set(ip, (entry = { open: 0, pending: 0, arrivals: new TokenBucket(this.#arrivals, now) }));
    return entry;
  }
}

/** A counted socket closed: it leaves its address's count. `this` is the socket. */
function closed(this: Counted): void {
  const entry = this[COUNTED_IN];
  if (!entry) return;
  entry.open--;
  this[COUNTED_IN] = undefined;
}
