import { Inject, Injectable } from '@nestjs/common';
import { RedisConnections } from './redis-connections.js';
import { RoomService } from './room.service.js';
import { SignalingDrain } from './signaling-drain.js';
import { SIGNALING_REDIS } from './signaling.providers.js';

/** What `isHealthy` returns: the shape of a `@nestjs/terminus` `HealthIndicatorResult`. */
export type SignalingHealth<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down'; rooms: number; peers: number; redis: 'up' | 'down' | 'not configured'; draining: boolean; message?: string }
>;

/**
 * A readiness check for a host's `@nestjs/terminus` `HealthCheckService`: down while this
 * instance drains for a shutdown, or when its Redis does not answer. It returns the result
 * object terminus expects (terminus reads `status: 'down'` as a failure), so the library does
 * not depend on terminus:
 *
 *   `@Get('readyz') @HealthCheck() ready() { return this.health.check([() => this.signaling.isHealthy('signaling')]); }`
 */
@Injectable()
export class SignalingHealthIndicator {
  constructor(
    private readonly rooms: RoomService,
    private readonly drain: SignalingDrain,
    @Inject(SIGNALING_REDIS) private readonly redis: RedisConnections | null,
  ) {}

  async isHealthy<Key extends string>(key: Key): Promise<SignalingHealth<Key>> {
    const redis = !this.redis ? 'not configured' : (await this.redis.ping()) ? 'up' : 'down';
    const draining = this.drain.draining;
    const problem = draining ? 'Shutting down: new joins are refused' : redis === 'down' ? 'Redis does not answer' : undefined;
    const result = { status: problem ? 'down' : 'up', ...this.rooms.size, redis, draining, ...(problem && { message: problem }) } as const;
    return { [key]: result } as SignalingHealth<Key>;
  }
}
