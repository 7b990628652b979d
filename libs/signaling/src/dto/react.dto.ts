import { IsIn } from 'class-validator';
import { REACTIONS, type Reaction, type ReactPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class ReactDto extends RefDto implements ReactPayload {
  @IsIn(REACTIONS, { message: `emoji must be one of ${REACTIONS.join(' ')}` })
  emoji!: Reaction;
}
