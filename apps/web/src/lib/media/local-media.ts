import { m } from '../../paraglide/messages.js';
import type { TrackKind } from '../rtc/peer-link';
import { readStored } from '../stored';
import { deviceConstraints } from './devices';

/** Why a device is unavailable, in words a person can act on. */
export type MediaProblem = 'denied' | 'missing' | 'busy' | 'insecure' | 'unknown';

export interface AcquiredMedia {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  problems: Partial<Record<TrackKind, MediaProblem>>;
}

/** Where the noise-suppression switch (in the call's device menu, see noise-suppression.ts) is remembered. */
export const NOISE_SUPPRESSION_KEY = 'parley.noiseSuppression';

const VIDEO: MediaTrackConstraints = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };

/** Read for each request, so a changed setting applies to the next microphone opened; echo cancellation stays on. */
function constraints(kind: TrackKind): MediaTrackConstraints {
  return kind === 'audio' ? { echoCancellation: true, noiseSuppression: readStored(NOISE_SUPPRESSION_KEY) !== 'off', autoGainControl: true } : VIDEO;
}

export function classifyMediaError(error: unknown): MediaProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'unknown';
  }
}

/** Which device of each kind to open; `exact` for one the person just picked. */
export type DeviceIds = Partial<Record<TrackKind, string>>;

/** Gets one device's track, or the reason it is unavailable. */
export async function acquireTrack(
  kind: TrackKind,
  deviceId?: string,
  exact = false,
): Promise<{ track: MediaStreamTrack | null; problem?: MediaProblem }> {
  if (!navigator.mediaDevices?.getUserMedia) return { track: null, problem: 'insecure' };
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: deviceConstraints(constraints(kind), deviceId, exact) });
    return { track: stream.getTracks()[0] ?? null };
  } catch (error) {
    return { track: null, problem: classifyMediaError(error) };
  }
}

/** The remembered device, and when it is gone (unplugged, or its id changed), whichever the browser picks. */
export async function acquireRemembered(
  kind: TrackKind,
  deviceId: string | undefined,
): Promise<{ track: MediaStreamTrack | null; problem?: MediaProblem }> {
  const result = await acquireTrack(kind, deviceId, deviceId !== undefined);
  return deviceId !== undefined && result.problem === 'missing' ? acquireTrack(kind) : result;
}

/**
 * Asks for the camera and microphone together (one permission prompt), and falls back to one at
 * a time so that a missing camera does not also cost the microphone. Remembered devices are asked
 * for exactly (as `ideal`, a browser may prefer another camera that fits the size better), and
 * forgotten when they are gone.
 */
export async function acquireMedia(want: Record<TrackKind, boolean>, devices: DeviceIds = {}): Promise<AcquiredMedia> {
  const result: AcquiredMedia = { audio: null, video: null, problems: {} };
  if (!want.audio && !want.video) return result;
  if (!navigator.mediaDevices?.getUserMedia) {
    if (want.audio) result.problems.audio = 'insecure';
    if (want.video) result.problems.video = 'insecure';
    return result;
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: want.audio && deviceConstraints(constraints('audio'), devices.audio, true),
      video: want.video && deviceConstraints(constraints('video'), devices.video, true),
    });
    result.audio = stream.getAudioTracks()[0] ?? null;
    result.video = stream.getVideoTracks()[0] ?? null;
    return result;
  } catch (error) {
    if (!(want.audio && want.video)) {
      result.problems[want.audio ? 'audio' : 'video'] = classifyMediaError(error);
      return result;
    }
  }
  const [audio, video] = await Promise.all([acquireRemembered('audio', devices.audio), acquireRemembered('video', devices.video)]);
  result.audio = audio.track;
  result.video = video.track;
  if (audio.problem) result.problems.audio = audio.problem;
  if (video.problem) result.problems.video = video.problem;
  return result;
}

export function stopTrack(track: MediaStreamTrack | null | undefined): void {
  track?.stop();
}

const SENTENCES: Record<MediaProblem, (inputs: { devices: 'microphone' | 'camera' | 'both' }) => string> = {
  denied: m.media_denied,
  missing: m.media_missing,
  busy: m.media_busy,
  insecure: m.media_insecure,
  unknown: m.media_failed,
};

/** One sentence about what went wrong with the devices, and what still works. */
export function describeMediaProblems(problems: AcquiredMedia['problems']): string | null {
  const kinds = (Object.keys(problems) as TrackKind[]).filter((kind) => problems[kind]);
  if (kinds.length === 0) return null;
  const devices = kinds.length > 1 ? 'both' : kinds[0] === 'audio' ? 'microphone' : 'camera';
  const reasons = new Set(kinds.map((kind) => problems[kind]!));
  // One sentence per reason; mixed reasons get the general one.
  const sentence = reasons.size === 1 ? SENTENCES[[...reasons][0]!] : m.media_failed;
  return `${sentence({ devices })} ${m.media_still_join()}`;
}
