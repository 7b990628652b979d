/**
 * Who has the large tile of speaker view: a pinned person, else the loudest speaker once they have
 * been the loudest for a moment (so a cough does not switch it), else the first to arrive. Pure
 * functions; `StageState` (lib/state/stage.svelte.ts) runs them against the call.
 */
import type { SfuViewItem } from '@parley/protocol';
import type { VideoLayer } from './tile-page';

/** How the call shows the others: all alike, or the speaker large above a strip of small tiles. */
export type Layout = 'grid' | 'speaker';

/** How long someone must stay the loudest before the large tile switches to them. */
export const STAGE_HOLD_MS = 1500;

/** How much of each new loudness reading counts (an average over about a second, at five readings a second). */
const SMOOTHING = 0.3;

/**
 * Each person's loudness averaged over the last second or so, from the last average and a new
 * reading (0 to 1 per person, as `LinkStats.levels`): the gaps between words do not count as
 * silence. People missing from the reading have left and are dropped.
 */
export function smoothLevels(before: ReadonlyMap<string, number>, levels: ReadonlyMap<string, number>): Map<string, number> {
  const next = new Map<string, number>();
  for (const [id, level] of levels) next.set(id, before.has(id) ? before.get(id)! + SMOOTHING * (level - before.get(id)!) : level);
  return next;
}

/** The loudest person whose voice is heard at all (at or above `threshold`), or null when nobody speaks. */
export function loudest(levels: ReadonlyMap<string, number>, threshold: number): string | null {
  let found: string | null = null;
  for (const [id, level] of levels) if (level >= threshold && (found === null || level > levels.get(found)!)) found = id;
  return found;
}

export interface SpeakerHold {
  /** Who the large tile shows (when nobody is pinned). */
  shown: string | null;
  /** The loudest one, waiting out the hold-off to replace `shown`, and since when. */
  candidate: string | null;
  since: number;
}

export const NO_SPEAKER: SpeakerHold = { shown: null, candidate: null, since: 0 };

/**
 * One step of the hold-off, with `speaker` the loudest now (null when nobody speaks) at `now`.
 * The first voice takes the stage at once; another once they stayed the loudest for `holdMs`, so
 * a cough does not switch it. Someone who left (not `present`) gives the stage up at once.
 */
export function holdSpeaker(
  hold: SpeakerHold,
  speaker: string | null,
  present: (id: string) => boolean,
  now: number,
  holdMs = STAGE_HOLD_MS,
): SpeakerHold {
  const shown = hold.shown !== null && present(hold.shown) ? hold.shown : null;
  const heard = speaker !== null && present(speaker) ? speaker : null;
  // A pause keeps the last speaker on stage; the same speaker again ends any wait.
  if (heard === null || heard === shown) return { shown, candidate: null, since: 0 };
  if (shown === null) return { shown: heard, candidate: null, since: 0 };
  if (heard !== hold.candidate) return { shown, candidate: heard, since: now };
  if (now - hold.since >= holdMs) return { shown: heard, candidate: null, since: 0 };
  return { shown, candidate: heard, since: hold.since };
}

export interface StageInput {
  /** The remote peers, in the order they arrived. */
  peers: readonly string[];
  /** Pinned people, in the order they were pinned. */
  pinned: ReadonlySet<string>;
  /** The speaker the hold-off shows. */
  speaker: string | null;
}

/** The remote person on the large tile: the last one pinned, the held speaker, or the first to arrive; null when alone. */
export function stageOf({ peers, pinned, speaker }: StageInput): string | null {
  const pins = [...pinned].filter((id) => peers.includes(id));
  if (pins.length > 0) return pins[pins.length - 1]!;
  if (speaker !== null && peers.includes(speaker)) return speaker;
  return peers[0] ?? null;
}

/** `pinned` with `id` pinned or unpinned; a new pin goes last, so it takes the large tile. */
export function togglePin(pinned: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(pinned);
  if (!next.delete(id)) next.add(id);
  return next;
}

/**
 * The videos to receive through the SFU in speaker view: the grid's view with the stage person at
 * the top layer (added if the page left them out) and every other camera at the strip's layer.
 */
export function stageView(view: readonly SfuViewItem[], stage: string, stripLayer: VideoLayer): SfuViewItem[] {
  return [{ peer: stage, layer: 2 }, ...view.filter((item) => item.peer !== stage).map((item) => ({ ...item, layer: stripLayer }))];
}
