import type { Redis } from 'ioredis';
import type { BusMessage, MessageBus } from './message-bus.js';

/** Pub/sub through Redis: one channel per instance, so a targeted relay reaches only its holder. */
export class RedisMessageBus implements MessageBus {
  #handler: (message: BusMessage) => void = () => {};
  #resync: () => void = () => {};

  constructor(
    readonly instanceId: string,
    private readonly publisher: Redis,
    subscriber: Redis,
    private readonly prefix: string,
  ) {
    const channel = this.#channel(instanceId);
    subscriber.on('message', (from: string, raw: string) => from === channel && this.#handler(JSON.parse(raw) as BusMessage));
    // Subscribing on every (re)connection is idempotent, and works even when the first attempt
    // failed. What was published meanwhile is gone, and Redis may have restarted empty, so the
    // room service writes its peers again.
    let connectedBefore = false;
    const connected = () => {
      subscriber.subscribe(channel).catch(() => undefined);
      if (connectedBefore) this.#resync();
      connectedBefore = true;
    };
    subscriber.on('ready', connected);
    if (subscriber.status === 'ready') connected();
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

  #channel(instance: string): string {
    return `${this.prefix}bus:${instance}`;
  }
}
