import { Type } from 'class-transformer';
import { Equals, IsObject, ValidateNested } from 'class-validator';
import type { SessionDescription, SfuPublishPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';
import { SessionDescriptionDto } from './signal.dto.js';

/** A publisher connection only ever offers: Janus answers. */
export class OfferDescriptionDto extends SessionDescriptionDto {
  @Equals('offer', { message: 'description.type must be offer' })
  override type!: SessionDescription['type'];
}

export class SfuPublishDto extends RefDto implements SfuPublishPayload {
  @IsObject()
  @ValidateNested()
  @Type(() => OfferDescriptionDto)
  description!: OfferDescriptionDto;
}
