import { createParamDecorator, Inject, type ExecutionContext } from '@nestjs/common';
import { SIGNALING_OPTIONS } from './signaling.constants.js';
import { PeerSession } from './peer-session.js';

/** Injects the signaling options, with defaults applied. */
export const InjectSignalingOptions = () => Inject(SIGNALING_OPTIONS);

/** The `PeerSession` of the socket that sent the message being handled. */
export const Session = createParamDecorator((_: unknown, context: ExecutionContext) => PeerSession.of(context.switchToWs().getClient()));
