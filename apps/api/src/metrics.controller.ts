import { Controller, Get, Header, Inject, type OnModuleInit } from '@nestjs/common';
import { RoomService, SIGNALING_REDIS, SignalingGateway, type RedisConnections } from '@parley/nest-signaling';
import { PrometheusMetrics, REDIS_CONNECTIONS } from './prometheus-metrics.js';

@Controller()
export class MetricsController implements OnModuleInit {
  constructor(
    private readonly metrics: PrometheusMetrics,
    private readonly rooms: RoomService,
    private readonly gateway: SignalingGateway,
    @Inject(SIGNALING_REDIS) private readonly redis: RedisConnections | null,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('parley_open_sockets', 'Open WebSocket connections on this instance', () => this.gateway.connections);
    this.metrics.gauge('parley_rooms', 'Rooms with a peer on this instance', () => this.rooms.size.rooms);
    this.metrics.gauge('parley_peers', 'Peers whose socket is (or was, within the grace window) on this instance', () => this.rooms.size.peers);
    const redis = this.redis;
    if (!redis) return;
    // Beside the connections' own logging listener; ioredis emits 'error' on every failed reconnect.
    for (const connection of REDIS_CONNECTIONS) redis[connection].on('error', () => this.metrics.redisError(connection));
    this.metrics.gauge('parley_redis_up', '1 when every Redis connection (commands, bus publisher and subscriber) is ready', () =>
      Number(REDIS_CONNECTIONS.every((connection) => redis[connection].status === 'ready')),
    );
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
