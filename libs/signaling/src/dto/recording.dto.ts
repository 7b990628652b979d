import { IsBoolean } from 'class-validator';
import type { RecordingPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class RecordingDto extends RefDto implements RecordingPayload {
  @IsBoolean()
  active!: boolean;
}
