import type { IncomingMessage } from 'node:http';
import { UseFilters, UsePipes, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { CloseCode } from '@parley/protocol';
import type { WebSocket, WebSocketServer as Server } from 'ws';
import { clientAddress, compileTrust, type ProxyTrust } from './client-address.js';
import { Liveness } from './liveness.js';
import {
  ChatDto,
  HandDto,
  JoinDto,
  LeaveDto,
  LockDto,
  MediaDto,
  PathDto,
  PeerTargetDto,
  ReactDto,
  RecordingDto,
  SfuAnswerDto,
  SfuCandidateDto,
  SfuIceRestartDto,
  SfuPublishDto,
  SfuViewDto,
  SignalDto,
} from './dto/index.js';
import { fastJoin } from './dto/join.fast.js';
import { fastSignal } from './dto/signal.fast.js';
import { IcePathsService } from './ice-paths.service.js';
import { PeerSession } from './peer-session.js';
import { RoomControls } from './room-controls.service.js';
import { RoomService } from './room.service.js';
import { SfuRoomsService } from './sfu-rooms.service.js';
import { SIGNALING_GATEWAY, SIGNALING_GATEWAY_KEY_PATH } from './signaling.constants.js';
import { InjectSignalingOptions, Session } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';
import { SignalingExceptionFilter } from './signaling-exception.filter.js';
import { signalingValidationPipe } from './signaling-validation.pipe.js';

/**
 * A hot message's way around Nest's dispatch: `check` accepts exactly what the event's DTO pipe
 * accepts and returns what the pipe would (undefined sends the frame through the pipe, which
 * answers the error); `handle` is what the gateway's method does with it.
 */
export interface HotHandler<T = unknown> {
  check(data: Record<string, unknown>): T | undefined;
  handle(session: PeerSession, payload: T): void | Promise<void>;
}
export type HotHandlers = ReadonlyMap<string, HotHandler>;

/** Moves messages between sockets and `RoomService`; the rules live in the service. */
@WebSocketGateway({ [SIGNALING_GATEWAY]: true, path: SIGNALING_GATEWAY_KEY_PATH })
@UsePipes(signalingValidationPipe)
@UseFilters(new SignalingExceptionFilter())
export class SignalingGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  @WebSocketServer() private readonly server!: Server;
  readonly #proxyTrust: ProxyTrust;
  /**
   * Messages the adapter hands straight to the service when their payload passes the fast check:
   * `signal` is most of the traffic, and Nest's pipe and dispatch were most of its cost.
   */
  readonly hot: HotHandlers = new Map<string, HotHandler>([
    ['signal', { check: fastSignal, handle: (session, dto: SignalDto) => this.rooms.signal(session, dto) }],
    // Once per connect, but its trip through Nest was a good part of what a connect cost.
    ['join', { check: fastJoin, handle: (session, dto: JoinDto) => this.rooms.join(session, dto) }],
  ]);

  constructor(
    private readonly rooms: RoomService,
    private readonly controls: RoomControls,
    private readonly sfuRooms: SfuRoomsService,
    private readonly icePaths: IcePathsService,
    private readonly liveness: Liveness,
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
  ) {
    this.#proxyTrust = compileTrust(options.trustProxy);
  }

  /** Open sockets on this instance. */
  get connections(): number {
    return this.server?.clients.size ?? 0;
  }

  afterInit(server: Server): void {
    this.liveness.watch(server);
  }

  // Synchronous on purpose: an async handleConnection that throws takes the process down,
  // and messages could arrive before it finished.
  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const address = clientAddress(request, this.#proxyTrust);
    const kept = this.options.authorize ? request : undefined;
    this.liveness.track(socket, PeerSession.attach(socket, kept, address, this.options.metrics));
  }

  /** Tells every client the server is restarting, so they reconnect at once and resume. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.rooms.shutdown();
    // No server when the module ran without a listening app (a host's module test).
    const closed = [...(this.server?.clients ?? [])].map((socket) => {
      socket.close(CloseCode.ServiceRestart, 'Server restarting');
      return new Promise((resolve) => socket.once('close', resolve));
    });
    await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, 1000))]);
  }

  handleDisconnect(socket: WebSocket): void {
    const session = PeerSession.of(socket);
    this.liveness.forget(session);
    this.rooms.disconnect(session);
  }

  @SubscribeMessage('join')
  join(@Session() session: PeerSession, @MessageBody() dto: JoinDto) {
    return this.rooms.join(session, dto);
  }

  @SubscribeMessage('signal')
  signal(@Session() session: PeerSession, @MessageBody() dto: SignalDto) {
    return this.rooms.signal(session, dto);
  }

  @SubscribeMessage('media')
  media(@Session() session: PeerSession, @MessageBody() dto: MediaDto) {
    return this.rooms.media(session, dto);
  }

  @SubscribeMessage('chat')
  chat(@Session() session: PeerSession, @MessageBody() dto: ChatDto) {
    return this.rooms.chat(session, dto);
  }

  @SubscribeMessage('leave')
  leave(@Session() session: PeerSession, @MessageBody() dto: LeaveDto) {
    return this.rooms.leave(session, dto);
  }

  @SubscribeMessage('sfu-publish')
  sfuPublish(@Session() session: PeerSession, @MessageBody() dto: SfuPublishDto) {
    return this.sfuRooms.publish(session, dto);
  }

  @SubscribeMessage('sfu-answer')
  sfuAnswer(@Session() session: PeerSession, @MessageBody() dto: SfuAnswerDto) {
    return this.sfuRooms.answer(session, dto);
  }

  @SubscribeMessage('sfu-candidate')
  sfuCandidate(@Session() session: PeerSession, @MessageBody() dto: SfuCandidateDto) {
    return this.sfuRooms.candidate(session, dto);
  }

  @SubscribeMessage('sfu-view')
  sfuView(@Session() session: PeerSession, @MessageBody() dto: SfuViewDto) {
    return this.sfuRooms.view(session, dto);
  }

  @SubscribeMessage('sfu-ice-restart')
  sfuIceRestart(@Session() session: PeerSession, @MessageBody() dto: SfuIceRestartDto) {
    return this.sfuRooms.restartIce(session, dto);
  }

  @SubscribeMessage('path')
  path(@Session() session: PeerSession, @MessageBody() dto: PathDto) {
    return this.icePaths.report(session, dto);
  }

  @SubscribeMessage('lock')
  lock(@Session() session: PeerSession, @MessageBody() dto: LockDto) {
    return this.controls.lock(session, dto);
  }

  @SubscribeMessage('admit')
  admit(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.admit(session, dto);
  }

  @SubscribeMessage('deny')
  deny(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.deny(session, dto);
  }

  @SubscribeMessage('remove')
  remove(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.remove(session, dto);
  }

  @SubscribeMessage('mute')
  mute(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.mute(session, dto);
  }

  @SubscribeMessage('host')
  host(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.host(session, dto);
  }

  @SubscribeMessage('hand')
  hand(@Session() session: PeerSession, @MessageBody() dto: HandDto) {
    return this.controls.hand(session, dto);
  }

  @SubscribeMessage('lower-hand')
  lowerHand(@Session() session: PeerSession, @MessageBody() dto: PeerTargetDto) {
    return this.controls.lowerHand(session, dto);
  }

  @SubscribeMessage('react')
  react(@Session() session: PeerSession, @MessageBody() dto: ReactDto) {
    return this.controls.react(session, dto);
  }

  @SubscribeMessage('recording')
  recording(@Session() session: PeerSession, @MessageBody() dto: RecordingDto) {
    return this.controls.recording(session, dto);
  }
}
