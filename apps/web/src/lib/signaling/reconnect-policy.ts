/** What a reconnect policy knows when it picks the next delay. */
export interface ReconnectContext {
  /** Attempts that already failed since the connection was lost (0 before the first retry). */
  retryCount: number;
  /** Milliseconds since the connection was lost. */
  elapsedMs: number;
}

/** Decides how long to wait before the next reconnect attempt; `null` means give up. */
export interface ReconnectPolicy {
  nextRetryDelayInMs(context: ReconnectContext): number | null;
}

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialDelayMs: number;
  /** Cap on a single delay. */
  maxDelayMs: number;
  /** Give up after this many retries. */
  maxRetries: number;
  /** Give up once this long has passed since the connection was lost. */
  maxElapsedMs: number;
  /** Fraction of each delay that is randomised, 0..1. */
  jitter: number;
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  initialDelayMs: 300,
  // Short enough that a restarted server sees everyone back within seconds.
  maxDelayMs: 5000,
  maxRetries: 15,
  maxElapsedMs: 60_000,
  jitter: 0.3,
  random: Math.random,
};

/** Exponential backoff with jitter: 300 ms, 600 ms, 1.2 s, … up to 5 s, for about a minute. */
export class BackoffReconnectPolicy implements ReconnectPolicy {
  readonly #options: BackoffOptions;

  constructor(options: Partial<BackoffOptions> = {}) {
    this.#options = { ...DEFAULT_BACKOFF, ...options };
  }

  nextRetryDelayInMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    const { initialDelayMs, maxDelayMs, maxRetries, maxElapsedMs, jitter, random } = this.#options;
    if (retryCount >= maxRetries || elapsedMs >= maxElapsedMs) return null;
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** retryCount);
    // Spread the retries of a whole room that lost the same server, so they don't arrive at once.
    const spread = base * jitter * (random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(maxDelayMs, base + spread)));
  }
}
