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

  async publish(instance: string, message: BusMessage): Promise<void> {
    await this.publisher.publish(this.#channel(instance), JSON.stringify(message));
  }

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
