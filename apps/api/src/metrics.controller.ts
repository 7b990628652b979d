import { Controller, Get, Header, type OnModuleInit } from '@nestjs/common';
import { RoomService, SignalingGateway } from '@parley/nest-signaling';
import { PrometheusMetrics } from './prometheus-metrics.js';

@Controller()
export class MetricsController implements OnModuleInit {
  constructor(
    private readonly metrics: PrometheusMetrics,
    private readonly rooms: RoomService,
    private readonly gateway: SignalingGateway,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge('parley_open_sockets', 'Open WebSocket connections on this instance', () => this.gateway.connections);
    this.metrics.gauge('parley_rooms', 'Rooms with a peer on this instance', () => this.rooms.size.rooms);
    this.metrics.gauge('parley_peers', 'Peers whose socket is (or was, within the grace window) on this instance', () => this.rooms.size.peers);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
