import { ErrorCode } from '@parley/protocol';
import type { DeniedReason, ErrorPayload } from '@parley/protocol';

/** A problem that ends the call, in words for the person in it. */
export interface Failure {
  kind: 'room-full' | 'unreachable' | 'lost' | 'rejected' | 'removed' | 'denied' | 'error';
  title: string;
  message: string;
  /** Whether trying again could help. */
  retry: boolean;
}

export const unreachable: Failure = {
  kind: 'unreachable',
  title: 'Can’t reach the server',
  message: 'Parley’s server did not answer. Check your connection, then try again.',
  retry: true,
};

export const connectionLost: Failure = {
  kind: 'lost',
  title: 'Connection lost',
  message: 'The connection to the server was lost and could not be restored.',
  retry: true,
};

export const connectionRejected: Failure = {
  kind: 'rejected',
  title: 'Disconnected by the server',
  message: 'The server closed the connection. Try again, or come back in a moment.',
  retry: true,
};

export const connectionReplaced: Failure = {
  kind: 'rejected',
  title: 'You joined from somewhere else',
  message: 'This room is open in another tab or window, so this one was disconnected.',
  retry: true,
};

export const joinTimedOut: Failure = {
  kind: 'error',
  title: 'Joining took too long',
  message: 'The server did not let you into the room in time.',
  retry: true,
};

export const removedFromCall: Failure = {
  kind: 'removed',
  title: 'You were removed from the call',
  message: 'A host removed you from this call.',
  retry: false,
};

/** Why a locked room's hosts did not let you in. */
export function notLetIn(reason: DeniedReason): Failure {
  switch (reason) {
    case 'timeout':
      return { kind: 'denied', title: 'Nobody let you in', message: 'No one answered your request to join in time.', retry: true };
    case 'ended':
      return { kind: 'denied', title: 'The call ended', message: 'Everyone left before anyone could let you in.', retry: true };
    default:
      return { kind: 'denied', title: 'You weren’t let in', message: 'A host of this call declined your request to join.', retry: true };
  }
}

/** What a server `error` means for someone trying to join. */
export function joinFailure(error: ErrorPayload, maxPeers?: number): Failure {
  switch (error.code) {
    case ErrorCode.RoomFull:
      return {
        kind: 'room-full',
        title: 'This room is full',
        message: `A room holds up to ${maxPeers ?? 'a few'} people, and everyone’s seat is taken. Try again later or start a new room.`,
        retry: true,
      };
    case ErrorCode.Unauthorized:
      return { kind: 'error', title: 'Not allowed', message: 'You are not allowed to join this room.', retry: false };
    case ErrorCode.UnsupportedProtocol:
      return {
        kind: 'error',
        title: 'Update needed',
        message: 'This page is out of date with the server. Reload the page to get the new version.',
        retry: false,
      };
    case ErrorCode.RateLimited:
      // The server also limits how many rooms one network may try to enter: no guessing room names.
      return {
        kind: 'error',
        title: 'Too many attempts',
        message: 'Too many attempts from your network to join rooms. Wait a minute, then try again.',
        retry: true,
      };
    case ErrorCode.InvalidMessage:
      return { kind: 'error', title: 'Could not join', message: describeInvalid(error), retry: true };
    default:
      return { kind: 'error', title: 'Something went wrong', message: `The server said: ${error.message}`, retry: true };
  }
}

/** A short note for an error that does not end the call. */
export function callNotice(error: ErrorPayload): string {
  switch (error.code) {
    case ErrorCode.RateLimited:
      return 'You are sending too fast; some updates were dropped.';
    case ErrorCode.UnknownPeer:
      if (error.event === 'admit' || error.event === 'deny') return 'They are no longer waiting: they left, or another host answered.';
      return 'Someone left before a message could reach them.';
    case ErrorCode.Unauthorized:
      return 'Only a host of this call can do that.';
    default:
      return `The server reported a problem: ${error.message}`;
  }
}

function describeInvalid(error: ErrorPayload): string {
  const fields = error.details?.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; ');
  return fields ? `The server rejected the request (${fields}).` : `The server rejected the request: ${error.message}`;
}
