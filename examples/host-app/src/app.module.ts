import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { SignalingGateway, SignalingModule } from '@parley/nest-signaling';
import { ChatGateway } from './chat/chat.gateway.js';
import { NotesController } from './notes/notes.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    // The guard below is global, so it would also count every socket message, under one key for
    // all sockets (a message has no req.ip), and refuse them all past the limit. skipIf is
    // @nestjs/throttler's documented way to leave some contexts alone: here Parley's gateway, which
    // limits per socket and per IP itself. It covers every named throttler, and the host's own
    // gateways stay throttled.
    ThrottlerModule.forRoot({ throttlers: [{ ttl: 60_000, limit: 5 }], skipIf: (context) => context.getClass() === SignalingGateway }),
    SignalingModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        path: config.get('SIGNALING_PATH', '/signaling'),
        maxPeers: Number(config.get('MAX_PEERS', 4)),
        // The host's own sessions decide who may join: here, a header its login would have set.
        authorize: ({ request, room }) => {
          const user = request.headers['x-user'];
          if (typeof user !== 'string' || !user) throw new Error('sign in first');
          if (room.startsWith('staff-') && !user.startsWith('staff:')) throw new Error('staff only');
          return { subject: user, name: user.replace(/^staff:/, '') };
        },
      }),
    }),
  ],
  controllers: [NotesController],
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }, ChatGateway],
})
export class AppModule {}
