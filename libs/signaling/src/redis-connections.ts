import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';
import { redisTarget } from './redis-target.js';

/** The Redis connections an instance needs: commands, and the bus's publisher and subscriber. */
export class RedisConnections implements OnApplicationShutdown {
  readonly commands: Redis;
  readonly subscriber: Redis;
  /** The bus's alone: Redis is asked not to answer on it (RedisMessageBus), so no one else may send a command there. */
  readonly publisher: Redis;

  /** `url`: `redis://…`, or `redis+sentinel://host:port[,host:port…]/master` for a Sentinel-managed master. */
  constructor(url: string) {
    const logger = new Logger('Redis');
    const target = redisTarget(url);
    const connect = (role: string) => {
      const options: RedisOptions = {
        connectionName: `parley-${role}`,
        // The store's commands of one turn share one write (a join's reads, a rotation's batch).
        // The bus writes its publishes itself (RedisMessageBus).
        enableAutoPipelining: role === 'commands',
        maxRetriesPerRequest: 2,
        retryStrategy: (times) => Math.min(times * 200, 2_000),
      };
      const redis = typeof target === 'string' ? new Redis(target, options) : new Redis({ ...target, ...options });
      // ioredis reconnects by itself; an error event must still be handled or it is thrown.
      redis.on('error', (error: Error) => logger.warn(`${role}: ${error.message}`));
      return redis;
    };
    this.commands = connect('commands');
    this.subscriber = connect('subscriber');
    this.publisher = connect('publisher');
  }

  /** Whether Redis answers within a second. */
  async ping(): Promise<boolean> {
    const timeout = new Promise<string>((resolve) => setTimeout(resolve, 1_000, 'timeout').unref());
    return (await Promise.race([this.commands.ping().catch(() => 'error'), timeout])) === 'PONG';
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber.disconnect();
    this.publisher.disconnect();
    // quit() would wait for a connection that may never come.
    if (this.commands.status === 'ready') await this.commands.quit().catch(() => undefined);
    this.commands.disconnect();
  }
}
