import { CloseCode } from '@parley/protocol';
import type { WebSocket } from 'ws';

/**
 * Bytes a socket may have waiting to be sent. A client that stops reading would otherwise grow
 * the server's memory with every signal addressed to it; honest clients stay far below this
 * (a full `joined` is about 150 KB).
 */
export const MAX_BUFFERED_BYTES = 2 * 1024 * 1024;

/** How long a closed slow socket gets to read what is queued before its close frame. */
const SLOW_CLOSE_GRACE_MS = 5_000;

/**
 * Whether the socket has fallen too far behind; if so it is closed with 4002. The close frame
 * waits behind the queued data, so the socket is destroyed if it does not drain in time.
 */
export function tooSlow(socket: WebSocket): boolean {
  if (socket.bufferedAmount <= MAX_BUFFERED_BYTES) return false;
  socket.close(CloseCode.TooSlow, 'Too slow: not reading');
  setTimeout(() => socket.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  return true;
}
