import { m } from '../../paraglide/messages.js';
import { Emitter } from '../emitter';
import type { ScreenSource, TrackKind } from '../rtc/peer-link';
import { acquireMedia, acquireRemembered, acquireTrack, describeMediaProblems, stopTrack, type AcquiredMedia, type DeviceIds } from './local-media';
import type { ScreenShare, ShareOptions, ShareProblem } from './screen-share';

const SHARE_PROBLEMS: Record<ShareProblem, (() => string) | null> = {
  cancelled: null,
  unsupported: m.share_unsupported,
  failed: m.share_failed,
};

/** What changed: one kind's track (a new device, on, off), the screen, or only the problem text. */
export interface LocalTracksEvents {
  track: { kind: TrackKind; track: MediaStreamTrack | null };
  screen: ScreenSource | null;
  /** Anything a person sees changed: a track, muting, the screen or the problem sentence. */
  change: void;
}

/** Starts a screen share; `startScreenShare`, which the call loads only when it needs it. */
export type ScreenStarter = (options: ShareOptions) => Promise<ScreenShare | { problem: ShareProblem }>;

/**
 * This browser's own media: the microphone, the camera and a screen share. Every device opens
 * through one path (`#open`), whether the person turns it on, picks another one, or the one in use
 * was unplugged. A device that opens after `stop()` (the person left meanwhile) is closed again.
 */
export class LocalTracks {
  readonly events = new Emitter<LocalTracksEvents>();
  /** Which devices are not available, and why; empty when all is well. */
  problems: AcquiredMedia['problems'] = {};

  /** The problems in a sentence, in the language of the moment; null when all is well. */
  get problem(): string | null {
    return describeMediaProblems(this.problems);
  }
  readonly #tracks: Record<TrackKind, MediaStreamTrack | null> = { audio: null, video: null };
  #share: ScreenShare | null = null;
  /** Bumped by `stop()`: a device that finishes opening for an older generation is not wanted. */
  #generation = 0;

  track(kind: TrackKind): MediaStreamTrack | null {
    return this.#tracks[kind];
  }

  get micOn(): boolean {
    return !!this.#tracks.audio?.enabled;
  }

  get camOn(): boolean {
    return !!this.#tracks.video;
  }

  get screen(): ScreenShare | null {
    return this.#share;
  }

  /** Turns the camera and microphone on together (one permission prompt), on the devices given. */
  async start(devices: DeviceIds = {}): Promise<void> {
    const generation = this.#generation;
    const media = await acquireMedia({ audio: true, video: true }, devices);
    if (generation !== this.#generation) {
      stopTrack(media.audio);
      stopTrack(media.video);
      return;
    }
    this.#set('audio', media.audio);
    this.#set('video', media.video);
    this.problems = media.problems;
    this.events.emit('change', undefined);
  }

  /** Mutes or unmutes the microphone, opening it (on `deviceId`, else any) when there is none yet. */
  async toggleMic(deviceId?: string): Promise<void> {
    const track = this.#tracks.audio;
    if (!track) {
      await this.#open('audio', deviceId, { fallback: true, enabled: true });
      return;
    }
    track.enabled = !track.enabled;
    this.events.emit('change', undefined);
  }

  /** Stops the camera (so its light goes off), or opens it (on `deviceId`, else any). */
  async toggleCamera(deviceId?: string): Promise<void> {
    if (!this.#tracks.video) {
      await this.#open('video', deviceId, { fallback: true, enabled: true });
      return;
    }
    this.#set('video', null);
    this.events.emit('change', undefined);
  }

  /**
   * Moves to another camera or microphone (exactly `deviceId`; `undefined` for whichever the
   * browser picks, after the one in use was unplugged). A camera that is off stays off; a muted
   * microphone stays muted. `false` when the device could not be opened.
   */
  async use(kind: TrackKind, deviceId: string | undefined): Promise<boolean> {
    if (kind === 'video' && !this.#tracks.video) return true;
    return this.#open(kind, deviceId, { fallback: false, enabled: kind === 'video' || this.micOn });
  }

  /**
   * Starts sharing the screen; `onended` runs when the browser's own "Stop sharing" ends it.
   * Resolves with a sentence when it could not start (the person cancelling is not a problem).
   */
  async shareScreen(start: ScreenStarter, onended: () => void = () => {}): Promise<string | null> {
    if (this.#share) return null;
    const generation = this.#generation;
    const share = await start({
      onended: () => {
        if (this.#share !== share) return;
        this.#setScreen(null);
        onended();
      },
    });
    if ('problem' in share) return SHARE_PROBLEMS[share.problem]?.() ?? null;
    if (generation !== this.#generation || this.#share) {
      share.stop();
      return null;
    }
    this.#setScreen(share);
    return null;
  }

  stopScreen(): void {
    const share = this.#share;
    if (!share) return;
    share.stop();
    this.#setScreen(null);
  }

  /** Stops every device and the screen; devices still opening are closed when they arrive. */
  stop(): void {
    this.#generation++;
    this.stopScreen();
    this.#set('audio', null);
    this.#set('video', null);
    this.events.emit('change', undefined);
  }

  async #open(kind: TrackKind, deviceId: string | undefined, { fallback, enabled }: { fallback: boolean; enabled: boolean }): Promise<boolean> {
    const generation = this.#generation;
    const { track, problem } = fallback ? await acquireRemembered(kind, deviceId) : await acquireTrack(kind, deviceId, deviceId !== undefined);
    if (generation !== this.#generation) {
      stopTrack(track);
      return false;
    }
    if (!track) {
      this.problems = { [kind]: problem ?? 'unknown' };
      this.events.emit('change', undefined);
      return false;
    }
    track.enabled = enabled;
    this.#set(kind, track);
    this.problems = {};
    this.events.emit('change', undefined);
    return true;
  }

  #set(kind: TrackKind, track: MediaStreamTrack | null): void {
    const previous = this.#tracks[kind];
    if (previous === track) return;
    stopTrack(previous);
    this.#tracks[kind] = track;
    this.events.emit('track', { kind, track });
  }

  #setScreen(share: ScreenShare | null): void {
    this.#share = share;
    this.events.emit('screen', share);
    this.events.emit('change', undefined);
  }
}
