import { audioEnergy, levelBetween, SpeakerDetector, type AudioEnergy } from '../media/speaking';
import type { StatsConnection } from '../rtc/media-transport';
import { classify, readQuality, type QualityLevel, type QualitySample } from '../rtc/quality';
import type { MediaPath } from '../rtc/stats';

export interface LinkQuality {
  sample: QualitySample;
  level: QualityLevel;
}

export interface LinkStatsSource {
  /** The open connection to each remote peer. */
  connections(): ReadonlyMap<string, StatsConnection>;
  /** Whether `peerId` sends video right now, so a starved stream counts against the link. */
  expectsVideo(peerId: string): boolean;
  /** Whether our own microphone is on. */
  micOn(): boolean;
  /** Each link's media path as each sample finds it (the server counts relayed links). */
  pathSeen?(peerId: string, path: MediaPath): void;
  /** Audio that is not anyone's voice (shared screens' sound, ours and theirs), by track id. */
  notVoices?(): ReadonlySet<string>;
}

/** The id the local person has in `speaking` and `active`. */
export const SELF = 'self';

const QUALITY_MS = 2000;
const LEVEL_MS = 200;
/** Connections not worth a `getStats()` (see `#readable`). */
const NOT_READABLE = new Set<RTCPeerConnectionState>(['new', 'connecting', 'closed']);

/** Quality per link and who is speaking, polled from the peer connections while the call runs. */
export class LinkStats {
  quality = $state.raw<Record<string, LinkQuality>>({});
  speaking = $state.raw<ReadonlySet<string>>(new Set());
  active = $state<string | null>(null);
  /** The active speaker among the others (never SELF): who leads the page of tiles. */
  activeRemote = $state<string | null>(null);
  /** Each other person's loudness (0 to 1) at the last reading, five times a second: speaker view follows the loudest. */
  levels = $state.raw<ReadonlyMap<string, number>>(new Map());

  readonly #source: LinkStatsSource;
  readonly #detector = new SpeakerDetector();
  readonly #remoteDetector = new SpeakerDetector();
  #qualityTimer: ReturnType<typeof setInterval> | undefined;
  #levelTimer: ReturnType<typeof setInterval> | undefined;
  /** The last energy totals read per peer (and for the microphone, as SELF), for the next level. */
  #energy = new Map<string, AudioEnergy>();

  constructor(source: LinkStatsSource) {
    this.#source = source;
  }

  start(): void {
    if (this.#qualityTimer !== undefined) return;
    this.#qualityTimer = setInterval(() => void this.#readQuality(), QUALITY_MS);
    this.#levelTimer = setInterval(() => void this.#readLevels(), LEVEL_MS);
    void this.#readQuality();
  }

  stop(): void {
    clearInterval(this.#qualityTimer);
    clearInterval(this.#levelTimer);
    this.#qualityTimer = this.#levelTimer = undefined;
    this.#energy.clear();
    this.quality = {};
    this.speaking = new Set();
    this.active = null;
    this.activeRemote = null;
    this.levels = new Map();
  }

  forget(peerId: string): void {
    this.#detector.forget(peerId);
    this.#remoteDetector.forget(peerId);
    this.#energy.delete(peerId);
    const { [peerId]: _gone, ...rest } = this.quality;
    this.quality = rest;
  }

  /**
   * The connections worth a `getStats()`: neither closed nor still connecting. While a connection
   * is being made nothing flows to measure, and a full report is work for the threads making it.
   */
  #readable(): [string, StatsConnection][] {
    return [...this.#source.connections()].filter(([, pc]) => !NOT_READABLE.has(pc.connectionState));
  }

  async #readQuality(): Promise<void> {
    const next: Record<string, LinkQuality> = {};
    await Promise.all(
      this.#readable().map(async ([id, pc]) => {
        try {
          const sample = readQuality(await pc.getStats(), this.quality[id]?.sample);
          next[id] = { sample, level: classify(sample, { expectVideo: this.#source.expectsVideo(id) }) };
          if (sample.path) this.#source.pathSeen?.(id, sample.path);
        } catch {
          // A connection closing between the listing and getStats; it is gone next round.
        }
      }),
    );
    if (this.#qualityTimer !== undefined) this.quality = next;
  }

  async #readLevels(): Promise<void> {
    const levels = new Map<string, number>();
    const energy = new Map<string, AudioEnergy>();
    const connections = this.#readable();
    const notVoices = this.#source.notVoices?.();
    await Promise.all(
      connections.map(async ([id, pc], i) => {
        try {
          const report = await pc.getStats();
          energy.set(id, audioEnergy(report, 'inbound-rtp', notVoices));
          // The microphone is sent on every link; one of them is enough to hear it.
          if (i === 0) energy.set(SELF, audioEnergy(report, 'media-source', notVoices));
        } catch {
          // A connection closing between the listing and getStats; it is gone next round.
        }
      }),
    );
    if (this.#levelTimer === undefined) return;
    for (const [id, after] of energy) levels.set(id, levelBetween(this.#energy.get(id), after));
    if (!this.#source.micOn()) levels.set(SELF, 0);
    this.#energy = energy;
    const now = performance.now();
    const { speaking, active } = this.#detector.update(levels, now);
    if (!sameSet(speaking, this.speaking)) this.speaking = speaking;
    if (active !== this.active) this.active = active;
    // Talking yourself does not hide who spoke last among the others.
    levels.delete(SELF);
    const { active: activeRemote } = this.#remoteDetector.update(levels, now);
    if (activeRemote !== this.activeRemote) this.activeRemote = activeRemote;
    this.levels = levels;
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
