import { LIMITS } from '@parley/protocol';
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

/** The call's own connection to the server: `lost` once reconnecting has given up. */
export type ServerConnection = 'online' | 'reconnecting' | 'lost';

/** Someone else in the call, as the tiles show them. */
export interface RemoteParticipant {
  peer: Peer;
  stream: MediaStream | null;
  link: RTCPeerConnectionState;
  /**
   * The link could not connect even after an ICE restart: `relay` when it could only go through
   * a TURN relay, `network` otherwise.
   */
  linkFailure: 'relay' | 'network' | null;
}

const NAME_KEY = 'parley.name';
const JOIN_TIMEOUT_MS = 10_000;
const NOTICE_MS = 4000;
const RECONNECTED_MS = 3000;
/**
 * How long a peer that the server no longer lists after our resume keeps its link. After a server
 * restart the others resume one by one (and arrive as `peer-joined`); the server's default grace
 * window is as long.
 */
export const MISSING_PEER_GRACE_MS = 20_000;

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
  connection = $state<ServerConnection>('online');
  /** Shown briefly after the connection to the server came back. */
  reconnected = $state(false);
  notice = $state<string | null>(null);
  maxPeers = $state<number | null>(null);

  readonly alone = $derived(this.remotes.length === 0);

  #tracks: Record<TrackKind, MediaStreamTrack | null> = { audio: null, video: null };
  #client: SignalingClient | null = null;
  #mesh: Mesh | null = null;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectedTimer: ReturnType<typeof setTimeout> | undefined;
  #missing = new Map<string, ReturnType<typeof setTimeout>>();
  /** The browser went offline since the last `joined`: its network may have changed. */
  #wentOffline = false;
  #stopWatchingNetwork: () => void = () => {};
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

  /** After reconnecting gave up: try again, keeping the call and its links. */
  retryConnection(): void {
    if (this.connection !== 'lost' || !this.#client) return;
    this.connection = 'reconnecting';
    this.#client.reconnect();
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
    clearTimeout(this.#reconnectedTimer);
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
    if (this.#client !== client) return;
    this.#joinTimer = setTimeout(() => this.#fail(joinTimedOut), JOIN_TIMEOUT_MS);
    client.join({ room: this.room, name: this.name });
  }

  #listen(client: SignalingClient): void {
    client.on('joined', (data) => this.#onJoined(data));
    client.on('peer-joined', ({ peer }) => {
      // After a server restart a peer we still have a link to comes back as "new": same peer, same link.
      this.#found(peer.id);
      this.#upsert(peer);
      this.#mesh?.expect(peer.id);
    });
    client.on('peer-updated', ({ peer }) => {
      this.#found(peer.id);
      this.#upsert(peer);
    });
    client.on('peer-left', ({ id }) => this.#removePeer(id));
    client.on('signal', ({ from, description, candidate }) => this.#mesh?.receive(from, { description, candidate }));
    client.on('error', (error) => {
      if (this.phase === 'joining' || error.event === 'join') this.#fail(joinFailure(error, this.maxPeers ?? undefined));
      else this.notify(callNotice(error));
    });
    client.onStatus((status) => {
      if (this.#client !== client) return;
      if (status === 'reconnecting' && this.phase === 'in-call') this.connection = 'reconnecting';
      if (status !== 'closed') return;
      // Giving up on the server does not end the call: the links carry the media without it.
      if (client.closeReason === 'lost' && this.phase === 'in-call') this.connection = 'lost';
      else if (client.closeReason === 'lost') this.#fail(connectionLost);
      else if (client.closeReason === 'rejected') this.#fail(connectionRejected);
      else if (client.closeReason === 'replaced') this.#fail(connectionReplaced);
    });
    const offline = () => (this.#wentOffline = true);
    addEventListener('offline', offline);
    this.#stopWatchingNetwork = () => removeEventListener('offline', offline);
  }

  #onJoined(data: JoinedPayload): void {
    clearTimeout(this.#joinTimer);
    const resumed = this.#mesh !== null && data.self.id === this.selfId;
    this.maxPeers = data.limits.maxPeers;
    if (this.connection !== 'online') this.#showReconnected();
    this.connection = 'online';

    if (resumed && this.#mesh) {
      this.#resumed(this.#mesh, data);
    } else {
      this.#clearMissing();
      this.#mesh?.close();
      this.selfId = data.self.id;
      this.remotes = data.peers.map((peer) => ({ peer, stream: null, link: 'new', linkFailure: null }));
      this.#mesh = this.#createMesh(data);
      for (const peer of data.peers) this.#mesh.call(peer.id);
    }
    this.#wentOffline = false;
    this.phase = 'in-call';
    this.#announceMedia();
  }

  /**
   * Back in the room as the same peer: every link stays. A peer the server does not list may be
   * on its way back (after a server restart everyone resumes one by one), so its link waits for
   * it for a grace window; `peer-left` from the server ends it sooner.
   */
  #resumed(mesh: Mesh, data: JoinedPayload): void {
    mesh.setIceServers(data.iceServers);
    const listed = new Set(data.peers.map((peer) => peer.id));
    for (const peer of data.peers) {
      this.#found(peer.id);
      this.#upsert(peer);
      mesh.expect(peer.id);
    }
    for (const { peer } of this.remotes) {
      if (listed.has(peer.id) || this.#missing.has(peer.id)) continue;
      this.#patch(peer.id, { peer: { ...peer, connection: 'reconnecting' } });
      this.#missing.set(
        peer.id,
        setTimeout(() => this.#removePeer(peer.id), MISSING_PEER_GRACE_MS),
      );
    }
    // After the browser was offline its address may have changed: find new paths on every link.
    mesh.restartIce({ onlyDisconnected: !this.#wentOffline });
  }

  #found(id: string): void {
    clearTimeout(this.#missing.get(id));
    this.#missing.delete(id);
  }

  #clearMissing(): void {
    for (const timer of this.#missing.values()) clearTimeout(timer);
    this.#missing.clear();
  }

  #removePeer(id: string): void {
    this.#found(id);
    this.#mesh?.remove(id);
    this.remotes = this.remotes.filter((r) => r.peer.id !== id);
  }

  #showReconnected(): void {
    this.reconnected = true;
    clearTimeout(this.#reconnectedTimer);
    this.#reconnectedTimer = setTimeout(() => (this.reconnected = false), RECONNECTED_MS);
  }

  #createMesh(data: JoinedPayload): Mesh {
    return new Mesh(
      {
        selfId: data.self.id,
        iceServers: data.iceServers,
        send: (to, signal) => this.#client?.send('signal', { to, ...signal }),
        onremotestream: (id, stream) => this.#patch(id, { stream }),
        onlinkstate: (id, link) => this.#patch(id, { link }),
        onlinkfailure: (id, failed) =>
          this.#patch(id, { linkFailure: failed ? (this.#mesh?.relayOnly(id) ? 'relay' : 'network') : null }),
      },
      this.#tracks,
    );
  }

  #upsert(peer: Peer): void {
    if (peer.id === this.selfId) return;
    if (this.remotes.some((r) => r.peer.id === peer.id)) this.#patch(peer.id, { peer });
    else this.remotes = [...this.remotes, { peer, stream: null, link: 'new', linkFailure: null }];
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
    this.#stopWatchingNetwork();
    this.#clearMissing();
    this.#mesh?.close();
    this.#mesh = null;
    this.remotes = [];
    this.connection = 'online';
    this.reconnected = false;
    this.#wentOffline = false;
  }
}
