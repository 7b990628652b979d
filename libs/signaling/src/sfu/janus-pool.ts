/**
 * The SFU adapter's front door: several Janus servers, the rooms this Parley instance has on
 * them, and every operation in Parley's terms (room name, peer id, SDP, candidates). Janus
 * sessions, handles, transactions, feed ids and keepalives stay inside.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Logger } from '@nestjs/common';
import Janode from 'janode';
import { JanusServer, type JanusServerLoad } from './janus-server.js';
import { SfuError, SfuErrorKind } from './sfu-errors.js';
import { SfuRoom } from './sfu-room.js';
import type {
  JanusServerConfig,
  JanusServerTimings,
  SfuCandidate,
  SfuEvents,
  SfuFeedRequest,
  SfuLogger,
  SfuPcRole,
  SfuPublisher,
  SfuRoomAssignment,
  SfuStreamSetting,
  SfuSubscriberOffer,
} from './sfu.types.js';

/** Settings of a JanusPool; only `servers` is required. */
export interface JanusPoolOptions extends Partial<JanusServerTimings> {
  /** The Janus servers (JANUS_URLS with JANUS_API_SECRET). */
  servers: JanusServerConfig[];
  /** Where the adapter logs; Nest's Logger('Sfu') by default. */
  logger?: SfuLogger;
  /** How often a lost or unreachable server is tried again (ms). */
  reconnectIntervalMs?: number;
  /** Publishers per room (Janus `publishers`). */
  maxPublishers?: number;
  /** Each publisher's bitrate cap in bit/s, all simulcast layers together (Janus `bitrate`). */
  publisherBitrate?: number;
}

const DEFAULTS = {
  keepaliveIntervalMs: 1000,
  keepaliveTimeoutMs: 2000,
  requestTimeoutMs: 10_000,
  reconnectIntervalMs: 3000,
  maxPublishers: 50,
  publisherBitrate: 1_500_000,
};

/** The parser of JANUS_URLS lives apart, without janode; re-exported for the adapter's users. */
export { parseJanusServers } from './janus-urls.js';

export class JanusPool {
  readonly #options: Required<Omit<JanusPoolOptions, 'servers' | 'logger'>>;
  readonly #logger: SfuLogger;
  readonly #configs: JanusServerConfig[];
  readonly #servers = new Map<string, JanusServer>();
  readonly #connecting = new Set<string>();
  /** Servers whose failure to connect was already logged as a warning (retries log at debug). */
  readonly #unreachable = new Set<string>();
  readonly #rooms = new Map<string, SfuRoom>();
  readonly #ensuring = new Map<string, Promise<SfuRoomAssignment>>();
  readonly #events = new EventEmitter();
  #reconnect?: NodeJS.Timeout;
  #closed = false;

  constructor(options: JanusPoolOptions) {
    const { servers, logger, ...rest } = options;
    if (servers.length === 0) throw new Error('JanusPool needs at least one Janus server');
    this.#configs = servers;
    this.#logger = logger ?? new Logger('Sfu');
    this.#options = { ...DEFAULTS, ...definedOnly(rest) };
    // janode logs to the console on its own; the adapter logs what matters through its logger.
    Janode.Logger.setLevel('none');
  }

  /** Listens to an adapter event (see SfuEvents). */
  on<E extends keyof SfuEvents>(event: E, listener: (payload: SfuEvents[E]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  /** Stops listening. */
  off<E extends keyof SfuEvents>(event: E, listener: (payload: SfuEvents[E]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /** Connects to every server; resolves with how many answered. Others are retried in the background. */
  async start(): Promise<number> {
    await Promise.all(this.#configs.map((config) => this.#connect(config)));
    this.#reconnect = setInterval(() => {
      for (const config of this.#configs) if (!this.#servers.has(config.url)) void this.#connect(config);
    }, this.#options.reconnectIntervalMs);
    this.#reconnect.unref();
    return this.liveServers().length;
  }

  /** The URLs of the servers answering now. */
  liveServers(): string[] {
    return [...this.#servers.values()].filter((server) => server.live).map((server) => server.url);
  }

  /** Whether this instance has `room` on the SFU (ensureRoom succeeded and its server lives). */
  hasRoom(room: string): boolean {
    return this.#rooms.has(room);
  }

  /**
   * Makes sure `room` has a VideoRoom and returns where it is. With `existing` (the assignment
   * stored with the room by whichever instance made it) on a live server, that VideoRoom is used
   * (created again if Janus restarted). Otherwise a new one goes to the least-loaded live server,
   * with a fresh unguessable id, secret and pin: store what this returns.
   */
  ensureRoom(room: string, existing?: SfuRoomAssignment): Promise<SfuRoomAssignment> {
    const local = this.#rooms.get(room);
    if (local && local.server.live && (!existing || sameAssignment(existing, local.assignment))) {
      return Promise.resolve(local.assignment);
    }
    const pending = this.#ensuring.get(room);
    if (pending) return pending;
    const promise = this.#ensure(room, existing).finally(() => this.#ensuring.delete(room));
    this.#ensuring.set(room, promise);
    return promise;
  }

  /** Publishes `peer`'s offer (first time or renegotiation); Janus's answer SDP. */
  async publish(room: string, peer: string, offerSdp: string): Promise<string> {
    return this.#room(room).publish(peer, offerSdp);
  }

  /** Passes a browser's candidate (or its end, `null`) to Janus for one of its connections. */
  async trickle(room: string, peer: string, role: SfuPcRole, candidate: SfuCandidate | null): Promise<void> {
    return this.#room(room).trickle(peer, role, candidate);
  }

  /** Adds feeds of this room's publishers to `peer`'s one subscriber connection; Janus's offer. */
  async subscribe(room: string, peer: string, feeds: SfuFeedRequest[]): Promise<SfuSubscriberOffer | null> {
    return this.#room(room).subscribe(peer, feeds);
  }

  /** Removes feeds from `peer`'s subscriber connection; Janus's new offer. */
  async unsubscribe(room: string, peer: string, feeds: SfuFeedRequest[]): Promise<SfuSubscriberOffer | null> {
    return this.#room(room).unsubscribe(peer, feeds);
  }

  /** Pauses, resumes or picks the simulcast layer of tracks `peer` receives (by subscriber mid). */
  async configureSubscriber(room: string, peer: string, settings: SfuStreamSetting[]): Promise<void> {
    return this.#room(room).configureSubscriber(peer, settings);
  }

  /** Forwards the videos of the peers in `view` (at their layers) to `peer`, and pauses the others. */
  async applyView(room: string, peer: string, view: ReadonlyMap<string, 0 | 1 | 2>): Promise<void> {
    return this.#room(room).applyView(peer, view);
  }

  /** Restarts ICE on `peer`'s subscriber connection; Janus's new offer. */
  async restartIce(room: string, peer: string): Promise<SfuSubscriberOffer> {
    return this.#room(room).restartIce(peer);
  }

  /** The browser's answer to its latest subscriber offer. */
  async answerSubscriber(room: string, peer: string, answerSdp: string): Promise<void> {
    return this.#room(room).answerSubscriber(peer, answerSdp);
  }

  /** Whether `peer` publishes in `room` through this instance (its handle lives). */
  publishes(room: string, peer: string): boolean {
    return this.#rooms.get(room)?.hasPublisher(peer) ?? false;
  }

  /** The room's publishers, as known to this instance. */
  publishers(room: string): SfuPublisher[] {
    return this.#rooms.get(room)?.publishers ?? [];
  }

  /** Drops `peer`'s connections to Janus; never throws (a dead Janus has dropped them anyway). */
  async leave(room: string, peer: string): Promise<void> {
    await this.#rooms.get(room)?.leave(peer);
  }

  /** Leaves every local peer and destroys the VideoRoom (the room ended or went back to mesh). */
  async destroyRoom(room: string): Promise<void> {
    const local = this.#rooms.get(room);
    if (!local) return;
    this.#rooms.delete(room);
    await local.close(true);
  }

  /** Forgets the room here without destroying it on Janus (other instances may still use it). */
  async releaseRoom(room: string): Promise<void> {
    const local = this.#rooms.get(room);
    if (!local) return;
    this.#rooms.delete(room);
    await local.close(false);
  }

  /** Closes every session and connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#reconnect);
    for (const room of this.#rooms.values()) room.abandon();
    this.#rooms.clear();
    await Promise.all([...this.#servers.values()].map((server) => server.close()));
    this.#servers.clear();
  }

  async #ensure(room: string, existing: SfuRoomAssignment | undefined): Promise<SfuRoomAssignment> {
    const stale = this.#rooms.get(room);
    if (stale) {
      this.#rooms.delete(room);
      await stale.close(false);
    }
    const existingServer = existing ? this.#servers.get(existing.server) : undefined;
    let assignment: SfuRoomAssignment;
    let server: JanusServer;
    if (existing && existingServer?.live) {
      server = existingServer;
      assignment = existing;
      await this.#create(server, room, assignment, true);
    } else {
      server = await this.#leastLoaded();
      assignment = {
        server: server.url,
        janusRoom: randomBytes(16).toString('base64url'),
        secret: randomBytes(24).toString('base64url'),
        pin: randomBytes(24).toString('base64url'),
      };
      await this.#create(server, room, assignment, false);
    }
    if (this.#closed || !server.live) throw new SfuError(SfuErrorKind.Unavailable, `Janus at ${server.url} went away`);
    this.#rooms.set(room, new SfuRoom(room, assignment, server, this.#emit, this.#logger));
    return assignment;
  }

  async #create(server: JanusServer, room: string, assignment: SfuRoomAssignment, mayExist: boolean): Promise<void> {
    try {
      await server.request(`create room for ${room}`, () =>
        server.manager.create({
          room: assignment.janusRoom,
          description: `parley:${room}`.slice(0, 100),
          secret: assignment.secret,
          pin: assignment.pin,
          is_private: true,
          permanent: false,
          admin_key: server.config.apiSecret,
          max_publishers: this.#options.maxPublishers,
          // One bitrate cap per publisher; VP8 simulcast (Janus relays the layer each subscriber
          // asks for) with Opus; a keyframe request every 10 s lets late subscribers start.
          bitrate: this.#options.publisherBitrate,
          bitrate_cap: true,
          fir_freq: 10,
          audiocodec: 'opus',
          videocodec: 'vp8',
          notify_joining: false,
          require_pvtid: false,
        }),
      );
    } catch (error) {
      // 427: the VideoRoom exists, made by another instance with the same assignment.
      if (mayExist && error instanceof SfuError && error.janusCode === 427) return;
      throw error;
    }
  }

  async #leastLoaded(): Promise<JanusServer> {
    const live = [...this.#servers.values()].filter((server) => server.live);
    const loads = await Promise.all(
      live.map(async (server) => {
        try {
          return { server, load: await server.load() };
        } catch (error) {
          this.#logger.warn(`no load from Janus at ${server.url}: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        }
      }),
    );
    const ranked = loads
      .filter((entry): entry is { server: JanusServer; load: JanusServerLoad } => entry !== undefined && entry.server.live)
      .sort((a, b) => a.load.participants - b.load.participants || a.load.rooms - b.load.rooms);
    const best = ranked[0];
    if (!best) throw new SfuError(SfuErrorKind.Unavailable, 'no Janus server is answering');
    return best.server;
  }

  async #connect(config: JanusServerConfig): Promise<void> {
    if (this.#closed || this.#connecting.has(config.url)) return;
    this.#connecting.add(config.url);
    const server = new JanusServer(config, this.#options, this.#logger);
    try {
      await server.connect();
      if (this.#closed) {
        await server.close();
        return;
      }
      server.once('lost', () => this.#lost(server));
      this.#servers.set(config.url, server);
      this.#unreachable.delete(config.url);
      this.#logger.log(`Janus at ${config.url} connected`);
      this.#emit('server-up', { server: config.url });
    } catch (error) {
      const message = `Janus at ${config.url} not reachable: ${error instanceof Error ? error.message : String(error)}`;
      if (this.#unreachable.has(config.url)) this.#logger.debug(message);
      else this.#logger.warn(message);
      this.#unreachable.add(config.url);
    } finally {
      this.#connecting.delete(config.url);
    }
  }

  #lost(server: JanusServer): void {
    if (this.#servers.get(server.url) === server) this.#servers.delete(server.url);
    const rooms: string[] = [];
    for (const [name, room] of this.#rooms) {
      if (room.server !== server) continue;
      room.abandon();
      this.#rooms.delete(name);
      rooms.push(name);
    }
    this.#emit('server-lost', { server: server.url, rooms });
  }

  #room(room: string): SfuRoom {
    const local = this.#rooms.get(room);
    if (!local) throw new SfuError(SfuErrorKind.Unavailable, `room ${room} is not on the SFU here (ensureRoom first)`);
    return local;
  }

  // A listener that throws must not break janode's message handling.
  readonly #emit = <E extends keyof SfuEvents>(event: E, payload: SfuEvents[E]): void => {
    for (const listener of this.#events.listeners(event)) {
      try {
        (listener as (payload: SfuEvents[E]) => void)(payload);
      } catch (error) {
        this.#logger.error(`an SFU ${event} listener threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
}

function sameAssignment(a: SfuRoomAssignment, b: SfuRoomAssignment): boolean {
  return a.server === b.server && a.janusRoom === b.janusRoom && a.secret === b.secret && a.pin === b.pin;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
