/**
 * Parley's signaling protocol, version 1.
 *
 * Every frame is one text frame holding `{"event": "<name>", "data": {...}}`.
 * The client and server event maps below are the whole contract; docs/protocol.md
 * explains them for people who write their own clients.
 */

/** The protocol version a client declares in `join`. */
export const PROTOCOL_VERSION = 1 as const;

/** Error codes carried by the server's `error` event. */
export const ErrorCode = {
  InvalidMessage: 'invalid-message',
  UnknownEvent: 'unknown-event',
  UnsupportedProtocol: 'unsupported-protocol',
  Unauthorized: 'unauthorized',
  RoomFull: 'room-full',
  NotJoined: 'not-joined',
  UnknownPeer: 'unknown-peer',
  RateLimited: 'rate-limited',
  Internal: 'internal',
} as const;
/** One of the protocol's error codes. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses. */
export const CloseCode = {
  /** The server is shutting down or restarting: reconnect at once. */
  GoingAway: 1001,
  /** Sustained abuse (for example, ignoring `rate-limited`), or no `join` within 10 s. */
  PolicyViolation: 1008,
  /** A frame larger than `LIMITS.maxFrameBytes`. */
  MessageTooBig: 1009,
  /** The server is restarting: reconnect at once (backing off only if that fails) and resume. */
  ServiceRestart: 1012,
  /** The same peer resumed on another connection: do not reconnect this one. */
  Replaced: 4001,
  /** The client stopped reading: more than 2 MiB waited to be sent to it. Reconnect and resume. */
  TooSlow: 4002,
} as const;

/** Fixed limits of protocol v1. */
export const LIMITS = {
  /** Largest frame the server accepts; a larger one closes the socket with 1009. */
  maxFrameBytes: 64 * 1024,
  /** Longest `ref` the server echoes. */
  maxRefLength: 64,
  /** Room names: 1 to 64 characters of `[A-Za-z0-9_-]`. */
  roomNamePattern: /^[A-Za-z0-9_-]{1,64}$/,
  maxRoomNameLength: 64,
  /** Display names, after trimming and removing control characters. */
  maxNameLength: 40,
  /** Longest session description (`sdp`) in a signal. */
  maxSdpLength: 32 * 1024,
  /** Longest ICE candidate line in a signal. */
  maxCandidateLength: 1024,
  /** Chat text, after cleaning. */
  maxChatLength: 2000,
  /** Chat messages kept per room and sent in `joined.chat`. */
  chatHistory: 50,
  /** Most fields and array items in one `data`, counted at every level; checked before the fields. */
  maxDataEntries: 64,
  /** Deepest nesting of objects and arrays in one `data`, which is level 1. */
  maxDataDepth: 8,
  /** Longest string anywhere in one `data`, a key or a value. */
  maxDataStringLength: 32 * 1024,
  /** Most fields an `error`'s `details` lists; the others are left out. */
  maxErrorDetails: 4,
  /** Most people waiting to be let into one locked room; the next one gets `room-full`. */
  maxWaiting: 20,
  /** Most videos one `sfu-view` lists (a page of tiles). */
  maxSfuView: 20,
} as const;

/** The reactions a client may send (`react`); anything else is `invalid-message`. */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉'] as const;
/** One of the fixed reactions. */
export type Reaction = (typeof REACTIONS)[number];

/** Whether a participant's microphone, camera and screen share are on. */
export interface MediaState {
  audio: boolean;
  video: boolean;
  screen: boolean;
}

/** `reconnecting` while the peer's socket is gone but its grace window is open. */
export type ConnectionState = 'online' | 'reconnecting';

/** A participant as everyone in the room sees it. */
export interface Peer {
  /** Issued by the server; random; never chosen by a client. */
  id: string;
  name: string;
  media: MediaState;
  connection: ConnectionState;
  /** Present (`true`) for the room's hosts, who may lock the room, admit, remove and mute. */
  host?: true;
  /** When the peer raised their hand (ms since the epoch, set by the server); absent while it is down. */
  hand?: number;
  /** Present (`true`) while the peer records the call in their browser (`recording`). */
  recording?: true;
}

/** Someone waiting to be let into a locked room, as its hosts see them. */
export interface Waiter {
  /** The peer id they will have once admitted. */
  id: string;
  name: string;
  /** When they started waiting, in ms since the epoch. */
  since: number;
}

/** A session description, as in `RTCSessionDescriptionInit`. */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

/** An ICE candidate, as in `RTCIceCandidateInit`. */
export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/** An ICE server, as in `RTCIceServer`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** A chat message as the server stores and broadcasts it. */
export interface ChatMessage {
  id: string;
  from: string;
  name: string;
  text: string;
  /** Milliseconds since the epoch, set by the server. */
  at: number;
}

/** The limits a client should respect, sent in `joined`. */
export interface RoomLimits {
  maxPeers: number;
  maxFrameBytes: number;
  maxNameLength: number;
  maxChatLength: number;
  /** How long a peer whose socket dropped stays `reconnecting` before `peer-left`, in ms. */
  resumeGraceMs: number;
}

/** Fields every client message may carry. */
export interface Referenced {
  /** Echoed in the reply or the error for this message; up to 64 characters. */
  ref?: string;
}

export interface JoinPayload extends Referenced {
  room: string;
  name: string;
  protocol: number;
  /** A room token, required when the server has authorization enabled. */
  token?: string;
  /** The `resume` token of a previous `joined`, to keep the same peer id. */
  resume?: string;
}

/** Exactly one of `description` and `candidate`; `candidate: null` means end of candidates. */
export interface SignalPayload extends Referenced {
  to: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface MediaPayload extends Referenced, MediaState {}

export interface ChatPayload extends Referenced {
  text: string;
}

export type LeavePayload = Referenced;

/** Locks the room (newcomers wait to be admitted) or unlocks it (everyone waiting comes in). Hosts only. */
export interface LockPayload extends Referenced {
  locked: boolean;
}

/** Names one peer (or one waiting person) of the room for a host's action. */
export interface PeerTargetPayload extends Referenced {
  id: string;
}

/** Lets a waiting person in. Hosts only. */
export type AdmitPayload = PeerTargetPayload;
/** Turns a waiting person away. Hosts only. */
export type DenyPayload = PeerTargetPayload;
/** Removes a peer from the room; they cannot resume. Hosts only. */
export type RemovePayload = PeerTargetPayload;
/** Asks a peer to turn their microphone off; only they can turn it on again. Hosts only. */
export type MutePayload = PeerTargetPayload;
/** Hands the host role to another peer; the sender stops being a host. Hosts only. */
export type HostPayload = PeerTargetPayload;
/** Lowers another peer's raised hand. Hosts only. */
export type LowerHandPayload = PeerTargetPayload;

/** Raises or lowers your own hand. */
export interface HandPayload extends Referenced {
  raised: boolean;
}

/**
 * Starts or stops recording the call in your browser: the recording stays with you; the room is
 * told who records through `recording` on your `Peer`.
 */
export interface RecordingPayload extends Referenced {
  active: boolean;
}

/** Sends one of the fixed reactions to the room. */
export interface ReactPayload extends Referenced {
  emoji: Reaction;
}

/** How a room's media flows: browser to browser, or through the server's SFU (Janus). */
export type RoomMode = 'mesh' | 'sfu';

/** Which of a browser's two connections to the SFU: the one it sends on, or the one it receives on. */
export type SfuConnection = 'publisher' | 'subscriber';

/** The browser's offer for its publisher connection (the first publish, or a renegotiation). */
export interface SfuPublishPayload extends Referenced {
  description: SessionDescription;
}

/** The browser's answer to the last `sfu-offer` for its subscriber connection. */
export interface SfuAnswerPayload extends Referenced {
  description: SessionDescription;
}

/** A trickled candidate for one of the browser's SFU connections; `null` ends them. */
export interface SfuCandidatePayload extends Referenced {
  pc: SfuConnection;
  candidate: IceCandidate | null;
}

/** One video the browser shows, and the simulcast layer its tile needs: 0 smallest, 2 largest. */
export interface SfuViewItem {
  peer: string;
  layer: 0 | 1 | 2;
}

/**
 * Whose video the browser shows, and at what size: the media server forwards only these videos
 * (each at its layer) and pauses every other video; audio keeps flowing from everyone.
 */
export interface SfuViewPayload extends Referenced {
  peers: SfuViewItem[];
}

/** The subscriber connection failed or hangs: the server answers with an `sfu-offer` that restarts ICE. */
export type SfuIceRestartPayload = Referenced;

/** How a link's media travels: straight between the two browsers, or through a TURN relay. */
export const ICE_PATHS = ['direct', 'relay'] as const;
export type IcePath = (typeof ICE_PATHS)[number];

/**
 * Which way the media of a mesh link goes, from the browser's selected ICE candidate pair: only
 * counted by the server (relay usage for operators), never relayed to anyone.
 */
export interface PathPayload extends Referenced {
  /** The other end of the link: a peer in your room. */
  peer: string;
  kind: IcePath;
}

/** Client-to-server events. */
export interface ClientEvents {
  join: JoinPayload;
  signal: SignalPayload;
  media: MediaPayload;
  chat: ChatPayload;
  leave: LeavePayload;
  'sfu-publish': SfuPublishPayload;
  'sfu-answer': SfuAnswerPayload;
  'sfu-candidate': SfuCandidatePayload;
  lock: LockPayload;
  admit: AdmitPayload;
  deny: DenyPayload;
  remove: RemovePayload;
  mute: MutePayload;
  host: HostPayload;
  hand: HandPayload;
  'lower-hand': LowerHandPayload;
  react: ReactPayload;
  recording: RecordingPayload;
  'sfu-view': SfuViewPayload;
  'sfu-ice-restart': SfuIceRestartPayload;
  path: PathPayload;
}

export interface JoinedPayload extends Referenced {
  self: Peer;
  room: string;
  peers: Peer[];
  iceServers: IceServer[];
  /** Present this in a later `join` to resume as the same peer. It works once; `resume-token` replaces it. */
  resume: string;
  /**
   * Set when this `joined` answers a resume. `session`: the server still held you, so `peers`
   * is complete, and anyone you had a link with who is missing has left. `token`: the server
   * did not (it restarted, or your grace window lapsed) and rebuilt you from the token; peers
   * missing from `peers` may still resume.
   */
  resumed?: 'session' | 'token';
  chat: ChatMessage[];
  limits: RoomLimits;
  /** How the room's media flows; absent means `mesh`. */
  mode?: RoomMode;
  /** Present (`true`) while the room is locked. */
  locked?: true;
}

/** The answer to a `join` of a locked room: you wait until a host admits (`joined`) or denies (`denied`) you. */
export interface WaitingPayload extends Referenced {
  room: string;
}

/** Sent to a room's hosts whenever the people waiting change: everyone waiting now, longest first. */
export interface KnockingPayload {
  waiting: Waiter[];
}

/** Why a waiting person was not let in: a host said no, they waited too long, or everyone left. */
export type DeniedReason = 'denied' | 'timeout' | 'ended';

/** You will not be let in; the socket stays open. */
export interface DeniedPayload {
  reason: DeniedReason;
}

/** A host removed you from the room. Your resume tokens no longer work; the socket stays open. */
export type RemovedPayload = Record<string, never>;

/** A host asks you to turn your microphone off: turn it off and announce it with `media`. */
export interface MutedPayload {
  /** The host's peer id. */
  by: string;
}

/** The room was locked or unlocked. */
export interface RoomLockedPayload extends Referenced {
  locked: boolean;
  /** The host who did it. */
  by: string;
}

/** Someone in the room reacted. */
export interface ReactionPayload {
  from: string;
  emoji: Reaction;
}

export interface PeerJoinedPayload {
  peer: Peer;
}

export interface PeerUpdatedPayload extends Referenced {
  peer: Peer;
}

export type PeerLeftReason = 'left' | 'timeout' | 'kicked';

export interface PeerLeftPayload {
  id: string;
  reason: PeerLeftReason;
}

export interface RelayedSignalPayload {
  /** Set by the server to the sender's id. */
  from: string;
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export interface ChatEventPayload extends ChatMessage, Referenced {}

/**
 * The server may have lost messages to you (a link between its instances broke and came back).
 * `peers` is the room now: restart ICE on every link, and treat a peer you had that is missing
 * as gone.
 */
export interface ResyncPayload {
  peers: Peer[];
}

/** The room's media moved (to the SFU when it grew past the mesh's size). */
export interface RoomModePayload {
  mode: RoomMode;
}

/** The SFU's answer to the browser's `sfu-publish` (with its `ref`). */
export interface SfuAnsweredPayload extends Referenced {
  description: SessionDescription;
}

/** One track on the browser's subscriber connection: which transceiver (`mid`) carries whose track. */
export interface SfuStream {
  mid: string;
  /** The Parley peer id of the publisher. */
  peer: string;
  kind: 'audio' | 'video';
  active: boolean;
}

/** The SFU's offer for the browser's subscriber connection, sent again whenever its tracks change. */
export interface SfuOfferPayload {
  description: SessionDescription;
  streams: SfuStream[];
}

/** A candidate from the SFU for one of the browser's connections; `null` ends them. */
export interface SfuCandidateEventPayload {
  pc: SfuConnection;
  candidate: IceCandidate | null;
}

/**
 * The room moved to another media server (its own stopped answering): close both SFU connections,
 * publish again on a new one (`sfu-publish`), answer the `sfu-offer`s that follow, and send the last
 * `sfu-view` again.
 */
export type SfuRestartPayload = Record<string, never>;

/** A new resume token during a long call; it replaces the one from `joined`. */
export interface ResumeTokenPayload {
  resume: string;
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  ref?: string;
  /** The client event that caused the error, when known. */
  event?: string;
  /** The fields that failed validation, with what is wrong with each. */
  details?: FieldError[];
}

export interface FieldError {
  field: string;
  problems: string[];
}

/** Server-to-client events. */
export interface ServerEvents {
  joined: JoinedPayload;
  'peer-joined': PeerJoinedPayload;
  'peer-updated': PeerUpdatedPayload;
  'peer-left': PeerLeftPayload;
  signal: RelayedSignalPayload;
  chat: ChatEventPayload;
  error: ErrorPayload;
  'resume-token': ResumeTokenPayload;
  resync: ResyncPayload;
  'room-mode': RoomModePayload;
  'sfu-answer': SfuAnsweredPayload;
  'sfu-offer': SfuOfferPayload;
  'sfu-candidate': SfuCandidateEventPayload;
  waiting: WaitingPayload;
  knocking: KnockingPayload;
  denied: DeniedPayload;
  removed: RemovedPayload;
  muted: MutedPayload;
  'room-locked': RoomLockedPayload;
  reaction: ReactionPayload;
  'sfu-restart': SfuRestartPayload;
}

/** The names of client events, for validating `event` at runtime. */
export const CLIENT_EVENTS = [
  'join',
  'signal',
  'media',
  'chat',
  'leave',
  'sfu-publish',
  'sfu-answer',
  'sfu-candidate',
  'lock',
  'admit',
  'deny',
  'remove',
  'mute',
  'host',
  'hand',
  'lower-hand',
  'react',
  'recording',
  'sfu-view',
  'sfu-ice-restart',
  'path',
] as const satisfies readonly (keyof ClientEvents)[];

/** The names of server events. */
export const SERVER_EVENTS = [
  'joined',
  'peer-joined',
  'peer-updated',
  'peer-left',
  'signal',
  'chat',
  'error',
  'resume-token',
  'resync',
  'room-mode',
  'sfu-answer',
  'sfu-offer',
  'sfu-candidate',
  'waiting',
  'knocking',
  'denied',
  'removed',
  'muted',
  'room-locked',
  'reaction',
  'sfu-restart',
] as const satisfies readonly (keyof ServerEvents)[];

/** One frame on the wire. */
export interface Frame<Events, E extends keyof Events = keyof Events> {
  event: E;
  data: Events[E];
}
/** A frame a client sends. */
export type ClientFrame = { [E in keyof ClientEvents]: Frame<ClientEvents, E> }[keyof ClientEvents];
/** A frame the server sends. */
export type ServerFrame = { [E in keyof ServerEvents]: Frame<ServerEvents, E> }[keyof ServerEvents];
