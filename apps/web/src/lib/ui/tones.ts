/**
 * Short notes made with Web Audio, so no sound file is downloaded: a chime when someone knocks,
 * a rising pair when someone joins, a falling pair when someone leaves, and the speaker test.
 */
import { applySpeaker } from '../media/devices';

/** One note: its pitch (Hz) and when it starts after the first (s). */
export interface Note {
  frequency: number;
  at: number;
}

const NOTE_S = 0.14;
const VOLUME = 0.15;

export const KNOCK: readonly Note[] = [
  { frequency: 660, at: 0 },
  { frequency: 880, at: 0.15 },
];
export const JOINED: readonly Note[] = [
  { frequency: 523, at: 0 },
  { frequency: 784, at: 0.1 },
];
export const LEFT: readonly Note[] = [
  { frequency: 784, at: 0 },
  { frequency: 523, at: 0.1 },
];
/** Long enough to tell which speaker it comes out of. */
export const SPEAKER_TEST: readonly Note[] = [523, 659, 784, 1047].map((frequency, i) => ({ frequency, at: i * 0.18 }));

/** How long the notes last, in seconds. */
export function duration(notes: readonly Note[]): number {
  return Math.max(0, ...notes.map((note) => note.at + NOTE_S + 0.01));
}

/** Schedules the notes on `context`, each a soft-edged sine, into `output`. */
export function scheduleNotes(context: BaseAudioContext, notes: readonly Note[], output: AudioNode): void {
  const now = context.currentTime;
  for (const { frequency, at } of notes) {
    const tone = context.createOscillator();
    const gain = context.createGain();
    tone.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + at);
    gain.gain.exponentialRampToValueAtTime(VOLUME, now + at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + at + NOTE_S);
    tone.connect(gain).connect(output);
    tone.start(now + at);
    tone.stop(now + at + NOTE_S + 0.01);
  }
}

/**
 * Plays the notes through `speaker` (the one chosen in the device picker) where the browser can
 * switch an audio element's output (`setSinkId`), else through the default one. Resolves once they
 * finished, with how many seconds the element played: 0 when audio could not start (no Web Audio,
 * or no user gesture yet), which the announcement and the screen make up for.
 */
export async function playNotes(notes: readonly Note[], speaker?: string): Promise<number> {
  let context: AudioContext | undefined;
  let element: HTMLAudioElement | undefined;
  try {
    element = new Audio();
    context = new AudioContext();
    const output = context.createMediaStreamDestination();
    scheduleNotes(context, notes, output);
    element.srcObject = output.stream;
    await applySpeaker(element, speaker);
    await element.play();
    await new Promise((done) => setTimeout(done, duration(notes) * 1000 + 100));
    return element.currentTime;
  } catch {
    return 0;
  } finally {
    element?.pause();
    if (element) element.srcObject = null;
    void context?.close();
  }
}

/** A short two-note chime when someone knocks. */
export function playKnock(): void {
  void playNotes(KNOCK);
}
