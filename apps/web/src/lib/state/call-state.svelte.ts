import type { RoomMode, SfuViewItem } from '@parley/protocol';
import type { CallPhase, CallSession, ServerConnection } from '../call/call-session';
import type { RemoteParticipant } from '../call/roster';
import type { Layout } from '../call/stage';
import type { Peer } from '@parley/protocol';
import { layerFor, slotsFor, stripSlotsFor, tilePage, tileWidthFor, type TilePage } from '../call/tile-page';
import { describeMediaProblems, type AcquiredMedia } from '../media/local-media';
import { LocalTracks } from '../media/local-tracks';
import { unreachable, type Failure } from '../signaling/failure';
import { takeRoomToken } from '../signaling/room-token';
import { serverConfig, serverSignalingUrl } from '../signaling/server-config';
import type { CallKit } from './call-kit';
import type { ChatState } from './chat.svelte';
import { DeviceState } from './devices.svelte';
import { DoctorState } from './doctor.svelte';
import { Flash } from './flash.svelte';
import type { ModerationState } from './moderation.svelte';
import type { LinkStats } from './link-stats.svelte';
import { cleanName, loadName, saveName } from './person-name';

/** The side panel of the call view. */
export type CallPanel = 'chat' | 'people' | null;

/** One room's call as components read it: runes over `CallSession` and `LocalTracks`, no I/O of its own. */
export class CallState {
  readonly room: string;
  phase = $state<CallPhase>('lobby');
  failure = $state.raw<Failure | null>(null);
  name = $state(loadName());
  selfId = $state<string | null>(null);
  /** Ourselves as the others see us (host, raised hand), while in the call. */
  self = $state.raw<Peer | null>(null);
  micOn = $state(false);
  camOn = $state(false);
  /** The camera, for the preview and the local tile. */
  localStream = $state.raw<MediaStream | null>(null);
  /** The microphone (silent while muted), for the lobby's level meter and a local recording. */
  micTrack = $state.raw<MediaStreamTrack | null>(null);
  mediaPending = $state(true);
  #mediaProblems = $state.raw<AcquiredMedia['problems']>({});
  remotes = $state.raw<readonly RemoteParticipant[]>([]);
  connection = $state<ServerConnection>('online');
  maxPeers = $state<number | null>(null);
  /** Whether this browser is sharing its screen. */
  sharing = $state(false);
  /** The local screen share, for the presenter's own preview. */
  screenStream = $state.raw<MediaStream | null>(null);
  panel = $state<CallPanel>(null);
  /** Grid or speaker view (a strip of small tiles below a large one); stage.svelte.ts loads, switches and remembers it. */
  layout = $state<Layout>('grid');
  /** People this person pinned: they lead every page of tiles. */
  pinned = $state.raw<ReadonlySet<string>>(new Set());
  /** The window's size in CSS pixels (bound by the grid), which sets how many tiles fit. */
  width = $state(1280);
  height = $state(720);
  pixelRatio = $state(1);
  /** How media flows: through the mesh, or through the SFU once the room outgrew it. */
  mode = $state<RoomMode>('mesh');
  #pageIndex = $state(0);

  readonly alone = $derived(this.remotes.length === 0);
  /** Who has the large spot: the first person sharing a screen, you included (`self`). */
  readonly presenter = $derived(this.sharing ? 'self' : (this.remotes.find((r) => r.peer.media.screen && r.screen)?.peer.id ?? null));

  /** Quality per link and who is speaking; loaded with the call (see `call-kit.ts`). */
  stats = $state.raw<LinkStats | null>(null);
  /** The page of remote tiles on screen: pinned people, then the active speaker, then the others; "+N" for the rest. */
  readonly page: TilePage = $derived(
    tilePage({
      peers: this.remotes.map((r) => r.peer.id),
      speaker: this.stats?.activeRemote ?? null,
      pinned: this.pinned,
      // In a mesh every camera arrives anyway and the room is small, so nobody is paged away; through
      // the SFU a page saves what off-page videos would cost.
      slots: this.mode === 'mesh' ? Infinity : this.#slots,
      page: this.#pageIndex,
    }),
  );
  /** The remote participants on the page, in tile order. */
  readonly pageRemotes = $derived(this.page.visible.flatMap((id) => this.remotes.find((r) => r.peer.id === id) ?? []));
  /** Those off the page: their audio still plays. */
  readonly offPageRemotes = $derived(this.remotes.filter((r) => !this.page.visible.includes(r.peer.id)));
  /**
   * Whose video to receive, at which simulcast layer: the cameras on the page at the size of their
   * tiles, and the presenter's screen at full size. Through the SFU nothing else is received but audio.
   */
  readonly view: SfuViewItem[] = $derived.by(() => {
    const tiles = this.page.visible.length + 1 + (this.page.hidden > 0 ? 1 : 0);
    const layer = this.presenter === null ? layerFor(tileWidthFor(this.#gridWidth, tiles), this.pixelRatio) : 0;
    const view = new Map<string, SfuViewItem['layer']>(this.page.visible.map((id) => [id, layer]));
    if (this.presenter !== null && this.presenter !== 'self') view.set(this.presenter, 2);
    return [...view].map(([peer, layer]) => ({ peer, layer }));
  });

  /**
   * How many tiles fit: the grid's, or with a large tile (a presentation, speaker view) the strip's
   * small ones below it; in speaker view the large tile is one of the page's people too.
   */
  get #slots(): number {
    if (this.presenter !== null) return stripSlotsFor(this.#gridWidth, this.height);
    if (this.layout === 'speaker' && !this.alone) return stripSlotsFor(this.#gridWidth, this.height) + 1;
    return slotsFor(this.#gridWidth, this.height);
  }

  /** The side panel takes 22rem beside the tiles. */
  get #gridWidth(): number {
    return this.panel !== null && this.width > 768 ? this.width - 352 : this.width;
  }

  /** The room's chat; loaded with the call (see `call-kit.ts`). */
  chat = $state.raw<ChatState | null>(null);
  readonly devices: DeviceState;
  readonly doctor: DoctorState;
  /** The lock, the waiting room, hands and reactions; loaded with the call (see `call-kit.ts`). */
  moderation = $state.raw<ModerationState | null>(null);

  readonly #tracks = new LocalTracks();
  readonly #token = takeRoomToken();
  /** The engine, its stats and screen sharing: loaded on "Join" (see `call-kit.ts`). */
  #kit: Promise<CallKit> | null = null;
  #call: CallKit | null = null;
  #destroyed = false;
  readonly #notice = new Flash<string>(4000);
  readonly #reconnected = new Flash<true>(3000);

  constructor(room: string) {
    this.room = room;
    // Asked now, so the socket's address is known by the time the person presses Join.
    void serverConfig();
    this.devices = new DeviceState({ switchInput: (kind, id) => this.#tracks.use(kind, id), track: (kind) => this.#tracks.track(kind) });
    this.doctor = new DoctorState(room, {
      signalingUrl: serverSignalingUrl,
      ticket: async () => (await serverConfig()).iceTicket,
      token: this.#token,
    });
    this.#tracks.events.on('change', () => this.#onTracks());
  }

  /** Why a device is not available, in a sentence; read when shown, so it follows a language switch. */
  get mediaProblem(): string | null {
    return describeMediaProblems(this.#mediaProblems);
  }

  /** A note about something that went wrong without ending the call. */
  get notice(): string | null {
    return this.#notice.value;
  }

  /** Shown briefly after the connection to the server came back. */
  get reconnected(): boolean {
    return !!this.#reconnected.value;
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
    const { session, startScreenShare } = await this.#loadKit();
    const problem = await session.shareScreen(startScreenShare);
    if (problem) this.notify(problem);
  }

  /** The "+N" tile: the next page of people (after the last, the first again). */
  nextPage(): void {
    this.#pageIndex = this.page.page + 1;
  }

  /** Receives video only for the tiles on screen (see `view`). */
  showVideo(view: readonly SfuViewItem[]): void {
    this.#call?.session.setView(view);
  }

  togglePanel(panel: Exclude<CallPanel, null>): void {
    this.panel = this.panel === panel ? null : panel;
    this.chat?.setOpen(this.panel === 'chat');
  }

  /**
   * The person is about to join (they reached for the form): fetch the call's code now, so that
   * Join does not wait for it. Loading it has no effect until Join.
   */
  prepare(): void {
    void this.#loadKit().catch(() => {});
  }

  /** Returns a message when the name is not acceptable; otherwise starts joining. */
  join(name: string): string | null {
    const checked = cleanName(name);
    if ('problem' in checked) return checked.problem;
    saveName((this.name = checked.name));
    this.#join();
    return null;
  }

  leave(): void {
    this.#call?.session.leave();
    this.#tracks.stop();
    this.phase = 'left';
  }

  /** After reconnecting gave up: try again, keeping the call and its links. */
  retryConnection(): void {
    this.#call?.session.retryConnection();
  }

  /** After a failure: try the same join again. */
  retry(): void {
    this.#join();
  }

  /** After leaving: back to the lobby with the devices on again. */
  rejoin(): void {
    this.#call?.session.reset();
    this.phase = 'lobby';
    void this.startDevices();
  }

  destroy(): void {
    this.#destroyed = true;
    this.#call?.close();
    this.#tracks.stop();
    this.devices.destroy();
    this.#notice.clear();
    this.#reconnected.clear();
  }

  notify(message: string): void {
    this.#notice.show(message);
  }

  #join(): void {
    this.phase = 'joining';
    this.failure = null;
    this.#loadKit().then(
      ({ session }) => this.phase === 'joining' && !this.#destroyed && void session.join(this.name),
      () => {
        this.failure = unreachable();
        this.phase = 'failed';
      },
    );
  }

  #onStatus(session: CallSession): void {
    this.phase = session.phase;
    this.failure = session.failure;
    this.connection = session.connection;
    this.selfId = session.selfId;
    this.self = session.self;
    this.maxPeers = session.maxPeers;
    this.mode = session.mode;
    if (session.phase !== 'in-call') this.#reconnected.clear();
  }

  #onTracks(): void {
    const tracks = this.#tracks;
    this.micOn = tracks.micOn;
    this.camOn = tracks.camOn;
    this.#mediaProblems = tracks.problems;
    const camera = tracks.track('video');
    if (this.localStream?.getVideoTracks()[0] !== camera) this.localStream = camera ? new MediaStream([camera]) : null;
    this.micTrack = tracks.track('audio');
    this.sharing = !!tracks.screen;
    this.screenStream = tracks.screen?.stream ?? null;
  }

  /** Loads what only a running call needs, once, and listens to the call engine. */
  #loadKit(): Promise<CallKit> {
    this.#kit ??= import('./call-kit').then(({ createCallKit }) => {
      const call = createCallKit({
        room: this.room,
        token: this.#token,
        tracks: this.#tracks,
        signalingUrl: serverSignalingUrl,
        people: this,
      });
      const { session, stats } = call;
      session.events.on('status', () => this.#onStatus(session));
      session.events.on('roster', (list) => (this.remotes = list));
      session.events.on('reconnected', () => this.#reconnected.show(true));
      session.events.on('notice', (notice) => this.notify(notice));
      this.stats = stats;
      this.moderation = call.moderation;
      this.chat = call.chat;
      this.#call = call;
      if (this.#destroyed) call.close();
      return call;
    });
    this.#kit.catch(() => (this.#kit = null));
    return this.#kit;
  }
}
