import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
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
import { ResumeTokens } from './resume-tokens.js';
import { SignalingException } from './signaling.exception.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions, SignalingIdentity } from './signaling-options.interface.js';

interface Member {
  peer: Peer;
  session: PeerSession;
  subject?: string;
}

interface Room {
  name: string;
  members: Map<string, Member>;
  chat: ChatMessage[];
}

const newId = () => randomBytes(12).toString('base64url');

/** Every room rule: membership, capacity, who may signal whom, chat history. */
@Injectable()
export class RoomService {
  readonly #rooms = new Map<string, Room>();
  readonly #limits: RoomLimits;

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    private readonly resumeTokens: ResumeTokens,
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
    session.joining = true;
    try {
      const identity = await this.#authorize(session, dto);
      const room = this.#rooms.get(dto.room) ?? { name: dto.room, members: new Map(), chat: [] };
      if (room.members.size >= this.options.maxPeers) {
        throw new SignalingException(ErrorCode.RoomFull, `Room ${dto.room} is full (${this.options.maxPeers} people)`);
      }
      const peer: Peer = {
        id: newId(),
        name: identity.name ?? dto.name,
        media: { audio: false, video: false, screen: false },
        connection: 'online',
      };
      const others = [...room.members.values()].map((m) => m.peer);
      room.members.set(peer.id, { peer, session, subject: identity.subject });
      this.#rooms.set(room.name, room);
      session.peerId = peer.id;
      session.room = room.name;
      session.send('joined', {
        ...(dto.ref !== undefined && { ref: dto.ref }),
        self: peer,
        room: room.name,
        peers: others,
        iceServers: this.options.iceServers,
        resume: this.resumeTokens.issue({ peerId: peer.id, room: room.name, name: peer.name }),
        chat: room.chat,
        limits: this.#limits,
      });
      this.#broadcast(room, 'peer-joined', { peer }, peer.id);
    } finally {
      session.joining = false;
    }
  }

  signal(session: PeerSession, dto: SignalDto): void {
    const { room, self } = this.#membership(session);
    const target = dto.to === self.peer.id ? undefined : room.members.get(dto.to);
    if (!target) throw new SignalingException(ErrorCode.UnknownPeer, `No peer ${dto.to} in this room`);
    target.session.send('signal', {
      from: self.peer.id,
      ...(dto.description !== undefined ? { description: dto.description } : { candidate: dto.candidate ?? null }),
    });
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
    this.#membership(session);
    this.#remove(session, 'left');
  }

  /** The socket closed: the peer leaves its room, if it was in one. */
  disconnect(session: PeerSession): void {
    if (session.peerId) this.#remove(session, 'left');
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

  #membership(session: PeerSession): { room: Room; self: Member } {
    const room = session.room ? this.#rooms.get(session.room) : undefined;
    const self = session.peerId ? room?.members.get(session.peerId) : undefined;
    if (!room || !self) throw new SignalingException(ErrorCode.NotJoined, 'Join a room first');
    return { room, self };
  }

  #remove(session: PeerSession, reason: PeerLeftReason): void {
    const room = this.#rooms.get(session.room!);
    const id = session.peerId!;
    session.peerId = session.room = undefined;
    if (!room?.members.delete(id)) return;
    if (room.members.size === 0) this.#rooms.delete(room.name);
    else this.#broadcast(room, 'peer-left', { id, reason });
  }

  #broadcast<E extends keyof ServerEvents>(room: Room, event: E, data: ServerEvents[E], except?: string): void {
    const frame = encodeFrame(event, data);
    for (const [id, member] of room.members) if (id !== except) member.session.sendFrame(frame);
  }
}
