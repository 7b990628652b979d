import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { RoomService, SIGNALING_REDIS, SignalingHealthIndicator, type RedisConnections } from '@parley/nest-signaling';

@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly rooms: RoomService,
    private readonly signaling: SignalingHealthIndicator,
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
      // The library's own check: down while draining for a shutdown, or when Redis does not answer.
      () => this.signaling.isHealthy('signaling'),
      async () => {
        const redis = this.indicators.check('redis');
        if (!this.redis) return redis.up({ mode: 'not configured: rooms in memory' });
        return (await this.redis.ping()) ? redis.up() : redis.down('Redis does not answer');
      },
    ]);
  }
}
