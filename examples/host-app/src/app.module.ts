import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { SignalingModule } from '@parley/nest-signaling';
import { NotesController } from './notes/notes.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ ignoreEnvFile: true }),
    ThrottlerModule.forRoot([{ ttl: 60_000, limit: 5 }]),
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
  providers: [{ provide: APP_GUARD, useClass: ThrottlerGuard }],
})
export class AppModule {}
