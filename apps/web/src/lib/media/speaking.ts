/**
 * Who is speaking, from audio levels (0 to 1, as WebRTC reports them). Levels jump between words,
 * so a speaker stays "speaking" for a moment after the level drops, and the active speaker (the one
 * ring in a crowded call) only changes once someone else has spoken for a while.
 */

export interface SpeakingOptions {
  /** The level above which someone counts as speaking. */
  threshold: number;
  /** How long someone stays speaking after their level drops (ms). */
  holdMs: number;
  /** How long another person must speak before the active speaker changes to them (ms). */
  switchMs: number;
}

export const DEFAULT_SPEAKING: SpeakingOptions = { threshold: 0.02, holdMs: 700, switchMs: 600 };

export interface SpeakingState {
  /** Everyone whose voice is heard right now. */
  speaking: ReadonlySet<string>;
  /** The one person to put the ring on, or null when nobody spoke lately. */
  active: string | null;
}

export class SpeakerDetector {
  readonly #options: SpeakingOptions;
  /** When each person was last above the threshold. */
  readonly #lastHeard = new Map<string, number>();
  /** When each person started their current stretch of speaking. */
  readonly #since = new Map<string, number>();
  readonly #level = new Map<string, number>();
  #active: string | null = null;

  constructor(options: Partial<SpeakingOptions> = {}) {
    this.#options = { ...DEFAULT_SPEAKING, ...options };
  }

  /** Feeds one round of levels (everyone who can be heard, by id) taken at `now`. */
  update(levels: ReadonlyMap<string, number>, now: number): SpeakingState {
    const { threshold, holdMs, switchMs } = this.#options;
    for (const [id, level] of levels) {
      this.#level.set(id, level);
      if (level < threshold) continue;
      if (!this.#since.has(id) || now - (this.#lastHeard.get(id) ?? -Infinity) > holdMs) this.#since.set(id, now);
      this.#lastHeard.set(id, now);
    }
    const speaking = new Set<string>();
    for (const [id, heard] of this.#lastHeard) {
      if (!levels.has(id) || now - heard > holdMs) {
        this.#lastHeard.delete(id);
        this.#since.delete(id);
      } else {
        speaking.add(id);
      }
    }

    if (this.#active !== null && !speaking.has(this.#active)) {
      // The ring stays on the last speaker through a pause, unless someone else takes over.
      if (!levels.has(this.#active)) this.#active = null;
    }
    const candidates = [...speaking].filter((id) => id !== this.#active && now - (this.#since.get(id) ?? now) >= switchMs);
    const activeSpeaking = this.#active !== null && speaking.has(this.#active);
    if (candidates.length > 0 && !activeSpeaking) {
      this.#active = candidates.sort((a, b) => (this.#level.get(b) ?? 0) - (this.#level.get(a) ?? 0))[0]!;
    } else if (this.#active === null && speaking.size > 0) {
      // Nobody had the ring: the first voice gets it at once.
      this.#active = [...speaking].sort((a, b) => (this.#level.get(b) ?? 0) - (this.#level.get(a) ?? 0))[0]!;
    }
    return { speaking, active: this.#active };
  }

  forget(id: string): void {
    this.#lastHeard.delete(id);
    this.#since.delete(id);
    this.#level.delete(id);
    if (this.#active === id) this.#active = null;
  }
}

/** Running totals of audio energy, as `inbound-rtp` and `media-source` stats count them. */
export interface AudioEnergy {
  /** Sum of level² × seconds (`totalAudioEnergy`). */
  energy: number;
  /** Seconds of audio counted (`totalSamplesDuration`). */
  seconds: number;
}

/**
 * The audio energy a connection received (`inbound-rtp`) or sent from the microphone
 * (`media-source`), summed over its audio streams but those in `notVoices` (by track id: a shared
 * screen's sound, which is not the person speaking).
 */
export function audioEnergy(report: RTCStatsReport, type: 'inbound-rtp' | 'media-source', notVoices: ReadonlySet<string> = new Set()): AudioEnergy {
  const total: AudioEnergy = { energy: 0, seconds: 0 };
  type Stat = { type: string; kind?: string; trackIdentifier?: string; totalAudioEnergy?: number; totalSamplesDuration?: number };
  report.forEach((stat: Stat) => {
    if (stat.type !== type || stat.kind !== 'audio') return;
    if (stat.trackIdentifier !== undefined && notVoices.has(stat.trackIdentifier)) return;
    total.energy += stat.totalAudioEnergy ?? 0;
    total.seconds += stat.totalSamplesDuration ?? 0;
  });
  return total;
}

/**
 * The loudness (0 to 1, the RMS of the audio level) between two readings of the same totals.
 * An instantaneous level would miss short sounds: a word's consonant, or the 40 ms beep every
 * 500 ms of Chromium's fake microphone, which a 200 ms poll can miss for many seconds in a row.
 */
export function levelBetween(before: AudioEnergy | undefined, after: AudioEnergy): number {
  const seconds = after.seconds - (before?.seconds ?? 0);
  if (!before || seconds <= 0) return 0;
  return Math.sqrt(Math.max(0, after.energy - before.energy) / seconds);
}
