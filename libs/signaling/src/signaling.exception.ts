import { WsException } from '@nestjs/websockets';
import type { ErrorCode, FieldError } from '@parley/protocol';

/** A failure the client is told about with the protocol's `error` event. */
export class SignalingException extends WsException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldError[],
  ) {
    super(message);
  }
}
