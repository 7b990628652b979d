import { readStored, writeStored } from '../stored';
import { NOISE_SUPPRESSION_KEY } from './local-media';

/** Whether the browser filters out background noise from the microphone; on unless the person turned it off. */
export function noiseSuppressionOn(): boolean {
  return readStored(NOISE_SUPPRESSION_KEY) !== 'off';
}

/**
 * Turns the browser's noise suppression on or off, for the microphone in use and the ones opened
 * later (echo cancellation stays on). Chromium resolves `applyConstraints` without changing it, and
 * opens a device with other processing only once no track of it is open: then the microphone is
 * stopped and `reopen` opens the same device again (sent with `replaceTrack`, muted as it was).
 * Resolves with whether the track in use now has the setting asked for.
 */
export async function setNoiseSuppression(
  on: boolean,
  track: MediaStreamTrack | null,
  reopen: (deviceId: string | undefined) => Promise<MediaStreamTrack | null>,
): Promise<boolean> {
  writeStored(NOISE_SUPPRESSION_KEY, on ? 'on' : 'off');
  if (!track) return true;
  try {
    await track.applyConstraints({ echoCancellation: true, noiseSuppression: on, autoGainControl: true });
  } catch {
    // Refused: opened again below.
  }
  if (track.getSettings().noiseSuppression === on) return true;
  const { deviceId } = track.getSettings();
  track.stop();
  const opened = await reopen(deviceId);
  return opened?.getSettings().noiseSuppression === on;
}
