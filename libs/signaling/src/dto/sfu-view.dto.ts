import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsObject, IsString, Length, ValidateBy, ValidateNested } from 'class-validator';
import { LIMITS, type SfuViewItem, type SfuViewPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class SfuViewItemDto implements SfuViewItem {
  @IsString()
  @Length(1, 64)
  peer!: string;

  @IsIn([0, 1, 2], { message: 'layer must be 0, 1 or 2' })
  layer!: 0 | 1 | 2;
}

export class SfuViewDto extends RefDto implements SfuViewPayload {
  // An empty list is a view with no video at all (the grid is hidden): every video pauses.
  @IsArray()
  @ArrayMaxSize(LIMITS.maxSfuView)
  @ValidateBy({
    name: 'uniquePeers',
    validator: {
      validate: (items: unknown) =>
        !Array.isArray(items) || new Set(items.map((item) => (item as { peer?: unknown } | null)?.peer)).size === items.length,
      defaultMessage: () => 'peers must name each peer once',
    },
  })
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SfuViewItemDto)
  peers!: SfuViewItemDto[];
}
