import type { RemoteParticipant } from '../call/roster';
import { holdSpeaker, loudest, NO_SPEAKER, smoothLevels, stageOf, togglePin, type Layout } from '../call/stage';
import { DEFAULT_SPEAKING } from '../media/speaking';
import { readStored, writeStored } from '../stored';
import type { CallState } from './call-state.svelte';

const LAYOUT_KEY = 'parley.layout';

/**
 * The call's layout (grid or speaker view, remembered in this browser), who is pinned, and who has
 * the large tile. Shared by the tiles and the controls through `stageFor`, so the call view's
 * parts need no new wiring; lives in the call view's chunk.
 */
export class StageState {
  /** The loudest speaker once through the hold-off. */
  #speaker = $state<string | null>(null);
  #hold = NO_SPEAKER;
  #smoothed: ReadonlyMap<string, number> = new Map();
  readonly #call: CallState;

  /** The remote person on the large tile in speaker view and in picture in picture; null when alone. */
  readonly stage: RemoteParticipant | null = $derived.by(() => {
    const id = stageOf({ peers: this.#call.remotes.map((r) => r.peer.id), pinned: this.#call.pinned, speaker: this.#speaker });
    return this.#call.remotes.find((r) => r.peer.id === id) ?? null;
  });

  constructor(call: CallState) {
    this.#call = call;
    call.layout = readStored(LAYOUT_KEY) === 'speaker' ? 'speaker' : 'grid';
  }

  /** Kept on the call, whose page of tiles depends on it. */
  get layout(): Layout {
    return this.#call.layout;
  }

  setLayout(layout: Layout): void {
    this.#call.layout = layout;
    writeStored(LAYOUT_KEY, layout);
  }

  isPinned(peerId: string): boolean {
    return this.#call.pinned.has(peerId);
  }

  togglePin(peerId: string): void {
    this.#call.pinned = togglePin(this.#call.pinned, peerId);
  }

  /** Feeds a reading of the others' loudness (`LinkStats.levels`) taken at `now`. */
  hear(levels: ReadonlyMap<string, number>, now: number): void {
    this.#smoothed = smoothLevels(this.#smoothed, levels);
    const remotes = this.#call.remotes;
    const present = (id: string) => remotes.some((r) => r.peer.id === id);
    const hold = holdSpeaker(this.#hold, loudest(this.#smoothed, DEFAULT_SPEAKING.threshold), present, now);
    // Compared with the plain copy, so an effect that feeds the levels does not depend on `#speaker`.
    const changed = hold.shown !== this.#hold.shown;
    this.#hold = hold;
    if (changed) this.#speaker = hold.shown;
  }
}

const stages = new WeakMap<CallState, StageState>();

/** The stage of `call`, made on first use. */
export function stageFor(call: CallState): StageState {
  let stage = stages.get(call);
  if (!stage) stages.set(call, (stage = new StageState(call)));
  return stage;
}
