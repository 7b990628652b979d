import type { IncomingMessage } from 'node:http';
import type { IceServer } from '@parley/protocol';
import type { TrustProxy } from './client-address.js';
import type { MessageBus } from './message-bus.js';
import type { RoomStore } from './room-store.js';
import type { SignalingMetrics } from './signaling-metrics.interface.js';
import type { JanusServerConfig } from './sfu/sfu.types.js';

/** What an `authorize` hook is given for each `join`. */
export interface AuthorizeContext {
  /** The HTTP upgrade request that opened the socket (headers, cookies, remote address). */
  request: IncomingMessage;
  /** The room the client asks to join. */
  room: string;
  /** The `token` field of the `join`, if any. */
  token?: string;
}

/** Who a client is, as an `authorize` hook decided. */
export interface SignalingIdentity {
  /** A stable identity from the host app (a user id), kept on the peer record. */
  subject?: string;
  /** Overrides the display name the client asked for. */
  name?: string;
  /** `host`: a host of the room from the start, who walks into a locked room. */
  role?: 'host';
}

/** A coturn server with `use-auth-secret`, for which every peer gets short-lived credentials. */
export interface TurnOptions {
  /** TURN URLs, e.g. `turn:turn.example.com:3478?transport=udp`. */
  urls: string[];
  /** coturn's `static-auth-secret`; it never leaves the server. */
  secret: string;
  /** Lifetime of a credential. Default 3600 s. */
  ttlSeconds?: number;
}

/** Redis, to share rooms between instances. */
export interface RedisOptions {
  /** e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Prefix of every key and channel, so several deployments can share one Redis. Default `parley:`. */
  keyPrefix?: string;
}

/** Janus servers for rooms that outgrow the mesh. */
export interface SfuOptions {
  /** The Janus WebSocket API URLs and their api_secret (JANUS_URLS, JANUS_API_SECRET); at least one. */
  servers: JanusServerConfig[];
  /** A join that would grow a room past this moves it to the SFU. Default 4. */
  meshMaxPeers?: number;
}

/** Options of `SignalingModule.forRoot()` and `forRootAsync()`. */
export interface SignalingModuleOptions {
  /** WebSocket path of the gateway. Default `/ws`. */
  path?: string;
  /** Most peers in one room; the next joiner gets `room-full`. Default 6, or 50 with `sfu`. */
  maxPeers?: number;
  /** ICE servers handed to every peer in `joined`. Default none. */
  iceServers?: IceServer[];
  /** A coturn server to hand out credentials for. Default none. */
  turn?: TurnOptions;
  /** Sockets one client IP may hold open at once; more are refused with 429. Default 50. */
  maxSocketsPerIp?: number;
  /** New sockets per second one client IP may open (bursts of twice that). Default 20. */
  connectionsPerSecondPerIp?: number;
  /**
   * Joins one client IP may make to rooms it has not joined in the last hour (probing): bursts of
   * `burst`, refilled at `perMinute`; more get `rate-limited`. Rejoins and resumes are free.
   * Default 20 and 20.
   */
  newRoomJoinsPerIp?: { burst: number; perMinute: number };
  /**
   * Which reverse proxies may name the client in `X-Forwarded-For`: a number of hops (`true` is
   * one), or their addresses, CIDRs or `loopback`/`linklocal`/`uniquelocal`. Default false: none.
   */
  trustProxy?: TrustProxy;
  /** Share rooms with other instances through Redis. Default: rooms in this process. */
  redis?: RedisOptions;
  /** Your own room store (see `RoomStore`); it replaces the memory or Redis one. Default: built from `redis`. */
  roomStore?: RoomStore;
  /** Your own bus between instances (see `MessageBus`); it replaces the local or Redis one. Default: built from `redis`. */
  messageBus?: MessageBus;
  /** Move rooms past `meshMaxPeers` to Janus. Default none: rooms stay mesh. */
  sfu?: SfuOptions;
  /** Hooks to count traffic, e.g. for Prometheus. Default none. */
  metrics?: SignalingMetrics;
  /** Origins allowed to open the socket, besides the page's own; `*` allows any. Default none. */
  allowedOrigins?: string[];
  /** Key that signs resume tokens; set the same value on every instance to resume across restarts. Default random. */
  resumeSecret?: string;
  /** How long a peer whose socket dropped stays in its room as `reconnecting`. Default 20 000 ms. */
  resumeGraceMs?: number;
  /** How often a peer in a call gets a new resume token (`resume-token`); a token lives about the grace window plus two of these and a minute. Default 30 000 ms. */
  resumeRotateMs?: number;
  /** Interval of protocol-level pings; a socket silent for two intervals is dropped. Default 5 000 ms. */
  heartbeatMs?: number;
  /** A socket that has not joined within this time is closed. Default 10 000 ms. */
  joinTimeoutMs?: number;
  /** How long someone may wait to be let into a locked room before they are turned away (`denied`, `timeout`). Default 300 000 ms. */
  waitingTimeoutMs?: number;
  /** Decides who may join a room: return an identity, or throw to answer `unauthorized`. */
  authorize?: (context: AuthorizeContext) => SignalingIdentity | Promise<SignalingIdentity>;
}

/** The options with every default applied, as the module's providers see them. */
export type ResolvedSignalingOptions = Required<Omit<SignalingModuleOptions, 'authorize' | 'turn' | 'redis' | 'sfu' | 'roomStore' | 'messageBus'>> & {
  authorize?: SignalingModuleOptions['authorize'];
  sfu?: Required<SfuOptions>;
  roomStore?: RoomStore;
  messageBus?: MessageBus;
  turn?: Required<TurnOptions>;
  redis?: Required<RedisOptions>;
};
