import { IsInt, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { LIMITS, type JoinPayload } from '@parley/protocol';
import { CleanText, VISIBLE_CHARACTER } from './clean-text.js';
import { RefDto } from './ref.dto.js';

export class JoinDto extends RefDto implements JoinPayload {
  @IsString()
  @Matches(LIMITS.roomNamePattern, { message: 'room must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -' })
  room!: string;

  @CleanText()
  @IsString()
  @Length(1, LIMITS.maxNameLength)
  @Matches(VISIBLE_CHARACTER, { message: 'name must contain a visible character' })
  name!: string;

  // Only an integer here: a wrong version is `unsupported-protocol`, not `invalid-message`.
  @IsInt()
  protocol!: number;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  resume?: string;
}
