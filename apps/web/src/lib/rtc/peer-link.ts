import type { IceCandidate, SessionDescription } from '@parley/protocol';

/** What one link sends to its peer through the signaling server: exactly one of the two fields. */
export type LinkSignal = { description: SessionDescription } | { candidate: IceCandidate | null };

/** What arrives from the peer. */
export interface IncomingSignal {
  description?: SessionDescription;
  candidate?: IceCandidate | null;
}

export type TrackKind = 'audio' | 'video';
export const TRACK_KINDS: readonly TrackKind[] = ['audio', 'video'];

export interface PeerLinkOptions {
  peerId: string;
  /** The polite side yields when both offer at once. */
  polite: boolean;
  configuration: RTCConfiguration;
  send(signal: LinkSignal): void;
  ontrack?(track: MediaStreamTrack): void;
  onstatechange?(state: RTCPeerConnectionState): void;
  createConnection?(configuration: RTCConfiguration): RTCPeerConnection;
}

export type LocalTracks = Record<TrackKind, MediaStreamTrack | null>;

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

  constructor(options: PeerLinkOptions, tracks: LocalTracks) {
    this.#options = options;
    this.peerId = options.peerId;
    this.polite = options.polite;
    this.#tracks = { ...tracks };
    this.pc = options.createConnection?.(options.configuration) ?? new RTCPeerConnection(options.configuration);
    this.pc.ontrack = ({ track }) => options.ontrack?.(track);
    this.pc.onconnectionstatechange = () => options.onstatechange?.(this.pc.connectionState);
    this.#negotiate();
  }

  get connectionState(): RTCPeerConnectionState {
    return this.pc.connectionState;
  }

  /**
   * The offering side (the newcomer) adds one audio and one video transceiver, with or without a
   * local track, so both people can receive even when one has no camera or microphone.
   */
  start(): void {
    for (const kind of TRACK_KINDS) this.pc.addTransceiver(this.#tracks[kind] ?? kind, { direction: 'sendrecv' });
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

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
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

    pc.onnegotiationneeded = async () => {
      try {
        this.#makingOffer = true;
        await pc.setLocalDescription();
        this.#sendDescription();
      } catch (error) {
        this.#warn('could not make an offer', error);
      } finally {
        this.#makingOffer = false;
      }
    };

    pc.onicecandidate = ({ candidate }) => {
      this.#options.send({ candidate: candidate?.candidate ? toIceCandidate(candidate) : null });
    };

    pc.oniceconnectionstatechange = () => {
      if (pc.iceConnectionState === 'failed') pc.restartIce();
    };
  }

  async #onSignal({ description, candidate }: IncomingSignal): Promise<void> {
    if (this.#closed) return;
    const { pc } = this;
    try {
      if (description) {
        const readyForOffer =
          !this.#makingOffer && (pc.signalingState === 'stable' || this.#isSettingRemoteAnswerPending);
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

  #sendDescription(): void {
    const local = this.pc.localDescription;
    if (local) this.#options.send({ description: { type: local.type, sdp: local.sdp } });
  }

  #transceiver(kind: TrackKind): RTCRtpTransceiver | undefined {
    const usable = this.pc
      .getTransceivers()
      .filter((t) => t.receiver.track.kind === kind && t.currentDirection !== 'stopped' && t.direction !== 'stopped');
    // Prefer the negotiated one: after a rollback, our own unnegotiated transceiver may linger.
    return usable.find((t) => t.mid !== null) ?? usable[0];
  }

  #warn(message: string, error: unknown): void {
    if (!this.#closed) console.warn(`[peer ${this.peerId}] ${message}`, error);
  }
}

function toIceCandidate(candidate: RTCIceCandidate): IceCandidate {
  const { sdpMid, sdpMLineIndex, usernameFragment } = candidate;
  return { candidate: candidate.candidate, sdpMid, sdpMLineIndex, usernameFragment };
}
