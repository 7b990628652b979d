import { Module } from '@nestjs/common';
import { ConfigurableModuleClass, SIGNALING_MODULE_OPTIONS } from './signaling.module-definition.js';
import { resolveSignalingOptions, SIGNALING_OPTIONS } from './signaling.constants.js';
import { SignalingGateway } from './signaling.gateway.js';
import { RoomService } from './room.service.js';
import { RoomRelay } from './room-relay.js';
import { InstanceRegistry } from './instance-registry.js';
import { JoinLimiter } from './join-limiter.js';
import { ResumeTokens } from './resume-tokens.js';
import { Liveness } from './liveness.js';
import { IceServers } from './turn-credentials.js';
import { IcePathsService } from './ice-paths.service.js';
import { SfuRoomsService } from './sfu-rooms.service.js';
import { SIGNALING_REDIS, sfuProviders, storageProviders } from './signaling.providers.js';
import { SignalingDrain } from './signaling-drain.js';
import { SignalingLog } from './signaling-log.js';
import { SignalingHealthIndicator } from './signaling-health.indicator.js';
import { ROOM_STORE } from './room-store.js';
import { MESSAGE_BUS } from './message-bus.js';

@Module({
  providers: [
    { provide: SIGNALING_OPTIONS, useFactory: resolveSignalingOptions, inject: [SIGNALING_MODULE_OPTIONS] },
    ResumeTokens,
    ...storageProviders,
    Liveness,
    SignalingDrain,
    SignalingLog,
    IceServers,
    RoomRelay,
    JoinLimiter,
    InstanceRegistry,
    ...sfuProviders,
    SfuRoomsService,
    IcePathsService,
    RoomService,
    SignalingGateway,
    SignalingHealthIndicator,
  ],
  exports: [
    RoomService,
    SignalingGateway,
    SignalingDrain,
    SignalingHealthIndicator,
    IceServers,
    SIGNALING_OPTIONS,
    SIGNALING_REDIS,
    ROOM_STORE,
    MESSAGE_BUS,
  ],
})
export class SignalingModule extends ConfigurableModuleClass {}
