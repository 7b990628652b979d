import { LIMITS, PROTOCOL_VERSION } from '@parley/protocol';
import type { JoinedPayload, Peer } from '@parley/protocol';
import { acquireMedia, acquireTrack, describeMediaProblems, stopTrack } from '../media/local-media';
import { Mesh } from '../rtc/mesh';
import type { TrackKind } from '../rtc/peer-link';
import {
  callNotice,
  connectionLost,
  connectionRejected,
  connectionReplaced,
  joinFailure,
  joinTimedOut,
  unreachable,
  type Failure,
} from '../signaling/error-messages';
import { defaultSignalingUrl, SignalingClient } from '../signaling/signaling-client';

export type CallPhase = 'lobby' | 'joining' | 'in-call' | 'left' | 'failed';

/** Someone else in the call, as the tiles show them. */
export interface RemoteParticipant {
  peer: Peer;
  stream: MediaStream | null;
  link: RTCPeerConnectionState;
}

const NAME_KEY = 'parley.name';
const JOIN_TIMEOUT_MS = 10_000;
const NOTICE_MS = 4000;

function loadName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Private mode may refuse storage; the name is then simply not remembered.
  }
}

/** One room's call: the lobby, the signaling session, the mesh and the local devices, as runes. */
export class CallState {
  readonly room: string;
  phase = $state<CallPhase>('lobby');
  failure = $state.raw<Failure | null>(null);
  name = $state(loadName());
  selfId = $state<string | null>(null);
  micOn = $state(false);
  camOn = $state(false);
  /** The camera, for the preview and the local tile. */
  localStream = $state.raw<MediaStream | null>(null);
  mediaPending = $state(true);
  mediaProblem = $state<string | null>(null);
  remotes = $state.raw<RemoteParticipant[]>([]);
  reconnecting = $state(false);
  notice = $state<string | null>(null);
  maxPeers = $state<number | null>(null);

  readonly alone = $derived(this.remotes.length === 0);

  #tracks: Record<TrackKind, MediaStreamTrack | null> = { audio: null, video: null };
  #client: SignalingClient | null = null;
  #mesh: Mesh | null = null;
  #resume: string | null = null;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #destroyed = false;

  constructor(room: string) {
    this.room = room;
  }

  /** Turns the camera and microphone on for the lobby preview. */
  async startDevices(): Promise<void> {
    this.mediaPending = true;
    const media = await acquireMedia({ audio: true, video: true });
    if (this.#destroyed) {
      stopTrack(media.audio);
      stopTrack(media.video);
      return;
    }
    this.#setTrack('audio', media.audio);
    this.#setTrack('video', media.video);
    this.micOn = !!media.audio;
    this.camOn = !!media.video;
    this.mediaProblem = describeMediaProblems(media.problems);
    this.mediaPending = false;
  }

  async toggleMic(): Promise<void> {
    const track = this.#tracks.audio;
    if (track) {
      track.enabled = !track.enabled;
      this.micOn = track.enabled;
    } else if (await this.#tryDevice('audio')) {
      this.micOn = true;
    }
    this.#announceMedia();
  }

  async toggleCamera(): Promise<void> {
    if (this.#tracks.video) {
      // Stop rather than disable, so the camera light goes off.
      this.#setTrack('video', null);
      this.camOn = false;
    } else if (await this.#tryDevice('video')) {
      this.camOn = true;
    }
    this.#announceMedia();
  }

  /** Returns a message when the name is not acceptable; otherwise starts joining. */
  join(name: string): string | null {
    const clean = name.replace(/\p{Cc}/gu, '').trim();
    if (!clean) return 'Enter your name so the others know who you are.';
    if (clean.length > LIMITS.maxNameLength) return `Use at most ${LIMITS.maxNameLength} characters.`;
    this.name = clean;
    saveName(clean);
    void this.#connect();
    return null;
  }

  leave(): void {
    this.#client?.send('leave', {});
    this.#teardown();
    this.#stopDevices();
    this.phase = 'left';
  }

  /** After a failure: try the same join again. */
  retry(): void {
    this.failure = null;
    void this.#connect();
  }

  /** After leaving: back to the lobby with the devices on again. */
  rejoin(): void {
    this.phase = 'lobby';
    void this.startDevices();
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.phase === 'in-call') this.#client?.send('leave', {});
    this.#teardown();
    this.#stopDevices();
    clearTimeout(this.#noticeTimer);
  }

  async #connect(): Promise<void> {
    this.#teardown();
    this.phase = 'joining';
    this.failure = null;
    const client = new SignalingClient({ url: defaultSignalingUrl() });
    this.#client = client;
    this.#listen(client);
    try {
      await client.connect();
    } catch {
      if (this.#client === client) this.#fail(unreachable);
      return;
    }
    this.#sendJoin();
  }

  #sendJoin(): void {
    clearTimeout(this.#joinTimer);
    this.#joinTimer = setTimeout(() => this.#fail(joinTimedOut), JOIN_TIMEOUT_MS);
    this.#client?.send('join', {
      room: this.room,
      name: this.name,
      protocol: PROTOCOL_VERSION,
      ...(this.#resume ? { resume: this.#resume } : {}),
    });
  }

  #listen(client: SignalingClient): void {
    client.on('joined', (data) => this.#onJoined(data));
    client.on('peer-joined', ({ peer }) => {
      this.#upsert(peer);
      this.#mesh?.expect(peer.id);
    });
    client.on('peer-updated', ({ peer }) => this.#upsert(peer));
    client.on('peer-left', ({ id }) => {
      this.#mesh?.remove(id);
      this.remotes = this.remotes.filter((r) => r.peer.id !== id);
    });
    client.on('signal', ({ from, description, candidate }) => this.#mesh?.receive(from, { description, candidate }));
    client.on('error', (error) => {
      if (error.event === 'join' && this.#resume && error.details?.some((d) => d.field === 'resume')) {
        // The resume token was refused (expired, or another server): join afresh as a newcomer.
        this.#resume = null;
        this.#sendJoin();
      } else if (this.phase === 'joining' || error.event === 'join') {
        this.#fail(joinFailure(error, this.maxPeers ?? undefined));
      } else {
        this.notify(callNotice(error));
      }
    });
    client.onStatus((status) => {
      if (this.#client !== client) return;
      if (status === 'reconnecting') this.reconnecting = true;
      if (status === 'open' && this.reconnecting) this.#sendJoin();
      if (status === 'closed' && client.closeReason === 'lost') this.#fail(connectionLost);
      if (status === 'closed' && client.closeReason === 'rejected') this.#fail(connectionRejected);
      if (status === 'closed' && client.closeReason === 'replaced') this.#fail(connectionReplaced);
    });
  }

  #onJoined(data: JoinedPayload): void {
    clearTimeout(this.#joinTimer);
    const resumed = this.#mesh !== null && data.self.id === this.selfId;
    this.#resume = data.resume;
    this.maxPeers = data.limits.maxPeers;
    this.reconnecting = false;

    if (resumed && this.#mesh) {
      // Our links survived the outage; keep them and drop only the people who left meanwhile.
      const present = new Set(data.peers.map((p) => p.id));
      for (const id of this.#mesh.peerIds) if (!present.has(id)) this.#mesh.remove(id);
      const previous = new Map(this.remotes.map((r) => [r.peer.id, r]));
      this.remotes = data.peers.map((peer) => ({ stream: null, link: 'new', ...previous.get(peer.id), peer }));
      for (const peer of data.peers) if (!previous.has(peer.id)) this.#mesh.expect(peer.id);
    } else {
      this.#mesh?.close();
      this.selfId = data.self.id;
      this.remotes = data.peers.map((peer) => ({ peer, stream: null, link: 'new' }));
      this.#mesh = this.#createMesh(data);
      for (const peer of data.peers) this.#mesh.call(peer.id);
    }
    this.phase = 'in-call';
    this.#announceMedia();
  }

  #createMesh(data: JoinedPayload): Mesh {
    return new Mesh(
      {
        selfId: data.self.id,
        iceServers: data.iceServers,
        send: (to, signal) => this.#client?.send('signal', { to, ...signal }),
        onremotestream: (id, stream) => this.#patch(id, { stream }),
        onlinkstate: (id, link) => this.#patch(id, { link }),
      },
      this.#tracks,
    );
  }

  #upsert(peer: Peer): void {
    if (peer.id === this.selfId) return;
    if (this.remotes.some((r) => r.peer.id === peer.id)) this.#patch(peer.id, { peer });
    else this.remotes = [...this.remotes, { peer, stream: null, link: 'new' }];
  }

  #patch(id: string, change: Partial<RemoteParticipant>): void {
    this.remotes = this.remotes.map((r) => (r.peer.id === id ? { ...r, ...change } : r));
  }

  #announceMedia(): void {
    if (this.phase !== 'in-call') return;
    this.#client?.send('media', { audio: this.micOn, video: this.camOn, screen: false });
  }

  async #tryDevice(kind: TrackKind): Promise<boolean> {
    const { track, problem } = await acquireTrack(kind);
    if (this.#destroyed || this.phase === 'left') {
      stopTrack(track);
      return false;
    }
    if (!track) {
      this.mediaProblem = describeMediaProblems({ [kind]: problem ?? 'unknown' });
      return false;
    }
    this.#setTrack(kind, track);
    this.mediaProblem = null;
    return true;
  }

  #setTrack(kind: TrackKind, track: MediaStreamTrack | null): void {
    if (this.#tracks[kind] !== track) stopTrack(this.#tracks[kind]);
    this.#tracks[kind] = track;
    this.#mesh?.setTrack(kind, track);
    if (kind === 'video') this.localStream = track ? new MediaStream([track]) : null;
  }

  #stopDevices(): void {
    this.#setTrack('audio', null);
    this.#setTrack('video', null);
    this.micOn = this.camOn = false;
  }

  #fail(failure: Failure): void {
    this.#teardown();
    this.failure = failure;
    this.phase = 'failed';
  }

  notify(message: string): void {
    this.notice = message;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = null), NOTICE_MS);
  }

  /** Closes the session and the links; the devices stay on for a retry. */
  #teardown(): void {
    clearTimeout(this.#joinTimer);
    const client = this.#client;
    this.#client = null;
    client?.close();
    this.#mesh?.close();
    this.#mesh = null;
    this.#resume = null;
    this.remotes = [];
    this.reconnecting = false;
  }
}
