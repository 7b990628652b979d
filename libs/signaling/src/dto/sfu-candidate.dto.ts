import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsObject, ValidateIf, ValidateNested } from 'class-validator';
import type { SfuCandidatePayload, SfuConnection } from '@parley/protocol';
import { RefDto } from './ref.dto.js';
import { IceCandidateDto } from './signal.dto.js';

export class SfuCandidateDto extends RefDto implements SfuCandidatePayload {
  @IsIn(['publisher', 'subscriber'])
  pc!: SfuConnection;

  // Required, but `null` is the end-of-candidates marker.
  @IsDefined({ message: 'candidate must be a candidate or null' })
  @ValidateIf((dto: SfuCandidateDto) => dto.candidate !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => IceCandidateDto)
  candidate!: IceCandidateDto | null;
}
