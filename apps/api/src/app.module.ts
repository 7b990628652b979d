import { Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { TerminusModule } from '@nestjs/terminus';
import { jwtAuthorizer, SignalingModule } from '@parley/nest-signaling';
import { API_REQUESTS_PER_MINUTE_PER_IP } from './api-rate-limit.js';
import { ClientConfigController } from './client-config.controller.js';
import type { AppConfig } from './config.js';
import { HealthController } from './health.controller.js';
import { IceController } from './ice.controller.js';
import { IceTickets } from './ice-tickets.js';
import { MetricsController } from './metrics.controller.js';
import { PrometheusMetrics } from './prometheus-metrics.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const metrics = new PrometheusMetrics();
    return {
      module: AppModule,
      imports: [
        SignalingModule.forRoot({
          path: config.signalingPath,
          maxPeers: config.maxPeers,
          sfu: config.janusServers.length ? { servers: config.janusServers, meshMaxPeers: config.meshMaxPeers } : undefined,
          iceServers: config.iceServers,
          allowedOrigins: config.allowedOrigins,
          resumeSecret: config.resumeSecret,
          resumeGraceMs: config.resumeGraceMs,
          turn: config.turn,
          redis: config.redisUrl ? { url: config.redisUrl, keyPrefix: config.redisKeyPrefix } : undefined,
          metrics,
          maxSocketsPerIp: config.maxSocketsPerIp,
          connectionsPerSecondPerIp: config.connectionsPerSecondPerIp,
          trustProxy: config.trustProxy,
          authorize: config.authSecret
            ? jwtAuthorizer(config.authSecret, {
                audience: config.authAudience.length ? config.authAudience : undefined,
                issuer: config.authIssuer.length ? config.authIssuer : undefined,
                maxTtlSeconds: config.authMaxTokenTtlSeconds,
              })
            : undefined,
        }),
        TerminusModule,
        // Any path that is not a file or an API route gets index.html, so /r/<room> loads the SPA.
        ServeStaticModule.forRoot({ rootPath: config.webRoot, exclude: ['/healthz', '/readyz', '/metrics', '/api/{*path}'] }),
      ],
      controllers: [HealthController, ClientConfigController, IceController, MetricsController],
      providers: [
        { provide: PrometheusMetrics, useValue: metrics },
        { provide: API_REQUESTS_PER_MINUTE_PER_IP, useValue: config.apiRequestsPerMinutePerIp },
        IceTickets,
      ],
    };
  }
}
