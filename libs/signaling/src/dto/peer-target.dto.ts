import { IsString, Length } from 'class-validator';
import type { PeerTargetPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

/** The one field of every host action on someone (`admit`, `deny`, `remove`, `mute`, `host`, `lower-hand`). */
export class PeerTargetDto extends RefDto implements PeerTargetPayload {
  @IsString()
  @Length(1, 64)
  id!: string;
}
