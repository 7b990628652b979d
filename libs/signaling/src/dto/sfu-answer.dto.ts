import { Type } from 'class-transformer';
import { Equals, IsObject, ValidateNested } from 'class-validator';
import type { SessionDescription, SfuAnswerPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';
import { SessionDescriptionDto } from './signal.dto.js';

/** Janus offers the subscriber connection; the browser only answers. */
export class AnswerDescriptionDto extends SessionDescriptionDto {
  @Equals('answer', { message: 'description.type must be answer' })
  override type!: SessionDescription['type'];
}

export class SfuAnswerDto extends RefDto implements SfuAnswerPayload {
  @IsObject()
  @ValidateNested()
  @Type(() => AnswerDescriptionDto)
  description!: AnswerDescriptionDto;
}
