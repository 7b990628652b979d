/**
 * The seam between the call and the media: `CallSession` tells a transport who is in the call and
 * what to send, and hears back per peer what arrives. The mesh (one PeerLink per peer) is the
 * first transport; an SFU (one publisher and one subscriber connection to the media server) fits
 * the same shape: it signals through `SignalingPort` with events of its own, maps the server's
 * streams back to peer ids, and reports its connections under the peers they carry.
 */
import type { ClientEvents, IceServer, RoomMode, ServerEvents, SfuViewItem } from '@parley/protocol';
import type { Emitter } from '../emitter';
import type { GovernedSender, SenderRole } from './governor';
import type { ScreenSource, TrackKind } from './peer-link';

/** The part of the signaling connection a transport uses: send an event, listen to one. */
export interface SignalingPort {
  send<E extends keyof ClientEvents>(event: E, data: ClientEvents[E]): boolean;
  on<E extends keyof ServerEvents>(event: E, listener: (data: ServerEvents[E]) => void): () => void;
}

/** Why media to a peer could not flow even after an ICE restart. */
export type LinkFailure = 'relay' | 'network';

/** What a transport reports, always keyed by the remote peer's id. */
export interface MediaTransportEvents {
  /** The peer's camera and microphone, one stream that gains and loses tracks. */
  stream: { peerId: string; stream: MediaStream };
  /** The peer's screen share (it plays while the peer's `media.screen` is on). */
  screen: { peerId: string; stream: MediaStream };
  /** The state of the connection that carries the peer's media. */
  linkstate: { peerId: string; state: RTCPeerConnectionState };
  /** The peer's media could not connect even after an ICE restart, or connected after all (`null`). */
  linkfailure: { peerId: string; failure: LinkFailure | null };
}

/** One connection as the bandwidth governor sees it: the pc (for the estimate) and what it sends. */
export interface SendingConnection {
  pc: RTCPeerConnection;
  senders(): { role: SenderRole; sender: GovernedSender }[];
}

/** What quality and speaking stats read from the connection that carries a peer's media. */
export type StatsConnection = Pick<RTCPeerConnection, 'connectionState' | 'getStats'>;

/** The tracks to publish, as the transport starts. */
export type PublishedTracks = Record<TrackKind, MediaStreamTrack | null>;

/** What a transport starts with, once the server has let us into the room. */
export interface MediaTransportContext {
  selfId: string;
  iceServers: IceServer[];
  signaling: SignalingPort;
  tracks: PublishedTracks;
  screen: ScreenSource | null;
}

export interface MediaTransport {
  readonly events: Emitter<MediaTransportEvents>;
  /**
   * Someone to exchange media with. `present`: they were in the room before us (the mesh offers to
   * them); otherwise they just arrived and will offer. Calling it again for a known peer is a no-op.
   */
  addPeer(peerId: string, options: { present: boolean }): void;
  /**
   * Resolves once every offer the transport has started (the mesh's first offers, from `addPeer`)
   * is answered, and the first candidates are out; `null` when none is pending.
   */
  offersAnswered?(): Promise<void> | null;
  /**
   * Resolves once the newcomer `peerId`'s first offer is answered and our first candidate is out;
   * `null` when there is no such link.
   */
  answered?(peerId: string): Promise<void> | null;
  removePeer(peerId: string): void;
  /** Publishes a camera or microphone track, or stops sending it (`null`); no renegotiation. */
  setTrack(kind: TrackKind, track: MediaStreamTrack | null): void;
  /** Publishes a screen share; `null` stops it. */
  setScreen(screen: ScreenSource | null): void;
  /** Fresh ICE servers (new TURN credentials), for the next ICE restart. */
  setIceServers(iceServers: IceServer[]): void;
  /** Looks for new network paths: on every connection, or only where ICE has none right now. */
  restartIce(options?: { onlyDisconnected?: boolean }): void;
  /**
   * The connection carrying each remote peer's media, for quality and speaking stats; where peers
   * share one (the SFU's subscriber), a view of it whose stats hold only that peer's tracks.
   */
  connections(): ReadonlyMap<string, StatsConnection>;
  /** The connections that send our media, for the bandwidth governor. */
  sending(): SendingConnection[];
  /**
   * Whose video the tiles show, each at the simulcast layer its size needs: the SFU forwards only
   * those (audio from everyone). The mesh receives everything anyway and leaves it out.
   */
  setView?(view: readonly SfuViewItem[]): void;
  /** Being replaced: stop hearing and sending signals, keeping the media up until `close`. */
  stopSignaling?(): void;
  close(): void;
}

/** Makes the transport for a room's mode: the mesh, or the SFU's publisher and subscriber. */
export type MediaTransportFactory = (context: MediaTransportContext, mode: RoomMode) => MediaTransport;
