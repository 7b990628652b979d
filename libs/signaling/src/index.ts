/** The Nest module: `SignalingModule.forRoot(options)` or `forRootAsync({...})`. */
export { SignalingModule } from './signaling.module.js';
/** Token of the raw options given to `forRoot`/`forRootAsync`. */
export { SIGNALING_MODULE_OPTIONS } from './signaling.module-definition.js';
/** Token of the options with defaults applied, and the defaults themselves. */
export {
  SIGNALING_OPTIONS,
  DEFAULT_CONNECTIONS_PER_SECOND_PER_IP,
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_MAX_PEERS,
  DEFAULT_MESH_MAX_PEERS,
  DEFAULT_SFU_MAX_PEERS,
  DEFAULT_MAX_SOCKETS_PER_IP,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_RESUME_GRACE_MS,
  DEFAULT_ROOM_TOKEN_MAX_TTL_SECONDS,
  DEFAULT_RESUME_ROTATE_MS,
  DEFAULT_NEW_ROOM_JOINS_PER_IP,
  DEFAULT_SIGNALING_PATH,
  DEFAULT_TURN_TTL_SECONDS,
  resolveSignalingOptions,
} from './signaling.constants.js';
/** Injects the resolved signaling options. */
export { InjectSignalingOptions } from './signaling.decorators.js';
/** The WebSocket adapter the host app must use: `app.useWebSocketAdapter(new SignalingAdapter(app))`. */
export { SignalingAdapter } from './signaling.adapter.js';
/** The gateway, exported for hosts that need to reference it (a ThrottlerGuard's `skipIf`, tests). */
export { SignalingGateway } from './signaling.gateway.js';
/** Every room rule; inject it to inspect rooms. */
export { RoomService } from './room.service.js';
/** The drain before shutdown: `start()` it on SIGTERM, wait, then close the app (see the README). */
export { SignalingDrain } from './signaling-drain.js';
/** A readiness check for `@nestjs/terminus` (down while draining or when Redis does not answer), and its result. */
export { SignalingHealthIndicator, type SignalingHealth } from './signaling-health.indicator.js';
/** A failure sent to the client as the protocol's `error` event. */
export { SignalingException } from './signaling.exception.js';
/** Options, the authorize hook's context and the identity it returns. */
export type {
  AuthorizeContext,
  ResolvedSignalingOptions,
  SignalingIdentity,
  RedisOptions,
  SfuOptions,
  SignalingModuleOptions,
  TurnOptions,
} from './signaling-options.interface.js';
/** Which reverse proxies may name the client in `X-Forwarded-For` (the `trustProxy` option). */
/** Which proxies may name the client, and the client's address through them (the gateway's rule). */
export { clientAddress, compileTrust, type ProxyTrust, type TrustProxy } from './client-address.js';
/** Hooks for counting traffic. */
export type { RefusedUpgrade, ResumeResult, SignalingMetrics } from './signaling-metrics.interface.js';
/** Token of the Redis connections (`null` without Redis), and their type, e.g. for a readiness check. */
export { SIGNALING_REDIS } from './signaling.providers.js';
export type { RedisConnections } from './redis-connections.js';
/** Where rooms live, and how instances talk: bring your own with the `roomStore` and `messageBus` options. */
export { ROOM_STORE, type PeerRecord, type RoomMedia, type RoomStore } from './room-store.js';
export { MESSAGE_BUS, LocalMessageBus, type BusMessage, type MessageBus } from './message-bus.js';
/** The stores and the bus the module builds by default, for a host that wraps or configures its own. */
export { MemoryRoomStore } from './memory-room-store.js';
export { RedisRoomStore } from './redis-room-store.js';
export { RedisMessageBus } from './redis-message-bus.js';
/** An `authorize` hook for HS256 room tokens (what AUTH_SECRET turns on), its options and the claims. */
export { jwtAuthorizer, type JwtAuthorizerOptions, type RoomTokenClaims } from './jwt-authorizer.js';
/** coturn REST-API credentials for one peer, and the ICE servers (with credentials) a peer gets. */
export { IceServers, turnCredential } from './turn-credentials.js';
/** SFU rooms: the mesh-to-SFU switch and the SDP/candidate relay to Janus; its JanusPool's token (`null` without `sfu`). */
export { SfuRoomsService, JANUS_POOL } from './sfu-rooms.service.js';
/** One Janus server (URL and api_secret), and where a room lives on the SFU (never shown to clients). */
export type { JanusServerConfig, SfuRoomAssignment } from './sfu/sfu.types.js';
/**
 * The parser of JANUS_URLS, and the Janus adapter: janode is an optional dependency, so the
 * adapter is loaded on demand (`new (await loadJanusPool())(options)`); its type is here.
 */
export { parseJanusServers } from './sfu/janus-urls.js';
export { loadJanusPool, JANODE_MISSING, type JanusPoolClass } from './sfu-loader.js';
export type { JanusPool, JanusPoolOptions } from './sfu/janus-pool.js';
