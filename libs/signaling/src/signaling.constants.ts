import { randomBytes } from 'node:crypto';
import { compileTrust } from './client-address.js';
import { NO_METRICS } from './signaling-metrics.interface.js';
import type { ResolvedSignalingOptions, SignalingModuleOptions } from './signaling-options.interface.js';

/** Injection token of the resolved options (defaults applied). */
export const SIGNALING_OPTIONS = Symbol('SIGNALING_OPTIONS');

/** Marks the gateway's metadata, so the adapter only reshapes Parley's own server. */
export const SIGNALING_GATEWAY = 'parleySignaling';
/**
 * The path in the gateway's decorator. Nest gives gateways with the same port and path one
 * server, so a host gateway without a path (most socket.io ones) would otherwise be bound to
 * Parley's; the adapter replaces it with the configured path.
 */
export const SIGNALING_GATEWAY_KEY_PATH = '/parley-signaling-gateway';

export const DEFAULT_SIGNALING_PATH = '/ws';
export const DEFAULT_MAX_PEERS = 6;
/** Room capacity when an SFU is configured. */
export const DEFAULT_SFU_MAX_PEERS = 50;
/** A room that would grow past this moves to the SFU. */
export const DEFAULT_MESH_MAX_PEERS = 4;
export const DEFAULT_RESUME_GRACE_MS = 20_000;
export const DEFAULT_RESUME_ROTATE_MS = 30_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;
/** Long enough for a host to notice a knock during a meeting; short enough that forgotten tabs go. */
export const DEFAULT_WAITING_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_TURN_TTL_SECONDS = 3600;
export const DEFAULT_MAX_SOCKETS_PER_IP = 50;
export const DEFAULT_CONNECTIONS_PER_SECOND_PER_IP = 20;
export const DEFAULT_REDIS_KEY_PREFIX = 'parley:';
/** Longest lifetime `jwtAuthorizer` accepts in a room token (exp - iat, or exp - now without iat). */
export const DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS = 24 * 60 * 60;
export const DEFAULT_NEW_ROOM_JOINS_PER_IP = { burst: 20, perMinute: 20 };

export function resolveSignalingOptions(options: SignalingModuleOptions = {}): ResolvedSignalingOptions {
  const { sfu } = options;
  const maxPeers = options.maxPeers ?? (sfu ? DEFAULT_SFU_MAX_PEERS : DEFAULT_MAX_PEERS);
  if (!Number.isInteger(maxPeers) || maxPeers < 2) {
    throw new Error(`SignalingModule: maxPeers must be an integer of at least 2, got ${maxPeers}`);
  }
  const { turn } = options;
  if (turn && (!turn.urls.length || !turn.secret)) {
    throw new Error('SignalingModule: turn needs both urls and a secret');
  }
  const trustProxy = options.trustProxy ?? false;
  try {
    compileTrust(trustProxy);
  } catch (error) {
    throw new Error(`SignalingModule: trustProxy ${JSON.stringify(trustProxy)} is not valid: ${error instanceof Error ? error.message : error}`);
  }
  const meshMaxPeers = sfu?.meshMaxPeers ?? DEFAULT_MESH_MAX_PEERS;
  if (sfu && (!sfu.servers.length || !Number.isInteger(meshMaxPeers) || meshMaxPeers < 1)) {
    throw new Error('SignalingModule: sfu needs at least one server, and meshMaxPeers must be a positive integer');
  }
  return {
    path: options.path ?? DEFAULT_SIGNALING_PATH,
    maxPeers,
    iceServers: options.iceServers ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    resumeSecret: options.resumeSecret || randomBytes(32).toString('base64url'),
    resumeGraceMs: options.resumeGraceMs ?? DEFAULT_RESUME_GRACE_MS,
    resumeRotateMs: options.resumeRotateMs ?? DEFAULT_RESUME_ROTATE_MS,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    joinTimeoutMs: options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS,
    waitingTimeoutMs: options.waitingTimeoutMs ?? DEFAULT_WAITING_TIMEOUT_MS,
    authorize: options.authorize,
    turn: turn && { ...turn, ttlSeconds: turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS },
    roomStore: options.roomStore,
    messageBus: options.messageBus,
    sfu: sfu && { servers: sfu.servers, meshMaxPeers },
    redis: options.redis && { url: options.redis.url, keyPrefix: options.redis.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX },
    metrics: options.metrics ?? NO_METRICS,
    maxSocketsPerIp: options.maxSocketsPerIp ?? DEFAULT_MAX_SOCKETS_PER_IP,
    connectionsPerSecondPerIp: options.connectionsPerSecondPerIp ?? DEFAULT_CONNECTIONS_PER_SECOND_PER_IP,
    trustProxy,
    newRoomJoinsPerIp: options.newRoomJoinsPerIp ?? DEFAULT_NEW_ROOM_JOINS_PER_IP,
  };
}
