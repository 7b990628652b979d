/**
 * One Janus server as the adapter sees it: one janode connection, one Janus session for all of
 * this instance's handles, a VideoRoom handle for room management, and a liveness probe. It goes
 * `up` once, and `lost` at most once (a new JanusServer replaces it when Janus answers again).
 */
import { EventEmitter } from 'node:events';
import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import { guardedVideoRoom } from './janus-handle.js';
import { SfuError, SfuErrorKind, toSfuError } from './sfu-errors.js';
import { isRecord } from './sfu-input.js';
import type { JanusServerConfig, JanusServerTimings, SfuLogger } from './sfu.types.js';

/** What a server carries, from Janus's own room list (all Parley instances' participants). */
export interface JanusServerLoad {
  participants: number;
  rooms: number;
}

// A frame of Janus's WebSocket API is one JSON object; janode parses it inside a socket listener,
// where a throw would reach the process. Far larger than any SDP Janus sends.
const MAX_FRAME_BYTES = 1024 * 1024;

export class JanusServer extends EventEmitter<{ lost: [reason: string] }> {
  readonly url: string;
  #connection?: JanodeConnection;
  #session?: JanodeSession;
  #manager?: VideoRoomHandle;
  #probe?: NodeJS.Timeout;
  #probing = false;
  #lost = false;
  #closing = false;

  constructor(
    readonly config: JanusServerConfig,
    private readonly timings: JanusServerTimings,
    private readonly logger: SfuLogger,
  ) {
    super();
    this.url = config.url;
  }

  get live(): boolean {
    return this.#session !== undefined && !this.#lost && !this.#closing;
  }

  /** Connects, creates the session and the management handle; rejects with sfu-unavailable. */
  async connect(): Promise<void> {
    try {
      const connection = await withTimeout(
        Janode.connect({
          address: { url: this.url, apisecret: this.config.apiSecret },
          max_retries: 0,
          retry_time_secs: 1,
          ws_options: { maxPayload: MAX_FRAME_BYTES, handshakeTimeout: this.timings.requestTimeoutMs },
        }),
        this.timings.requestTimeoutMs,
      );
      this.#connection = connection;
      this.#guardSocket(connection);
      connection.once(Janode.EVENT.CONNECTION_ERROR, (error: unknown) =>
        this.#lose(`connection error (${error instanceof Error ? error.message : String(error)})`),
      );
      connection.once(Janode.EVENT.CONNECTION_CLOSED, () => this.#lose('connection closed'));
      // janode's own session keepalive only keeps the Janus session from timing out; the probe
      // below decides liveness, much faster.
      const session = await withTimeout(connection.create(25), this.timings.requestTimeoutMs);
      this.#session = session;
      session.once(Janode.EVENT.SESSION_DESTROYED, () => this.#lose('session destroyed'));
      this.#manager = await this.attach();
    } catch (error) {
      this.#closing = true;
      this.#terminate();
      throw toSfuError(error, `connecting to Janus at ${this.url}`);
    }
    this.#probe = setInterval(() => void this.#sendProbe(), this.timings.keepaliveIntervalMs);
    this.#probe.unref();
  }

  /** A new VideoRoom handle in this server's session. */
  async attach(): Promise<VideoRoomHandle> {
    const session = this.#session;
    if (!session || !this.live) throw new SfuError(SfuErrorKind.Unavailable, `Janus at ${this.url} is not connected`);
    const plugin = guardedVideoRoom((what, message) => this.logger.warn(`Janus ${this.url} sent ${what}; ignored: ${preview(message)}`));
    return this.request('attach', () => session.attach(plugin));
  }

  /** Runs one janode request with the request timeout, mapping any failure to an SfuError. */
  async request<T>(what: string, send: () => Promise<T>): Promise<T> {
    if (!this.live) throw new SfuError(SfuErrorKind.Unavailable, `${what}: Janus at ${this.url} is not connected`);
    try {
      return await withTimeout(send(), this.timings.requestTimeoutMs);
    } catch (error) {
      throw toSfuError(error, what);
    }
  }

  /** The management handle (create, destroy, list, listparticipants). */
  get manager(): VideoRoomHandle {
    if (!this.#manager || !this.live) throw new SfuError(SfuErrorKind.Unavailable, `Janus at ${this.url} is not connected`);
    return this.#manager;
  }

  /** Participants and rooms on this Janus, Parley's private rooms included (admin_key). */
  async load(): Promise<JanusServerLoad> {
    const result = await this.request('list rooms', () => this.manager.list({ admin_key: this.config.apiSecret }));
    const list = isRecord(result) && Array.isArray(result.list) ? result.list : [];
    let participants = 0;
    for (const room of list) {
      const count = isRecord(room) ? room.num_participants : undefined;
      if (typeof count === 'number' && Number.isSafeInteger(count) && count >= 0) participants += count;
    }
    return { participants, rooms: list.length };
  }

  /** Closes the session (Janus drops this instance's handles) and the connection. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#probe);
    const session = this.#session;
    if (session && !this.#lost) {
      await withTimeout(session.destroy(), this.timings.keepaliveTimeoutMs).catch(() => undefined);
    }
    this.#terminate();
  }

  async #sendProbe(): Promise<void> {
    const session = this.#session;
    if (this.#probing || !session || !this.live) return;
    this.#probing = true;
    try {
      await withTimeout(session.sendRequest({ janus: 'keepalive' }), this.timings.keepaliveTimeoutMs);
    } catch (error) {
      this.#lose(`keepalive unanswered (${error instanceof Error ? error.message : String(error)})`);
    } finally {
      this.#probing = false;
    }
  }

  #lose(reason: string): void {
    if (this.#lost || this.#closing) return;
    this.#lost = true;
    clearInterval(this.#probe);
    this.logger.warn(`Janus at ${this.url} lost: ${reason}`);
    this.#terminate();
    this.emit('lost', reason);
  }

  // janode closes its WebSocket with a closing handshake, which a frozen Janus never completes;
  // terminate() drops it at once. Reached through janode's internals, hence the care.
  #terminate(): void {
    const ws = socketOf(this.#connection);
    if (ws) ws.terminate();
    else this.#connection?.close().catch(() => undefined);
  }

  // janode JSON.parses every frame inside the socket's message listener and reads fields of the
  // result: a frame that is not a JSON object would throw there, out of reach of any catch. Such
  // a frame is dropped and logged before janode sees it.
  #guardSocket(connection: JanodeConnection): void {
    const ws = socketOf(connection);
    if (!ws) {
      this.logger.warn('janode internals changed: frames from Janus reach janode unchecked');
      return;
    }
    const emit = ws.emit.bind(ws);
    ws.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'message' && !isJsonObjectFrame(args[0], args[1])) {
        this.logger.warn(`Janus at ${this.url} sent a frame that is not a JSON object; dropped: ${preview(String(args[0]))}`);
        return false;
      }
      return emit(event, ...args);
    }) as typeof ws.emit;
  }
}

interface RawSocket {
  emit(event: string | symbol, ...args: unknown[]): boolean;
  terminate(): void;
}

function socketOf(connection: JanodeConnection | undefined): RawSocket | undefined {
  const ws = (connection as unknown as { _transport?: { _ws?: unknown } } | undefined)?._transport?._ws;
  return isRecord(ws) && typeof ws.emit === 'function' && typeof ws.terminate === 'function' ? (ws as unknown as RawSocket) : undefined;
}

function isJsonObjectFrame(data: unknown, isBinary: unknown): boolean {
  if (isBinary === true) return false;
  try {
    return isRecord(JSON.parse(String(data)));
  } catch {
    return false;
  }
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return (text ?? String(value)).slice(0, 300);
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SfuError(SfuErrorKind.Unavailable, `no answer from Janus within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
