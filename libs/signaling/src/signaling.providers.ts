import { randomBytes } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { LocalMessageBus, MESSAGE_BUS } from './message-bus.js';
import { MemoryRoomStore } from './memory-room-store.js';
import { RedisConnections } from './redis-connections.js';
import { RedisMessageBus } from './redis-message-bus.js';
import { RedisRoomStore } from './redis-room-store.js';
import { ROOM_STORE } from './room-store.js';
import { JANUS_POOL } from './sfu-rooms.service.js';
import { loadJanusPool } from './sfu-loader.js';
import { SIGNALING_OPTIONS } from './signaling.constants.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** Injection token of the Redis connections; `null` when rooms live in memory. */
export const SIGNALING_REDIS = Symbol('SIGNALING_REDIS');

/** The host's own store and bus when given; else memory and local, or Redis for both when `redis` is configured. */
export const storageProviders: Provider[] = [
  {
    provide: SIGNALING_REDIS,
    useFactory: ({ redis }: ResolvedSignalingOptions) => (redis ? new RedisConnections(redis.url) : null),
    inject: [SIGNALING_OPTIONS],
  },
  {
    provide: ROOM_STORE,
    useFactory: ({ redis, roomStore }: ResolvedSignalingOptions, connections: RedisConnections | null) =>
      roomStore ?? (connections && redis ? new RedisRoomStore(connections.commands, redis.keyPrefix) : new MemoryRoomStore()),
    inject: [SIGNALING_OPTIONS, SIGNALING_REDIS],
  },
  {
    provide: MESSAGE_BUS,
    useFactory: ({ redis, metrics, messageBus }: ResolvedSignalingOptions, connections: RedisConnections | null) => {
      if (messageBus) return messageBus;
      const instanceId = randomBytes(8).toString('hex');
      return connections && redis
        ? new RedisMessageBus(instanceId, connections.publisher, connections.subscriber, redis.keyPrefix, (problem) => metrics.busRejected?.(problem))
        : new LocalMessageBus(instanceId);
    },
    inject: [SIGNALING_OPTIONS, SIGNALING_REDIS],
  },
];

/** The Janus pool when `sfu` is configured, else `null` (rooms stay mesh); janode is loaded only then. */
export const sfuProviders: Provider[] = [
  {
    provide: JANUS_POOL,
    useFactory: async ({ sfu }: ResolvedSignalingOptions) => (sfu ? new (await loadJanusPool())({ servers: sfu.servers }) : null),
    inject: [SIGNALING_OPTIONS],
  },
];
