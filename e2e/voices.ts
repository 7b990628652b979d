/**
 * Fake microphones that speak at a chosen loudness. Chromium's fake microphone beeps alike for
 * everyone; `--use-file-for-fake-audio-capture` plays a WAV file instead, for the whole browser. So
 * each loudness is a browser of its own, its WAV written here (no audio files in the repository).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, LaunchOptions, PlaywrightWorkerArgs } from '@playwright/test';

const RATE = 48_000;

/** 16-bit mono PCM: syllables of a voice-like tone (a fundamental and two overtones) at `amplitude` (0 to 1). */
function voiceWav(amplitude: number, seconds = 4): Buffer {
  const samples = seconds * RATE;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(RATE, 24);
  wav.writeUInt32LE(RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  let phase = 0;
  for (let i = 0; i < samples; i++) {
    const t = i / RATE;
    // A syllable every 250 ms: 200 ms of voice, rising and falling, at one of five pitches.
    const syllable = Math.floor(t / 0.25);
    const within = t - syllable * 0.25;
    const envelope = within < 0.2 ? Math.sin((Math.PI * within) / 0.2) : 0;
    phase += (2 * Math.PI * (140 + 40 * ((syllable * 3) % 5))) / RATE;
    const voice = 0.6 * Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.1 * Math.sin(3 * phase);
    wav.writeInt16LE(Math.round(32767 * amplitude * envelope * voice), 44 + i * 2);
  }
  return wav;
}

/** Browsers whose fake microphones speak at a given loudness, and the temp files they play. */
export class Voices {
  readonly #dir = mkdtempSync(join(tmpdir(), 'parley-voices-'));
  #count = 0;

  /**
   * A Chromium like the config's, whose microphone speaks at `amplitude` (0 to 1): 0.7 is loud;
   * 0.002 is quiet, though the microphone's gain control lifts it to about a tenth of a loud one.
   */
  launch(playwright: PlaywrightWorkerArgs['playwright'], options: LaunchOptions, amplitude: number): Promise<Browser> {
    const file = join(this.#dir, `voice-${this.#count++}.wav`);
    writeFileSync(file, voiceWav(amplitude));
    return playwright.chromium.launch({ ...options, args: [...(options.args ?? []), `--use-file-for-fake-audio-capture=${file}`] });
  }

  remove(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
