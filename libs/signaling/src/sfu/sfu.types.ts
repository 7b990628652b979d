/** One Janus server: its WebSocket API URL and the api_secret deploy/janus/start.sh printed. */
export interface JanusServerConfig {
  /** The WebSocket API URL, e.g. ws://127.0.0.1:8188. */
  url: string;
  /** The Janus api_secret (also the VideoRoom admin_key in deploy/janus). */
  apiSecret: string;
}

/** How the adapter times Janus: liveness probes and request timeouts. */
export interface JanusServerTimings {
  /** How often the server is probed with a Janus keepalive (ms). */
  keepaliveIntervalMs: number;
  /** A keepalive unanswered this long means the server is lost (ms). */
  keepaliveTimeoutMs: number;
  /** Any other request unanswered this long fails with sfu-unavailable (ms). */
  requestTimeoutMs: number;
}

/** Where a Parley room lives on the SFU. Store it with the room so every instance uses the same. */
export interface SfuRoomAssignment {
  /** The Janus server's URL (one of JanusPoolOptions.servers). */
  server: string;
  /** The VideoRoom id: 128 random bits, never shown to clients. */
  janusRoom: string;
  /** The room's secret (destroy, kick, list) and pin (join): random, never shown to clients. */
  secret: string;
  pin: string;
}

/** Which side of a browser's SFU connection: the one it sends on, or the one it receives on. */
export type SfuPcRole = 'publisher' | 'subscriber';

/** A trickled ICE candidate, as a browser's RTCIceCandidateInit; `null` ends the candidates. */
export interface SfuCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** One track a peer publishes: its mid in the peer's publisher connection. */
export interface SfuPublishedStream {
  mid: string;
  kind: 'audio' | 'video' | 'data';
  codec?: string;
  simulcast: boolean;
}

/** A peer publishing in the room, with its tracks. */
export interface SfuPublisher {
  peer: string;
  streams: SfuPublishedStream[];
}

/** A subscription request: all of `peer`'s tracks, or only the one at `mid`. */
export interface SfuFeedRequest {
  peer: string;
  mid?: string;
}

/**
 * How one received track should flow, by its mid in the subscriber connection: `send: false`
 * pauses it without renegotiating (a tile off screen); `layer` picks the simulcast layer
 * (0 lowest, 2 highest) for the tile's size.
 */
export interface SfuStreamSetting {
  mid: string;
  send?: boolean;
  layer?: 0 | 1 | 2;
}

/** One track in a peer's subscriber connection: which transceiver (mid) carries whose track. */
export interface SfuSubscribedStream {
  mid: string;
  kind: 'audio' | 'video' | 'data';
  peer: string;
  peerMid: string;
  active: boolean;
}

/** Janus's offer for a peer's subscriber connection, with the map of its tracks. */
export interface SfuSubscriberOffer {
  sdp: string;
  streams: SfuSubscribedStream[];
}

/** What the adapter reports; every payload names the Parley room and peer, never a Janus id. */
export interface SfuEvents {
  /** The room's publishers changed (someone published, unpublished or left). Full list. */
  publishers: { room: string; publishers: SfuPublisher[] };
  /** Janus renegotiates a peer's subscriber connection on its own (a publisher left): answer it. */
  'subscriber-offer': { room: string; peer: string; offer: SfuSubscriberOffer };
  /** A candidate from Janus for one of a peer's connections (`null`: no more). */
  candidate: { room: string; peer: string; role: SfuPcRole; candidate: SfuCandidate | null };
  /** A peer's connection to Janus came up, went down, or failed ICE. */
  connection: { room: string; peer: string; role: SfuPcRole; state: 'up' | 'down' | 'ice-failed'; reason?: string };
  /** Janus started or stopped receiving a kind of media on a peer's connection. */
  media: { room: string; peer: string; role: SfuPcRole; kind: string; mid?: string; receiving: boolean };
  /** A peer's handle is gone on Janus's side (kicked, room destroyed, session lost). */
  'peer-dropped': { room: string; peer: string; role: SfuPcRole; reason: string };
  /** A Janus server stopped answering; these rooms were on it and need a new assignment. */
  'server-lost': { server: string; rooms: string[] };
  /** A lost server answers again and takes new rooms. */
  'server-up': { server: string };
}

/** The logger the adapter writes to (Nest's Logger fits). */
export interface SfuLogger {
  debug(message: string): void;
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
