import { ArgumentsHost, BadRequestException, Catch, Logger, type WsExceptionFilter } from '@nestjs/common';
import { CloseCode, ErrorCode, LIMITS, type ErrorPayload, type FieldError } from '@parley/protocol';
import type { WebSocket } from 'ws';
import { PeerSession } from './peer-session.js';
import { RateLimiter } from './rate-limiter.js';
import { SignalingException } from './signaling.exception.js';

const logger = new Logger('Signaling');

// An `error` reply stays under about 1.5 KB whatever caused it: a client must not be able to make
// the server send more than it sent (a frame of 8,000 unknown keys once got a 543 KB reply).
const MAX_MESSAGE = 200;
const MAX_ECHO = 64;
const MAX_PROBLEMS = 2;
const MAX_PROBLEM = 120;

/** The codes that mean the frame itself was bad, as opposed to a request the rules refused. */
const INVALID_FRAME = new Set<ErrorCode>([ErrorCode.InvalidMessage, ErrorCode.UnknownEvent]);

/** Cuts text that may come from a client to `max` printable ASCII characters. */
export function clip(text: string, max: number): string {
  const cut = text.length > max ? `${text.slice(0, max - 3)}...` : text;
  return cut.replace(/[^\x20-\x7e]/g, '?');
}

function clipDetails(details: FieldError[]): FieldError[] {
  return details.slice(0, LIMITS.maxErrorDetails).map(({ field, problems }) => ({
    field: clip(field, MAX_ECHO),
    problems: problems.slice(0, MAX_PROBLEMS).map((problem) => clip(String(problem), MAX_PROBLEM)),
  }));
}

/**
 * A host app's global ValidationPipe runs before the gateway's own and throws HTTP's
 * BadRequestException; to a socket client that is just an invalid message.
 */
function asSignalingException(error: unknown): unknown {
  if (!(error instanceof BadRequestException)) return error;
  const { message } = error.getResponse() as { message?: string | string[] };
  const problems = Array.isArray(message) ? message : [message ?? error.message];
  return new SignalingException(ErrorCode.InvalidMessage, `Invalid message: ${problems.slice(0, MAX_PROBLEMS).join('; ')}`, [
    { field: 'data', problems },
  ]);
}

/** The `error` frame for a failure; internals never reach the client, and it is always small. */
export function errorPayload(failure: unknown, data: unknown, event?: string): ErrorPayload {
  const error = asSignalingException(failure);
  if (!(error instanceof SignalingException)) return payload(ErrorCode.Internal, 'Something went wrong on the server', undefined, data, event);
  return payload(error.code, error.message, error.details, data, event);
}

function payload(code: ErrorCode, message: string, details: FieldError[] | undefined, data: unknown, event: string | undefined): ErrorPayload {
  const reply: ErrorPayload = { code, message: clip(message, MAX_MESSAGE) };
  const ref = (data as { ref?: unknown } | null | undefined)?.ref;
  if (typeof ref === 'string' && ref.length <= LIMITS.maxRefLength) reply.ref = ref;
  if (event !== undefined) reply.event = clip(event, MAX_ECHO);
  if (details) reply.details = clipDetails(details);
  return reply;
}

/** Answers a failure thrown while handling a frame with the protocol's `error`. */
export function sendError(socket: WebSocket, error: unknown, data: unknown, event?: string): void {
  reply(socket, errorPayload(error, data, event));
}

/**
 * Answers a frame refused before any handler ran. No exception is made for it: an Error captures
 * a stack trace, and these come as fast as a client can send them.
 */
export function refuseFrame(socket: WebSocket, code: ErrorCode, message: string, data: unknown, event?: string, details?: FieldError[]): void {
  reply(socket, payload(code, message, details, data, event));
}

/**
 * An invalid frame is a client's mistake: it is logged at verbose level (any client can make
 * them), and counts toward the socket's abuse limit, so a socket that sends only bad frames is
 * closed with 1008.
 */
function reply(socket: WebSocket, error: ErrorPayload): void {
  const session = PeerSession.of(socket);
  session.send('error', error);
  session.metrics.error(error.code);
  if (!INVALID_FRAME.has(error.code)) return;
  logger.verbose(`${error.code}${error.event ? ` (${error.event})` : ''}: ${error.message}`);
  if (RateLimiter.of(socket).invalid() === 'abuse') socket.close(CloseCode.PolicyViolation, 'Too many invalid messages');
}

/** Answers a failure of a gateway handler: what isn't the client's doing is logged too. */
export function answerFailure(socket: WebSocket, error: unknown, data: unknown, event: string): void {
  if (!(error instanceof SignalingException) && !(error instanceof BadRequestException)) logger.error(error);
  sendError(socket, error, data, event);
}

/** Turns every failure in a gateway handler into the protocol's `error` event. */
@Catch()
export class SignalingExceptionFilter implements WsExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const ws = host.switchToWs();
    answerFailure(ws.getClient<WebSocket>(), error, ws.getData(), ws.getPattern());
  }
}
