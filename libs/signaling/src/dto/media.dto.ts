import { IsBoolean } from 'class-validator';
import type { MediaPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class MediaDto extends RefDto implements MediaPayload {
  @IsBoolean()
  audio!: boolean;

  @IsBoolean()
  video!: boolean;

  @IsBoolean()
  screen!: boolean;
}
