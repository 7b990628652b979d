import { Logger } from '@nestjs/common';
import { ReplyError, type Redis } from 'ioredis';
import { parseBusMessage, type BusMessage, type BusProblem, type MessageBus } from './message-bus.js';

/** At most one warning per this interval, with how many were not logged. */
const WARN_EVERY_MS = 10_000;
/** Publishes written but not yet taken by the kernel past which more are refused: Redis has stopped reading. */
export const MAX_UNSENT_BUS_BYTES = 8 * 1024 * 1024;
const CLIENT_REPLY_OFF = '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n';

type Queued = { channel: string; payload: string; resolve: () => void; reject: (error: unknown) => void };

/** Pub/sub through Redis: one channel per instance, so a targeted relay reaches only its holder. */
export class RedisMessageBus implements MessageBus {
  #handler: (message: BusMessage) => void = () => {};
  #resync: () => void = () => {};
  readonly #logger = new Logger('Signaling');
  readonly #rejected = new Map<BusProblem | 'handler-failed', number>();
  #lastWarning = 0;
  #unlogged = 0;
  /** Redis no longer answers on the publisher connection, so publishes are written as they are (see `#silence`). */
  #silent = false;
  /** Publishes made this turn, not yet written (see `publish`). */
  #outbox: Queued[] = [];

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
    // Redis's answers stop with the connection that was asked; a new one answers until asked again.
    publisher.on('ready', this.#silence);
    publisher.on('close', () => (this.#silent = false));
    if (publisher.status === 'ready') this.#silence();
  }

  /**
   * Redis answers every PUBLISH with a count of receivers nobody reads, and reading those answers
   * (a wake-up, a read, ioredis's parsing and promise) was a good part of what a relay to another
   * instance cost. Once Redis has shown that it takes this connection's `CLIENT REPLY` and a
   * publish to the bus's channels (an ACL could refuse either), it is asked to stop answering,
   * and publishes are written without ioredis. Commands sent before that get their answers:
   * Redis runs them in order. Whatever refuses them keeps the answered publishes, and says so.
   */
  readonly #silence = (): void => {
    const publisher = this.publisher;
    Promise.all([publisher.call('CLIENT', 'REPLY', 'ON'), publisher.publish(this.#channel('probe'), '')]).then(
      () => {
        if (publisher.status !== 'ready') return;
        publisher.stream.write(CLIENT_REPLY_OFF);
        this.#silent = true;
      },
      (error: unknown) => {
        // A connection that went down is asked again on its next 'ready'.
        if (error instanceof ReplyError) this.#logger.warn(`Redis will answer every publish: ${(error as Error).message}`);
      },
    );
  };

  /** Whether Redis has stopped answering this bus's publishes (see `#silence`). */
  get unanswered(): boolean {
    return this.#silent;
  }

  /** Messages refused or failed since start, by problem. */
  get rejected(): ReadonlyMap<string, number> {
    return this.#rejected;
  }

  /**
   * Queued, and written with the other publishes of this turn in one write. ioredis's
   * auto-pipelining batches too, but keeps one pipeline in flight: a relayed signal waited for
   * Redis's reply to the write before it, and each pipeline cost its objects even when alone.
   * Publishes keep their order. They go on their own connection, so one may overtake a store
   * command made before it: whoever publishes about a write awaits the write first (as the room
   * service does). Resolves once written (see `#silence`), rejects if Redis refused it or could
   * not be reached.
   */
  publish(instance: string, message: BusMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const queued = this.#outbox.push({ channel: this.#channel(instance), payload: JSON.stringify(message), resolve, reject });
      if (queued === 1) setImmediate(this.#flush);
    });
  }

  /** Writes the turn's publishes in the order they were made, in one write. */
  readonly #flush = (): void => {
    const batch = this.#outbox;
    this.#outbox = [];
    if (this.#silent && this.publisher.status === 'ready') return this.#writeSilently(batch);
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

  /**
   * As RESP, in one write; written is all a publish can be told, as Redis no longer answers.
   * Refused while the socket holds more than MAX_UNSENT_BUS_BYTES: a Redis that stopped reading
   * must not grow this process without bound.
   */
  #writeSilently(batch: Queued[]): void {
    const stream = this.publisher.stream;
    if (stream.writableLength > MAX_UNSENT_BUS_BYTES) {
      const error = new Error('Redis is not reading the publishes: too many unsent');
      for (const item of batch) item.reject(error);
      return;
    }
    let resp = '';
    for (const { channel, payload } of batch) {
      resp += `*3\r\n$7\r\nPUBLISH\r\n$${Buffer.byteLength(channel)}\r\n${channel}\r\n$${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
    }
    stream.write(resp);
    for (const item of batch) item.resolve();
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
