import { ArgumentsHost, BadRequestException, Catch, Logger, type WsExceptionFilter } from '@nestjs/common';
import { ErrorCode, LIMITS, type ErrorPayload } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { PeerSession } from './peer-session.js';
import { SignalingException } from './signaling.exception.js';

/**
 * A host app's global ValidationPipe runs before the gateway's own and throws HTTP's
 * BadRequestException; to a socket client that is just an invalid message.
 */
function asSignalingException(error: unknown): unknown {
  if (!(error instanceof BadRequestException)) return error;
  const { message } = error.getResponse() as { message?: string | string[] };
  const problems = Array.isArray(message) ? message : [message ?? error.message];
  return new SignalingException(ErrorCode.InvalidMessage, `Invalid message: ${problems.join('; ')}`, [{ field: 'data', problems }]);
}

/** The `error` frame for a failure; internals never reach the client. */
export function errorPayload(failure: unknown, data: unknown, event?: string): ErrorPayload {
  const error = asSignalingException(failure);
  const known = error instanceof SignalingException;
  const payload: ErrorPayload = {
    code: known ? error.code : ErrorCode.Internal,
    message: known ? error.message : 'Something went wrong on the server',
  };
  const ref = (data as { ref?: unknown } | null | undefined)?.ref;
  if (typeof ref === 'string' && ref.length <= LIMITS.maxRefLength) payload.ref = ref;
  if (event !== undefined) payload.event = event.slice(0, 64);
  if (known && error.details) payload.details = error.details;
  return payload;
}

export function sendError(socket: WebSocket, error: unknown, data: unknown, event?: string): void {
  const session = PeerSession.of(socket);
  const payload = errorPayload(error, data, event);
  session.send('error', payload);
  session.metrics.error(payload.code);
}

/** Turns every failure in a gateway handler into the protocol's `error` event. */
@Catch()
export class SignalingExceptionFilter implements WsExceptionFilter {
  readonly #logger = new Logger('Signaling');

  catch(error: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    if (!(error instanceof SignalingException) && !(error instanceof BadRequestException)) this.#logger.error(error);
    sendError(ws.getClient<WebSocket>(), error, ws.getData(), ws.getPattern());
  }
}
