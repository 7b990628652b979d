/**
 * The microphone's level for the lobby's meter, read from an AnalyserNode about ten times a second.
 * Loaded with the lobby's audio tools once the preview runs, outside the first download.
 */

/** Quieter than this (dBFS) shows as an empty meter; 0 dBFS as a full one. */
const FLOOR_DB = -60;

/** The loudness of a block of samples (-1…1) on a 0 to 100 scale, in decibels, as a person hears it. */
export function levelOf(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  const rms = samples.length ? Math.sqrt(sum / samples.length) : 0;
  if (rms === 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.round(Math.min(100, Math.max(0, ((db - FLOOR_DB) / -FLOOR_DB) * 100)));
}

/**
 * Calls `onlevel` with the track's level every `everyMs` until the returned function stops it (and
 * frees the audio context). A page opened without a click may not start audio yet: the first click does.
 */
export function watchMicLevel(track: MediaStreamTrack, onlevel: (level: number) => void, everyMs = 100): () => void {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  const resume = () => void context.resume();
  addEventListener('pointerdown', resume, { once: true });
  const timer = setInterval(() => {
    analyser.getFloatTimeDomainData(samples);
    onlevel(levelOf(samples));
  }, everyMs);
  return () => {
    clearInterval(timer);
    removeEventListener('pointerdown', resume);
    source.disconnect();
    // Closing the context stops its audio output, which held the page for up to 22 ms; the lobby's
    // meter goes as the call is being connected, so the close comes once that is done.
    setTimeout(() => void context.close(), CLOSE_AFTER_MS);
  };
}

/** How long a stopped meter's audio context waits to be closed (see `watchMicLevel`). */
const CLOSE_AFTER_MS = 1000;
