import { LIMITS } from '@parley/protocol';
import { CallSession, type CallPhase, type ServerConnection } from '../call/call-session';
import type { RemoteParticipant } from '../call/roster';
import { LocalTracks } from '../media/local-tracks';
import type { Governor } from '../rtc/governor';
import type { Failure } from '../signaling/error-messages';
import { takeRoomToken } from '../signaling/room-token';
import { serverConfig, signalingUrl } from '../signaling/server-config';
import { ChatState } from './chat.svelte';
import { DeviceState } from './devices.svelte';
import { DoctorState } from './doctor.svelte';
import type { LinkStats } from './link-stats.svelte';

type CallKit = typeof import('./call-kit');

/** The side panel of the call view. */
export type CallPanel = 'chat' | 'people' | null;

const NAME_KEY = 'parley.name';
const NOTICE_MS = 4000;
const RECONNECTED_MS = 3000;
const SHARE_PROBLEMS = { unsupported: 'This browser cannot share the screen.', failed: 'Your screen could not be shared.' };

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

/** One room's call as components read it: runes over `CallSession` and `LocalTracks`, no I/O of its own. */
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
  remotes = $state.raw<readonly RemoteParticipant[]>([]);
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

  readonly #tracks = new LocalTracks();
  readonly #session: CallSession;
  #governor: Governor | null = null;
  #kit: Promise<CallKit> | null = null;
  #destroyed = false;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(room: string) {
    this.room = room;
    // Asked now, so the socket's address is known by the time the person presses Join.
    const url = async () => signalingUrl((await serverConfig()).signalingPath);
    const token = takeRoomToken();
    const session = (this.#session = new CallSession({ room, token, tracks: this.#tracks, signalingUrl: url }));
    void serverConfig();
    this.chat = new ChatState(
      (text, ref) => session.sendChat(text, ref),
      () => session.selfId,
    );
    this.devices = new DeviceState({ switchInput: (kind, id) => this.#tracks.use(kind, id), track: (kind) => this.#tracks.track(kind) });
    this.doctor = new DoctorState(room, { signalingUrl: url, ticket: async () => (await serverConfig()).iceTicket, token });

    session.events.on('status', () => this.#onStatus());
    session.events.on('roster', (list) => (this.remotes = list));
    session.events.on('reconnected', () => this.#showReconnected());
    session.events.on('chat-history', (messages) => this.chat.history(messages));
    session.events.on('chat', (message) => this.chat.receive(message));
    session.events.on('chat-rejected', (error) => this.chat.rejected(error));
    session.events.on('notice', (notice) => this.notify(notice));
    session.events.on('peer-removed', (id) => this.stats?.forget(id));
    session.events.on('senders', () => void this.#governor?.update());
    this.#tracks.events.on('change', () => this.#onTracks());
  }

  /** Turns the camera and microphone on for the lobby preview, on the devices chosen last time. */
  async startDevices(): Promise<void> {
    this.mediaPending = true;
    await this.#tracks.start({ audio: this.devices.preferred('audio'), video: this.devices.preferred('video') });
    if (this.#destroyed) return;
    this.mediaPending = false;
    // Labels and ids are only listed once a device is open.
    this.devices.watch();
  }

  toggleMic(): Promise<void> {
    return this.#tracks.toggleMic(this.devices.audioinput);
  }

  toggleCamera(): Promise<void> {
    return this.#tracks.toggleCamera(this.devices.videoinput);
  }

  /** Starts or stops sharing the screen; the browser's own "Stop sharing" button ends it too. */
  async toggleShare(): Promise<void> {
    if (this.#tracks.screen) return this.#tracks.stopScreen();
    if (this.phase !== 'in-call') return;
    const { startScreenShare } = await this.#loadKit();
    const problem = await this.#session.shareScreen(startScreenShare);
    if (problem && problem !== 'cancelled') this.notify(SHARE_PROBLEMS[problem]);
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
    void this.#loadKit();
    void this.#session.join(clean);
    return null;
  }

  leave(): void {
    this.#session.leave();
    this.#tracks.stop();
  }

  /** After reconnecting gave up: try again, keeping the call and its links. */
  retryConnection(): void {
    this.#session.retryConnection();
  }

  /** After a failure: try the same join again. */
  retry(): void {
    void this.#loadKit();
    void this.#session.retry();
  }

  /** After leaving: back to the lobby with the devices on again. */
  rejoin(): void {
    this.#session.reset();
    void this.startDevices();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#session.close();
    this.#tracks.stop();
    this.#stopKit();
    this.chat.destroy();
    this.devices.destroy();
    clearTimeout(this.#noticeTimer);
    clearTimeout(this.#reconnectedTimer);
  }

  notify(message: string): void {
    this.notice = message;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = null), NOTICE_MS);
  }

  #onStatus(): void {
    const session = this.#session;
    this.phase = session.phase;
    this.failure = session.failure;
    this.connection = session.connection;
    this.selfId = session.selfId;
    this.maxPeers = session.maxPeers;
    if (session.phase === 'in-call') {
      this.#startKit();
    } else {
      this.#stopKit();
      this.reconnected = false;
    }
  }

  #onTracks(): void {
    const tracks = this.#tracks;
    this.micOn = tracks.micOn;
    this.camOn = tracks.camOn;
    this.mediaProblem = tracks.problem;
    const camera = tracks.track('video');
    if (this.localStream?.getVideoTracks()[0] !== camera) this.localStream = camera ? new MediaStream([camera]) : null;
    this.sharing = !!tracks.screen;
    this.screenStream = tracks.screen?.stream ?? null;
  }

  #showReconnected(): void {
    this.reconnected = true;
    clearTimeout(this.#reconnectedTimer);
    this.#reconnectedTimer = setTimeout(() => (this.reconnected = false), RECONNECTED_MS);
  }

  /** Loads what only a running call needs, once; joining starts it, alongside the connection. */
  #loadKit(): Promise<CallKit> {
    this.#kit ??= import('./call-kit').then((kit) => {
      const { stats, governor } = kit.createCallKit({
        connections: () => this.#session.transport?.connections() ?? new Map(),
        expectsVideo: (id) => !!this.remotes.find((r) => r.peer.id === id)?.peer.media.video,
        micOn: () => this.micOn,
        transport: () => this.#session.transport,
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
      if (this.#session.phase !== 'in-call') return;
      this.stats?.start();
      this.#governor?.start();
      void this.#governor?.update();
    });
  }

  #stopKit(): void {
    this.#governor?.stop();
    this.stats?.stop();
  }
}
