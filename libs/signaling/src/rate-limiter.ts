import type { ClientEvents } from '@parley/protocol';

export interface BucketSpec {
  /** Tokens available at once. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
}

// Candidates arrive in bursts when a link starts or restarts ICE, so signals get a deep bucket.
const BUCKETS = {
  signal: { burst: 200, perSecond: 50 },
  chat: { burst: 3, perSecond: 3 },
  // Reactions float over a tile for everyone: a few in a row, then one a second.
  reaction: { burst: 4, perSecond: 1 },
  other: { burst: 40, perSecond: 10 },
} satisfies Record<string, BucketSpec>;

/** Strikes within one window that count as sustained abuse: a rate-limited frame is one. */
const ABUSE_STRIKES = 100;
const ABUSE_WINDOW_MS = 10_000;
/**
 * An invalid frame (not JSON, unknown event, failed validation) is five: 20 in a window close
 * the socket. Honest clients send none, and each one costs the server a parse and a reply.
 */
const INVALID_FRAME_STRIKES = 5;

/** `burst` tokens at most, refilled at `perSecond`. */
export class TokenBucket {
  #tokens: number;
  #updatedAt: number;

  constructor(
    private readonly spec: BucketSpec,
    now: number,
  ) {
    this.#tokens = spec.burst;
    this.#updatedAt = now;
  }

  /** Whether the bucket has refilled completely by `now`. */
  fullAt(now: number): boolean {
    this.#refill(now);
    return this.#tokens >= this.spec.burst;
  }

  take(now: number): boolean {
    this.#refill(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.spec.burst, this.#tokens + ((now - this.#updatedAt) / 1000) * this.spec.perSecond);
    this.#updatedAt = now;
  }
}

export type RateDecision = 'allow' | 'reject' | 'abuse';

const LIMITER = Symbol('parley.rateLimiter');

/** Per-socket message rate limits: one token bucket per class of event. */
export class RateLimiter {
  // Each bucket is made on first use, full, as it would be by then had it been made with the
  // socket: most sockets only ever send signals and a few other events, and what a socket keeps
  // is copied by every young-generation collection until it is old.
  #signal?: TokenBucket;
  #chat?: TokenBucket;
  #reaction?: TokenBucket;
  #other?: TokenBucket;
  #strikes = 0;
  #windowStart: number;

  constructor(now = Date.now()) {
    this.#windowStart = now;
  }

  /**
   * The limiter of one socket, made on first use: the adapter and the error path share it. Kept
   * on the socket itself: a WeakMap entry per socket cost more, at connect and in the GC.
   */
  static of(socket: object): RateLimiter {
    const holder = socket as { [LIMITER]?: RateLimiter };
    return (holder[LIMITER] ??= new RateLimiter());
  }

  check(event: string, now = Date.now()): RateDecision {
    if (this.#bucketFor(event, now).take(now)) return 'allow';
    return this.#strike(1, now);
  }

  /** Counts an invalid frame, which was let through but answered with an error. */
  invalid(now = Date.now()): 'reject' | 'abuse' {
    return this.#strike(INVALID_FRAME_STRIKES, now);
  }

  #strike(weight: number, now: number): 'reject' | 'abuse' {
    if (now - this.#windowStart > ABUSE_WINDOW_MS) {
      this.#windowStart = now;
      this.#strikes = 0;
    }
    this.#strikes += weight;
    return this.#strikes >= ABUSE_STRIKES ? 'abuse' : 'reject';
  }

  // A switch, not an object lookup: event names come from clients, and "valueOf" or
  // "__proto__" must not find something on Object.prototype.
  #bucketFor(event: string, now: number): TokenBucket {
    switch (event as keyof ClientEvents) {
      case 'signal':
      case 'sfu-publish':
      case 'sfu-answer':
      case 'sfu-candidate':
        return (this.#signal ??= new TokenBucket(BUCKETS.signal, now));
      case 'chat':
        return (this.#chat ??= new TokenBucket(BUCKETS.chat, now));
      case 'react':
        return (this.#reaction ??= new TokenBucket(BUCKETS.reaction, now));
      default:
        return (this.#other ??= new TokenBucket(BUCKETS.other, now));
    }
  }
}
