import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ErrorCode, type RoomMode, type ServerEvents, type SfuOfferPayload } from '@parley/protocol';
import type { SfuAnswerDto, SfuCandidateDto, SfuIceRestartDto, SfuPublishDto, SfuViewDto } from './dto/index.js';
import type { PeerSession } from './peer-session.js';
import { encodeFrame } from './peer-session.js';
import { RoomRelay } from './room-relay.js';
import { ROOM_STORE, type PeerRecord, type RoomMedia, type RoomStore } from './room-store.js';
import type { JanusPool } from './sfu/janus-pool.js';
import { clientSdp, withOpusDtx } from './sfu/sdp.js';
import { SfuError, SfuErrorKind } from './sfu/sfu-errors.js';
import type { SfuEvents, SfuFeedRequest, SfuRoomAssignment, SfuSubscriberOffer } from './sfu/sfu.types.js';
import { SignalingException } from './signaling.exception.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** Injection token of the JanusPool; `null` when no SFU is configured. */
export const JANUS_POOL = Symbol('JANUS_POOL');

/**
 * What a subscriber connection carries (the active tracks of its last offer), and what was asked
 * for and accepted but is not in an offer yet (Janus holds a change until the offer before it is
 * answered, and other offers may come in between): neither is asked for again.
 */
interface Subscription {
  offered: Set<string>;
  requested: Set<string>;
}

type Operation = 'publish' | 'answer' | 'candidate' | 'room' | 'view' | 'ice';

// What a client is told when Janus fails; Janus's own text may name its room ids, so it only goes to the log.
const REFUSED: Record<Operation, string> = {
  publish: 'The media server refused the offer',
  answer: 'The media server refused the answer: answer the last sfu-offer',
  candidate: 'The media server refused the candidate: send sfu-publish, or answer an sfu-offer, first',
  room: 'The media server does not know this room',
  view: 'The media server refused the view',
  ice: 'The media server cannot restart ICE now: answer the last sfu-offer first',
};
const UNAVAILABLE = 'The media server is unavailable: try again in a moment';

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Rooms on the SFU: the switch from mesh when a room outgrows it, and the relay between each
 * browser and its Janus handles (SDP and candidates in, answers, offers and candidates out).
 * RoomService asks it at join, leave and resume; the adapter (sfu/) speaks to Janus. Janus ids,
 * secrets and pins stay in the store and the adapter: no frame built here carries one.
 */
@Injectable()
export class SfuRoomsService implements OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('Sfu');
  /** Each local peer's subscription, as `publisher/mid` keys. */
  readonly #subscribed = new Map<string, Subscription>();
  readonly #syncs = new Map<string, Promise<void>>();
  readonly #syncQueued = new Set<string>();
  readonly #switching = new Map<string, Promise<RoomMedia>>();
  /** Each local peer's last `sfu-view`: whose video it shows, at which layer (absent: everyone's). */
  readonly #views = new Map<string, ReadonlyMap<string, 0 | 1 | 2>>();
  /** Views being applied, and peers whose view changed meanwhile (applied once more, the latest). */
  readonly #viewing = new Map<string, Promise<void>>();
  readonly #viewAgain = new Set<string>();
  /** Local peers that published: one who resumes without a publisher here lost it to a failover. */
  readonly #published = new Set<string>();
  /** Rooms whose media server was lost while no other answered: moved when one comes up. */
  readonly #stranded = new Set<string>();

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    private readonly relay: RoomRelay,
    @Inject(JANUS_POOL) private readonly pool: JanusPool | null,
  ) {}

  async onModuleInit(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    pool.on('candidate', this.#onCandidate);
    pool.on('subscriber-offer', this.#onSubscriberOffer);
    pool.on('publishers', ({ room }) => this.#background(this.#syncRoom(room)));
    pool.on('connection', this.#onConnection);
    pool.on('peer-dropped', this.#onDropped);
    pool.on('server-lost', ({ server, rooms }) => {
      this.#logger.warn(`a Janus server stopped answering; ${rooms.length} room(s) on it move to another (${server})`);
      for (const room of rooms) this.#background(this.#failover(room));
    });
    pool.on('server-up', () => {
      for (const room of this.#stranded) this.#background(this.#failover(room));
    });
    const live = await pool.start();
    if (live === 0) this.#logger.warn('no Janus server answers yet: rooms past the mesh size are refused until one does');
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }

  /** The room's mode as every instance sees it. */
  async modeOf(room: string): Promise<RoomMode> {
    return this.pool ? ((await this.store.roomMedia(room))?.mode ?? 'mesh') : 'mesh';
  }

  /**
   * Admits a new peer: into the mesh while the room fits it, else into the SFU, switching the
   * room first (everyone already there gets `room-mode`). The room's mode, or null when it is full.
   */
  async admit(record: PeerRecord): Promise<RoomMode | null> {
    const { maxPeers, sfu } = this.options;
    if (!sfu || !this.pool) return (await this.store.admit(record, maxPeers)) ? 'mesh' : null;
    const media = await this.store.roomMedia(record.room);
    if (media?.mode !== 'sfu') {
      if (await this.store.admit(record, Math.min(sfu.meshMaxPeers, maxPeers))) {
        // Another instance may have switched the room since we looked.
        return (await this.store.roomMedia(record.room))?.mode ?? 'mesh';
      }
      if (sfu.meshMaxPeers >= maxPeers) return null;
      await this.#switchOnce(record.room);
    }
    return (await this.store.admit(record, maxPeers)) ? 'sfu' : null;
  }

  /**
   * A peer joined (or resumed into) an SFU room here: subscribe it to what is published now. One
   * whose Janus connections this instance does not hold is told to publish and subscribe again
   * (`sfu-restart`): it resumed from another instance (which lets go of them, see `handedOver`)
   * or was rebuilt from its token after a restart, or its room moved to another media server
   * while it was away (the `sfu-restart` went to its old socket).
   */
  async joined(room: string, peer: string, resumed?: 'here' | 'elsewhere'): Promise<void> {
    const media = await this.store.roomMedia(room);
    if (!this.pool || !media?.sfu) return;
    await this.pool.ensureRoom(room, media.sfu);
    const lost = resumed === 'elsewhere' || (resumed === 'here' && this.#published.has(peer));
    if (lost && !this.pool.publishes(room, peer)) {
      this.#subscribed.delete(peer);
      this.#send(peer, 'sfu-restart', {});
      return;
    }
    this.#sync(room, peer);
  }

  /** A peer left its room (or timed out): its Janus handles go, and the VideoRoom with the last one. */
  async left(room: string, peer: string): Promise<void> {
    await this.handedOver(room, peer);
    if (this.pool?.hasRoom(room) && (await this.store.members(room)).length === 0) await this.pool.destroyRoom(room);
  }

  /**
   * A peer resumed on another instance, which holds its Janus connections from now on: the
   * handles here go (its old publisher leaves the others' subscriptions, its new one joins them).
   */
  async handedOver(room: string, peer: string): Promise<void> {
    this.#forget(peer);
    if (this.pool?.hasRoom(room)) await this.pool.leave(room, peer);
  }

  #forget(peer: string): void {
    this.#subscribed.delete(peer);
    this.#published.delete(peer);
    this.#views.delete(peer);
  }

  async publish(session: PeerSession, dto: SfuPublishDto): Promise<void> {
    const { room, peer, pool } = await this.#inSfuRoom(session);
    const sdp = await this.#call('publish', () => pool.publish(room, peer, dto.description.sdp));
    this.#published.add(peer);
    session.send('sfu-answer', { description: { type: 'answer', sdp: withOpusDtx(clientSdp(sdp)) }, ...(dto.ref !== undefined && { ref: dto.ref }) });
    this.#sync(room, peer);
  }

  async answer(session: PeerSession, dto: SfuAnswerDto): Promise<void> {
    const { room, peer, pool } = await this.#inSfuRoom(session);
    await this.#call('answer', () => pool.answerSubscriber(room, peer, dto.description.sdp));
    // The answered offer may carry new videos, which Janus starts sending: pause those off the view.
    this.#applyView(room, peer);
  }

  /** The videos the browser shows: those are forwarded at their layers, the others paused. */
  async view(session: PeerSession, dto: SfuViewDto): Promise<void> {
    const { room, peer } = await this.#inSfuRoom(session);
    const members = new Set((await this.store.members(room)).map((member) => member.peer.id));
    const stranger = dto.peers.find((item) => item.peer === peer || !members.has(item.peer));
    if (stranger) throw new SignalingException(ErrorCode.UnknownPeer, 'sfu-view names someone who is not another person in your room');
    this.#views.set(peer, new Map(dto.peers.map((item) => [item.peer, item.layer])));
    this.#applyView(room, peer);
  }

  /** The browser's subscriber connection failed: Janus offers again with new ICE credentials. */
  async restartIce(session: PeerSession, _dto: SfuIceRestartDto): Promise<void> {
    const { room, peer, pool } = await this.#inSfuRoom(session);
    const offer = await this.#call('ice', () => pool.restartIce(room, peer));
    this.#sendOffer(peer, offer);
  }

  async candidate(session: PeerSession, dto: SfuCandidateDto): Promise<void> {
    const { room, peer, pool } = await this.#inSfuRoom(session);
    const { candidate } = dto;
    const init = candidate && { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex };
    await this.#call('candidate', () => pool.trickle(room, peer, dto.pc, init));
  }

  async #inSfuRoom(session: PeerSession): Promise<{ room: string; peer: string; pool: JanusPool }> {
    const { peerId: peer, room } = session;
    if (!peer || !room) throw new SignalingException(ErrorCode.NotJoined, 'Join a room first');
    const media = this.pool ? await this.store.roomMedia(room) : undefined;
    if (!this.pool || media?.mode !== 'sfu' || !media.sfu) {
      throw new SignalingException(ErrorCode.InvalidMessage, 'This room is not using the media server');
    }
    const pool = this.pool;
    const assignment = media.sfu;
    await this.#call('room', () => pool.ensureRoom(room, assignment));
    return { room, peer, pool };
  }

  /** Runs an adapter call; its failure becomes an error the client may see, its details go to the log. */
  async #call<T>(operation: Operation, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof SfuError)) throw error;
      this.#logger.warn(`${operation}: ${error.message}`);
      if (error.kind === SfuErrorKind.Unavailable) throw new SignalingException(ErrorCode.InvalidMessage, UNAVAILABLE);
      if (error.kind === SfuErrorKind.Full) throw new SignalingException(ErrorCode.RoomFull, 'The media server has no room for another publisher');
      throw new SignalingException(ErrorCode.InvalidMessage, REFUSED[operation]);
    }
  }

  // Concurrent joins past the mesh on this instance switch the room once.
  #switchOnce(room: string): Promise<RoomMedia> {
    const pending = this.#switching.get(room);
    if (pending) return pending;
    const promise = this.#switch(room).finally(() => this.#switching.delete(room));
    this.#switching.set(room, promise);
    return promise;
  }

  async #switch(room: string): Promise<RoomMedia> {
    const pool = this.pool!;
    const meshMax = this.options.sfu!.meshMaxPeers;
    const unavailable = () =>
      new SignalingException(
        ErrorCode.RoomFull,
        `Room ${room} is full for a direct call (${meshMax} people) and the media server is unavailable: try again later`,
      );
    const current = await this.store.roomMedia(room);
    if (current?.mode === 'sfu') return current;
    let assignment: SfuRoomAssignment;
    try {
      // A VideoRoom left here from an earlier life of this room (it emptied elsewhere) is stale.
      if (pool.hasRoom(room)) await pool.releaseRoom(room);
      assignment = await pool.ensureRoom(room);
    } catch (error) {
      this.#logger.warn(`room ${room} cannot move to the SFU: ${message(error)}`);
      throw unavailable();
    }
    const held = await this.store.claimRoomMedia(room, { mode: 'sfu', sfu: assignment });
    if (held.sfu && !sameAssignment(held.sfu, assignment)) {
      // Another instance switched it first: its VideoRoom is the room's.
      const winner = held.sfu;
      await pool.destroyRoom(room);
      await pool.ensureRoom(room, winner).catch((error: unknown) => {
        this.#logger.warn(`room ${room} is on an SFU this instance cannot use: ${message(error)}`);
        throw unavailable();
      });
      return held;
    }
    this.#logger.log(`room ${room} moved to the SFU`);
    await this.relay.broadcast(room, 'room-mode', { mode: 'sfu' });
    return held;
  }

  /**
   * The room's media server was lost: the room gets a VideoRoom on another one, stored so that
   * every instance agrees (the first to move it wins, the others adopt its assignment), and each
   * browser held here is told to publish and subscribe again there (`sfu-restart`).
   */
  async #failover(room: string): Promise<void> {
    const pool = this.pool!;
    const media = await this.store.roomMedia(room);
    if (media?.mode !== 'sfu' || !media.sfu) return;
    let assignment = media.sfu;
    try {
      if (!pool.liveServers().includes(assignment.server)) {
        // ensureRoom with the lost assignment makes a new VideoRoom on a live server.
        const fresh = await pool.ensureRoom(room, assignment);
        const held = await this.store.moveRoomMedia(room, assignment, { mode: 'sfu', sfu: fresh });
        if (!held?.sfu) return void (await pool.destroyRoom(room));
        if (!sameAssignment(held.sfu, fresh)) {
          await pool.destroyRoom(room);
          await pool.ensureRoom(room, held.sfu);
        }
        assignment = held.sfu;
      } else {
        // Another instance moved it first.
        await pool.ensureRoom(room, assignment);
      }
    } catch (error) {
      this.#stranded.add(room);
      this.#logger.warn(`room ${room} has no media server until one answers: ${message(error)}`);
      return;
    }
    this.#stranded.delete(room);
    this.#logger.log(`room ${room} moved to the media server at ${assignment.server}`);
    for (const { peer, instance } of await this.store.members(room)) {
      if (instance !== this.relay.instanceId) continue;
      this.#subscribed.delete(peer.id);
      this.#send(peer.id, 'sfu-restart', {});
    }
  }

  // One view change at a time per peer, the latest last: a flood of sfu-view costs Janus little.
  #applyView(room: string, peer: string): void {
    if (this.#viewing.has(peer)) {
      this.#viewAgain.add(peer);
      return;
    }
    const view = this.#views.get(peer);
    if (!view || !this.pool?.hasRoom(room)) return;
    const applying = this.pool
      .applyView(room, peer, view)
      .catch((error: unknown) => this.#logger.warn(`view of ${peer}: ${message(error)}`))
      .finally(() => {
        this.#viewing.delete(peer);
        if (this.#viewAgain.delete(peer)) this.#applyView(room, peer);
      });
    this.#viewing.set(peer, applying);
  }

  /** Subscribes every online peer held here in `room` to what is published now. */
  async #syncRoom(room: string): Promise<void> {
    for (const { peer, instance } of await this.store.members(room)) {
      if (instance === this.relay.instanceId && peer.connection === 'online') this.#sync(room, peer.id);
    }
  }

  // One subscription change at a time per peer; a sync asked for while one waits is the same sync.
  #sync(room: string, peer: string): void {
    if (this.#syncQueued.has(peer)) return;
    this.#syncQueued.add(peer);
    const previous = this.#syncs.get(peer) ?? Promise.resolve();
    const next = previous.then(() => {
      this.#syncQueued.delete(peer);
      return this.#subscribeToOthers(room, peer);
    });
    const settled = next.catch((error: unknown) => this.#logger.warn(`subscribing ${peer}: ${message(error)}`));
    this.#syncs.set(peer, settled);
    void settled.then(() => {
      if (this.#syncs.get(peer) === settled) this.#syncs.delete(peer);
    });
  }

  async #subscribeToOthers(room: string, peer: string): Promise<void> {
    const pool = this.pool;
    if (!pool?.hasRoom(room) || !this.relay.sessionOf(peer)) return;
    const subscription = this.#subscription(peer);
    const wanted = pool
      .publishers(room)
      .filter((publisher) => publisher.peer !== peer)
      .flatMap((publisher) =>
        publisher.streams.filter((stream) => stream.kind !== 'data').map((stream) => ({ peer: publisher.peer, mid: stream.mid })),
      );
    const keys = new Set(wanted.map((feed) => `${feed.peer}/${feed.mid}`));
    // A request for a track that is gone again will never show in an offer.
    for (const key of subscription.requested) if (!keys.has(key)) subscription.requested.delete(key);
    const missing = wanted.filter(
      (feed) => !subscription.offered.has(`${feed.peer}/${feed.mid}`) && !subscription.requested.has(`${feed.peer}/${feed.mid}`),
    );
    if (missing.length === 0) return;
    let offer: SfuSubscriberOffer | null = null;
    try {
      offer = await pool.subscribe(room, peer, missing);
      this.#taken(peer, missing);
    } catch (error) {
      if (!(error instanceof SfuError) || error.kind === SfuErrorKind.Unavailable) throw error;
      // A publisher whose connection is not up yet cannot be subscribed to: take the others now;
      // its `publishers` or `connection` event brings it later.
      offer = await this.#subscribeEach(room, peer, missing);
    }
    // No offer: Janus holds the change until the browser answers the offer before, then sends
    // it as an update (the adapter's `subscriber-offer`).
    if (offer) this.#sendOffer(peer, offer);
  }

  #subscription(peer: string): Subscription {
    let subscription = this.#subscribed.get(peer);
    if (!subscription) this.#subscribed.set(peer, (subscription = { offered: new Set(), requested: new Set() }));
    return subscription;
  }

  #taken(peer: string, feeds: SfuFeedRequest[]): void {
    const { requested } = this.#subscription(peer);
    for (const feed of feeds) requested.add(`${feed.peer}/${feed.mid}`);
  }

  async #subscribeEach(room: string, peer: string, feeds: SfuFeedRequest[]): Promise<SfuSubscriberOffer | null> {
    const byPublisher = new Map<string, SfuFeedRequest[]>();
    for (const feed of feeds) byPublisher.set(feed.peer, [...(byPublisher.get(feed.peer) ?? []), feed]);
    let offer: SfuSubscriberOffer | null = null;
    for (const [publisher, requests] of byPublisher) {
      try {
        offer = (await this.pool!.subscribe(room, peer, requests)) ?? offer;
        this.#taken(peer, requests);
      } catch (error) {
        if (!(error instanceof SfuError) || error.kind === SfuErrorKind.Unavailable) throw error;
        this.#logger.debug(`${peer} cannot subscribe to ${publisher} yet: ${error.message}`);
      }
    }
    return offer;
  }

  #sendOffer(peer: string, offer: SfuSubscriberOffer): void {
    const subscription = this.#subscription(peer);
    subscription.offered = new Set(offer.streams.filter((s) => s.active).map((s) => `${s.peer}/${s.peerMid}`));
    for (const key of subscription.offered) subscription.requested.delete(key);
    const payload: SfuOfferPayload = {
      description: { type: 'offer', sdp: clientSdp(offer.sdp) },
      streams: offer.streams.flatMap(({ mid, peer: publisher, kind, active }) => (kind === 'data' ? [] : [{ mid, peer: publisher, kind, active }])),
    };
    this.#send(peer, 'sfu-offer', payload);
  }

  #send<E extends keyof ServerEvents>(peer: string, event: E, data: ServerEvents[E]): void {
    this.relay.sessionOf(peer)?.sendFrame(encodeFrame(event, data), event);
  }

  readonly #onCandidate = ({ peer, role, candidate }: SfuEvents['candidate']): void => {
    const init = candidate && { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
    this.#send(peer, 'sfu-candidate', { pc: role, candidate: init });
  };

  readonly #onSubscriberOffer = ({ peer, offer }: SfuEvents['subscriber-offer']): void => this.#sendOffer(peer, offer);

  // A publisher becomes subscribable once its connection is up.
  readonly #onConnection = ({ room, peer, role, state }: SfuEvents['connection']): void => {
    if (role === 'publisher' && state === 'up') this.#background(this.#syncRoom(room));
    else if (state !== 'up') this.#logger.debug(`${peer}'s ${role} connection to Janus is ${state}`);
  };

  readonly #onDropped = ({ room, peer, role, reason }: SfuEvents['peer-dropped']): void => {
    this.#logger.warn(`Janus dropped ${peer}'s ${role} connection (${reason})`);
    if (role !== 'subscriber') return;
    this.#subscribed.delete(peer);
    this.#sync(room, peer);
  };

  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger.warn(message(error)));
  }
}

function sameAssignment(a: SfuRoomAssignment, b: SfuRoomAssignment): boolean {
  return a.server === b.server && a.janusRoom === b.janusRoom && a.secret === b.secret && a.pin === b.pin;
}
