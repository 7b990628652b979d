import type { IceServer } from '@parley/protocol';
import {
  DEFAULT_MAX_PEERS,
  DEFAULT_RESUME_GRACE_MS,
  DEFAULT_SIGNALING_PATH,
  DEFAULT_TURN_TTL_SECONDS,
  type TrustProxy,
  type TurnOptions,
} from '@parley/nest-signaling';

/** Everything the app reads from the environment (see the README's configuration table). */
export interface AppConfig {
  port: number;
  host: string;
  signalingPath: string;
  iceServers: IceServer[];
  allowedOrigins: string[];
  maxPeers: number;
  resumeSecret?: string;
  resumeGraceMs: number;
  turn?: TurnOptions;
  redisUrl?: string;
  redisKeyPrefix: string;
  maxSocketsPerIp: number;
  connectionsPerSecondPerIp: number;
  trustProxy: TrustProxy;
  /** When set, `join` needs an HS256 room token signed with it. */
  authSecret?: string;
  logLevel: LogLevel;
  /** One JSON object per log line; the default when stdout is not a terminal. */
  logJson: boolean;
  /** Where the built SPA lives. */
  webRoot: string;
}

// Most severe first: a level enables itself and everything before it.
const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
type LogLevel = (typeof LOG_LEVELS)[number];

/** The Nest logger levels that `level` turns on. */
export function enabledLogLevels(level: LogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

const DEFAULT_STUN = 'stun:stun.l.google.com:19302';

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

// Pino-style names are accepted too, so LOG_LEVEL=info works as operators expect.
function logLevel(raw = 'info'): LogLevel {
  const level = ({ info: 'log', trace: 'verbose' } as Record<string, LogLevel>)[raw] ?? raw;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new Error(`LOG_LEVEL must be one of info, ${LOG_LEVELS.join(', ')}; got "${raw}"`);
  }
  return level as LogLevel;
}

function turn(env: NodeJS.ProcessEnv): TurnOptions | undefined {
  const urls = list(env.TURN_URLS);
  if (!urls.length) return undefined;
  if (!env.TURN_SECRET) {
    throw new Error('TURN_URLS is set but TURN_SECRET is not: set it to coturn\'s static-auth-secret');
  }
  return { urls, secret: env.TURN_SECRET, ttlSeconds: integer(env, 'TURN_TTL', DEFAULT_TURN_TTL_SECONDS, 60, 86_400) };
}

function logFormat(raw: string | undefined, tty: boolean): 'json' | 'pretty' {
  if (raw === undefined || raw === '') return tty ? 'pretty' : 'json';
  if (raw !== 'json' && raw !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty, got "${raw}"`);
  return raw;
}

/** TRUST_PROXY: `true`/`false`, a number of hops, or comma-separated addresses, CIDRs and names. */
function trustProxy(raw = ''): TrustProxy {
  const value = raw.trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return list(value);
}

function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.REDIS_URL) return undefined;
  if (!env.RESUME_SECRET) {
    throw new Error('REDIS_URL is set but RESUME_SECRET is not: instances must share it, so a peer can resume on any of them');
  }
  return env.REDIS_URL;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, webRoot: string): AppConfig {
  const stun = env.STUN_URLS === undefined ? [DEFAULT_STUN] : list(env.STUN_URLS);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    signalingPath: env.SIGNALING_PATH || DEFAULT_SIGNALING_PATH,
    iceServers: stun.length ? [{ urls: stun }] : [],
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    maxPeers: integer(env, 'MAX_PEERS', DEFAULT_MAX_PEERS, 2, 50),
    resumeSecret: env.RESUME_SECRET || undefined,
    resumeGraceMs: integer(env, 'RESUME_GRACE_MS', DEFAULT_RESUME_GRACE_MS, 0, 3_600_000),
    turn: turn(env),
    redisUrl: redisUrl(env),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'parley:',
    authSecret: env.AUTH_SECRET || undefined,
    maxSocketsPerIp: integer(env, 'MAX_SOCKETS_PER_IP', 50, 1, 1_000_000),
    connectionsPerSecondPerIp: integer(env, 'CONNECTIONS_PER_SECOND_PER_IP', 20, 1, 1_000_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel: logLevel(env.LOG_LEVEL),
    logJson: logFormat(env.LOG_FORMAT, Boolean(process.stdout.isTTY)) === 'json',
    webRoot,
  };
}
