import type { SfuIceRestartPayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class SfuIceRestartDto extends RefDto implements SfuIceRestartPayload {}
