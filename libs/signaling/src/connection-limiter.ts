import type { IncomingMessage } from 'node:http';
import { TokenBucket } from './rate-limiter.js';

interface PerIp {
  open: number;
  arrivals: TokenBucket;
}

/** Caps, per client IP, the sockets open at once and how fast new ones may open. */
export class ConnectionLimiter {
  readonly #byIp = new Map<string, PerIp>();

  constructor(
    private readonly maxOpen: number,
    private readonly perSecond: number,
    private readonly trustProxy: boolean,
  ) {
    // Idle entries are forgotten only once their bucket is full again, so that opening and
    // closing sockets in a loop cannot reset the rate.
    setInterval(() => {
      for (const [ip, entry] of this.#byIp) if (entry.open === 0 && entry.arrivals.fullAt(Date.now())) this.#byIp.delete(ip);
    }, 60_000).unref();
  }

  ipOf(request: IncomingMessage): string {
    const forwarded = this.trustProxy ? String(request.headers['x-forwarded-for'] ?? '').split(',')[0].trim() : '';
    return forwarded || request.socket.remoteAddress || 'unknown';
  }

  /** Whether a new socket from this request's IP may open now. */
  admits(request: IncomingMessage, now = Date.now()): boolean {
    const ip = this.ipOf(request);
    const entry = this.#byIp.get(ip) ?? { open: 0, arrivals: new TokenBucket({ burst: this.perSecond * 2, perSecond: this.perSecond }, now) };
    this.#byIp.set(ip, entry);
    return entry.open < this.maxOpen && entry.arrivals.take(now);
  }

  opened(request: IncomingMessage): () => void {
    const entry = this.#byIp.get(this.ipOf(request));
    if (entry) entry.open++;
    return () => entry && entry.open--;
  }
}
