/**
 * Test stand-ins for WebRTC (not shipped: only specs import this): tracks, transceivers, and just
 * enough of RTCPeerConnection's signaling state machine, including implicit rollback.
 */
import type { IceCandidate, SessionDescription } from '@parley/protocol';
import type { TrackKind } from './peer-link';

export const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
export async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await tick();
}

export class FakeTrack {
  constructor(readonly kind: TrackKind) {}
}

/** A MediaStream: tracks that a script adds and removes, and an event target to tell it with. */
export class FakeStream extends EventTarget {
  readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    super();
    this.tracks = [...tracks];
  }
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((track) => track.kind === 'audio');
  }
  getVideoTracks() {
    return this.tracks.filter((track) => track.kind === 'video');
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track);
  }
  removeTrack(track: FakeTrack) {
    this.tracks.splice(this.tracks.indexOf(track), 1);
  }
}

/** Makes `FakeStream` the global `MediaStream` for the tests of the spec file that calls it. */
export function useFakeStreams(): void {
  beforeAll(() => Object.defineProperty(globalThis, 'MediaStream', { value: FakeStream, configurable: true }));
  afterAll(() => Reflect.deleteProperty(globalThis, 'MediaStream'));
}

export class FakeTransceiver {
  mid: string | null = null;
  /** The streams the track was added in (`addTransceiver`'s init). */
  streams: readonly unknown[] = [];
  currentDirection: RTCRtpTransceiverDirection | null = null;
  readonly receiver: { track: FakeTrack };
  readonly sender = {
    track: null as FakeTrack | null,
    replaceTrack: async (track: FakeTrack | null) => {
      this.sender.track = track;
    },
  };
  constructor(
    kind: TrackKind,
    public direction: RTCRtpTransceiverDirection,
  ) {
    this.receiver = { track: new FakeTrack(kind) };
  }
}

let serial = 0;

/** Just enough of RTCPeerConnection's signaling state machine, including implicit rollback. */
export class FakePeerConnection {
  readonly name = `pc${++serial}`;
  signalingState: RTCSignalingState = 'stable';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: SessionDescription | null = null;
  remoteDescription: SessionDescription | null = null;
  get currentRemoteDescription(): SessionDescription | null {
    return this.signalingState === 'stable' ? this.remoteDescription : null;
  }
  readonly transceivers: FakeTransceiver[] = [];
  readonly added: (IceCandidate | undefined)[] = [];
  readonly history: string[] = [];
  restarts = 0;
  #offers = 0;
  #configuration: RTCConfiguration;

  constructor(configuration: RTCConfiguration = {}) {
    this.#configuration = configuration;
  }

  getConfiguration(): RTCConfiguration {
    return this.#configuration;
  }

  setConfiguration(configuration: RTCConfiguration): void {
    this.#configuration = configuration;
  }

  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: unknown }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  ontrack: ((event: { track: FakeTrack; streams?: unknown[]; transceiver?: FakeTransceiver }) => void) | null = null;

  async setLocalDescription(): Promise<void> {
    await tick();
    if (this.signalingState === 'stable' || this.signalingState === 'have-local-offer') {
      this.localDescription = { type: 'offer', sdp: `${this.name}-offer-${++this.#offers}` };
      this.signalingState = 'have-local-offer';
    } else if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: `${this.name}-answer` };
      this.signalingState = 'stable';
      this.#negotiated();
    }
    this.history.push(`sld:${this.localDescription?.type}`);
  }

  async setRemoteDescription(description: SessionDescription): Promise<void> {
    await tick();
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') {
        this.history.push('rollback');
        this.localDescription = null;
        this.signalingState = 'stable';
      }
      if (this.signalingState !== 'stable') throw new Error(`InvalidStateError: offer in ${this.signalingState}`);
      for (const kind of ['audio', 'video'] as const) {
        if (!this.transceivers.some((t) => t.receiver.track.kind === kind && t.mid !== null)) {
          const transceiver = new FakeTransceiver(kind, 'recvonly');
          transceiver.mid = kind;
          this.transceivers.push(transceiver);
          this.ontrack?.({ track: transceiver.receiver.track });
        }
      }
      this.signalingState = 'have-remote-offer';
    } else if (description.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new Error(`InvalidStateError: answer in ${this.signalingState}`);
      this.signalingState = 'stable';
      this.#negotiated();
    }
    this.remoteDescription = description;
    this.history.push(`srd:${description.type}`);
  }

  async addIceCandidate(candidate?: IceCandidate): Promise<void> {
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    this.added.push(candidate);
  }

  addTransceiver(trackOrKind: FakeTrack | TrackKind, init: { direction: RTCRtpTransceiverDirection; streams?: unknown[] }): FakeTransceiver {
    const track = typeof trackOrKind === 'string' ? null : trackOrKind;
    const transceiver = new FakeTransceiver(track?.kind ?? (trackOrKind as TrackKind), init.direction);
    transceiver.sender.track = track;
    transceiver.streams = init.streams ?? [];
    this.transceivers.push(transceiver);
    return transceiver;
  }

  getTransceivers(): FakeTransceiver[] {
    return this.transceivers;
  }

  restartIce(): void {
    this.restarts++;
    // Like a browser: a restart is a new negotiation, started once the current one is done.
    setTimeout(() => {
      if (this.signalingState === 'stable') this.onnegotiationneeded?.();
    }, 0);
  }

  /** Moves ICE to `state` and tells the link, as a browser does. */
  ice(state: RTCIceConnectionState): void {
    this.iceConnectionState = state;
    this.oniceconnectionstatechange?.();
  }

  close(): void {
    this.signalingState = 'closed';
  }

  #negotiated(): void {
    for (const t of this.transceivers) {
      t.mid ??= t.receiver.track.kind;
      t.currentDirection = t.direction;
    }
  }
}
