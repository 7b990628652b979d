import type { IceServer } from '@parley/protocol';
import type { GovernedSender, SenderRole } from './governor';
import {
  PeerLink,
  TRACK_KINDS,
  type IncomingSignal,
  type LinkSignal,
  type LocalTracks,
  type ScreenSource,
  type TrackKind,
} from './peer-link';

export interface MeshOptions {
  selfId: string;
  iceServers: IceServer[];
  send(to: string, signal: LinkSignal): void;
  onremotestream?(peerId: string, stream: MediaStream): void;
  /** The peer's screen share arrived (it plays while the peer's `media.screen` is on). */
  onremotescreen?(peerId: string, stream: MediaStream): void;
  onlinkstate?(peerId: string, state: RTCPeerConnectionState): void;
  /** A link could not connect even after an ICE restart (`true`), or connected after all. */
  onlinkfailure?(peerId: string, failed: boolean): void;
}

/** The links of a full mesh: one PeerLink per remote peer, all sending the same local tracks. */
export class Mesh {
  readonly #links = new Map<string, PeerLink>();
  readonly #tracks: LocalTracks = { audio: null, video: null };
  #screen: ScreenSource | null = null;
  #options: MeshOptions;

  constructor(options: MeshOptions, tracks: LocalTracks) {
    this.#options = { ...options };
    Object.assign(this.#tracks, tracks);
  }

  get peerIds(): string[] {
    return [...this.#links.keys()];
  }

  has(peerId: string): boolean {
    return this.#links.has(peerId);
  }

  /** Restarts ICE on every link, or on those that have no working path right now. */
  restartIce({ onlyDisconnected = false } = {}): void {
    for (const link of this.#links.values()) if (!onlyDisconnected || !link.iceConnected) link.restartIce();
  }

  /** Fresh ICE servers (new TURN credentials) for the next ICE restart of every link. */
  setIceServers(iceServers: IceServer[]): void {
    this.#options.iceServers = iceServers;
    for (const link of this.#links.values()) {
      try {
        link.pc.setConfiguration({ ...link.pc.getConfiguration(), iceServers });
      } catch (error) {
        console.warn(`[mesh] could not update the ICE servers of ${link.peerId}`, error);
      }
    }
  }

  /** Whether the link to `peerId` may only go through a TURN relay. */
  relayOnly(peerId: string): boolean {
    const configuration = this.#links.get(peerId)?.pc.getConfiguration?.();
    const turn = configuration?.iceServers?.some((server) =>
      [server.urls].flat().some((url) => /^turns?:/.test(url)),
    );
    return configuration?.iceTransportPolicy === 'relay' && !!turn;
  }

  /** Offers to a peer that was already in the room when we joined. */
  call(peerId: string): void {
    this.#link(peerId).start();
  }

  /** Gets ready for a newcomer's offer. */
  expect(peerId: string): void {
    this.#link(peerId);
  }

  receive(from: string, signal: IncomingSignal): void {
    // An offer can overtake `peer-joined` when the two go through different server instances.
    void this.#link(from).receive(signal);
  }

  remove(peerId: string): void {
    this.#links.get(peerId)?.close();
    this.#links.delete(peerId);
  }

  setTrack(kind: TrackKind, track: MediaStreamTrack | null): void {
    this.#tracks[kind] = track;
    for (const link of this.#links.values()) {
      link.setTrack(kind, track).catch((error: unknown) => console.warn(`[mesh] could not send ${kind}`, error));
    }
  }

  /** Sends a screen share on every link, and to everyone who joins while it lasts; `null` stops it. */
  setScreen(screen: ScreenSource | null): void {
    this.#screen = screen;
    for (const link of this.#links.values()) {
      link.setScreen(screen).catch((error: unknown) => console.warn('[mesh] could not send the screen', error));
    }
  }

  /** Each link's connection, for stats. */
  connections(): Map<string, RTCPeerConnection> {
    return new Map([...this.#links].map(([id, link]) => [id, link.pc]));
  }

  /** Each open link's connection and what it sends, for the bandwidth governor. */
  senders(): { pc: RTCPeerConnection; senders(): { role: SenderRole; sender: GovernedSender }[] }[] {
    return [...this.#links.values()]
      .filter((link) => link.pc.connectionState !== 'closed')
      .map((link) => ({ pc: link.pc, senders: () => link.senders() }));
  }

  close(): void {
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
  }

  #link(peerId: string): PeerLink {
    const existing = this.#links.get(peerId);
    if (existing) return existing;

    const { selfId, iceServers, send, onremotestream, onremotescreen, onlinkstate, onlinkfailure } = this.#options;
    const stream = new MediaStream();
    const link = new PeerLink(
      {
        peerId,
        polite: selfId < peerId,
        configuration: { iceServers },
        send: (signal) => send(peerId, signal),
        ontrack: (track, isScreen) => {
          if (isScreen) {
            onremotescreen?.(peerId, new MediaStream([track]));
            return;
          }
          for (const old of stream.getTracks()) if (old.kind === track.kind && old !== track) stream.removeTrack(old);
          if (!stream.getTracks().includes(track)) stream.addTrack(track);
          onremotestream?.(peerId, stream);
        },
        onstatechange: (state) => onlinkstate?.(peerId, state),
        onfailure: (failed) => onlinkfailure?.(peerId, failed),
      },
      this.#tracks,
    );
    this.#links.set(peerId, link);
    if (this.#screen) void link.setScreen(this.#screen);
    return link;
  }
}

export { TRACK_KINDS };
