import { Server as HttpServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import { ValidationPipe, type INestApplicationContext, type WebSocketAdapter } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { CloseCode, ErrorCode, LIMITS, type FieldError } from '@parley/protocol';
import type { Observable } from 'rxjs';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { PeerSession } from './peer-session.js';
import { tooSlow } from './backpressure.js';
import { compileTrust } from './client-address.js';
import { ConnectionLimiter, HEADERS_TIMEOUT_MS } from './connection-limiter.js';
import { Deadlines } from './deadlines.js';
import { dataProblem, frameTextProblem } from './frame-budget.js';
import { RateLimiter } from './rate-limiter.js';
import { resolveSignalingOptions, SIGNALING_GATEWAY, SIGNALING_OPTIONS } from './signaling.constants.js';
import { answerFailure, refuseFrame as refuse, sendError } from './signaling-exception.filter.js';
import { SignalingGateway, type HotHandler, type HotHandlers } from './signaling.gateway.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';
import { SignalingDrain } from './signaling-drain.js';
import { SignalingLog } from './signaling-log.js';

type Transform = (data: unknown) => Observable<unknown>;
/** Nest's handler of one event, bound to one socket: pipes, guards, filters and the gateway's method. */
type NestCallback = MessageMappingProperties['callback'];
type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
/** Any Nest WebSocket adapter a host already uses (socket.io's `IoAdapter`, its own). */
type HostAdapter = WebSocketAdapter & { dispose?(): unknown; forceCloseConnections?: boolean };

/**
 * Nest's `WsAdapter`, shaped for Parley's gateway: the configured path, a 64 KiB frame limit,
 * the origin check, per-socket rate limits, and an `error` reply (instead of silence) for
 * frames that are not JSON or name no known event. Messages from one socket are handled
 * strictly in order, so an async `join` finishes before that socket's next signal.
 *
 * The hot messages (`signal`) skip Nest's per-message machinery when their payload passes the
 * gateway's fast check: the gateway's handler is called directly, synchronously when it can
 * answer at once. See `SignalingGateway.hot`.
 *
 * Nest takes one WebSocket adapter per app. A host whose gateways run on another one (socket.io's
 * `IoAdapter`) passes it as `host`: every gateway but Parley's is then created, bound and closed
 * by it, as if Parley were not there.
 */
export class SignalingAdapter extends WsAdapter {
  readonly #app?: INestApplicationContext;
  readonly #host?: HostAdapter;
  /** What the host's adapter made (servers, namespaces) and its clients: every call about them goes to it. */
  readonly #hostServers = new WeakSet<object>();
  readonly #hostClients = new WeakSet<object>();
  readonly #rateLimitLogged = new WeakSet<WebSocket>();
  readonly #upgradeListeners: (() => void)[] = [];
  /** Closes a connection whose request headers are still arriving HEADERS_TIMEOUT_MS after it opened. */
  readonly #halfOpen = new Deadlines<Socket>(HEADERS_TIMEOUT_MS, (socket) => {
    if ((socket as PendingSocket)[HEADERS_PENDING]) socket.destroy();
  });
  /**
   * Its request headers have arrived, or it closed first: the connection no longer counts as
   * half-open. One function for every socket (`this`), as its 'close' listener too.
   */
  readonly #headersDone = headersDone(this.#halfOpen);
  #hot?: HotHandlers | null;
  #handlerNames: string[] = [];
  #handlerIndex = new Map<string, number>();

  constructor(app: INestApplicationContext, host?: WebSocketAdapter) {
    super(app);
    this.#app = app;
    this.#host = host;
  }

  override set forceCloseConnections(value: boolean) {
    super.forceCloseConnections = value;
    if (this.#host) this.#host.forceCloseConnections = value;
  }

  override get forceCloseConnections(): boolean {
    return super.forceCloseConnections;
  }

  override create(port: number, options: Record<string, unknown> = {}) {
    if (options[SIGNALING_GATEWAY]) return this.#createSignaling(port, options);
    if (!this.#host) return super.create(port, options);
    const server = this.#host.create(port, options);
    this.#hostServers.add(server);
    return server;
  }

  override bindClientConnect(server: unknown, callback: (...args: unknown[]) => void): void {
    if (!this.#hostServers.has(server as object)) return super.bindClientConnect(server, callback);
    this.#host!.bindClientConnect(server, (client: object, ...rest: unknown[]) => {
      this.#hostClients.add(client);
      callback(client, ...rest);
    });
  }

  override bindClientDisconnect(client: WebSocket, callback: (...args: unknown[]) => void): void {
    if (this.#hostClients.has(client)) return void this.#host!.bindClientDisconnect?.(client, callback);
    // As WsAdapter's `once`, whose wrapper each socket would keep till it closes: 'close' comes once.
    client.on('close', callback);
  }

  override async close(server: unknown): Promise<void> {
    if (!this.#hostServers.has(server as object)) return super.close(server);
    await this.#host!.close(server);
  }

  #createSignaling(port: number, options: Record<string, unknown>) {
    const { [SIGNALING_GATEWAY]: _, ...rest } = options;
    const signaling = this.#options();
    const drain = this.#optional(SignalingDrain);
    const log = this.#optional(SignalingLog);
    const connections = new ConnectionLimiter(signaling.maxSocketsPerIp, signaling.connectionsPerSecondPerIp, compileTrust(signaling.trustProxy));
    if (this.httpServer instanceof HttpServer) this.#countHalfOpen(this.httpServer, connections);
    const capsLogged = new Map<string, number>();
    const server = this.#createServer(port, {
      ...rest,
      path: signaling.path,
      maxPayload: LIMITS.maxFrameBytes,
      // Checked before the upgrade, so a refused client costs no WebSocket.
      verifyClient: (info: { origin?: string; req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) => {
        const ip = connections.ipOf(info.req);
        // The load balancer is taking this instance out: the client's next try lands elsewhere.
        if (drain?.draining) {
          log?.refused('upgrade', { reason: 'draining', ip });
          return done(false, 503, 'Shutting down');
        }
        if (!originAllowed(info.origin, info.req, signaling.allowedOrigins)) {
          signaling.metrics.upgradeRefused?.('origin');
          log?.refused('upgrade', { reason: 'origin', ip, origin: String(info.origin).slice(0, 200) });
          return done(false, 403, 'Origin not allowed');
        }
        if (!connections.admits(info.req)) {
          signaling.metrics.upgradeRefused?.('caps');
          // One line a minute per address: a flood of refusals must not become a flood of logs.
          const now = Date.now();
          if (now - (capsLogged.get(ip) ?? 0) > 60_000) {
            if (capsLogged.size > 10_000) capsLogged.clear();
            capsLogged.set(ip, now);
            log?.refused('upgrade', { reason: 'caps', ip });
          }
          return done(false, 429, 'Too many connections');
        }
        done(true);
      },
    });
    server.on('connection', (socket: WebSocket, request: IncomingMessage) => connections.opened(socket, request));
    return server;
  }

  /**
   * As WsAdapter.create, but on the `ws` this library depends on rather than the copy that
   * @nestjs/platform-ws pins (8.22): from 8.23 a ping is one buffer, written with one `write`
   * instead of a `writev` with an empty second buffer, and an idle socket no longer pins the
   * 64 KiB read buffer its last frame's mask pointed into. Pings are most of an idle server's
   * work (one per socket every `heartbeatMs`).
   */
  #createServer(port: number, options: Record<string, unknown>): WebSocketServer {
    const { path, ...wsOptions } = options as { path: string } & Record<string, unknown>;
    // Any other shape (an own port, a given server) is WsAdapter's.
    if (port !== 0 || !this.httpServer || wsOptions.server || wsOptions.namespace) return super.create(port, options) as WebSocketServer;
    this.ensureHttpServerExists(port, this.httpServer);
    const server = this.bindErrorHandler(new WebSocketServer({ noServer: true, ...wsOptions }));
    this.addWsServerToRegistry(server, port, path);
    return server;
  }

  /**
   * A connection counts against its address's cap until its request headers have all arrived,
   * and is closed (408) when they take longer than HEADERS_TIMEOUT_MS: a half-sent upgrade
   * otherwise held a socket for 95 s, uncounted.
   */
  #countHalfOpen(server: HttpServer, connections: ConnectionLimiter): void {
    server.headersTimeout = Math.min(server.headersTimeout || Infinity, HEADERS_TIMEOUT_MS);
    // Read when the server starts listening, which comes after the gateway is set up.
    // (A documented createServer option, missing from @types/node's Server.)
    const checked = server as HttpServer & { connectionsCheckingInterval?: number };
    checked.connectionsCheckingInterval = Math.min(checked.connectionsCheckingInterval || Infinity, 1_000);
    // Over TLS, requests arrive on the TLS socket, not on the TCP one under it.
    const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
    // Node checks its headersTimeout only every connectionsCheckingInterval, and only if it had
    // that value when the server started listening: the first request also has its own deadline
    // (one timer for all connections, not one each), and whichever comes first closes the socket
    // (Node's with a 408).
    const headersDone = this.#headersDone;
    const onConnection = (socket: Socket) => {
      const release = connections.connecting(socket.remoteAddress);
      if (!release) return void socket.destroy();
      (socket as PendingSocket)[HEADERS_PENDING] = release;
      this.#halfOpen.add(socket);
      // `on`, not `once`: the listener stays for the connection's life, and `once`'s wrapper with it.
      socket.on('close', headersDone);
    };
    const onRequest = (request: IncomingMessage) => headersDone.call(request.socket);
    server.on(event, onConnection);
    server.on('request', onRequest);
    this.#upgradeListeners.push(() => {
      server.off(event, onConnection);
      server.off('request', onRequest);
      this.#halfOpen.clear();
    });
  }

  /**
   * A socket's 'error' is a client's fault (a bad frame, a reset) and ws closes the socket
   * itself: worth a debug line, not an error with a stack that any client can make us write.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    // One listener for every socket, not a closure each.
    const onError = (error: Error) => this.logger.debug(`Socket closed: ${error.message}`);
    server.on('connection', (socket: WebSocket) => socket.on('error', onError));
    server.on('error', (error: Error) => this.logger.error(error));
    return server;
  }

  /**
   * WsAdapter destroys every upgrade whose path no gateway owns, which breaks a host app's own
   * WebSocket server on the same HTTP server. Here an upgrade for another path is left to the
   * other 'upgrade' listeners, and destroyed only when there are none.
   */
  protected override ensureHttpServerExists(port: number, httpServer?: Server) {
    const server = super.ensureHttpServerExists(port, httpServer);
    const destroying = server?.listeners('upgrade').at(-1) as UpgradeListener | undefined;
    if (!server || !destroying) return server;
    server.off('upgrade', destroying);
    // Anything thrown here is thrown from the HTTP parser's callback, past every handler, and
    // ends the process: one anonymous request must never do that.
    const polite: UpgradeListener = (request, socket, head) => {
      // Node takes its own 'error' listener off an upgrading socket; a reset now would be an
      // unhandled 'error' event.
      socket.on('error', ignoreSocketError);
      this.#headersDone.call(socket);
      try {
        const servers: (WebSocketServer & { path?: string })[] = this.wsServersRegistry.get(port) ?? [];
        const pathname = pathOf(request.url, servers);
        const ours = pathname === undefined ? undefined : servers.find((ws) => ws.path === pathname);
        // As WsAdapter's listener does, without parsing the URL a second time.
        if (ours) ours.handleUpgrade(request, socket, head, (ws) => ours.emit('connection', ws, request));
        else if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, pathname === undefined ? 400 : 404);
      } catch (error) {
        this.logger.error(error);
        socket.destroy();
      }
    };
    server.on('upgrade', polite);
    this.#upgradeListeners.push(() => server.off('upgrade', polite));
    return server;
  }

  override async dispose(): Promise<void> {
    await super.dispose();
    for (const off of this.#upgradeListeners.splice(0)) off();
    await this.#host?.dispose?.();
  }

  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: Transform): void {
    if (this.#hostClients.has(client)) return this.#host!.bindMessageHandlers(client, handlers, transform);
    const byEvent = this.#eventIndex(handlers);
    // Only the bound callbacks are kept: Nest's objects around them, twenty a socket, are left to
    // die young instead of being copied by every young-generation collection and then kept.
    const callbacks = handlers.map((handler) => handler.callback);
    const limiter = RateLimiter.of(client);
    const hot = this.#hotHandlers();
    // While a message's handling is pending (an async join, a store lookup), the socket's next
    // messages wait behind it; when nothing is pending, a message is handled at once.
    let pending: Promise<void> | undefined;
    const handle = (raw: unknown) => {
      // What waited behind a pending message is dropped once the socket has closed.
      if (client.readyState === client.CLOSED) return;
      const result = this.#safeDispatch(client, raw, callbacks, byEvent, limiter, transform, hot);
      if (!result) return;
      const settled: Promise<void> = result.then(() => {
        if (pending === settled) pending = undefined;
      });
      pending = settled;
    };
    client.on('message', (data: RawData, isBinary: boolean) => {
      // Text frames as strings, as Nest's adapter gives them; a binary frame is refused as not JSON.
      const raw = isBinary ? data : data.toString();
      if (pending) pending = pending.then(() => handle(raw));
      else handle(raw);
    });
  }

  /**
   * Each event's place in a socket's handler list. Nest hands every socket the same handlers in
   * the same order (bound to that socket), so the index is made once, not a Map per socket.
   */
  #eventIndex(handlers: MessageMappingProperties[]): ReadonlyMap<string, number> {
    const names = this.#handlerNames;
    let same = names.length === handlers.length;
    for (let i = 0; same && i < names.length; i++) same = handlers[i].message === names[i];
    if (same) return this.#handlerIndex;
    this.#handlerNames = handlers.map((handler) => handler.message as string);
    return (this.#handlerIndex = new Map(this.#handlerNames.map((name, i) => [name, i])));
  }

  /**
   * The gateway's handlers for hot messages, used only when no global guard, interceptor or
   * pipe (other than a ValidationPipe, which accepts what the DTO accepts) would have seen them.
   */
  #hotHandlers(): HotHandlers | undefined {
    if (this.#hot !== undefined) return this.#hot ?? undefined;
    const config = (this.#app as { config?: ApplicationConfig } | undefined)?.config;
    const enhanced =
      !!config &&
      (config.getGlobalGuards().length > 0 ||
        config.getGlobalRequestGuards().length > 0 ||
        config.getGlobalInterceptors().length > 0 ||
        config.getGlobalRequestInterceptors().length > 0 ||
        config.getGlobalRequestPipes().length > 0 ||
        config.getGlobalPipes().some((pipe) => !(pipe instanceof ValidationPipe)));
    this.#hot = (!enhanced && this.#optional(SignalingGateway)?.hot) || null;
    return this.#hot ?? undefined;
  }

  // Whatever a frame does, it must not reach the process, nor stop the socket's later frames.
  #safeDispatch(...args: Parameters<SignalingAdapter['dispatch']>): Promise<void> | undefined {
    try {
      return this.dispatch(...args)?.catch(() => undefined);
    } catch (error) {
      this.logger.error(error);
      sendError(args[0], error, undefined);
      return undefined;
    }
  }

  /** Handles one frame; a promise when its handling goes on after this returns. */
  private dispatch(
    client: WebSocket,
    raw: unknown,
    callbacks: NestCallback[],
    byEvent: ReadonlyMap<string, number>,
    limiter: RateLimiter,
    transform: Transform,
    hot: HotHandlers | undefined,
  ): Promise<void> | undefined {
    const tooBig = typeof raw === 'string' ? frameTextProblem(raw) : undefined;
    const frame = tooBig ? undefined : parseFrame(raw);
    const event = typeof frame?.event === 'string' ? frame.event : undefined;
    PeerSession.of(client).metrics.received(event !== undefined && byEvent.has(event) ? event : 'invalid');
    const decision = limiter.check(event ?? '');
    if (decision === 'abuse') {
      this.#rateLimited(client, 'abuse');
      client.close(CloseCode.PolicyViolation, 'Too many messages');
      return undefined;
    }
    if (decision === 'reject') {
      this.#rateLimited(client, 'messages');
      return refuseFrame(client, frame?.data, event, ErrorCode.RateLimited, 'Too many messages: slow down');
    }
    if (tooBig) return refuseFrame(client, frame?.data, event, ErrorCode.InvalidMessage, `Invalid message: ${tooBig}`);
    if (!frame)
      return refuseFrame(client, undefined, event, ErrorCode.InvalidMessage, 'A frame must be a JSON text frame: {"event": "...", "data": {...}}');
    if (event === undefined) return refuseFrame(client, frame?.data, event, ErrorCode.InvalidMessage, 'A frame needs a string "event"');
    const index = byEvent.get(event);
    const callback = index === undefined ? undefined : callbacks[index];
    if (!callback) return refuseFrame(client, frame?.data, event, ErrorCode.UnknownEvent, `Unknown event "${event.slice(0, 64)}"`);
    const data = frame.data === undefined ? {} : frame.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      return refuseFrame(client, frame?.data, event, ErrorCode.InvalidMessage, '"data" must be an object');
    const overBudget = dataProblem(data);
    if (overBudget) {
      // Named like the validation pipe names fields: without the leading "data.".
      const field = overBudget.field.replace(/^data\.?/, '') || 'data';
      return refuseFrame(client, frame?.data, event, ErrorCode.InvalidMessage, `Invalid message: check ${field}`, [
        { field, problems: [overBudget.problem] },
      ]);
    }
    const fast = hot?.get(event);
    const payload = fast?.check(data as Record<string, unknown>);
    // What the fast check refuses goes through the pipe, which refuses it in its own words.
    if (fast && payload !== undefined) return this.#handleHot(client, fast, payload, data, event);
    return this.#handleThroughNest(client, callback, data, event, transform);
  }

  /** As Nest would run the gateway's method, and as its exception filter answers a failure. */
  #handleHot(client: WebSocket, fast: HotHandler, payload: unknown, data: object, event: string): Promise<void> | undefined {
    try {
      return fast.handle(PeerSession.of(client), payload)?.catch((error: unknown) => answerFailure(client, error, data, event));
    } catch (error) {
      answerFailure(client, error, data, event);
      return undefined;
    }
  }

  /** Nest's handler (pipes, filters, the gateway method); its replies are sent as they come. */
  #handleThroughNest(client: WebSocket, callback: NestCallback, data: object, event: string, transform: Transform): Promise<void> {
    return new Promise((resolve) => {
      transform(callback(data, event)).subscribe({
        next: (reply) => {
          if (reply !== undefined && reply !== null && client.readyState === client.OPEN && !tooSlow(client)) client.send(JSON.stringify(reply));
        },
        error: () => resolve(),
        complete: () => resolve(),
      });
    });
  }

  /** One line per socket that hit the message limits, and one when it is cut off. */
  #rateLimited(client: WebSocket, reason: 'messages' | 'abuse'): void {
    if (reason === 'messages' && this.#rateLimitLogged.has(client)) return;
    this.#rateLimitLogged.add(client);
    const session = PeerSession.of(client);
    this.#optional(SignalingLog)?.rateLimited({ reason, room: session.room, peer: session.peerId, ip: session.address });
  }

  #optional<T>(token: abstract new (...args: never[]) => T): T | undefined {
    try {
      return this.#app!.get(token as never, { strict: false }) as T;
    } catch {
      return undefined;
    }
  }

  #options(): ResolvedSignalingOptions {
    try {
      return this.#app!.get<ResolvedSignalingOptions>(SIGNALING_OPTIONS, { strict: false });
    } catch {
      return resolveSignalingOptions();
    }
  }
}

/** The request's path; a URL that is one of the servers' paths as it stands (the usual case) is not parsed. */
function pathOf(url = '/', servers: { path?: string }[] = []): string | undefined {
  for (const { path } of servers) {
    if (path && url.startsWith(path) && (url.length === path.length || url[path.length] === '?')) return path;
  }
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

function ignoreSocketError(): void {}

/** On a connection whose request headers are still arriving: ends its count against its address's cap. */
const HEADERS_PENDING = Symbol('parley.headersPending');
type PendingSocket = object & { [HEADERS_PENDING]?: () => void };

/** The listener that ends a connection's half-open state: its count, and its deadline in `deadlines`. */
function headersDone(deadlines: Deadlines<Socket>): (this: object) => void {
  return function (this: object): void {
    const socket = this as PendingSocket;
    const release = socket[HEADERS_PENDING];
    if (!release) return;
    socket[HEADERS_PENDING] = undefined;
    deadlines.delete(this as Socket);
    release();
  };
}

function refuseUpgrade(socket: Duplex, status: 400 | 404): void {
  const reason = status === 400 ? 'Bad Request' : 'Not Found';
  // Destroyed once written: the server's sockets allow half-open, and this one is done.
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/** Answers a frame refused before any handler; undefined: nothing of it is pending. */
function refuseFrame(
  client: WebSocket,
  data: unknown,
  event: string | undefined,
  code: ErrorCode,
  message: string,
  details?: FieldError[],
): undefined {
  refuse(client, code, message, data, event, details);
  return undefined;
}

function parseFrame(raw: unknown): { event?: unknown; data?: unknown } | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const frame: unknown = JSON.parse(raw);
    return frame !== null && typeof frame === 'object' && !Array.isArray(frame) ? frame : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Browsers always send `Origin`; other clients (tests, native apps) do not, and are let through.
 * The page's own origin is allowed, and so are the configured ones.
 */
export function originAllowed(origin: string | undefined, request: IncomingMessage, allowed: string[]): boolean {
  if (!origin || allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}
