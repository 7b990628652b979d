import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Controller, ForbiddenException, Get, Headers, Query, Req } from '@nestjs/common';
import { LIMITS, type IceServer } from '@parley/protocol';
import { IceServers, InjectSignalingOptions, type ResolvedSignalingOptions } from '@parley/nest-signaling';

/**
 * ICE servers before joining, for the lobby's connectivity check: the same STUN servers and a
 * short-lived TURN credential of its own, as a peer would get in `joined`. When joins need
 * authorization, so does this (a TURN credential is a relay someone pays for).
 */
@Controller('api')
export class IceController {
  constructor(
    private readonly iceServers: IceServers,
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
  ) {}

  @Get('ice-servers')
  async list(
    @Req() request: IncomingMessage,
    @Query('room') room?: string,
    @Headers('authorization') authorization?: string,
  ): Promise<{ iceServers: IceServer[] }> {
    if (this.options.authorize) {
      if (!room || !LIMITS.roomNamePattern.test(room)) throw new ForbiddenException('Name the room (?room=) you will join');
      const token = authorization?.replace(/^Bearer\s+/i, '') || undefined;
      await Promise.resolve(this.options.authorize({ request, room, token })).catch((error: Error) => {
        throw new ForbiddenException(`Not allowed: ${error.message}`);
      });
    }
    return { iceServers: this.iceServers.for(`probe-${randomBytes(6).toString('base64url')}`) };
  }
}
