import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { LIMITS, type IceCandidate, type SessionDescription, type SignalPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class SessionDescriptionDto implements SessionDescription {
  @IsIn(['offer', 'answer', 'pranswer', 'rollback'])
  type!: SessionDescription['type'];

  @IsString()
  @MaxLength(LIMITS.maxSdpLength)
  sdp!: string;
}

export class IceCandidateDto implements IceCandidate {
  @IsString()
  @MaxLength(LIMITS.maxCandidateLength)
  candidate!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  sdpMid?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1023)
  sdpMLineIndex?: number | null;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  usernameFragment?: string | null;
}

const ONE_OF = 'a signal carries exactly one of description and candidate';

export class SignalDto extends RefDto implements SignalPayload {
  @IsString()
  @Length(1, 64)
  to!: string;

  // Checked unless the signal is a candidate alone, so that "neither" and "both" both fail here.
  @ValidateIf((signal: SignalDto) => signal.candidate === undefined || signal.description !== undefined)
  @IsDefined({ message: ONE_OF })
  @ValidateBy({
    name: 'withoutCandidate',
    validator: { validate: (_, args) => (args?.object as SignalDto).candidate === undefined, defaultMessage: () => ONE_OF },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => SessionDescriptionDto)
  description?: SessionDescriptionDto;

  // `null` is the end-of-candidates marker.
  @ValidateIf((signal: SignalDto) => signal.candidate !== undefined && signal.candidate !== null)
  @IsObject()
  @ValidateNested()
  @Type(() => IceCandidateDto)
  candidate?: IceCandidateDto | null;
}
