import type { MediaTransport, MediaTransportEvents } from '../rtc/media-transport';
import type { RemoteParticipant } from './roster';

export type MediaPatch = Partial<Pick<RemoteParticipant, 'stream' | 'screen' | 'link' | 'linkFailure'>>;

export interface TransportSwitchOptions {
  /** The transport in use until the new one plays (the mesh). */
  from: MediaTransport;
  /** Its replacement (the SFU). */
  to: MediaTransport;
  /** The peers whose media `from` carries now: each waits for `to`'s before `from` goes. */
  waiting: Iterable<string>;
  /** What a peer sends now: their media plays once what they send arrives. */
  sends(peerId: string): { audio: boolean; video: boolean };
  /** Applies what a transport reported about a peer to the roster. */
  patch(peerId: string, patch: MediaPatch): void;
  /** Every peer's media is on `to` (or time ran out): `from` has been closed. */
  ondone(): void;
  timeoutMs: number;
}

/**
 * Make-before-break between two transports: the new one connects beside the old one, and each
 * peer's tile keeps the old media until the new media for that peer plays (its tracks unmuted, i.e.
 * RTP arrived); then the tile switches. When every peer has switched, or after `timeoutMs`, the old
 * transport closes. What the new transport reports for a peer still on the old one is held back.
 */
export class TransportSwitch {
  readonly #options: TransportSwitchOptions;
  readonly #waiting: Set<string>;
  readonly #held = new Map<string, MediaPatch>();
  readonly #unwatch = new Map<string, () => void>();
  readonly #timer: ReturnType<typeof setTimeout>;
  #done = false;

  constructor(options: TransportSwitchOptions) {
    this.#options = options;
    this.#waiting = new Set(options.waiting);
    this.#timer = setTimeout(() => this.#finish(), options.timeoutMs);
    if (this.#waiting.size === 0) queueMicrotask(() => this.#finish());
  }

  get done(): boolean {
    return this.#done;
  }

  /** What `transport` reported about a peer: applied, held until that peer switches, or dropped. */
  report<E extends keyof MediaTransportEvents>(transport: MediaTransport, event: E, data: MediaTransportEvents[E]): void {
    const { peerId } = data;
    const patch = mediaPatch(event, data);
    if (this.#done || !this.#waiting.has(peerId)) {
      if (transport === this.#options.to) this.#options.patch(peerId, patch);
      return;
    }
    if (transport === this.#options.from) {
      this.#options.patch(peerId, patch);
      return;
    }
    this.#held.set(peerId, { ...this.#held.get(peerId), ...patch });
    if (event === 'stream') this.#watch(peerId, (data as MediaTransportEvents['stream']).stream);
  }

  /** A peer left: nothing to wait for. */
  forget(peerId: string): void {
    this.#unwatch.get(peerId)?.();
    this.#unwatch.delete(peerId);
    this.#held.delete(peerId);
    this.#waiting.delete(peerId);
    if (this.#waiting.size === 0) this.#finish();
  }

  /** Stops waiting without switching anything (the call ended). */
  cancel(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    for (const unwatch of this.#unwatch.values()) unwatch();
    this.#unwatch.clear();
  }

  #watch(peerId: string, stream: MediaStream): void {
    this.#unwatch.get(peerId)?.();
    const check = () => {
      if (playing(stream, this.#options.sends(peerId))) this.#switch(peerId);
    };
    const tracks = stream.getTracks();
    for (const track of tracks) track.addEventListener('unmute', check);
    this.#unwatch.set(peerId, () => tracks.forEach((track) => track.removeEventListener('unmute', check)));
    check();
  }

  #switch(peerId: string): void {
    if (!this.#waiting.delete(peerId)) return;
    this.#unwatch.get(peerId)?.();
    this.#unwatch.delete(peerId);
    const held = this.#held.get(peerId);
    this.#held.delete(peerId);
    if (held) this.#options.patch(peerId, held);
    if (this.#waiting.size === 0) this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    const held = [...this.#held];
    this.cancel();
    this.#held.clear();
    this.#waiting.clear();
    for (const [peerId, patch] of held) this.#options.patch(peerId, patch);
    this.#options.from.close();
    this.#options.ondone();
  }
}

/**
 * Media plays once RTP arrives, which unmutes a remote track: the camera's when the peer sends it,
 * else the microphone's; a peer who sends neither has nothing to wait for.
 */
function playing(stream: MediaStream, sends: { audio: boolean; video: boolean }): boolean {
  const unmuted = (tracks: MediaStreamTrack[]) => tracks.some((track) => !track.muted);
  if (sends.video) return unmuted(stream.getVideoTracks());
  if (sends.audio) return unmuted(stream.getAudioTracks());
  return true;
}

/** What a transport's event changes on the peer's roster entry. */
export function mediaPatch<E extends keyof MediaTransportEvents>(event: E, data: MediaTransportEvents[E]): MediaPatch {
  const d = data as Partial<MediaTransportEvents['stream'] & MediaTransportEvents['linkstate'] & MediaTransportEvents['linkfailure']>;
  switch (event) {
    case 'stream':
      return { stream: d.stream };
    case 'screen':
      return { screen: d.stream };
    case 'linkstate':
      return { link: d.state };
    default:
      return { linkFailure: d.failure ?? null };
  }
}
