import type { IncomingMessage } from 'node:http';
import { Controller, Get, Header, Req, UseGuards } from '@nestjs/common';
import { InjectSignalingOptions, type ResolvedSignalingOptions } from '@parley/nest-signaling';
import { ApiRateLimitGuard } from './api-rate-limit.js';
import { clientIp } from './client-ip.js';
import { IceTickets } from './ice-tickets.js';

/** What the SPA asks the server before it opens the socket. */
export interface ClientConfig {
  /** The gateway's WebSocket path (SIGNALING_PATH). */
  signalingPath: string;
  /** Opaque; send it as `X-Parley-Ticket` to /api/ice-servers to get a TURN credential. */
  iceTicket: string;
}

@Controller('api')
@UseGuards(ApiRateLimitGuard)
export class ClientConfigController {
  constructor(
    private readonly tickets: IceTickets,
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
  ) {}

  @Get('config')
  // Each answer is for one client: a shared cache must not hand a ticket to someone else.
  @Header('Cache-Control', 'no-store')
  get(@Req() request: IncomingMessage): ClientConfig {
    return { signalingPath: this.options.path, iceTicket: this.tickets.issue(clientIp(request, this.options.trustProxy)) };
  }
}
