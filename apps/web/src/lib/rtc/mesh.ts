import type { IceServer } from '@parley/protocol';
import { Emitter } from '../emitter';
import { setStreamTracks } from '../media/stream-tracks';
import type {
  MediaTransport,
  MediaTransportContext,
  MediaTransportEvents,
  PublishedTracks,
  SendingConnection,
  SignalingPort,
} from './media-transport';
import { PeerLink, type PeerLinkOptions, type ScreenSource, type TrackKind } from './peer-link';

export interface MeshOptions extends MediaTransportContext {
  /** Builds each link's connection; replaced in tests. */
  createConnection?: PeerLinkOptions['createConnection'];
  timing?: PeerLinkOptions['timing'];
}

/**
 * The first media transport, a full mesh: one PeerLink per remote peer, all sending the same local
 * tracks, signaled peer to peer through the server's `signal` relay.
 */
export class Mesh implements MediaTransport {
  readonly events = new Emitter<MediaTransportEvents>();
  readonly #links = new Map<string, PeerLink>();
  /** The first offers still waiting for their answers (see `offersAnswered`). */
  readonly #offers = new Set<Promise<void>>();
  readonly #tracks: PublishedTracks;
  readonly #selfId: string;
  readonly #signaling: SignalingPort;
  readonly #createConnection: MeshOptions['createConnection'];
  readonly #timing: MeshOptions['timing'];
  readonly #stopListening: () => void;
  #iceServers: IceServer[];
  #screen: ScreenSource | null;

  constructor(options: MeshOptions) {
    this.#selfId = options.selfId;
    this.#iceServers = options.iceServers;
    this.#signaling = options.signaling;
    this.#tracks = { ...options.tracks };
    this.#screen = options.screen;
    this.#createConnection = options.createConnection;
    this.#timing = options.timing;
    this.#stopListening = options.signaling.on('signal', ({ from, description, candidate }) => {
      // An offer can overtake `peer-joined` when the two go through different server instances.
      void this.#link(from).receive({ description, candidate });
    });
  }

  addPeer(peerId: string, { present }: { present: boolean }): void {
    const known = this.#links.has(peerId);
    const link = this.#link(peerId);
    // Whoever joins offers to those already there; a newcomer offers to us.
    if (!present || known) return;
    const offer = link.start().then(() => link.firstExchange());
    this.#offers.add(offer);
    void offer.finally(() => this.#offers.delete(offer));
  }

  offersAnswered(): Promise<void> | null {
    return this.#offers.size ? Promise.all(this.#offers).then(() => undefined) : null;
  }

  answered(peerId: string): Promise<void> | null {
    return this.#links.get(peerId)?.firstExchange() ?? null;
  }

  removePeer(peerId: string): void {
    this.#links.get(peerId)?.close();
    this.#links.delete(peerId);
  }

  restartIce({ onlyDisconnected = false } = {}): void {
    for (const link of this.#links.values()) if (!onlyDisconnected || !link.iceConnected) link.restartIce();
  }

  setIceServers(iceServers: IceServer[]): void {
    this.#iceServers = iceServers;
    for (const link of this.#links.values()) {
      try {
        link.pc.setConfiguration({ ...link.pc.getConfiguration(), iceServers });
      } catch (error) {
        console.warn(`[mesh] could not update the ICE servers of ${link.peerId}`, error);
      }
    }
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

  connections(): Map<string, RTCPeerConnection> {
    return new Map([...this.#links].map(([id, link]) => [id, link.pc]));
  }

  sending(): SendingConnection[] {
    return [...this.#links.values()]
      .filter((link) => link.pc.connectionState !== 'closed')
      .map((link) => ({ pc: link.pc, senders: () => link.senders() }));
  }

  close(): void {
    this.#stopListening();
    for (const link of this.#links.values()) link.close();
    this.#links.clear();
    this.events.clear();
  }

  /** Whether the link to `peerId` may only go through a TURN relay. */
  #relayOnly(link: PeerLink): boolean {
    const configuration = link.pc.getConfiguration?.();
    const turn = configuration?.iceServers?.some((server) => [server.urls].flat().some((url) => /^turns?:/.test(url)));
    return configuration?.iceTransportPolicy === 'relay' && !!turn;
  }

  #link(peerId: string): PeerLink {
    const existing = this.#links.get(peerId);
    if (existing) return existing;

    const stream = new MediaStream();
    /** The peer's screen and its sound, as they arrive (one of each, the latest). */
    let screen: MediaStreamTrack[] = [];
    const link: PeerLink = new PeerLink(
      {
        peerId,
        polite: this.#selfId < peerId,
        configuration: { iceServers: this.#iceServers },
        send: (signal) => this.#signaling.send('signal', { to: peerId, ...signal }),
        ontrack: (track, isScreen) => {
          if (isScreen) {
            // A new stream each time, so a player already showing the screen picks up its sound.
            screen = [...screen.filter((old) => old.kind !== track.kind), track];
            this.events.emit('screen', { peerId, stream: new MediaStream(screen) });
            return;
          }
          setStreamTracks(stream, [...stream.getTracks().filter((old) => old.kind !== track.kind), track]);
          this.events.emit('stream', { peerId, stream });
        },
        onstatechange: (state) => this.events.emit('linkstate', { peerId, state }),
        onfailure: (failed) => this.events.emit('linkfailure', { peerId, failure: failed ? (this.#relayOnly(link) ? 'relay' : 'network') : null }),
        createConnection: this.#createConnection,
        timing: this.#timing,
      },
      this.#tracks,
    );
    this.#links.set(peerId, link);
    if (this.#screen) void link.setScreen(this.#screen);
    return link;
  }
}
