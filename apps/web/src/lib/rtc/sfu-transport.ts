import type { IceCandidate, IceServer, SessionDescription, SfuConnection, SfuOfferPayload, SfuStream, SfuViewItem } from '@parley/protocol';
import { Emitter } from '../emitter';
import { setStreamTracks } from '../media/stream-tracks';
import type { GovernedSender, SenderRole } from './governor';
import type {
  MediaTransport,
  MediaTransportContext,
  MediaTransportEvents,
  SendingConnection,
  SignalingPort,
  StatsConnection,
} from './media-transport';
import type { ScreenSource, TrackKind } from './peer-link';

export interface SfuTransportOptions extends MediaTransportContext {
  /** Builds the two connections; replaced in tests. */
  createConnection?(configuration: RTCConfiguration): RTCPeerConnection;
  timing?: Partial<SfuTiming>;
}

export interface SfuTiming {
  /** How long either connection's ICE may stay `disconnected` before it restarts. */
  restartAfterDisconnectedMs: number;
  /** How long an `sfu-publish` may wait for its answer before it is offered again. */
  answerTimeoutMs: number;
}

const STATS_REUSE_MS = 100;
const DEFAULT_TIMING: SfuTiming = { restartAfterDisconnectedMs: 4000, answerTimeoutMs: 10_000 };

/** The camera in three layers, so the SFU can forward to each viewer the size its tile needs. */
export const SIMULCAST_ENCODINGS: RTCRtpEncodingParameters[] = [
  { rid: 'h' },
  { rid: 'm', scaleResolutionDownBy: 2 },
  { rid: 'l', scaleResolutionDownBy: 4 },
];

interface Assigned {
  audio: MediaStreamTrack | null;
  camera: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  /** The shared tab's sound, beside the screen. */
  screenAudio: MediaStreamTrack | null;
}

/**
 * The second media transport: every browser sends once to the SFU (Janus) and receives everyone
 * there. Two connections, whoever is in the room: the publisher (audio, the camera in three
 * simulcast layers, the screen share), which offers with `sfu-publish`; and the subscriber, which
 * answers the server's `sfu-offer`s. The offer's `streams` say which transceiver (`mid`) carries
 * whose track; that turns into the same per-peer `stream` and `screen` events as the mesh's.
 *
 * A peer's camera and screen are both video, and its microphone and the screen's sound both audio:
 * of each kind, the one seen first is the camera or the microphone (published as the peer joins; a
 * share is added later), and within one offer the server's listing order, which follows the
 * publisher's own order (audio, camera, screen, screen's sound), decides.
 */
export class SfuTransport implements MediaTransport {
  readonly events = new Emitter<MediaTransportEvents>();
  readonly #signaling: SignalingPort;
  readonly #timing: SfuTiming;
  readonly #publisher: RTCPeerConnection;
  readonly #subscriber: RTCPeerConnection;
  readonly #audio: RTCRtpTransceiver;
  readonly #camera: RTCRtpTransceiver;
  readonly #createConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
  readonly #stopListening: () => void;
  #screen: RTCRtpTransceiver | null = null;
  #screenAudio: RTCRtpTransceiver | null = null;
  #closed = false;
  /** Replaced by another transport: no signals in or out any more. */
  #retired = false;
  /** The last `sfu-view` sent, as JSON, so an unchanged view is not sent again. */
  #view: string | null = null;
  #subscriberTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last `sfu-ice-restart` went out; another waits for its offer (or the answer timeout). */
  #subscriberRestartAt = -Infinity;

  /** Each pc's signals, in arrival order, so a candidate never overtakes its description. */
  readonly #inbox: Record<SfuConnection, Promise<void>> = { publisher: Promise.resolve(), subscriber: Promise.resolve() };
  readonly #pendingCandidates: Record<SfuConnection, (IceCandidate | null)[]> = { publisher: [], subscriber: [] };
  #publishing = false;
  #publishAgain = false;
  #answerTimer: ReturnType<typeof setTimeout> | undefined;
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;

  /** The last offer's streams by mid. */
  #streams = new Map<string, SfuStream>();
  /** When each (mid, peer) was first seen, so a peer's first video stays its camera. */
  readonly #seen = new Map<string, number>();
  #serial = 0;
  /** The peers in the call, and what each has on the subscriber connection. */
  readonly #peers = new Set<string>();
  readonly #assigned = new Map<string, Assigned>();
  readonly #cameraStreams = new Map<string, MediaStream>();
  #subscriberFailed = false;
  /** One reading of both connections' stats serves every peer's view polled in the same round. */
  #stats: { at: number; reports: Promise<[StatEntry[], StatEntry[]]> } | null = null;

  constructor(options: SfuTransportOptions) {
    this.#signaling = options.signaling;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.#createConnection = options.createConnection ?? ((configuration) => new RTCPeerConnection(configuration));
    const configuration: RTCConfiguration = { iceServers: options.iceServers, bundlePolicy: 'max-bundle' };

    this.#publisher = this.#createConnection(configuration);
    this.#audio = this.#publisher.addTransceiver(options.tracks.audio ?? 'audio', { direction: 'sendonly' });
    this.#camera = this.#publisher.addTransceiver(options.tracks.video ?? 'video', {
      direction: 'sendonly',
      sendEncodings: SIMULCAST_ENCODINGS.map((encoding) => ({ ...encoding })),
    });
    if (options.screen) this.#addScreen(options.screen);
    this.#publisher.onnegotiationneeded = () => void this.#publish();
    this.#publisher.onicecandidate = ({ candidate }) => this.#sendCandidate('publisher', candidate);
    this.#publisher.oniceconnectionstatechange = () => this.#watchPublisher();

    this.#subscriber = this.#createConnection(configuration);
    this.#subscriber.onicecandidate = ({ candidate }) => this.#sendCandidate('subscriber', candidate);
    this.#subscriber.onconnectionstatechange = () => this.#onSubscriberState();

    // What the server sends is checked here: a malformed frame is dropped, never half-applied.
    const stops = [
      options.signaling.on('sfu-answer', (data) => {
        const description = readDescription(data, 'answer');
        if (description) this.#enqueue('publisher', () => this.#onAnswer(description));
        else this.#warn('dropped a malformed sfu-answer', data);
      }),
      options.signaling.on('sfu-offer', (data) => {
        const offer = readOffer(data, options.selfId);
        if (offer) this.#enqueue('subscriber', () => this.#onOffer(offer));
        else this.#warn('dropped a malformed sfu-offer', data);
      }),
      options.signaling.on('sfu-candidate', (data) => {
        const read = readCandidate(data);
        if (read) this.#enqueue(read.pc, () => this.#onCandidate(read.pc, read.candidate));
        else this.#warn('dropped a malformed sfu-candidate', data);
      }),
    ];
    this.#stopListening = () => stops.forEach((stop) => stop());
  }

  /** The publisher and the subscriber, for tests and diagnostics. */
  get connectionsToServer(): { publisher: RTCPeerConnection; subscriber: RTCPeerConnection } {
    return { publisher: this.#publisher, subscriber: this.#subscriber };
  }

  /** The server subscribes us to everyone's feeds by itself; whether they were there first does not matter. */
  addPeer(peerId: string, _options?: { present: boolean }): void {
    if (this.#peers.has(peerId)) return;
    this.#peers.add(peerId);
    this.#assign();
  }

  removePeer(peerId: string): void {
    this.#peers.delete(peerId);
    this.#assigned.delete(peerId);
    this.#cameraStreams.delete(peerId);
  }

  setTrack(kind: TrackKind, track: MediaStreamTrack | null): void {
    const transceiver = kind === 'audio' ? this.#audio : this.#camera;
    if (transceiver.sender.track === track) return;
    transceiver.sender.replaceTrack(track).catch((error: unknown) => this.#warn(`could not send ${kind}`, error));
  }

  /**
   * The first share adds a transceiver, and one for its sound if it has some (one renegotiation);
   * later ones reuse them.
   */
  setScreen(screen: ScreenSource | null): void {
    if (this.#closed) return;
    if (screen) this.#addScreen(screen);
    for (const [transceiver, track] of [
      [this.#screen, screen?.track ?? null],
      [this.#screenAudio, screen?.audio ?? null],
    ] as const) {
      if (!transceiver || transceiver.sender.track === track) continue;
      transceiver.sender.replaceTrack(track).catch((error: unknown) => this.#warn('could not send the screen', error));
    }
  }

  setIceServers(iceServers: IceServer[]): void {
    for (const pc of [this.#publisher, this.#subscriber]) {
      try {
        pc.setConfiguration({ ...pc.getConfiguration(), iceServers });
      } catch (error) {
        this.#warn('could not update the ICE servers', error);
      }
    }
  }

  /**
   * Restarts the publisher's ICE (a new `sfu-publish`) and asks the server to restart the
   * subscriber's (`sfu-ice-restart`: its offers come from the server).
   */
  restartIce({ onlyDisconnected = false } = {}): void {
    if (this.#closed || this.#retired) return;
    if (!onlyDisconnected || !iceConnected(this.#publisher)) {
      clearTimeout(this.#disconnectedTimer);
      this.#publisher.restartIce();
    }
    if (!onlyDisconnected || !iceConnected(this.#subscriber)) this.#restartSubscriber();
  }

  /** Sends the view when it changed: the server forwards those videos and pauses the others. */
  setView(view: readonly SfuViewItem[]): void {
    const json = JSON.stringify(view);
    if (this.#closed || this.#retired || json === this.#view) return;
    this.#view = json;
    this.#signaling.send('sfu-view', { peers: view.map(({ peer, layer }) => ({ peer, layer })) });
  }

  stopSignaling(): void {
    this.#retired = true;
    this.#stopListening();
    clearTimeout(this.#answerTimer);
    clearTimeout(this.#disconnectedTimer);
    clearTimeout(this.#subscriberTimer);
  }

  /**
   * One view of the subscriber per peer, whose stats hold only that peer's inbound tracks (and our
   * microphone's, for the speaking meter), so quality and speaking work per person.
   */
  connections(): Map<string, StatsConnection> {
    const views = new Map<string, StatsConnection>();
    for (const peerId of this.#peers) views.set(peerId, this.#statsView(peerId));
    return views;
  }

  sending(): SendingConnection[] {
    if (this.#publisher.connectionState === 'closed') return [];
    return [{ pc: this.#publisher, senders: () => this.#senders() }];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopListening();
    clearTimeout(this.#answerTimer);
    clearTimeout(this.#disconnectedTimer);
    clearTimeout(this.#subscriberTimer);
    for (const pc of [this.#publisher, this.#subscriber]) {
      pc.onnegotiationneeded = pc.onicecandidate = pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
      pc.close();
    }
    this.events.clear();
  }

  /** Adds what this share needs and the publisher does not have yet. */
  #addScreen(screen: ScreenSource): void {
    this.#screen ??= this.#publisher.addTransceiver(screen.track, { direction: 'sendonly', streams: [screen.stream] });
    if (screen.audio) this.#screenAudio ??= this.#publisher.addTransceiver(screen.audio, { direction: 'sendonly', streams: [screen.stream] });
  }

  #senders(): { role: SenderRole; sender: GovernedSender }[] {
    const senders: { role: SenderRole; sender: GovernedSender }[] = [];
    if (this.#audio.mid != null) senders.push({ role: 'audio', sender: this.#audio.sender });
    if (this.#camera.mid != null) senders.push({ role: 'camera', sender: this.#camera.sender });
    if (this.#screen?.mid != null) senders.push({ role: 'screen', sender: this.#screen.sender });
    return senders;
  }

  // ---------------------------------------------------------------------------------------------
  // Negotiation. The publisher always offers and the server always answers (no glare): one offer at
  // a time, and a change meanwhile publishes again after the answer. The subscriber always answers.
  // ---------------------------------------------------------------------------------------------

  async #publish(): Promise<void> {
    if (this.#closed || this.#retired) return;
    if (this.#publishing || this.#publisher.signalingState !== 'stable') {
      this.#publishAgain = true;
      return;
    }
    this.#publishing = true;
    this.#publishAgain = false;
    try {
      await this.#publisher.setLocalDescription();
      const offer = this.#publisher.localDescription;
      if (this.#closed || !offer) return;
      this.#signaling.send('sfu-publish', { description: { type: offer.type, sdp: offer.sdp } });
      clearTimeout(this.#answerTimer);
      this.#answerTimer = setTimeout(() => void this.#answerLost(), this.#timing.answerTimeoutMs);
    } catch (error) {
      this.#publishing = false;
      this.#warn('could not make an offer', error);
    }
  }

  /** The answer went missing (a lost socket, a server error): withdraw the offer and make a new one. */
  async #answerLost(): Promise<void> {
    if (this.#closed || this.#publisher.signalingState !== 'have-local-offer') return;
    try {
      await this.#publisher.setLocalDescription({ type: 'rollback' });
    } catch (error) {
      this.#warn('could not withdraw an unanswered offer', error);
    }
    this.#publishing = false;
    void this.#publish();
  }

  async #onAnswer(description: SessionDescription): Promise<void> {
    if (this.#publisher.signalingState !== 'have-local-offer') return;
    clearTimeout(this.#answerTimer);
    try {
      await this.#publisher.setRemoteDescription(description);
      await this.#flushCandidates('publisher');
    } finally {
      this.#publishing = false;
    }
    if (this.#publishAgain) void this.#publish();
  }

  async #onOffer({ description, streams }: SfuOfferPayload): Promise<void> {
    const pc = this.#subscriber;
    await pc.setRemoteDescription(description);
    this.#streams = new Map(streams.map((stream) => [stream.mid, stream]));
    for (const stream of streams) {
      const key = `${stream.mid} ${stream.peer}`;
      if (!this.#seen.has(key)) this.#seen.set(key, ++this.#serial);
    }
    await this.#flushCandidates('subscriber');
    await pc.setLocalDescription();
    const answer = pc.localDescription;
    if (this.#closed || this.#retired || !answer) return;
    this.#subscriberRestartAt = -Infinity;
    this.#signaling.send('sfu-answer', { description: { type: answer.type, sdp: answer.sdp } });
    this.#assign();
  }

  async #onCandidate(pc: SfuConnection, candidate: IceCandidate | null): Promise<void> {
    if (!this.#connection(pc).remoteDescription) {
      this.#pendingCandidates[pc].push(candidate);
      return;
    }
    await this.#connection(pc).addIceCandidate(candidate ?? undefined);
  }

  async #flushCandidates(pc: SfuConnection): Promise<void> {
    const pending = this.#pendingCandidates[pc];
    this.#pendingCandidates[pc] = [];
    for (const candidate of pending) {
      await this.#connection(pc)
        .addIceCandidate(candidate ?? undefined)
        .catch((error: unknown) => this.#warn(`dropped a queued ${pc} candidate`, error));
    }
  }

  #enqueue(pc: SfuConnection, task: () => Promise<void>): void {
    this.#inbox[pc] = this.#inbox[pc].then(async () => {
      if (this.#closed) return;
      try {
        await task();
      } catch (error) {
        this.#warn(`could not apply a ${pc} signal`, error);
      }
    });
  }

  #sendCandidate(pc: SfuConnection, candidate: RTCIceCandidate | null): void {
    if (this.#retired) return;
    this.#signaling.send('sfu-candidate', { pc, candidate: candidate?.candidate ? toIceCandidate(candidate) : null });
  }
  // --- end of the negotiation logic -------------------------------------------------------------

  /** Hands each peer's tracks on the subscriber to the call, as the mesh does with a link's. */
  #assign(): void {
    if (this.#closed) return;
    type Found = { order: number; track: MediaStreamTrack };
    const found = new Map<string, Record<'audio' | 'video', Found[]>>();
    for (const transceiver of this.#subscriber.getTransceivers()) {
      const stream = transceiver.mid === null ? undefined : this.#streams.get(transceiver.mid);
      if (!stream?.active || !this.#peers.has(stream.peer)) continue;
      if (transceiver.currentDirection === 'inactive' || transceiver.currentDirection === 'stopped') continue;
      const entry = found.get(stream.peer) ?? { audio: [], video: [] };
      entry[stream.kind].push({ order: this.#seen.get(`${stream.mid} ${stream.peer}`) ?? Infinity, track: transceiver.receiver.track });
      found.set(stream.peer, entry);
    }
    for (const [peerId, entry] of found) {
      const [audio, videos] = [entry.audio, entry.video].map((list) => list.sort((a, b) => a.order - b.order).map((f) => f.track));
      const next: Assigned = {
        audio: audio?.[0] ?? null,
        camera: videos?.[0] ?? null,
        screen: videos?.[1] ?? null,
        screenAudio: audio?.[1] ?? null,
      };
      const last = this.#assigned.get(peerId);
      this.#assigned.set(peerId, next);
      if (!last) this.events.emit('linkstate', { peerId, state: this.#subscriber.connectionState });
      if (!last || last.audio !== next.audio || last.camera !== next.camera) this.#emitCamera(peerId, next);
      if (next.screen && (last?.screen !== next.screen || last.screenAudio !== next.screenAudio)) {
        const tracks = next.screenAudio ? [next.screen, next.screenAudio] : [next.screen];
        this.events.emit('screen', { peerId, stream: new MediaStream(tracks) });
      }
    }
  }

  #emitCamera(peerId: string, { audio, camera }: Assigned): void {
    let stream = this.#cameraStreams.get(peerId);
    if (!stream) this.#cameraStreams.set(peerId, (stream = new MediaStream()));
    const wanted = [audio, camera].filter((track): track is MediaStreamTrack => !!track);
    setStreamTracks(stream, wanted);
    this.events.emit('stream', { peerId, stream });
  }

  #onSubscriberState(): void {
    const state = this.#subscriber.connectionState;
    this.#watchSubscriber(state);
    for (const peerId of this.#assigned.keys()) this.events.emit('linkstate', { peerId, state });
    const failed = state === 'failed';
    if (failed === this.#subscriberFailed || (!failed && state !== 'connected')) return;
    this.#subscriberFailed = failed;
    const failure = failed ? (relayOnly(this.#subscriber) ? 'relay' : 'network') : null;
    for (const peerId of this.#assigned.keys()) this.events.emit('linkfailure', { peerId, failure });
  }

  /** ICE restarts on the publisher: at once when it fails, after a few seconds stuck in `disconnected`. */
  #watchPublisher(): void {
    const state = this.#publisher.iceConnectionState;
    clearTimeout(this.#disconnectedTimer);
    if (state === 'failed') this.restartIce();
    else if (state === 'disconnected') {
      this.#disconnectedTimer = setTimeout(() => {
        if (this.#publisher.iceConnectionState === 'disconnected') this.restartIce();
      }, this.#timing.restartAfterDisconnectedMs);
    }
  }

  /** The subscriber's ICE restarts like the publisher's, but through the server: it makes the offer. */
  #watchSubscriber(state: RTCPeerConnectionState): void {
    clearTimeout(this.#subscriberTimer);
    if (state === 'failed') this.#restartSubscriber();
    else if (state === 'disconnected') {
      this.#subscriberTimer = setTimeout(() => {
        if (this.#subscriber.connectionState === 'disconnected') this.#restartSubscriber();
      }, this.#timing.restartAfterDisconnectedMs);
    }
  }

  #restartSubscriber(): void {
    // Nothing to restart before the first offer; one request at a time until its offer is answered.
    if (this.#closed || this.#retired || !this.#subscriber.remoteDescription) return;
    const now = Date.now();
    if (now - this.#subscriberRestartAt < this.#timing.answerTimeoutMs) return;
    this.#subscriberRestartAt = now;
    this.#signaling.send('sfu-ice-restart', {});
  }

  /**
   * Both connections' stats as plain arrays, shared by every peer's view for STATS_REUSE_MS. Each
   * walk of an RTCStatsReport builds every entry's object anew: with one walk per view, the speaking
   * meter took 1.06 s of every 8 s of a page's main thread in a six-person call.
   */
  #reports(): Promise<[StatEntry[], StatEntry[]]> {
    const now = Date.now();
    if (!this.#stats || now - this.#stats.at > STATS_REUSE_MS) {
      const entries = (pc: RTCPeerConnection) => pc.getStats().then((report) => [...report.values()] as StatEntry[]);
      this.#stats = { at: now, reports: Promise.all([entries(this.#subscriber), entries(this.#publisher)]) };
    }
    return this.#stats.reports;
  }

  #statsView(peerId: string): StatsConnection {
    const subscriber = this.#subscriber;
    const reports = () => this.#reports();
    const mine = () => {
      const mids = new Set<string>();
      const tracks = new Set<string>();
      for (const transceiver of subscriber.getTransceivers()) {
        if (transceiver.mid === null || this.#streams.get(transceiver.mid)?.peer !== peerId) continue;
        mids.add(transceiver.mid);
        tracks.add(transceiver.receiver.track.id);
      }
      return { mids, tracks };
    };
    return {
      get connectionState() {
        return subscriber.connectionState;
      },
      async getStats() {
        const [received, sent] = await reports();
        return peerStats(received, sent, mine()) as unknown as RTCStatsReport;
      },
    };
  }

  #connection(pc: SfuConnection): RTCPeerConnection {
    return pc === 'publisher' ? this.#publisher : this.#subscriber;
  }

  #warn(message: string, error: unknown): void {
    if (!this.#closed) console.warn(`[sfu] ${message}`, error);
  }
}

type StatEntry = { type: string; id: string; mid?: string; trackIdentifier?: string; [field: string]: unknown };

/**
 * One peer's share of the subscriber's stats: its own inbound tracks (by mid, or by track id where
 * a browser leaves `mid` out), the connection's transport and candidates without the connection-wide
 * byte counts (so bitrates add up that peer's tracks), and the publisher's `media-source` entries.
 */
export function peerStats(
  received: { forEach(callback: (stat: StatEntry) => void): void },
  sent: { forEach(callback: (stat: StatEntry) => void): void },
  mine: { mids: ReadonlySet<string>; tracks: ReadonlySet<string> },
): Map<string, StatEntry> {
  const view = new Map<string, StatEntry>();
  received.forEach((stat) => {
    if (stat.type === 'inbound-rtp') {
      const ours = stat.mid !== undefined ? mine.mids.has(stat.mid) : mine.tracks.has(stat.trackIdentifier ?? '');
      if (ours) view.set(stat.id, stat);
    } else if (stat.type === 'candidate-pair') {
      const { bytesReceived: _in, bytesSent: _out, ...pair } = stat;
      view.set(stat.id, pair as StatEntry);
    } else if (stat.type !== 'media-source' && stat.type !== 'outbound-rtp' && stat.type !== 'remote-inbound-rtp') {
      view.set(stat.id, stat);
    }
  });
  sent.forEach((stat) => {
    if (stat.type === 'media-source') view.set(`publisher-${stat.id}`, stat);
  });
  return view;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

function readDescription(data: unknown, type: 'offer' | 'answer'): SessionDescription | null {
  const description = isObject(data) ? data.description : undefined;
  if (!isObject(description) || description.type !== type || typeof description.sdp !== 'string') return null;
  return { type, sdp: description.sdp };
}

/** An offer with its streams; a stream that is malformed, repeats a mid, or is our own is left out. */
function readOffer(data: unknown, selfId: string): SfuOfferPayload | null {
  const description = readDescription(data, 'offer');
  const listed = isObject(data) ? data.streams : undefined;
  if (!description || !Array.isArray(listed)) return null;
  const streams: SfuStream[] = [];
  const mids = new Set<string>();
  for (const item of listed as unknown[]) {
    if (!isObject(item)) continue;
    const { mid, peer, kind, active } = item;
    if (typeof mid !== 'string' || typeof peer !== 'string' || (kind !== 'audio' && kind !== 'video') || typeof active !== 'boolean') continue;
    if (mids.has(mid) || peer === selfId) continue;
    mids.add(mid);
    streams.push({ mid, peer, kind, active });
  }
  return { description, streams };
}

function readCandidate(data: unknown): { pc: SfuConnection; candidate: IceCandidate | null } | null {
  if (!isObject(data) || (data.pc !== 'publisher' && data.pc !== 'subscriber')) return null;
  const { candidate } = data;
  if (candidate === null) return { pc: data.pc, candidate: null };
  if (!isObject(candidate) || typeof candidate.candidate !== 'string') return null;
  return { pc: data.pc, candidate: candidate as unknown as IceCandidate };
}

function iceConnected(pc: RTCPeerConnection): boolean {
  return pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
}

function relayOnly(pc: RTCPeerConnection): boolean {
  const configuration = pc.getConfiguration?.();
  const turn = configuration?.iceServers?.some((server) => [server.urls].flat().some((url) => /^turns?:/.test(url)));
  return configuration?.iceTransportPolicy === 'relay' && !!turn;
}

function toIceCandidate(candidate: RTCIceCandidate): IceCandidate {
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return { candidate: candidate.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}
