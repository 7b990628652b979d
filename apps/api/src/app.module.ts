import { Module, type DynamicModule } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import { SignalingModule } from '@parley/nest-signaling';
import type { AppConfig } from './config.js';
import { HealthController } from './health.controller.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SignalingModule.forRoot({
          path: config.signalingPath,
          maxPeers: config.maxPeers,
          iceServers: config.iceServers,
          allowedOrigins: config.allowedOrigins,
          resumeSecret: config.resumeSecret,
          resumeGraceMs: config.resumeGraceMs,
          turn: config.turn,
        }),
        // Any path that is not a file or an API route gets index.html, so /r/<room> loads the SPA.
        ServeStaticModule.forRoot({ rootPath: config.webRoot, exclude: ['/healthz'] }),
      ],
      controllers: [HealthController],
    };
  }
}
