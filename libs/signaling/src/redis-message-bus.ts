import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { parseBusMessage, type BusMessage, type BusProblem, type MessageBus } from './message-bus.js';

/** At most one warning per this interval, with how many were not logged. */
const WARN_EVERY_MS = 10_000;

/** Pub/sub through Redis: one channel per instance, so a targeted relay reaches only its holder. */
export class RedisMessageBus implements MessageBus {
  #handler: (message: BusMessage) => void = () => {};
  #resync: () => void = () => {};
  readonly #logger = new Logger('Signaling');
  readonly #rejected = new Map<BusProblem | 'handler-failed', number>();
  #lastWarning = 0;
  #unlogged = 0;
  /** Publishes made this turn, not yet written (see `publish`). */
  #outbox: { channel: string; payload: string; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(
    readonly instanceId: string,
    private readonly publisher: Redis,
    subscriber: Redis,
    private readonly prefix: string,
    private readonly onRejected: (problem: string) => void = () => {},
  ) {
    const channel = this.#channel(instanceId);
    subscriber.on('message', (from: string, raw: string) => from === channel && this.#receive(raw));
    // Subscribing on every (re)connection is idempotent, and works even when the first attempt
    // failed. What was published meanwhile is gone, and Redis may have restarted empty, so the
    // room service writes its peers again and tells them, once the channel is ours again.
    let connectedBefore = false;
    const connected = () => {
      const again = connectedBefore;
      connectedBefore = true;
      subscriber.subscribe(channel).then(
        () => again && this.#resync(),
        () => undefined,
      );
    };
    subscriber.on('ready', connected);
    if (subscriber.status === 'ready') connected();
  }

  /** Messages refused or failed since start, by problem. */
  get rejected(): ReadonlyMap<string, number> {
    return this.#rejected;
  }

  /**
   * Queued, and written with the other publishes of this turn in one write. ioredis's
   * auto-pipelining batches too, but keeps one pipeline in flight: a relayed signal waited for
   * Redis's reply to the write before it, and each pipeline cost its objects even when alone.
   * Publishes keep their order; one may overtake a store command of the same turn, so whoever
   * publishes about a write awaits the write first (as the room service does).
   */
  publish(instance: string, message: BusMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const queued = this.#outbox.push({ channel: this.#channel(instance), payload: JSON.stringify(message), resolve, reject });
      if (queued === 1) setImmediate(this.#flush);
    });
  }

  /** Writes the turn's publishes in the order they were made: one as it is, more as one pipeline. */
  readonly #flush = (): void => {
    const batch = this.#outbox;
    this.#outbox = [];
    if (batch.length === 1) {
      const [only] = batch;
      this.publisher.publish(only.channel, only.payload).then(() => only.resolve(), only.reject);
      return;
    }
    const pipeline = this.publisher.pipeline();
    for (const { channel, payload } of batch) pipeline.publish(channel, payload);
    pipeline.exec().then(
      (results) => batch.forEach((item, i) => (results?.[i]?.[0] ? item.reject(results[i][0]) : item.resolve())),
      (error: unknown) => batch.forEach((item) => item.reject(error)),
    );
  };

  onMessage(handler: (message: BusMessage) => void): void {
    this.#handler = handler;
  }

  onResync(handler: () => void): void {
    this.#resync = handler;
  }

  // Runs inside ioredis's reply parser: a throw here would take the process down.
  #receive(raw: string): void {
    const parsed = parseBusMessage(raw);
    if ('problem' in parsed) return this.#reject(parsed.problem, raw);
    try {
      this.#handler(parsed.message);
    } catch (error) {
      this.#reject('handler-failed', error instanceof Error ? error.message : String(error));
    }
  }

  #reject(problem: BusProblem | 'handler-failed', sample: string): void {
    this.#rejected.set(problem, (this.#rejected.get(problem) ?? 0) + 1);
    this.onRejected(problem);
    const now = Date.now();
    if (now - this.#lastWarning < WARN_EVERY_MS) {
      this.#unlogged++;
      return;
    }
    const more = this.#unlogged ? ` (${this.#unlogged} more since the last warning)` : '';
    this.#logger.warn(`Ignored a bus message: ${problem}: ${JSON.stringify(sample.slice(0, 80))}${more}`);
    this.#lastWarning = now;
    this.#unlogged = 0;
  }

  #channel(instance: string): string {
    return `${this.prefix}bus:${instance}`;
  }
}
