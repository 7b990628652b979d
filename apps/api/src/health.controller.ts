import { Controller, Get } from '@nestjs/common';
import { RoomService } from '@parley/nest-signaling';

@Controller()
export class HealthController {
  constructor(private readonly rooms: RoomService) {}

  @Get('healthz')
  health() {
    return { status: 'ok', ...this.rooms.size };
  }
}
