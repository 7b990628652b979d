import type { LeavePayload } from '@parley/protocol';
import { RefDto } from './ref.dto.js';

export class LeaveDto extends RefDto implements LeavePayload {}
