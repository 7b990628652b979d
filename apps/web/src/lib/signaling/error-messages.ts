import { ErrorCode } from '@parley/protocol';
import type { ErrorPayload } from '@parley/protocol';
import { m } from '../../paraglide/messages.js';
import type { Failure } from './failure';

export { unreachable, type Failure } from './failure';

// Functions rather than constants: the words are those of the language chosen when it happens.
export const connectionLost = (): Failure => ({ kind: 'lost', title: m.error_lost_title(), message: m.error_lost(), retry: true });

export const connectionRejected = (): Failure => ({ kind: 'rejected', title: m.error_rejected_title(), message: m.error_rejected(), retry: true });

export const connectionReplaced = (): Failure => ({ kind: 'rejected', title: m.error_replaced_title(), message: m.error_replaced(), retry: true });

export const joinTimedOut = (): Failure => ({ kind: 'error', title: m.error_timeout_title(), message: m.error_timeout(), retry: true });

/** What a server `error` means for someone trying to join. */
export function joinFailure(error: ErrorPayload, maxPeers?: number): Failure {
  switch (error.code) {
    case ErrorCode.RoomFull:
      return {
        kind: 'room-full',
        title: m.error_full_title(),
        message: m.error_full({ max: maxPeers ?? m.error_full_few() }),
        retry: true,
      };
    case ErrorCode.Unauthorized:
      return { kind: 'error', title: m.error_unauthorized_title(), message: m.error_unauthorized(), retry: false };
    case ErrorCode.UnsupportedProtocol:
      return {
        kind: 'error',
        title: m.error_update_title(),
        message: m.error_update(),
        retry: false,
      };
    case ErrorCode.RateLimited:
      // The server also limits how many rooms one network may try to enter: no guessing room names.
      return {
        kind: 'error',
        title: m.error_rate_title(),
        message: m.error_rate(),
        retry: true,
      };
    case ErrorCode.InvalidMessage:
      return { kind: 'error', title: m.error_invalid_title(), message: describeInvalid(error), retry: true };
    default:
      return { kind: 'error', title: m.error_other_title(), message: m.error_server_said({ message: error.message }), retry: true };
  }
}

/** A short note for an error that does not end the call. */
export function callNotice(error: ErrorPayload): string {
  switch (error.code) {
    case ErrorCode.RateLimited:
      return m.notice_rate_limited();
    case ErrorCode.UnknownPeer:
      return m.notice_unknown_peer();
    default:
      return m.notice_server_problem({ message: error.message });
  }
}

function describeInvalid(error: ErrorPayload): string {
  const fields = error.details?.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; ');
  return fields ? m.error_invalid_fields({ fields }) : m.error_invalid({ message: error.message });
}
