import { IsBoolean } from 'class-validator';
import type { LockPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class LockDto extends RefDto implements LockPayload {
  @IsBoolean()
  locked!: boolean;
}
