import { IsBoolean } from 'class-validator';
import type { HandPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class HandDto extends RefDto implements HandPayload {
  @IsBoolean()
  raised!: boolean;
}
