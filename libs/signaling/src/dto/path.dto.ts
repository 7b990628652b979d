import { IsIn, IsString, Length } from 'class-validator';
import { ICE_PATHS, type IcePath, type PathPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class PathDto extends RefDto implements PathPayload {
  @IsString()
  @Length(1, 64)
  peer!: string;

  @IsIn(ICE_PATHS)
  kind!: IcePath;
}
