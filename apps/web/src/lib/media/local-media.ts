import type { TrackKind } from '../rtc/peer-link';
import { deviceConstraints } from './devices';

/** Why a device is unavailable, in words a person can act on. */
export type MediaProblem = 'denied' | 'missing' | 'busy' | 'insecure' | 'unknown';

export interface AcquiredMedia {
  audio: MediaStreamTrack | null;
  video: MediaStreamTrack | null;
  problems: Partial<Record<TrackKind, MediaProblem>>;
}

const constraints: Record<TrackKind, MediaTrackConstraints | boolean> = {
  audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  video: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } },
};

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
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: deviceConstraints(constraints[kind], deviceId, exact) });
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
      audio: want.audio && deviceConstraints(constraints.audio, devices.audio, true),
      video: want.video && deviceConstraints(constraints.video, devices.video, true),
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

const deviceNames: Record<TrackKind, string> = { audio: 'microphone', video: 'camera' };

/** One sentence about what went wrong with the devices, and what still works. */
export function describeMediaProblems(problems: AcquiredMedia['problems']): string | null {
  const kinds = (Object.keys(problems) as TrackKind[]).filter((kind) => problems[kind]);
  if (kinds.length === 0) return null;
  const what = kinds.map((kind) => deviceNames[kind]).join(' and ');
  const reasons = new Set(kinds.map((kind) => problems[kind]));
  const plural = kinds.length > 1;
  let sentence: string;
  if (reasons.size === 1 && reasons.has('denied')) {
    sentence = `Access to your ${what} is blocked. To use ${plural ? 'them' : 'it'}, allow access in your browser's site settings and try again.`;
  } else if (reasons.size === 1 && reasons.has('missing')) {
    sentence = `No ${what} found.`;
  } else if (reasons.size === 1 && reasons.has('busy')) {
    sentence = `Your ${what} ${plural ? 'are' : 'is'} in use by another app or could not be started.`;
  } else if (reasons.size === 1 && reasons.has('insecure')) {
    sentence = `This page cannot use your ${what}: it needs HTTPS (or localhost).`;
  } else {
    sentence = `Your ${what} could not be started.`;
  }
  return `${sentence} You can still join and see and hear the others.`;
}
