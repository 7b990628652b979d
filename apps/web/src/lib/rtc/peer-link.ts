import type { IceCandidate, SessionDescription } from '@parley/protocol';
import type { GovernedSender, SenderRole } from './governor';

/** What one link sends to its peer through the signaling server: exactly one of the two fields. */
export type LinkSignal = { description: SessionDescription } | { candidate: IceCandidate | null };

/** What arrives from the peer. */
export interface IncomingSignal {
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export type TrackKind = 'audio' | 'video';
const TRACK_KINDS: readonly TrackKind[] = ['audio', 'video'];

export interface PeerLinkOptions {
  peerId: string;
  /** The polite side yields when both offer at once. */
  polite: boolean;
  configuration: RTCConfiguration;
  send(signal: LinkSignal): void;
  /**
   * A remote track arrived; `screen` when it is the peer's screen share (its video or its sound)
   * rather than its camera or microphone.
   */
  ontrack?(track: MediaStreamTrack, screen: boolean): void;
  onstatechange?(state: RTCPeerConnectionState): void;
  /** `true` when the link could not connect even after an ICE restart; `false` once it does. */
  onfailure?(failed: boolean): void;
  createConnection?(configuration: RTCConfiguration): RTCPeerConnection;
  timing?: Partial<PeerLinkTiming>;
}

export interface PeerLinkTiming {
  /** How long ICE may stay `disconnected` before the link restarts it. */
  restartAfterDisconnectedMs: number;
  /** How long a new or restarted link may go without connecting before it counts as failed. */
  failAfterMs: number;
}

export const DEFAULT_TIMING: PeerLinkTiming = { restartAfterDisconnectedMs: 4000, failAfterMs: 15_000 };

export type LocalTracks = Record<TrackKind, MediaStreamTrack | null>;

/**
 * Whether an incoming track belongs to the peer's screen share. The camera and the microphone are
 * sent without a stream (`msid:-`) and the screen and its sound inside one, so a track in a stream
 * is the screen's: video is the screen itself, audio the shared tab's sound.
 */
export function isScreenTrack(event: { track: { kind: string }; streams?: readonly unknown[] }): boolean {
  return (event.streams?.length ?? 0) > 0;
}

/**
 * A screen share to send: the track, the shared tab's sound if any, and the stream they go in
 * (which marks them as the screen's).
 */
export interface ScreenSource {
  track: MediaStreamTrack;
  audio?: MediaStreamTrack | null;
  stream: MediaStream;
}

/** One RTCPeerConnection to one remote peer. */
export class PeerLink {
  readonly peerId: string;
  readonly polite: boolean;
  readonly pc: RTCPeerConnection;
  readonly #options: PeerLinkOptions;
  readonly #tracks: LocalTracks;
  #pendingCandidates: (IceCandidate | null)[] = [];
  #inbox: Promise<void> = Promise.resolve();
  #closed = false;
  #screen: ScreenSource | null = null;
  #screenTransceiver: RTCRtpTransceiver | null = null;
  /** The screen's sound, added with the screen (or with the first share that has sound). */
  #screenAudioTransceiver: RTCRtpTransceiver | null = null;
  /** The transceivers that bring the peer's screen share (video and sound) to us. */
  readonly #remoteScreens = new Set<RTCRtpTransceiver>();
  #failed = false;
  #restarts = 0;
  /** Settles once the first offer and answer are done on this side (our answer sent, or the peer's applied), or the link closed. */
  readonly #exchanged: Promise<void>;
  #onExchanged: () => void = () => {};
  /** Settles once the first local candidate (or the end of candidates) has gone to the peer, or the link closed. */
  readonly #candidateSent: Promise<void>;
  #onCandidateSent: () => void = () => {};
  #disconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  #failTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #timing: PeerLinkTiming;

  constructor(options: PeerLinkOptions, tracks: LocalTracks) {
    this.#options = options;
    this.#timing = { ...DEFAULT_TIMING, ...options.timing };
    this.peerId = options.peerId;
    this.polite = options.polite;
    this.#tracks = { ...tracks };
    this.#exchanged = new Promise((resolve) => (this.#onExchanged = resolve));
    this.#candidateSent = new Promise((resolve) => (this.#onCandidateSent = resolve));
    this.pc = options.createConnection?.(options.configuration) ?? new RTCPeerConnection(options.configuration);
    this.pc.ontrack = (event) => {
      const screen = isScreenTrack(event);
      if (screen && event.transceiver) this.#remoteScreens.add(event.transceiver);
      options.ontrack?.(event.track, screen);
    };
    this.pc.onconnectionstatechange = () => options.onstatechange?.(this.pc.connectionState);
    this.#negotiate();
    this.#watchIce();
  }

  /** Whether ICE currently has a working path to the peer. */
  get iceConnected(): boolean {
    return this.pc.iceConnectionState === 'connected' || this.pc.iceConnectionState === 'completed';
  }

  /** The link could not connect, even after restarting ICE. */
  get failed(): boolean {
    return this.#failed;
  }

  /** ICE restarts this link asked for. */
  get restarts(): number {
    return this.#restarts;
  }

  /**
   * Gathers new candidates and renegotiates, keeping the media flowing on the old path until a new
   * one works. Either side may call it; two restarts at once resolve like any other glare.
   */
  restartIce(): void {
    if (this.#closed) return;
    clearTimeout(this.#disconnectedTimer);
    this.#restarts++;
    this.pc.restartIce();
    this.#armFailTimer();
  }

  /**
   * The offering side (the newcomer) adds one audio and one video transceiver, with or without a
   * local track, so both people can receive even when one has no camera or microphone, and offers.
   * Resolves once the offer is sent (or could not be made).
   */
  start(): Promise<void> {
    for (const kind of TRACK_KINDS) this.pc.addTransceiver(this.#tracks[kind] ?? kind, { direction: 'sendrecv' });
    // The offer starts now rather than on `negotiationneeded`: that event is a task of its own,
    // queued behind whatever the page does meanwhile (the call view's first render), and the peer
    // waits for it. The browser does not fire the event while this offer is under way.
    return this.#offer();
  }

  /**
   * Resolves once the first offer and answer are done on this side (we sent our answer, or applied
   * the peer's) and our first candidate has gone out, or the link closed. Until then the page should
   * not start a long render: the answer, and the candidates' events, would wait behind it, and so
   * would the connectivity checks of both sides.
   */
  firstExchange(): Promise<void> {
    return Promise.all([this.#exchanged, this.#candidateSent]).then(() => undefined);
  }

  /** Handles signals in arrival order, so a candidate never overtakes its description. */
  receive(signal: IncomingSignal): Promise<void> {
    this.#inbox = this.#inbox.then(() => this.#onSignal(signal));
    return this.#inbox;
  }

  /** Sends `track` (or nothing) on this link without renegotiating. */
  async setTrack(kind: TrackKind, track: MediaStreamTrack | null): Promise<void> {
    this.#tracks[kind] = track;
    const transceiver = this.#transceiver(kind);
    if (transceiver && transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
  }

  /**
   * Sends a screen share beside the camera, on a transceiver of its own (and its sound beside the
   * microphone, on another), or stops sending it. The first share renegotiates once; later ones
   * reuse the transceivers with `replaceTrack` (a later share with sound, after one without, adds
   * the sound's transceiver then).
   */
  async setScreen(screen: ScreenSource | null): Promise<void> {
    this.#screen = screen;
    await this.#applyScreen();
  }

  /** What this link sends, by role, for the bandwidth governor. */
  senders(): { role: SenderRole; sender: GovernedSender }[] {
    const senders: { role: SenderRole; sender: GovernedSender }[] = [];
    const audio = this.#transceiver('audio');
    const camera = this.#transceiver('video');
    if (audio?.mid != null) senders.push({ role: 'audio', sender: audio.sender });
    if (camera?.mid != null) senders.push({ role: 'camera', sender: camera.sender });
    if (this.#screenTransceiver?.mid != null) senders.push({ role: 'screen', sender: this.#screenTransceiver.sender });
    return senders;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onExchanged();
    this.#onCandidateSent();
    clearTimeout(this.#disconnectedTimer);
    clearTimeout(this.#failTimer);
    this.pc.ontrack = this.pc.onconnectionstatechange = null;
    this.pc.onnegotiationneeded = this.pc.onicecandidate = this.pc.oniceconnectionstatechange = null;
    this.pc.close();
  }

  // ---------------------------------------------------------------------------------------------
  // The negotiation logic: the W3C webrtc-pc "perfect negotiation" example
  // (https://w3c.github.io/webrtc-pc/#perfect-negotiation-example), with two additions that the
  // example leaves to the application: candidates wait until a remote description exists, and the
  // answering side turns the offered transceivers into sendrecv with its own tracks.
  // ---------------------------------------------------------------------------------------------
  #makingOffer = false;
  #ignoreOffer = false;
  #isSettingRemoteAnswerPending = false;

  #negotiate(): void {
    const { pc } = this;

    pc.onnegotiationneeded = () => void this.#offer();

    pc.onicecandidate = ({ candidate }) => {
      this.#options.send({ candidate: candidate?.candidate ? toIceCandidate(candidate) : null });
      this.#onCandidateSent();
    };
  }

  async #offer(): Promise<void> {
    // `start()` is making the first offer already: the event has nothing to add.
    if (this.#makingOffer) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#sendDescription();
    } catch (error) {
      this.#warn('could not make an offer', error);
    } finally {
      this.#makingOffer = false;
    }
  }

  async #onSignal({ description, candidate }: IncomingSignal): Promise<void> {
    if (this.#closed) return;
    const { pc } = this;
    try {
      if (description) {
        const readyForOffer = !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
        const offerCollision = description.type === 'offer' && !readyForOffer;

        this.#ignoreOffer = !this.polite && offerCollision;
        if (this.#ignoreOffer) return;

        this.#isSettingRemoteAnswerPending = description.type === 'answer';
        try {
          await pc.setRemoteDescription(description); // rolls back our own offer if needed
        } finally {
          this.#isSettingRemoteAnswerPending = false;
        }
        await this.#flushCandidates();
        if (description.type === 'offer') {
          await this.#prepareAnswer();
          await pc.setLocalDescription();
          this.#sendDescription();
        }
        this.#onExchanged();
        await this.#applyScreen();
      } else if (candidate !== undefined) {
        if (!pc.remoteDescription) {
          this.#pendingCandidates.push(candidate);
          return;
        }
        await this.#addCandidate(candidate);
      }
    } catch (error) {
      this.#warn('could not apply a signal', error);
    }
  }

  async #addCandidate(candidate: IceCandidate | null): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate ?? undefined);
    } catch (error) {
      if (!this.#ignoreOffer) throw error;
    }
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const candidate of pending) {
      // A candidate of an offer that lost a collision no longer matches anything; that is expected.
      await this.#addCandidate(candidate).catch((error: unknown) => this.#warn('dropped a queued candidate', error));
    }
  }

  async #prepareAnswer(): Promise<void> {
    for (const kind of TRACK_KINDS) {
      const transceiver = this.#transceiver(kind);
      if (!transceiver) continue;
      if (transceiver.direction === 'recvonly') transceiver.direction = 'sendrecv';
      if (transceiver.sender.track !== this.#tracks[kind]) await transceiver.sender.replaceTrack(this.#tracks[kind]);
    }
  }
  // --- end of the negotiation logic -------------------------------------------------------------

  /**
   * ICE restarts: at once when ICE fails, and after a few seconds stuck in `disconnected` (a
   * network change often leaves it there instead of failing). A link that has not connected
   * `failAfterMs` after it started or restarted reports a failure, and tries again.
   */
  #watchIce(): void {
    this.#armFailTimer();
    this.pc.oniceconnectionstatechange = () => {
      const state = this.pc.iceConnectionState;
      clearTimeout(this.#disconnectedTimer);
      if (this.iceConnected) {
        clearTimeout(this.#failTimer);
        this.#failTimer = undefined;
        this.#setFailed(false);
      } else if (state === 'failed') {
        this.restartIce();
      } else if (state === 'disconnected') {
        this.#disconnectedTimer = setTimeout(() => {
          if (this.pc.iceConnectionState === 'disconnected') this.restartIce();
        }, this.#timing.restartAfterDisconnectedMs);
      }
    };
  }

  #armFailTimer(): void {
    if (this.#failTimer !== undefined || this.#closed) return;
    this.#failTimer = setTimeout(() => {
      this.#failTimer = undefined;
      if (this.#closed || this.iceConnected) return;
      this.#setFailed(true);
      // Before the first offer and answer there is nothing to restart; the peer may still call.
      if (this.pc.remoteDescription) this.restartIce();
      else this.#armFailTimer();
    }, this.#timing.failAfterMs);
  }

  #setFailed(failed: boolean): void {
    if (this.#failed === failed) return;
    this.#failed = failed;
    this.#options.onfailure?.(failed);
  }

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (local) this.#options.send({ description: { type: local.type, sdp: local.sdp } });
  }

  /**
   * A screen share waits for the first offer and answer, so the camera's transceivers come first
   * and a share cannot collide with the newcomer's offer and take the camera's place.
   */
  async #applyScreen(): Promise<void> {
    if (this.#closed) return;
    const screen = this.#screen;
    const canAdd = !!screen && !!this.pc.currentRemoteDescription && this.pc.signalingState === 'stable';
    if (!this.#screenTransceiver && canAdd) {
      this.#screenTransceiver = this.pc.addTransceiver(screen.track, { direction: 'sendonly', streams: [screen.stream] });
    }
    if (!this.#screenAudioTransceiver && canAdd && screen.audio) {
      this.#screenAudioTransceiver = this.pc.addTransceiver(screen.audio, { direction: 'sendonly', streams: [screen.stream] });
    }
    await replaceIfChanged(this.#screenTransceiver, screen?.track ?? null);
    await replaceIfChanged(this.#screenAudioTransceiver, screen?.audio ?? null);
  }

  /** The camera's or the microphone's transceiver: never one that carries a screen share. */
  #transceiver(kind: TrackKind): RTCRtpTransceiver | undefined {
    const usable = this.pc
      .getTransceivers()
      .filter(
        (t) =>
          t.receiver.track.kind === kind &&
          t.currentDirection !== 'stopped' &&
          t.direction !== 'stopped' &&
          t !== this.#screenTransceiver &&
          t !== this.#screenAudioTransceiver &&
          !this.#remoteScreens.has(t),
      );
    // Prefer the negotiated one: after a rollback, our own unnegotiated transceiver may linger.
    return usable.find((t) => t.mid !== null) ?? usable[0];
  }

  #warn(message: string, error: unknown): void {
    if (!this.#closed) console.warn(`[peer ${this.peerId}] ${message}`, error);
  }
}

async function replaceIfChanged(transceiver: RTCRtpTransceiver | null, track: MediaStreamTrack | null): Promise<void> {
  if (transceiver && transceiver.sender.track !== track) await transceiver.sender.replaceTrack(track);
}

function toIceCandidate(candidate: RTCIceCandidate): IceCandidate {
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return { candidate: candidate.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}
