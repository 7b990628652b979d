import { IsOptional, IsString, MaxLength } from 'class-validator';
import { LIMITS, type Referenced } from '@parley/protocol';

/** The `ref` every client message may carry. */
export abstract class RefDto implements Referenced {
  @IsOptional()
  @IsString()
  @MaxLength(LIMITS.maxRefLength)
  ref?: string;
}
