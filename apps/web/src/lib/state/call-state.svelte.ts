import { LIMITS } from '@parley/protocol';
import type { JoinedPayload, Peer } from '@parley/protocol';
import { acquireMedia, acquireRemembered, acquireTrack, describeMediaProblems, stopTrack } from '../media/local-media';
import type { ScreenShare } from '../media/screen-share';
import { takeRoomToken } from '../signaling/room-token';
import type { Governor } from '../rtc/governor';
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
import { ChatState } from './chat.svelte';
import { DeviceState, type InputKind } from './devices.svelte';
import { DoctorState } from './doctor.svelte';
import type { LinkStats } from './link-stats.svelte';

type CallKit = typeof import('./call-kit');

export type CallPhase = 'lobby' | 'joining' | 'in-call' | 'left' | 'failed';

/** The call's own connection to the server: `lost` once reconnecting has given up. */
export type ServerConnection = 'online' | 'reconnecting' | 'lost';

/** The side panel of the call view. */
export type CallPanel = 'chat' | 'people' | null;

/** Someone else in the call, as the tiles show them. */
export interface RemoteParticipant {
  peer: Peer;
  stream: MediaStream | null;
  /** Their screen share, shown while `peer.media.screen` is on. */
  screen: MediaStream | null;
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
  /** Whether this browser is sharing its screen. */
  sharing = $state(false);
  /** The local screen share, for the presenter's own preview. */
  screenStream = $state.raw<MediaStream | null>(null);
  panel = $state<CallPanel>(null);

  readonly alone = $derived(this.remotes.length === 0);
  /** Who has the large spot: the first person sharing a screen, you included (`self`). */
  readonly presenter = $derived(
    this.sharing ? 'self' : (this.remotes.find((r) => r.peer.media.screen && r.screen)?.peer.id ?? null),
  );

  readonly chat: ChatState;
  readonly devices: DeviceState;
  /** Quality per link and who is speaking; loaded with the call (see `call-kit.ts`). */
  stats = $state.raw<LinkStats | null>(null);
  readonly doctor: DoctorState;

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
  #share: ScreenShare | null = null;
  #governor: Governor | null = null;
  #kit: Promise<CallKit> | null = null;

  /** The room token the link carried, for servers that require one. */
  readonly #token = takeRoomToken();

  constructor(room: string) {
    this.room = room;
    this.chat = new ChatState(
      (text, ref) => this.phase === 'in-call' && !!this.#client?.send('chat', { text, ref }),
      () => this.selfId,
    );
    this.devices = new DeviceState({
      switchInput: (kind, deviceId) => this.#switchInput(kind, deviceId),
      track: (kind) => this.#tracks[kind],
    });
    this.doctor = new DoctorState(room, defaultSignalingUrl());
  }

  /** Loads what only a running call needs, once; joining starts it, alongside the connection. */
  #loadKit(): Promise<CallKit> {
    this.#kit ??= import('./call-kit').then((kit) => {
      const { stats, governor } = kit.createCallKit({
        connections: () => this.#mesh?.connections() ?? new Map(),
        expectsVideo: (id) => !!this.remotes.find((r) => r.peer.id === id)?.peer.media.video,
        micOn: () => this.micOn,
        mesh: () => this.#mesh,
        sharing: () => this.sharing,
        cameraOn: () => this.camOn,
      });
      this.stats = stats;
      this.#governor = governor;
      return kit;
    });
    return this.#kit;
  }

  /** Starts the stats and the governor once both the call and the kit are there. */
  #startKit(): void {
    void this.#loadKit().then(() => {
      if (this.phase !== 'in-call' || !this.#mesh) return;
      this.stats?.start();
      this.#governor?.start();
      void this.#governor?.update();
    });
  }

  /** Turns the camera and microphone on for the lobby preview, on the devices chosen last time. */
  async startDevices(): Promise<void> {
    this.mediaPending = true;
    const media = await acquireMedia(
      { audio: true, video: true },
      { audio: this.devices.preferred('audio'), video: this.devices.preferred('video') },
    );
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
    // Labels and ids are only listed once a device is open.
    this.devices.watch();
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

  /** Starts or stops sharing the screen; the browser's own "Stop sharing" button ends it too. */
  async toggleShare(): Promise<void> {
    if (this.#share) {
      this.#stopShare();
      return;
    }
    if (this.phase !== 'in-call') return;
    const { startScreenShare } = await this.#loadKit();
    const share = await startScreenShare({ onended: () => this.#stopShare() });
    if ('problem' in share) {
      if (share.problem === 'unsupported') this.notify('This browser cannot share the screen.');
      else if (share.problem === 'failed') this.notify('Your screen could not be shared.');
      return;
    }
    if (this.phase !== 'in-call') {
      share.stop();
      return;
    }
    this.#share = share;
    this.sharing = true;
    this.screenStream = share.stream;
    this.#mesh?.setScreen(share);
    this.#announceMedia();
    void this.#governor?.update();
  }

  togglePanel(panel: Exclude<CallPanel, null>): void {
    this.panel = this.panel === panel ? null : panel;
    this.chat.setOpen(this.panel === 'chat');
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
    this.#stopShare();
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
    this.#stopShare();
    this.#teardown();
    this.#stopDevices();
    this.chat.destroy();
    this.devices.destroy();
    clearTimeout(this.#noticeTimer);
    clearTimeout(this.#reconnectedTimer);
  }

  async #connect(): Promise<void> {
    this.#teardown();
    this.phase = 'joining';
    this.failure = null;
    void this.#loadKit();
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
    client.join({ room: this.room, name: this.name, ...(this.#token && { token: this.#token }) });
  }

  #listen(client: SignalingClient): void {
    client.on('joined', (data) => this.#onJoined(data));
    client.on('peer-joined', ({ peer }) => {
      // After a server restart a peer we still have a link to comes back as "new": same peer, same link.
      this.#found(peer.id);
      this.#upsert(peer);
      this.#mesh?.expect(peer.id);
      void this.#governor?.update();
    });
    client.on('peer-updated', ({ peer }) => {
      this.#found(peer.id);
      this.#upsert(peer);
    });
    client.on('peer-left', ({ id }) => this.#removePeer(id));
    client.on('chat', (message) => this.chat.receive(message));
    client.on('signal', ({ from, description, candidate }) => this.#mesh?.receive(from, { description, candidate }));
    client.on('error', (error) => {
      if (this.phase === 'joining' || error.event === 'join') this.#fail(joinFailure(error, this.maxPeers ?? undefined));
      else if (error.event === 'chat') this.chat.rejected(error);
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
      this.remotes = data.peers.map((peer) => ({ peer, stream: null, screen: null, link: 'new', linkFailure: null }));
      this.#mesh = this.#createMesh(data);
      for (const peer of data.peers) this.#mesh.call(peer.id);
    }
    // The history comes with every `joined`, a resume included; what is already shown is kept once.
    this.chat.history(data.chat);
    this.#wentOffline = false;
    this.phase = 'in-call';
    this.#announceMedia();
    this.#startKit();
  }

  /**
   * Back in the room as the same peer: every link stays. When the server still held us
   * (`resumed: 'session'`) its list is complete, and a peer missing from it left while we were
   * away. When it rebuilt us from the token (it restarted), a missing peer may be on its way back,
   * so its link waits for the server's grace window; `peer-left` ends it sooner.
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
      if (data.resumed === 'session') {
        this.#removePeer(peer.id);
        continue;
      }
      this.#patch(peer.id, { peer: { ...peer, connection: 'reconnecting' } });
      this.#missing.set(
        peer.id,
        setTimeout(() => this.#removePeer(peer.id), data.limits.resumeGraceMs),
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
    this.stats?.forget(id);
    this.remotes = this.remotes.filter((r) => r.peer.id !== id);
    void this.#governor?.update();
  }

  #showReconnected(): void {
    this.reconnected = true;
    clearTimeout(this.#reconnectedTimer);
    this.#reconnectedTimer = setTimeout(() => (this.reconnected = false), RECONNECTED_MS);
  }

  #createMesh(data: JoinedPayload): Mesh {
    const mesh = new Mesh(
      {
        selfId: data.self.id,
        iceServers: data.iceServers,
        send: (to, signal) => this.#client?.send('signal', { to, ...signal }),
        onremotestream: (id, stream) => this.#patch(id, { stream }),
        onremotescreen: (id, screen) => this.#patch(id, { screen }),
        onlinkstate: (id, link) => this.#patch(id, { link }),
        onlinkfailure: (id, failed) =>
          this.#patch(id, { linkFailure: failed ? (this.#mesh?.relayOnly(id) ? 'relay' : 'network') : null }),
      },
      this.#tracks,
    );
    if (this.#share) mesh.setScreen(this.#share);
    return mesh;
  }

  #upsert(peer: Peer): void {
    if (peer.id === this.selfId) return;
    if (this.remotes.some((r) => r.peer.id === peer.id)) this.#patch(peer.id, { peer });
    else this.remotes = [...this.remotes, { peer, stream: null, screen: null, link: 'new', linkFailure: null }];
  }

  #patch(id: string, change: Partial<RemoteParticipant>): void {
    this.remotes = this.remotes.map((r) => (r.peer.id === id ? { ...r, ...change } : r));
  }

  #announceMedia(): void {
    if (this.phase !== 'in-call') return;
    this.#client?.send('media', { audio: this.micOn, video: this.camOn, screen: this.sharing });
  }

  #stopShare(): void {
    const share = this.#share;
    if (!share) return;
    this.#share = null;
    share.stop();
    this.sharing = false;
    this.screenStream = null;
    this.#mesh?.setScreen(null);
    this.#announceMedia();
    void this.#governor?.update();
  }

  /**
   * Moves to another camera or microphone mid-call: a new track, sent with `replaceTrack` on every
   * link, so nobody renegotiates. A camera that is off stays off; a muted microphone stays muted.
   */
  async #switchInput(kind: InputKind, deviceId: string | undefined): Promise<boolean> {
    const current = this.#tracks[kind];
    if (kind === 'video' && !current) return true;
    const { track, problem } = await acquireTrack(kind, deviceId, deviceId !== undefined);
    if (this.#destroyed || this.phase === 'left' || this.phase === 'failed') {
      stopTrack(track);
      return false;
    }
    if (!track) {
      this.mediaProblem = describeMediaProblems({ [kind]: problem ?? 'unknown' });
      return false;
    }
    if (kind === 'audio') track.enabled = this.micOn;
    this.#setTrack(kind, track);
    if (kind === 'video') this.camOn = true;
    this.mediaProblem = null;
    return true;
  }

  async #tryDevice(kind: TrackKind): Promise<boolean> {
    const { track, problem } = await acquireRemembered(kind, this.devices[kind === 'audio' ? 'audioinput' : 'videoinput']);
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
    this.#stopShare();
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
    this.#governor?.stop();
    this.stats?.stop();
    this.#mesh?.close();
    this.#mesh = null;
    this.remotes = [];
    this.connection = 'online';
    this.reconnected = false;
    this.#wentOffline = false;
  }
}
