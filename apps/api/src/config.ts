import { readFileSync } from 'node:fs';
import type { IceServer } from '@parley/protocol';
import {
  DEFAULT_CONNECTIONS_PER_SECOND_PER_IP,
  DEFAULT_MAX_PEERS,
  DEFAULT_MAX_SOCKETS_PER_IP,
  DEFAULT_MESH_MAX_PEERS,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_RESUME_GRACE_MS,
  DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS,
  DEFAULT_SFU_MAX_PEERS,
  DEFAULT_SIGNALING_PATH,
  DEFAULT_TURN_TTL_SECONDS,
  type TrustProxy,
  parseJanusServers,
  type JanusServerConfig,
  type TurnOptions,
} from '@parley/nest-signaling';
import { DEFAULT_API_REQUESTS_PER_MINUTE_PER_IP } from './api-rate-limit.js';

/** Everything the app reads from the environment (see the README's configuration table). */
export interface AppConfig {
  port: number;
  host: string;
  signalingPath: string;
  iceServers: IceServer[];
  allowedOrigins: string[];
  maxPeers: number;
  /** Janus servers for rooms past `meshMaxPeers`; empty: rooms stay mesh. */
  janusServers: JanusServerConfig[];
  /** A room that would grow past this moves to Janus (when there is one). */
  meshMaxPeers: number;
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
  /** Accepted `aud` values of room tokens; empty: not checked. */
  authAudience: string[];
  /** Accepted `iss` values of room tokens; empty: not checked. */
  authIssuer: string[];
  /** Longest lifetime of a room token, in seconds. */
  authMaxTokenTtlSeconds: number;
  /**
   * On SIGTERM, how long (ms) to drain before closing the sockets: /readyz answers 503 and new
   * joins and sockets are refused, while a load balancer stops sending here.
   */
  shutdownDrainMs: number;
  /** Requests per minute one client IP may make to /api/config and /api/ice-servers. */
  apiRequestsPerMinutePerIp: number;
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
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
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

function turn(env: NodeJS.ProcessEnv, secret: string | undefined): TurnOptions | undefined {
  const urls = list(env.TURN_URLS);
  if (!urls.length) return undefined;
  if (!secret) {
    throw new Error("TURN_URLS is set but TURN_SECRET (or TURN_SECRET_FILE) is not: set it to coturn's static-auth-secret");
  }
  return { urls, secret, ttlSeconds: integer(env, 'TURN_TTL', DEFAULT_TURN_TTL_SECONDS, 60, 86_400) };
}

function janusServers(env: NodeJS.ProcessEnv, secret: string | undefined): JanusServerConfig[] {
  if (!list(env.JANUS_URLS).length) return [];
  if (!secret) {
    throw new Error(
      'JANUS_URLS is set but JANUS_API_SECRET (or JANUS_API_SECRET_FILE) is not: set it to the api_secret deploy/janus/start.sh printed',
    );
  }
  return parseJanusServers(env.JANUS_URLS, secret);
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

function redisUrl(env: NodeJS.ProcessEnv, resumeSecret: string | undefined): string | undefined {
  if (!env.REDIS_URL) return undefined;
  if (!resumeSecret) {
    throw new Error(
      'REDIS_URL is set but RESUME_SECRET (or RESUME_SECRET_FILE) is not: instances must share it, so a peer can resume on any of them',
    );
  }
  return env.REDIS_URL;
}

const SECRETS = ['RESUME_SECRET', 'TURN_SECRET', 'AUTH_SECRET', 'JANUS_API_SECRET'] as const;
type SecretName = (typeof SECRETS)[number];

/** The shortest secret accepted on an address other than loopback. */
export const MIN_SECRET_LENGTH = 12;
// Values that ship in examples and in older compose files: whoever read them holds the key.
const DEVELOPMENT_VALUE = /^dev-only|change[-_]?me|replace[-_]?me/i;

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * `NAME`, or the contents of the file `NAME_FILE` names (as Docker secrets are passed), without
 * its trailing newline. Both at once is a mistake worth stopping for.
 */
function secretValue(env: NodeJS.ProcessEnv, name: SecretName): string | undefined {
  const file = env[`${name}_FILE`];
  if (!file) return env[name] || undefined;
  if (env[name]) throw new Error(`Both ${name} and ${name}_FILE are set: set only one`);
  let value: string;
  try {
    value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    throw new Error(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
  if (!value) throw new Error(`${name}_FILE: ${file} is empty`);
  return value;
}

/**
 * Every secret the app uses. Anywhere but loopback, a known development value or a short one is
 * refused: a deployment must never run on a key that ships in a repository.
 */
function secrets(env: NodeJS.ProcessEnv, host: string): Partial<Record<SecretName, string>> {
  const values: Partial<Record<SecretName, string>> = {};
  for (const name of SECRETS) {
    const value = secretValue(env, name);
    if (value === undefined) continue;
    if (!isLoopback(host)) {
      if (DEVELOPMENT_VALUE.test(value)) {
        throw new Error(
          `${name} is a known development value (it starts with dev-only, or says change-me or replace-me), refused on HOST ${host}: set a random one (openssl rand -hex 32); docker compose generates one when it is unset`,
        );
      }
      if (value.length < MIN_SECRET_LENGTH) {
        throw new Error(`${name} is shorter than ${MIN_SECRET_LENGTH} characters, refused on HOST ${host}: set a random one (openssl rand -hex 32)`);
      }
    }
    values[name] = value;
  }
  return values;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, webRoot: string): AppConfig {
  const stun = env.STUN_URLS === undefined ? [DEFAULT_STUN] : list(env.STUN_URLS);
  const host = env.HOST || '0.0.0.0';
  const secret = secrets(env, host);
  const janus = janusServers(env, secret.JANUS_API_SECRET);
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    host,
    signalingPath: env.SIGNALING_PATH || DEFAULT_SIGNALING_PATH,
    iceServers: stun.length ? [{ urls: stun }] : [],
    allowedOrigins: list(env.ALLOWED_ORIGINS),
    // An SFU carries rooms a mesh cannot.
    maxPeers: integer(env, 'MAX_PEERS', janus.length ? DEFAULT_SFU_MAX_PEERS : DEFAULT_MAX_PEERS, 2, 50),
    janusServers: janus,
    meshMaxPeers: integer(env, 'MESH_MAX_PEERS', DEFAULT_MESH_MAX_PEERS, 1, 50),
    resumeSecret: secret.RESUME_SECRET,
    resumeGraceMs: integer(env, 'RESUME_GRACE_MS', DEFAULT_RESUME_GRACE_MS, 0, 3_600_000),
    turn: turn(env, secret.TURN_SECRET),
    redisUrl: redisUrl(env, secret.RESUME_SECRET),
    redisKeyPrefix: env.REDIS_KEY_PREFIX || DEFAULT_REDIS_KEY_PREFIX,
    authSecret: secret.AUTH_SECRET,
    authAudience: list(env.AUTH_AUDIENCE),
    authIssuer: list(env.AUTH_ISSUER),
    authMaxTokenTtlSeconds: integer(env, 'AUTH_MAX_TOKEN_TTL', DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS, 60, 31_536_000),
    maxSocketsPerIp: integer(env, 'MAX_SOCKETS_PER_IP', DEFAULT_MAX_SOCKETS_PER_IP, 1, 1_000_000),
    connectionsPerSecondPerIp: integer(env, 'CONNECTIONS_PER_SECOND_PER_IP', DEFAULT_CONNECTIONS_PER_SECOND_PER_IP, 1, 1_000_000),
    apiRequestsPerMinutePerIp: integer(env, 'API_REQUESTS_PER_MINUTE_PER_IP', DEFAULT_API_REQUESTS_PER_MINUTE_PER_IP, 1, 1_000_000),
    shutdownDrainMs: integer(env, 'SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel: logLevel(env.LOG_LEVEL),
    logJson: logFormat(env.LOG_FORMAT, Boolean(process.stdout.isTTY)) === 'json',
    webRoot,
  };
}

/** Whether a secret is set, for logs: never its value. */
const presence = (value: string | undefined) => (value ? 'set' : 'unset');

/**
 * The configuration as the startup line logs it: every setting, secrets only as set or unset,
 * and a Redis URL without its password.
 */
export function effectiveConfig(config: AppConfig): Record<string, unknown> {
  const { resumeSecret, authSecret, turn, redisUrl, janusServers, webRoot: _, ...rest } = config;
  return {
    ...rest,
    // The URLs only: the api_secret is what guards Janus's API.
    janusServers: janusServers.map(({ url, apiSecret }) => ({ url: withoutPassword(url), apiSecret: presence(apiSecret) })),
    resumeSecret: resumeSecret ? 'set' : 'unset: random, tokens do not survive a restart',
    authSecret: presence(authSecret),
    turn: turn ? { urls: turn.urls, ttlSeconds: turn.ttlSeconds, secret: presence(turn.secret) } : 'off',
    redisUrl: redisUrl ? withoutPassword(redisUrl) : 'unset: rooms in memory',
  };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return 'set (not a URL)';
  }
}
