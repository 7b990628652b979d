import type { Peer } from '@parley/protocol';
import type { CallRecorder, RecordedCall } from '../media/recorder';
import { recordingFileName, saveRecording } from '../media/recorder-support';
import type { CallState } from './call-state.svelte';
import type { ModerationState } from './moderation.svelte';
import { m } from '../../paraglide/messages.js';
import { listOf } from '../i18n/list';

/** Who records the call, as the server says: whether we do, and the others' names in arrival order. */
export function recordersOf(self: Peer | null, remotes: readonly { peer: Peer }[]): { self: boolean; others: string[] } {
  return { self: !!self?.recording, others: remotes.filter((r) => r.peer.recording).map((r) => r.peer.name) };
}

/** "Ada is recording", "You and Ada are recording"; null while nobody records. */
export function describeRecorders({ self, others }: { self: boolean; others: readonly string[] }): string | null {
  if (self && others.length === 0) return m.recording_self();
  if (!self && others.length === 1) return m.recording_one({ name: others[0]! });
  if (!self && others.length === 0) return null;
  return m.recording_many({ names: listOf(self ? [m.you(), ...others] : others) });
}

/** What the call records: ourselves and the people on the page as tiles, and everyone's voice. */
function recordedCall(call: CallState): RecordedCall {
  const self = { id: call.selfId ?? 'self', name: call.name, camera: call.camOn ? call.localStream : null, screen: call.screenStream };
  const others = call.pageRemotes.map(({ peer, stream, screen }) => ({
    id: peer.id,
    name: peer.name,
    camera: peer.media.video ? stream : null,
    screen: peer.media.screen ? screen : null,
  }));
  const voices = call.remotes.flatMap((r) => r.stream ?? []);
  return { tiles: [self, ...others], voices: call.micTrack ? [...voices, new MediaStream([call.micTrack])] : voices };
}

export type RecordingPhase = 'idle' | 'starting' | 'recording' | 'saving';

/**
 * This browser's recording of the call, and the room told about it: whenever what we do and what
 * the server shows of us differ (we started, stopped, or came back after the server restarted and
 * forgot), we tell it again. Create it while a component initialises; `destroy` saves the file.
 */
export class LocalRecording {
  phase = $state<RecordingPhase>('idle');

  readonly #call: CallState;
  #recorder: CallRecorder | null = null;
  #startedAt = new Date();

  constructor(call: CallState, moderation: ModerationState) {
    this.#call = call;
    $effect(() => {
      if (this.phase === 'recording') this.#recorder?.update(recordedCall(this.#call));
    });
    $effect(() => {
      const active = this.phase === 'recording';
      if (this.#call.phase === 'in-call' && active !== !!this.#call.self?.recording) moderation.record(active);
    });
  }

  toggle(): Promise<void> {
    if (this.phase === 'idle') return this.#start();
    if (this.phase === 'recording') return this.#stop();
    return Promise.resolve();
  }

  /** The call view is going away (leaving, removed): the recording so far is saved. */
  destroy(): void {
    if (this.phase === 'recording') void this.#stop();
  }

  async #start(): Promise<void> {
    this.phase = 'starting';
    try {
      const { CallRecorder } = await import('../media/recorder');
      this.#recorder = new CallRecorder(recordedCall(this.#call));
      this.#startedAt = new Date();
      this.phase = 'recording';
    } catch (error) {
      console.warn('[recording] could not start', error);
      this.#call.notify(m.recording_failed());
      this.phase = 'idle';
    }
  }

  async #stop(): Promise<void> {
    const recorder = this.#recorder;
    if (!recorder) return;
    this.phase = 'saving';
    this.#recorder = null;
    try {
      const file = recordingFileName(this.#call.room, this.#startedAt);
      saveRecording(await recorder.stop(), file);
      this.#call.notify(m.recording_saved({ file }));
    } finally {
      this.phase = 'idle';
    }
  }
}
