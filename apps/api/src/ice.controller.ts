import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Controller, ForbiddenException, Get, Header, Headers, Query, Req, UseGuards } from '@nestjs/common';
import { LIMITS, type IceServer } from '@parley/protocol';
import { IceServers, InjectSignalingOptions, type ResolvedSignalingOptions } from '@parley/nest-signaling';
import { ApiRateLimitGuard } from './api-rate-limit.js';
import { clientIp } from './client-ip.js';
import { IceTickets } from './ice-tickets.js';

/**
 * ICE servers before joining, for the lobby's connectivity check: the STUN servers to anyone, and
 * a short-lived TURN credential of its own only with a ticket from /api/config (a relay is
 * bandwidth someone pays for, and coturn's quotas are shared by every caller). When joins need
 * authorization, so does this.
 */
@Controller('api')
@UseGuards(ApiRateLimitGuard)
export class IceController {
  constructor(
    private readonly iceServers: IceServers,
    private readonly tickets: IceTickets,
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
  ) {}

  @Get('ice-servers')
  @Header('Cache-Control', 'no-store')
  async list(
    @Req() request: IncomingMessage,
    @Query('room') room?: string,
    @Headers('authorization') authorization?: string,
    @Headers('x-parley-ticket') ticket?: string,
  ): Promise<{ iceServers: IceServer[] }> {
    if (this.options.authorize) {
      if (typeof room !== 'string' || !LIMITS.roomNamePattern.test(room)) throw new ForbiddenException('Name the room (?room=) you will join');
      const token = authorization?.replace(/^Bearer\s+/i, '') || undefined;
      await Promise.resolve(this.options.authorize({ request, room, token })).catch((error: Error) => {
        throw new ForbiddenException(`Not allowed: ${error.message}`);
      });
    }
    if (!this.tickets.verify(ticket, clientIp(request, this.options.trustProxy))) return { iceServers: this.options.iceServers };
    return { iceServers: this.iceServers.for(`probe-${randomBytes(6).toString('base64url')}`) };
  }
}
