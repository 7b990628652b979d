import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  CloseCode,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type JoinedPayload,
  type Peer,
  type PeerLeftReason,
  type RoomLimits,
  type RoomMode,
} from '@parley/protocol';
import { cleanText } from './dto/clean-text.js';
import type { ChatDto, JoinDto, LeaveDto, MediaDto, SignalDto } from './dto/index.js';
import { InstanceRegistry } from './instance-registry.js';
import { JoinLimiter } from './join-limiter.js';
import { Liveness } from './liveness.js';
import { encodeFrame, type PeerSession } from './peer-session.js';
import { resumeRefused, ResumeTokens, type ResumeClaims } from './resume-tokens.js';
import { randomId } from './random-id.js';
import { RoomRelay } from './room-relay.js';
import { ROOM_STORE, type PeerRecord, type RoomStore } from './room-store.js';
import { SfuRoomsService } from './sfu-rooms.service.js';
import { SignalingDrain } from './signaling-drain.js';
import { SignalingLog } from './signaling-log.js';
import type { PeerOrder } from './message-bus.js';
import { WaitingRoom } from './waiting-room.js';
import { SignalingException } from './signaling.exception.js';
import { sendError } from './signaling-exception.filter.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions, SignalingIdentity } from './signaling-options.interface.js';
import { IceServers } from './turn-credentials.js';

/** A peer whose socket this instance holds, or held until it dropped. */
interface LocalPeer {
  record: PeerRecord;
  /** Absent while the peer is reconnecting. */
  session?: PeerSession;
  graceTimer?: NodeJS.Timeout;
}

const newId = () => randomId(12);

const signalFrame = (from: PeerRecord, dto: SignalDto) =>
  encodeFrame('signal', {
    from: from.peer.id,
    ...(dto.description !== undefined ? { description: dto.description } : { candidate: dto.candidate ?? null }),
  });

/** Who a peer is when the host has no `authorize` hook: nobody in particular. */
const NO_IDENTITY: SignalingIdentity = Object.freeze({});

/** Signals kept for a reconnecting peer; past that the oldest go, and ICE restarts recover. */
const MISSED_SIGNALS = 256;

/** Peers whose resume tokens rotate together (see `#rotateResumeTokens`). */
const ROTATION_BATCH = 100;

/**
 * Every room rule: membership, capacity, who may signal whom, chat history, the grace window
 * and resume. Rooms live in the injected store; delivery (here or on another instance) is the
 * relay's, and the heartbeat of instances the registry's, so one process and many instances
 * run the same code.
 */
@Injectable()
export class RoomService implements OnModuleInit, OnModuleDestroy {
  readonly #local = new Map<string, LocalPeer>();
  readonly #limits: RoomLimits;
  readonly #logger = new Logger('Signaling');
  #closing = false;
  #rotation?: NodeJS.Timeout;

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    private readonly relay: RoomRelay,
    private readonly registry: InstanceRegistry,
    private readonly joinLimiter: JoinLimiter,
    private readonly resumeTokens: ResumeTokens,
    private readonly iceServers: IceServers,
    private readonly sfuRooms: SfuRoomsService,
    private readonly drain: SignalingDrain,
    private readonly log: SignalingLog,
    private readonly waitingRoom: WaitingRoom,
    private readonly liveness: Liveness,
  ) {
    this.#limits = {
      maxPeers: options.maxPeers,
      maxFrameBytes: LIMITS.maxFrameBytes,
      maxNameLength: LIMITS.maxNameLength,
      maxChatLength: LIMITS.maxChatLength,
      resumeGraceMs: options.resumeGraceMs,
    };
  }

  /** How many rooms and peers have their sockets on this instance. */
  get size(): { rooms: number; peers: number } {
    const rooms = new Set([...this.#local.values()].map((local) => local.record.room));
    return { rooms: rooms.size, peers: this.#local.size };
  }

  /** The peers of a room, across every instance. */
  async peersOf(room: string): Promise<Peer[]> {
    return (await this.store.members(room)).map((record) => record.peer);
  }

  onModuleInit(): void {
    this.relay.serve({
      sessionOf: (id) => this.#local.get(id)?.session,
      takeover: (id) => this.#dropLocal(id),
      order: (id, order) => this.#background(this.#order(id, order)),
    });
    this.registry.serve({
      down: (records) => this.#instanceDown(records),
      gone: (instance, records) => this.#instanceGone(instance, records),
      resync: () => this.#resync(),
    });
    const { resumeRotateMs, heartbeatMs } = this.options;
    if (resumeRotateMs < heartbeatMs) {
      this.#rotation = setInterval(() => this.#background(this.#rotateResumeTokens()), resumeRotateMs);
      this.#rotation.unref();
      return;
    }
    // On the heartbeat's clock, so that each new token goes out in one write with its socket's
    // ping: an idle server's writes were a ping per socket every heartbeatMs and a token per
    // socket every resumeRotateMs. A rotation comes at the first sweep resumeRotateMs after the
    // last (to within half a heartbeat), which the tokens' lifetime allows for.
    let rotatedAt = Date.now();
    this.liveness.afterSweep(() => {
      if (this.#closing || Date.now() - rotatedAt < resumeRotateMs - heartbeatMs / 2) return;
      rotatedAt = Date.now();
      this.#background(this.#rotateResumeTokens());
    });
  }

  onModuleDestroy(): void {
    this.#closing = true;
    this.registry.onModuleDestroy();
    clearInterval(this.#rotation);
    for (const local of this.#local.values()) clearTimeout(local.graceTimer);
  }

  async join(session: PeerSession, dto: JoinDto): Promise<void> {
    try {
      await this.#join(session, dto);
    } catch (error) {
      const code = error instanceof SignalingException ? error.code : ErrorCode.Internal;
      this.options.metrics.joined?.(code);
      if (dto.resume !== undefined) this.options.metrics.resumed?.(code);
      const reason = code === ErrorCode.Internal && this.drain.draining ? 'draining' : code;
      const fields = { room: dto.room, ip: session.address, reason };
      if (code === ErrorCode.RateLimited) this.log.rateLimited({ ...fields, reason: 'new-rooms' });
      else this.log.refused('join', { ...fields, detail: error instanceof SignalingException ? error.message : undefined });
      throw error;
    }
  }

  async #join(session: PeerSession, dto: JoinDto): Promise<void> {
    // A resume too: the client's next attempt reaches an instance that stays.
    if (this.drain.draining) {
      throw new SignalingException(ErrorCode.Internal, 'Unavailable: this server is shutting down; connect again to reach another one');
    }
    if (session.placed()) {
      throw new SignalingException(ErrorCode.InvalidMessage, 'Already in a room: send leave first');
    }
    if (dto.protocol !== PROTOCOL_VERSION) {
      throw new SignalingException(ErrorCode.UnsupportedProtocol, `This server speaks protocol ${PROTOCOL_VERSION}, not ${dto.protocol}`);
    }
    const resumed = dto.resume === undefined ? undefined : this.#checkResume(dto.resume, dto.room);
    // A valid resume token already proves this peer was in the room.
    if (!resumed && !this.joinLimiter.allow(session.address, dto.room)) {
      throw new SignalingException(ErrorCode.RateLimited, 'Too many new rooms tried from your address: wait a minute');
    }
    session.joining = true;
    try {
      // Without a hook, no promise: a join made a dozen, and each was a turn of the microtask queue.
      const identity = this.options.authorize ? await this.#authorize(session, dto) : NO_IDENTITY;
      // Bob's own room token must not make Alice's resume token his.
      if (resumed && this.options.authorize && resumed.subject !== identity.subject) throw resumeRefused('wrong-subject');
      const existing = resumed && (await this.store.get(dto.room, resumed.peerId));
      if (existing) await this.#resume(session, existing, resumed, dto.ref);
      else await this.#enter(session, dto, identity, resumed);
    } finally {
      session.joining = false;
    }
    this.joinLimiter.joined(session.address, dto.room);
    // The socket may have closed while the store answered: a drop like any other.
    if (!session.isOpen()) this.disconnect(session);
  }

  /**
   * Relays a signal to a peer of the sender's room. Without a store call when the target's socket
   * is here (synchronous: no promise at all) or the target is cached as online elsewhere (one
   * publish); otherwise the store says where the target is, or that it is reconnecting.
   */
  signal(session: PeerSession, dto: SignalDto): void | Promise<void> {
    const self = this.#membership(session);
    const startedAt = Date.now();
    const { room, peer } = self.record;
    if (dto.to !== peer.id) {
      const here = this.#local.get(dto.to);
      if (here?.session && here.record.room === room) {
        return this.relay.deliver(this.relay.instanceId, [dto.to], signalFrame(self.record, dto), 'signal', startedAt);
      }
      const there = this.relay.cachedMember(room, dto.to);
      if (there && there.instance !== this.relay.instanceId && there.peer.connection === 'online') {
        return this.relay.deliver(there.instance, [dto.to], signalFrame(self.record, dto), 'signal', startedAt);
      }
    }
    return this.#signalThroughStore(self, dto, startedAt);
  }

  async #signalThroughStore(self: LocalPeer, dto: SignalDto, startedAt: number): Promise<void> {
    const target = dto.to === self.record.peer.id ? undefined : await this.relay.findMember(self.record.room, dto.to);
    if (!target) throw new SignalingException(ErrorCode.UnknownPeer, `No peer ${dto.to} in this room`);
    const frame = signalFrame(self.record, dto);
    if (target.peer.connection === 'reconnecting') {
      await this.store.pushMissed(target.peer.id, frame, MISSED_SIGNALS, this.options.resumeGraceMs);
      return;
    }
    await this.relay.deliver(target.instance, [target.peer.id], frame, 'signal', startedAt);
  }

  async media(session: PeerSession, dto: MediaDto): Promise<void> {
    const self = this.#membership(session);
    self.record.peer.media = { audio: dto.audio, video: dto.video, screen: dto.screen };
    await this.store.update(self.record);
    await this.relay.broadcast(self.record.room, 'peer-updated', { peer: self.record.peer }, self.record.peer.id);
    session.send('peer-updated', { peer: self.record.peer, ...(dto.ref !== undefined && { ref: dto.ref }) });
  }

  async chat(session: PeerSession, dto: ChatDto): Promise<void> {
    const { record } = this.#membership(session);
    const message: ChatMessage = { id: newId(), from: record.peer.id, name: record.peer.name, text: dto.text, at: Date.now() };
    await this.store.pushChat(record.room, message, LIMITS.chatHistory);
    await this.relay.broadcast(record.room, 'chat', message, record.peer.id);
    session.send('chat', { ...message, ...(dto.ref !== undefined && { ref: dto.ref }) });
  }

  async leave(session: PeerSession, _dto?: LeaveDto): Promise<void> {
    if (session.waiting) return this.waitingRoom.withdraw(session);
    const { record } = this.#membership(session);
    session.peerId = session.room = undefined;
    // Its tokens are self-contained: without this, one would bring the peer back as after a restart.
    await this.store.revokeResume(record.peer.id, this.resumeTokens.ttlMs);
    await this.#removePeer(record.room, record.peer.id, 'left');
  }

  /**
   * The socket closed without a `leave`: the peer stays as `reconnecting` for the grace
   * window, so a page reload or a network change does not cost it its place or its links.
   */
  disconnect(session: PeerSession): void {
    if (session.waiting) return this.#background(this.waitingRoom.withdraw(session));
    const local = session.peerId ? this.#local.get(session.peerId) : undefined;
    if (!local || local.session !== session || this.#closing) return;
    local.session = undefined;
    local.record.peer.connection = 'reconnecting';
    local.graceTimer = setTimeout(() => this.#background(this.#graceOver(local.record)), this.options.resumeGraceMs);
    local.graceTimer.unref();
    this.log.dropped(local.record.room, local.record.peer.id);
    this.#background(
      this.store.update(local.record).then(() => this.relay.broadcast(local.record.room, 'peer-updated', { peer: local.record.peer })),
    );
  }

  /**
   * Before the sockets close on shutdown: the peers here become `reconnecting` for the others
   * (on other instances), and no grace timers start in a process that is going away.
   */
  async shutdown(): Promise<void> {
    this.onModuleDestroy();
    for (const local of this.#local.values()) {
      local.record.peer.connection = 'reconnecting';
      await this.store.update(local.record).catch(() => undefined);
      await this.relay.broadcast(local.record.room, 'peer-updated', { peer: local.record.peer }, local.record.peer.id).catch(() => undefined);
    }
  }

  /** Work no client waits for: a failure (Redis down) is logged, never an unhandled rejection. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger.warn(`${error instanceof Error ? error.message : error}`));
  }

  async #graceOver(record: PeerRecord): Promise<void> {
    const local = this.#local.get(record.peer.id);
    if (local?.session) return;
    this.#local.delete(record.peer.id);
    await this.#removePeer(record.room, record.peer.id, 'timeout', this.relay.instanceId);
  }

  async #authorize(session: PeerSession, dto: JoinDto): Promise<SignalingIdentity> {
    if (!this.options.authorize) return NO_IDENTITY;
    try {
      // Kept whenever there is a hook (`SignalingGateway.handleConnection`); without it, refused.
      if (!session.request) throw new Error('the upgrade request was not kept');
      return await this.options.authorize({ request: session.request, room: dto.room, token: dto.token });
    } catch (error) {
      const reason = error instanceof Error && error.message ? `: ${error.message}` : '';
      throw new SignalingException(ErrorCode.Unauthorized, `Not allowed to join ${dto.room}${reason}`);
    }
  }

  /**
   * A new peer, or one rebuilt from its resume token: into the room, or into its waiting room when
   * it is locked. The first person in is its host, and so is anyone whose identity says so.
   */
  async #enter(session: PeerSession, dto: JoinDto, identity: SignalingIdentity, resumed?: ResumeClaims): Promise<void> {
    const revoked = resumed && (await this.store.resumeRevocation(resumed.peerId));
    if (revoked) throw resumeRefused(revoked === 'removed' ? 'removed' : 'revoked');
    const [members, locked] = await Promise.all([this.store.members(dto.room), this.store.locked(dto.room)]);
    const host = identity.role === 'host' || !members.some((m) => m.peer.host);
    const name = (identity.name && cleanText(identity.name).slice(0, LIMITS.maxNameLength)) || resumed?.name || dto.name;
    // A resume token proves its peer was let in already.
    if (locked && members.length > 0 && !host && !resumed) return this.waitingRoom.knock(session, dto, identity, name);
    await this.#admit(session, dto, identity, { id: resumed?.peerId, name, host, resumed });
  }

  async #admit(
    session: PeerSession,
    dto: JoinDto,
    identity: SignalingIdentity,
    { id, name, host, resumed }: { id?: string; name: string; host: boolean; resumed?: ResumeClaims },
  ): Promise<void> {
    // A valid token whose peer the store does not hold (a restart, or a lapsed grace
    // window) brings the same id back, so the others' links to it still match.
    const peer: Peer = { id: id ?? newId(), name, media: { audio: false, video: false, screen: false }, connection: 'online' };
    // Set, not spread in: see `#sendJoined`.
    if (host) peer.host = true;
    const record: PeerRecord = { room: dto.room, instance: this.relay.instanceId, joinedAt: Date.now(), subject: identity.subject, peer };
    const resume = this.#newResume(record);
    // Capacity, and the switch to the SFU when the room outgrows the mesh.
    const mode = await this.sfuRooms.admit(record);
    if (!mode) throw new SignalingException(ErrorCode.RoomFull, `Room ${dto.room} is full (${this.options.maxPeers} people)`);
    this.#local.set(record.peer.id, { record, session });
    await this.#sendJoined(session, record, resume, { ref: dto.ref, resumed: resumed && 'token', mode });
    await this.relay.broadcast(record.room, 'peer-joined', { peer: record.peer }, record.peer.id);
    if (host) await this.waitingRoom.tellHost(session, record.room);
    if (mode === 'sfu') this.#background(this.sfuRooms.joined(record.room, record.peer.id, resumed && 'elsewhere'));
  }

  #checkResume(token: string, room: string): ResumeClaims {
    const check = this.resumeTokens.verify(token);
    const reason = !check.ok ? check.reason : check.claims.room !== room ? 'wrong-room' : undefined;
    if (!check.ok || reason) throw resumeRefused(reason!);
    return check.claims;
  }

  async #resume(session: PeerSession, existing: PeerRecord, claims: ResumeClaims, ref?: string): Promise<void> {
    const { id } = existing.peer;
    const record: PeerRecord = { ...existing, instance: this.relay.instanceId, peer: { ...existing.peer, connection: 'online' } };
    const resume = this.#newResume(record);
    // Compare-and-set on the token id: a token works once, even when two instances race with it.
    if (!(await this.store.update(record, claims.id))) throw resumeRefused('used');
    // The old socket may not be known dead yet; the token proves this is the same peer.
    const here = existing.instance === record.instance;
    if (here) this.#dropLocal(id, { keepMedia: true });
    else await this.relay.takeover(existing.instance, id);
    this.#local.set(id, { record, session });
    const mode = await this.sfuRooms.modeOf(record.room);
    await this.#sendJoined(session, record, resume, { ref, resumed: 'session', mode });
    for (const frame of await this.store.takeMissed(id)) session.sendFrame(frame, 'signal');
    await this.relay.broadcast(record.room, 'peer-updated', { peer: record.peer }, id);
    if (record.peer.host) await this.waitingRoom.tellHost(session, record.room);
    if (mode === 'sfu') this.#background(this.sfuRooms.joined(record.room, id, here ? 'here' : 'elsewhere'));
  }

  /**
   * Forgets a peer's old socket and grace timer here, without telling anyone it left. Its Janus
   * connections go too, unless it resumed here (`keepMedia`): the instance it lives on now makes its own.
   */
  #dropLocal(peerId: string, { keepMedia = false } = {}): void {
    const local = this.#local.get(peerId);
    if (!local) return;
    clearTimeout(local.graceTimer);
    this.#local.delete(peerId);
    if (!keepMedia) this.#background(this.sfuRooms.handedOver(local.record.room, peerId));
    if (local.session) {
      local.session.peerId = local.session.room = undefined;
      local.session.close(CloseCode.Replaced, 'Resumed on another connection');
    }
  }

  /** Issues a token for the record and makes it the only one the record accepts. */
  #newResume(record: PeerRecord): string {
    const { token, id } = this.resumeTokens.issue({ peerId: record.peer.id, room: record.room, name: record.peer.name, subject: record.subject });
    record.resumeId = id;
    delete record.previousResumeId;
    return token;
  }

  /**
   * A long call's token would expire: each peer here gets a new one. The one before stays
   * valid once, in case the new one went into a socket that is already dead. A hundred peers at
   * a time: with Redis, the commands of one turn share a write (auto-pipelining), so a rotation
   * costs a round trip per hundred peers, not one each; and each hundred in a turn of the event
   * loop of its own (the in-memory store answers at once, which would run them all in one turn),
   * so that signals arriving meanwhile are not held up by thousands of peers' work.
   */
  async #rotateResumeTokens(): Promise<void> {
    const peers = [...this.#local.values()];
    for (let i = 0; i < peers.length && !this.#closing; i += ROTATION_BATCH) {
      if (i > 0) await new Promise(setImmediate);
      await Promise.all(peers.slice(i, i + ROTATION_BATCH).map((local) => this.#rotateResumeToken(local)));
    }
  }

  async #rotateResumeToken(local: LocalPeer): Promise<void> {
    const { record, session } = local;
    if (!session?.isOpen() || !record.resumeId) return;
    const current = record.resumeId;
    // Changed here before the write, so that a `media` or a drop writing this record meanwhile
    // writes the new ids too, not the old ones over them.
    const token = this.#newResume(record);
    record.previousResumeId = current;
    if (!(await this.store.update(record, current)) || this.#local.get(record.peer.id) !== local) return;
    session.send('resume-token', { resume: token });
  }

  async #sendJoined(
    session: PeerSession,
    record: PeerRecord,
    resume: string,
    { ref, resumed, mode }: Pick<JoinedPayload, 'ref' | 'resumed'> & { mode: RoomMode },
  ): Promise<void> {
    const { peer, room } = record;
    const [members, chat, locked] = await Promise.all([this.store.members(room), this.store.chat(room), this.store.locked(room)]);
    session.peerId = peer.id;
    session.room = room;
    this.options.metrics.joined?.('ok');
    if (resumed !== undefined) this.options.metrics.resumed?.(resumed);
    if (resumed !== undefined) this.log.resumed(room, peer.id, resumed);
    else this.log.joined(room, peer.id);
    const joined: JoinedPayload = {
      self: peer,
      room,
      peers: members.filter((m) => m.peer.id !== peer.id).map((m) => m.peer),
      iceServers: this.iceServers.for(peer.id),
      resume,
      chat,
      limits: this.#limits,
    };
    // The optional fields are set, not spread in: conditional spreads made an object that
    // JSON.stringify walked several times slower, on every join.
    if (ref !== undefined) joined.ref = ref;
    if (resumed !== undefined) joined.resumed = resumed;
    // Absent means mesh, as for clients of servers without an SFU.
    if (mode === 'sfu') joined.mode = mode;
    if (locked) joined.locked = locked;
    session.send('joined', joined);
  }

  #membership(session: PeerSession): LocalPeer {
    const local = session.peerId ? this.#local.get(session.peerId) : undefined;
    if (!local || local.session !== session) throw new SignalingException(ErrorCode.NotJoined, 'Join a room first');
    return local;
  }

  async #removePeer(room: string, id: string, reason: PeerLeftReason, instance?: string): Promise<void> {
    const local = this.#local.get(id);
    clearTimeout(local?.graceTimer);
    this.#local.delete(id);
    const removed = await this.store.remove(room, id, instance);
    this.#background(this.sfuRooms.left(room, id));
    await this.store.takeMissed(id);
    if (!removed) return;
    this.log.left(room, id, reason);
    await this.relay.broadcast(room, 'peer-left', { id, reason });
    if (removed.peer.host) await this.#keepAHost(room);
  }

  /**
   * A host left: when no other host is in the room, the longest-present person becomes one. When
   * nobody is left, nobody can let the waiting in.
   */
  async #keepAHost(room: string): Promise<void> {
    const members = await this.store.members(room);
    if (members.length === 0) return this.waitingRoom.endAll(room);
    if (members.some((m) => m.peer.host)) return;
    const next = members.find((m) => m.peer.connection === 'online') ?? members[0];
    await this.relay.order(next.instance, next.peer.id, 'grant-host');
  }

  /** The member held by this session; `not-joined` otherwise (a waiting session too). */
  member(session: PeerSession): PeerRecord {
    return this.#membership(session).record;
  }

  /** Changes this session's own peer (a raised hand) and tells the room, the sender with its `ref`. */
  async changeOwn(session: PeerSession, change: Partial<Peer>, ref?: string): Promise<void> {
    const local = this.#membership(session);
    await this.#change(local, change, local.record.peer.id);
    session.send('peer-updated', { peer: local.record.peer, ...(ref !== undefined && { ref }) });
  }

  /** Carries out a decision about a peer (or a waiting person) whose socket is here. */
  async #order(id: string, order: PeerOrder): Promise<void> {
    if (order === 'admit') return this.#admitWaiter(id);
    if (order === 'deny') return this.waitingRoom.turnAway(id, 'denied');
    if (order === 'room-ended') return this.waitingRoom.turnAway(id, 'ended');
    const local = this.#local.get(id);
    if (!local) return;
    if (order === 'remove') return this.#expel(local);
    if (order === 'lower-hand') return this.#change(local, { hand: undefined });
    await this.#change(local, { host: true });
    if (local.session) await this.waitingRoom.tellHost(local.session, local.record.room);
  }

  /** A host let a waiting person in: their `join` goes on as if the room were open. */
  async #admitWaiter(id: string): Promise<void> {
    const waiter = this.waitingRoom.take(id);
    if (!waiter?.session.isOpen()) return;
    const { session, dto, identity, record } = waiter;
    try {
      await this.#admit(session, dto, identity, { id, name: record.name, host: identity.role === 'host' });
    } catch (error) {
      // The room may have filled up while they waited.
      return sendError(session.socket, error, dto, 'join');
    }
    // The socket may have closed while the store answered: a drop like any other.
    if (!session.isOpen()) this.disconnect(session);
  }

  /** A host removed the peer: its tokens stop working, and its socket leaves the room. */
  async #expel(local: LocalPeer): Promise<void> {
    const { record, session } = local;
    await this.store.revokeResume(record.peer.id, this.resumeTokens.ttlMs, 'removed');
    if (session) {
      session.peerId = session.room = undefined;
      session.send('removed', {});
    }
    await this.#removePeer(record.room, record.peer.id, 'kicked');
  }

  /** Changes a peer held here (only its own instance writes its record) and tells the room. */
  async #change(local: LocalPeer, change: Partial<Peer>, except?: string): Promise<void> {
    const peer: Peer = { ...local.record.peer, ...change };
    for (const key of Object.keys(change) as (keyof Peer)[]) if (change[key] === undefined) delete peer[key];
    local.record.peer = peer;
    await this.store.update(local.record);
    await this.relay.broadcast(local.record.room, 'peer-updated', { peer }, except);
  }

  /** The peers of a dead instance wait for a resume, as if each socket had dropped. */
  async #instanceDown(records: PeerRecord[]): Promise<void> {
    for (const record of records) {
      if (record.peer.connection !== 'online') continue;
      const next: PeerRecord = { ...record, peer: { ...record.peer, connection: 'reconnecting' } };
      // On the token id: a peer that already resumed elsewhere is left alone.
      if (!(await this.store.update(next, record.resumeId))) continue;
      await this.relay.broadcast(record.room, 'peer-updated', { peer: next.peer });
    }
  }

  async #instanceGone(instance: string, records: PeerRecord[]): Promise<void> {
    for (const { room, peer } of records) await this.#removePeer(room, peer.id, 'timeout', instance);
  }

  /**
   * Messages to this instance may have been lost (the bus reconnected, Redis may have restarted
   * empty, or others took this instance for dead): write our peers back, hand them what was kept
   * for them, and tell each one (`resync`) so it restarts ICE on its links.
   */
  async #resync(): Promise<void> {
    this.relay.forgetMembers();
    for (const local of [...this.#local.values()]) {
      const { record, session } = local;
      const stored = await this.store.get(record.room, record.peer.id);
      // A takeover message may have been lost with the rest: the peer lives elsewhere now.
      if (stored && stored.instance !== record.instance) {
        this.#dropLocal(record.peer.id);
        continue;
      }
      if (!stored) {
        await this.store.admit(record, Number.MAX_SAFE_INTEGER);
        await this.relay.broadcast(record.room, 'peer-joined', { peer: record.peer }, record.peer.id);
      } else {
        await this.store.update(record);
        if (stored.peer.connection !== record.peer.connection) {
          await this.relay.broadcast(record.room, 'peer-updated', { peer: record.peer }, record.peer.id);
        }
      }
      if (!session?.isOpen()) continue;
      for (const frame of await this.store.takeMissed(record.peer.id)) session.sendFrame(frame, 'signal');
      const members = await this.store.members(record.room);
      session.send('resync', { peers: members.filter((m) => m.peer.id !== record.peer.id).map((m) => m.peer) });
    }
    this.log.instanceEvent('resync', 'Resynced', { peers: this.#local.size });
  }
}
