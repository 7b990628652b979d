import { randomBytes } from 'node:crypto';
import { compileTrust } from './client-address.js';
import { NO_METRICS } from './signaling-metrics.interface.js';
import type { ResolvedSignalingOptions, SignalingModuleOptions } from './signaling-options.interface.js';

/** Injection token of the resolved options (defaults applied). */
export const SIGNALING_OPTIONS = Symbol('SIGNALING_OPTIONS');

/** Marks the gateway's metadata, so the adapter only reshapes Parley's own server. */
export const SIGNALING_GATEWAY = 'parleySignaling';

export const DEFAULT_SIGNALING_PATH = '/ws';
export const DEFAULT_MAX_PEERS = 6;
export const DEFAULT_RESUME_GRACE_MS = 20_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;
export const DEFAULT_JOIN_TIMEOUT_MS = 10_000;
export const DEFAULT_TURN_TTL_SECONDS = 3600;

export function resolveSignalingOptions(options: SignalingModuleOptions = {}): ResolvedSignalingOptions {
  const maxPeers = options.maxPeers ?? DEFAULT_MAX_PEERS;
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
  return {
    path: options.path ?? DEFAULT_SIGNALING_PATH,
    maxPeers,
    iceServers: options.iceServers ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    resumeSecret: options.resumeSecret || randomBytes(32).toString('base64url'),
    resumeGraceMs: options.resumeGraceMs ?? DEFAULT_RESUME_GRACE_MS,
    heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
    joinTimeoutMs: options.joinTimeoutMs ?? DEFAULT_JOIN_TIMEOUT_MS,
    authorize: options.authorize,
    turn: turn && { ...turn, ttlSeconds: turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS },
    redis: options.redis && { url: options.redis.url, keyPrefix: options.redis.keyPrefix ?? 'parley:' },
    metrics: options.metrics ?? NO_METRICS,
    maxSocketsPerIp: options.maxSocketsPerIp ?? 50,
    connectionsPerSecondPerIp: options.connectionsPerSecondPerIp ?? 20,
    trustProxy,
  };
}
