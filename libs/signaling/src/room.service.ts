import { randomBytes } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import {
  CloseCode,
  ErrorCode,
  LIMITS,
  PROTOCOL_VERSION,
  type ChatMessage,
  type Peer,
  type PeerLeftReason,
  type RoomLimits,
  type ServerEvents,
} from '@parley/protocol';
import type { ChatDto, JoinDto, LeaveDto, MediaDto, SignalDto } from './dto/index.js';
import { encodeFrame, type PeerSession } from './peer-session.js';
import { ResumeTokens, type ResumeClaims } from './resume-tokens.js';
import { SignalingException } from './signaling.exception.js';
import { IceServers } from './turn-credentials.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions, SignalingIdentity } from './signaling-options.interface.js';

interface Member {
  peer: Peer;
  /** Absent while the peer is reconnecting. */
  session?: PeerSession;
  subject?: string;
  /** Signals addressed to the peer while it was away, replayed in order when it resumes. */
  missed: string[];
  graceTimer?: NodeJS.Timeout;
}

interface Room {
  name: string;
  members: Map<string, Member>;
  chat: ChatMessage[];
}

const newId = () => randomBytes(12).toString('base64url');

/** Signals kept for a reconnecting peer; past that the oldest go, and ICE restarts recover. */
const MISSED_SIGNALS = 256;

/** Every room rule: membership, capacity, who may signal whom, chat history. */
@Injectable()
export class RoomService implements OnModuleDestroy {
  readonly #rooms = new Map<string, Room>();
  readonly #limits: RoomLimits;

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    private readonly resumeTokens: ResumeTokens,
    private readonly iceServers: IceServers,
  ) {
    this.#limits = {
      maxPeers: options.maxPeers,
      maxFrameBytes: LIMITS.maxFrameBytes,
      maxNameLength: LIMITS.maxNameLength,
      maxChatLength: LIMITS.maxChatLength,
    };
  }

  /** How many rooms and peers this instance holds. */
  get size(): { rooms: number; peers: number } {
    let peers = 0;
    for (const room of this.#rooms.values()) peers += room.members.size;
    return { rooms: this.#rooms.size, peers };
  }

  /** The peers of a room, as its members see them. */
  peersOf(roomName: string): Peer[] {
    return [...(this.#rooms.get(roomName)?.members.values() ?? [])].map((m) => m.peer);
  }

  async join(session: PeerSession, dto: JoinDto): Promise<void> {
    if (session.peerId || session.joining) {
      throw new SignalingException(ErrorCode.InvalidMessage, 'Already in a room: send leave first');
    }
    if (dto.protocol !== PROTOCOL_VERSION) {
      throw new SignalingException(
        ErrorCode.UnsupportedProtocol,
        `This server speaks protocol ${PROTOCOL_VERSION}, not ${dto.protocol}`,
      );
    }
    const resumed = dto.resume === undefined ? undefined : this.#checkResume(dto.resume, dto.room);
    session.joining = true;
    try {
      const identity = await this.#authorize(session, dto);
      const room = this.#rooms.get(dto.room) ?? { name: dto.room, members: new Map(), chat: [] };
      const existing = resumed && room.members.get(resumed.peerId);
      if (existing) return this.#resume(session, room, existing, dto.ref);
      if (room.members.size >= this.options.maxPeers) {
        throw new SignalingException(ErrorCode.RoomFull, `Room ${dto.room} is full (${this.options.maxPeers} people)`);
      }
      // A valid token whose peer this instance does not hold (a restart, or a lapsed grace
      // window) brings the same id back, so the others' links to it still match.
      const peer: Peer = {
        id: resumed?.peerId ?? newId(),
        name: identity.name ?? resumed?.name ?? dto.name,
        media: { audio: false, video: false, screen: false },
        connection: 'online',
      };
      const member: Member = { peer, session, subject: identity.subject, missed: [] };
      room.members.set(peer.id, member);
      this.#rooms.set(room.name, room);
      this.#sendJoined(session, room, member, dto.ref);
      this.#broadcast(room, 'peer-joined', { peer }, peer.id);
    } finally {
      session.joining = false;
    }
  }

  signal(session: PeerSession, dto: SignalDto): void {
    const { room, self } = this.#membership(session);
    const target = dto.to === self.peer.id ? undefined : room.members.get(dto.to);
    if (!target) throw new SignalingException(ErrorCode.UnknownPeer, `No peer ${dto.to} in this room`);
    const frame = encodeFrame('signal', {
      from: self.peer.id,
      ...(dto.description !== undefined ? { description: dto.description } : { candidate: dto.candidate ?? null }),
    });
    if (target.session) return target.session.sendFrame(frame);
    if (target.missed.push(frame) > MISSED_SIGNALS) target.missed.shift();
  }

  media(session: PeerSession, dto: MediaDto): void {
    const { room, self } = this.#membership(session);
    self.peer.media = { audio: dto.audio, video: dto.video, screen: dto.screen };
    this.#broadcast(room, 'peer-updated', { peer: self.peer }, self.peer.id);
    session.send('peer-updated', { peer: self.peer, ...(dto.ref !== undefined && { ref: dto.ref }) });
  }

  chat(session: PeerSession, dto: ChatDto): void {
    const { room, self } = this.#membership(session);
    const message: ChatMessage = { id: newId(), from: self.peer.id, name: self.peer.name, text: dto.text, at: Date.now() };
    room.chat.push(message);
    if (room.chat.length > LIMITS.chatHistory) room.chat.shift();
    this.#broadcast(room, 'chat', message, self.peer.id);
    session.send('chat', { ...message, ...(dto.ref !== undefined && { ref: dto.ref }) });
  }

  leave(session: PeerSession, _dto?: LeaveDto): void {
    const { room, self } = this.#membership(session);
    session.peerId = session.room = undefined;
    this.#remove(room, self.peer.id, 'left');
  }

  /**
   * The socket closed without a `leave`: the peer stays as `reconnecting` for the grace
   * window, so a page reload or a network change does not cost it its place or its links.
   */
  disconnect(session: PeerSession): void {
    const member = this.#memberOf(session);
    if (!member || member.session !== session) return;
    const room = this.#rooms.get(session.room!)!;
    member.session = undefined;
    member.peer.connection = 'reconnecting';
    member.graceTimer = setTimeout(() => this.#remove(room, member.peer.id, 'timeout'), this.options.resumeGraceMs);
    member.graceTimer.unref();
    this.#broadcast(room, 'peer-updated', { peer: member.peer });
  }

  onModuleDestroy(): void {
    for (const room of this.#rooms.values()) for (const member of room.members.values()) clearTimeout(member.graceTimer);
    this.#rooms.clear();
  }

  #checkResume(token: string, room: string): ResumeClaims {
    const check = this.resumeTokens.verify(token);
    const reason = !check.ok ? check.reason : check.claims.room !== room ? 'wrong-room' : undefined;
    if (!check.ok || reason) {
      const why = { malformed: 'is malformed', forged: 'is not valid', expired: 'has expired', 'wrong-room': 'is for another room' };
      throw new SignalingException(ErrorCode.Unauthorized, `The resume token ${why[reason!]}: join afresh`, [
        { field: 'resume', problems: [reason!] },
      ]);
    }
    return check.claims;
  }

  #resume(session: PeerSession, room: Room, member: Member, ref?: string): void {
    clearTimeout(member.graceTimer);
    // The old socket may not be known dead yet; the token proves this is the same peer.
    if (member.session) {
      const old = member.session;
      old.peerId = old.room = undefined;
      old.socket.close(CloseCode.Replaced, 'Resumed on another connection');
    }
    member.session = session;
    member.peer.connection = 'online';
    this.#sendJoined(session, room, member, ref);
    for (const frame of member.missed.splice(0)) session.sendFrame(frame);
    this.#broadcast(room, 'peer-updated', { peer: member.peer }, member.peer.id);
  }

  #sendJoined(session: PeerSession, room: Room, member: Member, ref?: string): void {
    const { peer } = member;
    session.peerId = peer.id;
    session.room = room.name;
    session.send('joined', {
      ...(ref !== undefined && { ref }),
      self: peer,
      room: room.name,
      peers: [...room.members.values()].filter((m) => m !== member).map((m) => m.peer),
      iceServers: this.iceServers.for(peer.id),
      resume: this.resumeTokens.issue({ peerId: peer.id, room: room.name, name: peer.name }),
      chat: room.chat,
      limits: this.#limits,
    });
  }

  async #authorize(session: PeerSession, dto: JoinDto): Promise<SignalingIdentity> {
    if (!this.options.authorize) return {};
    try {
      return await this.options.authorize({ request: session.request, room: dto.room, token: dto.token });
    } catch (error) {
      const reason = error instanceof Error && error.message ? `: ${error.message}` : '';
      throw new SignalingException(ErrorCode.Unauthorized, `Not allowed to join ${dto.room}${reason}`);
    }
  }

  #memberOf(session: PeerSession): Member | undefined {
    return session.peerId ? this.#rooms.get(session.room!)?.members.get(session.peerId) : undefined;
  }

  #membership(session: PeerSession): { room: Room; self: Member } {
    const self = this.#memberOf(session);
    if (!self) throw new SignalingException(ErrorCode.NotJoined, 'Join a room first');
    return { room: this.#rooms.get(session.room!)!, self };
  }

  #remove(room: Room, id: string, reason: PeerLeftReason): void {
    const member = room.members.get(id);
    if (!member) return;
    clearTimeout(member.graceTimer);
    room.members.delete(id);
    if (room.members.size === 0) this.#rooms.delete(room.name);
    else this.#broadcast(room, 'peer-left', { id, reason });
  }

  /** Sends to everyone online in the room; a reconnecting peer gets the whole state on resume. */
  #broadcast<E extends keyof ServerEvents>(room: Room, event: E, data: ServerEvents[E], except?: string): void {
    const frame = encodeFrame(event, data);
    for (const [id, member] of room.members) if (id !== except) member.session?.sendFrame(frame);
  }
}
