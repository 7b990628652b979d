import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { RoomService, SIGNALING_REDIS, SignalingDrain, type RedisConnections } from '@parley/nest-signaling';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly rooms: RoomService,
    private readonly drain: SignalingDrain,
    @Inject(SIGNALING_REDIS) private readonly redis: RedisConnections | null,
  ) {}

  /** Liveness: the process serves requests. */
  @Get('healthz')
  @HealthCheck()
  live() {
    return this.health.check([() => this.indicators.check('signaling').up(this.rooms.size)]);
  }

  /** Readiness: not draining for a shutdown, and what the app depends on answers (Redis, when configured). */
  @Get('readyz')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => {
        const drain = this.indicators.check('drain');
        return this.drain.draining ? drain.down('Shutting down: new joins are refused') : drain.up();
      },
      async () => {
        const redis = this.indicators.check('redis');
        if (!this.redis) return redis.up({ mode: 'not configured: rooms in memory' });
        return (await this.redis.ping()) ? redis.up() : redis.down('Redis does not answer');
      },
    ]);
  }
}
