import { IsString, Length } from 'class-validator';
import { LIMITS, type ChatPayload } from '@parley/protocol';
import { CleanText } from './clean-text.js';
import { RefDto } from './ref.dto.js';

export class ChatDto extends RefDto implements ChatPayload {
  @CleanText({ multiline: true })
  @IsString()
  @Length(1, LIMITS.maxChatLength)
  text!: string;
}
