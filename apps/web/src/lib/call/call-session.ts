/**
 * The call engine, as livekit's RTCEngine is to its Room: it owns the signaling session, the media
 * transport, the roster and resume, and reports what happens as typed events. It knows no runes and
 * no DOM; `CallState` turns its events into what components read.
 */
import type { ChatEventPayload, ChatMessage, ErrorPayload, IcePath, IceServer, JoinedPayload, Peer, RoomMode, SfuViewItem } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { LocalTracks, ScreenStarter } from '../media/local-tracks';
import type { MediaTransport, MediaTransportEvents, MediaTransportFactory, SignalingPort } from '../rtc/media-transport';
import { Mesh } from '../rtc/mesh';
import { SfuTransport } from '../rtc/sfu-transport';
import {
  callNotice,
  connectionLost,
  connectionRejected,
  connectionReplaced,
  joinFailure,
  joinTimedOut,
  notLetIn,
  removedFromCall,
  unreachable,
  type Failure,
} from '../signaling/error-messages';
import { SignalingClient } from '../signaling/signaling-client';
import { Moderation } from './moderation';
import { Roster, type RemoteParticipant } from './roster';
import { mediaPatch, TransportSwitch } from './transport-switch';

/** `waiting`: the room is locked, and we wait for a host to let us in. */
export type CallPhase = 'lobby' | 'joining' | 'waiting' | 'in-call' | 'left' | 'failed';

/** The call's own connection to the server: `lost` once reconnecting has given up. */
export type ServerConnection = 'online' | 'reconnecting' | 'lost';

export interface CallSessionEvents {
  /** `phase`, `failure`, `connection`, `selfId`, `self` or `maxPeers` changed. */
  status: void;
  /** The connection to the server came back after it was lost. */
  reconnected: void;
  roster: readonly RemoteParticipant[];
  /** The chat history that comes with every `joined`, a resume included. */
  'chat-history': readonly ChatMessage[];
  chat: ChatEventPayload;
  'chat-rejected': ErrorPayload;
  /** A problem that does not end the call, in words. */
  notice: string;
  /** A peer's media ended for good. */
  'peer-removed': string;
  /** Who receives our media, or what we send, changed: the bandwidth plan needs a look. */
  senders: void;
}

export interface CallSessionOptions {
  room: string;
  /** The room token the link carried, for servers that require one. */
  token?: string;
  /** What this browser publishes. */
  tracks: LocalTracks;
  /** The gateway's WebSocket URL, asked at every join (the server's config may still be on its way). */
  signalingUrl(): string | Promise<string>;
  createClient?(url: string): SignalingClient;
  createTransport?: MediaTransportFactory;
  joinTimeoutMs?: number;
  /** How long the mesh may stay beside the SFU, waiting for the SFU's media to play. */
  switchTimeoutMs?: number;
}

const JOIN_TIMEOUT_MS = 10_000;
const SWITCH_TIMEOUT_MS = 5000;
/**
 * How long the call view, or a newcomer's tile, may wait for the first offer and answer to be done
 * and the first candidates to go out (tens of milliseconds).
 */
const OFFERS_FIRST_MS = 150;
/** How long after a link connects the bandwidth plan takes it in (see `#linkConnected`). */
const PLAN_CONNECTED_AFTER_MS = 500;

type MediaState = { audio: boolean; video: boolean; screen: boolean };

export class CallSession {
  readonly events = new Emitter<CallSessionEvents>();
  /** The lock, the waiting room, hands, reactions and the hosts' requests. */
  readonly moderation: Moderation;
  readonly #options: CallSessionOptions;
  readonly #tracks: LocalTracks;
  readonly #roster: Roster;
  readonly #stopWatchingTracks: () => void;
  #phase: CallPhase = 'lobby';
  #failure: Failure | null = null;
  #connection: ServerConnection = 'online';
  #selfId: string | null = null;
  /** Ourselves as the others see us: whether we are a host, whether our hand is up. */
  #self: Peer | null = null;
  #maxPeers: number | null = null;
  #name = '';
  #client: SignalingClient | null = null;
  #transport: MediaTransport | null = null;
  #mode: RoomMode = 'mesh';
  /** `peer kind` of the paths told to the server on this socket (it counts each once anyway). */
  #pathsReported = new Set<string>();
  /** While the room moves to the SFU: the mesh, kept until the SFU's media plays. */
  #switch: TransportSwitch | null = null;
  #leavingTransport: MediaTransport | null = null;
  #iceServers: IceServer[] = [];
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  /** Brings links that connected into the bandwidth plan (see `#linkConnected`). */
  #planTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counts joins, so a join overtaken by another (or by leaving) stops where it is. */
  #attempt = 0;
  #announced: MediaState | null = null;
  /** The attempt whose first `status` is held for the first offers (see `#emitInCall`); none meanwhile. */
  #statusHeldFor: number | null = null;
  /** While a newcomer's offer is being answered, roster changes wait (see `#holdRoster`). */
  #rosterHeld = false;
  #rosterChanged = false;
  /** Whose video the tiles show, at which layer; null until the grid says (then everyone's). */
  #view: readonly SfuViewItem[] | null = null;

  constructor(options: CallSessionOptions) {
    this.#options = options;
    this.#tracks = options.tracks;
    this.#roster = new Roster({
      onchange: (list) => (this.#rosterHeld ? (this.#rosterChanged = true) : this.events.emit('roster', list)),
      onexpired: (id) => this.#removePeer(id),
    });
    const stops = [
      this.#tracks.events.on('track', ({ kind, track }) => {
        for (const transport of this.#transports()) transport.setTrack(kind, track);
        if (kind === 'video') this.events.emit('senders', undefined);
      }),
      this.#tracks.events.on('screen', (screen) => {
        for (const transport of this.#transports()) transport.setScreen(screen);
        this.events.emit('senders', undefined);
      }),
      this.#tracks.events.on('change', () => this.#announceMedia()),
    ];
    this.moderation = new Moderation((event, data) => this.#phase === 'in-call' && !!this.#client?.send(event, data));
    // A host asked: off, and only the person turns it on again.
    this.moderation.events.on('muted-by', () => void (this.#tracks.micOn && this.#tracks.toggleMic()));
    this.#stopWatchingTracks = () => stops.forEach((stop) => stop());
  }

  get phase(): CallPhase {
    return this.#phase;
  }

  /** Why the call ended, while `phase` is `failed`. */
  get failure(): Failure | null {
    return this.#failure;
  }

  get connection(): ServerConnection {
    return this.#connection;
  }

  get selfId(): string | null {
    return this.#selfId;
  }

  get self(): Peer | null {
    return this.#self;
  }

  /** The room's size limit, from the last `joined`. */
  get maxPeers(): number | null {
    return this.#maxPeers;
  }

  get participants(): readonly RemoteParticipant[] {
    return this.#roster.list;
  }

  /** The media transport while in the call, for stats and the bandwidth governor (the SFU's, once the room moved). */
  get transport(): MediaTransport | null {
    return this.#transport;
  }

  /** How the call's media flows now; `sfu` as soon as the move to the media server starts. */
  get mode(): RoomMode {
    return this.#mode;
  }

  /**
   * Whose video the tiles show and at what size: through the SFU, only those videos are received
   * (audio from everyone). Kept for the transports that come later (the switch, a failover).
   */
  setView(view: readonly SfuViewItem[]): void {
    this.#view = view;
    this.#transport?.setView?.(view);
  }

  /** Whether the tiles show `peerId`'s video (every peer's until the grid says otherwise). */
  showsVideoOf(peerId: string): boolean {
    return !this.#view || this.#view.some((item) => item.peer === peerId);
  }

  /** Joins the room as `name`; the outcome arrives as `status` events. */
  async join(name: string): Promise<void> {
    this.#teardown();
    this.#name = name;
    this.#failure = null;
    this.#setPhase('joining');
    const attempt = ++this.#attempt;
    const url = await this.#options.signalingUrl();
    if (attempt !== this.#attempt) return;
    const client = this.#options.createClient?.(url) ?? new SignalingClient({ url });
    this.#client = client;
    this.#listen(client);
    try {
      await client.connect();
    } catch {
      if (this.#client === client) this.#fail(unreachable());
      return;
    }
    if (this.#client !== client) return;
    this.#joinTimer = setTimeout(() => this.#fail(joinTimedOut()), this.#options.joinTimeoutMs ?? JOIN_TIMEOUT_MS);
    const { room, token } = this.#options;
    client.join({ room, name, ...(token && { token }) });
  }

  /** After a failure: the same join again. */
  retry(): Promise<void> {
    return this.join(this.#name);
  }

  /** After reconnecting gave up: try again, keeping the call and its media. */
  retryConnection(): void {
    if (this.#connection !== 'lost' || !this.#client) return;
    this.#setConnection('reconnecting');
    this.#client.reconnect();
  }

  /** Says goodbye (so the others need not wait out the grace window) and ends the call. */
  leave(): void {
    if (this.#phase === 'in-call') this.#client?.send('leave', {});
    this.#teardown();
    this.#setPhase('left');
  }

  /** Back to the lobby after leaving. */
  reset(): void {
    if (this.#phase === 'left') this.#setPhase('lobby');
  }

  /** Sends a chat message; `false` when it cannot go out. */
  sendChat(text: string, ref: string): boolean {
    return this.#phase === 'in-call' && !!this.#client?.send('chat', { text, ref });
  }

  /**
   * Tells the server which way a mesh link's media goes (the selected ICE pair), for the
   * operators' relay-usage counter: once per link and kind on each socket. SFU links are not links
   * between two people, so they are not reported.
   */
  reportPath(peerId: string, kind: IcePath): void {
    const key = `${peerId} ${kind}`;
    if (this.#phase !== 'in-call' || this.#mode !== 'mesh' || this.#pathsReported.has(key)) return;
    if (this.#client?.send('path', { peer: peerId, kind })) this.#pathsReported.add(key);
  }

  /** Shares the screen while in the call; a sentence when it could not. */
  async shareScreen(start: ScreenStarter): Promise<string | null> {
    if (this.#phase !== 'in-call') return null;
    const problem = await this.#tracks.shareScreen(start);
    if (!problem && this.#phase !== 'in-call') this.#tracks.stopScreen();
    return problem;
  }

  /** Ends everything for good (the page goes away); the local devices are the caller's. */
  close(): void {
    this.events.clear();
    this.#stopWatchingTracks();
    this.leave();
  }

  #listen(client: SignalingClient): void {
    client.on('joined', (data) => this.#onJoined(client, data));
    client.on('peer-joined', ({ peer }) => {
      // After a server restart a peer we still have media with comes back as "new": same peer, same link.
      const known = this.#transport?.connections().has(peer.id);
      this.#transport?.addPeer(peer.id, { present: false });
      // Their offer is on its way: the new tile (a long render on a busy machine) waits until it is
      // answered and our first candidate is out, up to `OFFERS_FIRST_MS`, so neither waits behind the render.
      if (!known) this.#holdRoster(this.#transport?.answered?.(peer.id));
      this.#roster.upsert(peer);
      this.events.emit('senders', undefined);
    });
    client.on('peer-updated', ({ peer }) => (peer.id === this.#selfId ? this.#setSelf(peer) : this.#roster.upsert(peer)));
    this.moderation.listen(client);
    client.on('waiting', () => {
      if (this.#client !== client) return;
      // A host decides when: no time limit here (the server ends a wait that lasts too long).
      clearTimeout(this.#joinTimer);
      this.#setPhase('waiting');
    });
    client.on('denied', ({ reason }) => this.#client === client && this.#fail(notLetIn(reason)));
    client.on('removed', () => this.#client === client && this.#fail(removedFromCall()));
    client.on('peer-left', ({ id }) => this.#removePeer(id));
    client.on('resync', ({ peers }) => this.#resync(peers));
    client.on('room-mode', (data) => {
      if (this.#client === client && data?.mode === 'sfu' && this.#phase === 'in-call') this.#moveToSfu(client);
    });
    client.on('sfu-restart', () => {
      if (this.#client === client && this.#mode === 'sfu' && this.#phase === 'in-call') this.#replaceTransport(client);
    });
    client.on('chat', (message) => this.events.emit('chat', message));
    client.on('error', (error) => {
      if (this.#phase === 'joining' || error.event === 'join') this.#fail(joinFailure(error, this.#maxPeers ?? undefined));
      else if (error.event === 'chat') this.events.emit('chat-rejected', error);
      // The SFU transport recovers by itself (a new offer, an ICE restart, a failover); an answer in
      // flight to a lost media server is refused, and the person can do nothing about it.
      else if (error.event?.startsWith('sfu-')) console.warn('[sfu] the server refused', error.event, error.message);
      else this.events.emit('notice', callNotice(error));
    });
    client.onStatus((status) => {
      if (this.#client !== client) return;
      if (status === 'reconnecting' && this.#phase === 'in-call') this.#setConnection('reconnecting');
      if (status !== 'closed') return;
      // Giving up on the server does not end the call: the media flows without it.
      if (client.closeReason === 'lost' && this.#phase === 'in-call') this.#setConnection('lost');
      else if (client.closeReason === 'lost') this.#fail(connectionLost());
      else if (client.closeReason === 'rejected') this.#fail(connectionRejected());
      else if (client.closeReason === 'replaced') this.#fail(connectionReplaced());
      else if (client.closeReason === 'removed') this.#fail(removedFromCall());
    });
  }

  #onJoined(client: SignalingClient, data: JoinedPayload): void {
    clearTimeout(this.#joinTimer);
    // A new server session: it has counted nothing of ours yet.
    this.#pathsReported.clear();
    const transport = this.#transport;
    const wasAway = this.#connection !== 'online';
    this.#maxPeers = data.limits.maxPeers;
    this.#connection = 'online';
    this.#iceServers = data.iceServers;
    const mode = data.mode ?? 'mesh';
    if (transport && data.self.id === this.#selfId) {
      this.#resumed(client, transport, data);
      // The room moved while we were away, and the `room-mode` went with the old socket.
      if (mode === 'sfu') this.#moveToSfu(client);
    } else {
      this.#closeTransports();
      this.#selfId = data.self.id;
      this.#mode = mode;
      this.#roster.reset(data.self.id, data.peers);
      this.#transport = this.#createTransport(client, mode);
      for (const peer of data.peers) this.#transport.addPeer(peer.id, { present: true });
    }
    this.events.emit('chat-history', data.chat);
    this.#self = data.self;
    this.moderation.joined(data);
    this.#phase = 'in-call';
    this.#emitInCall(wasAway ? undefined : this.#transport?.offersAnswered?.());
    if (wasAway) this.events.emit('reconnected', undefined);
    this.#announced = null;
    this.#announceMedia();
    this.events.emit('senders', undefined);
  }

  /** Holds the roster's changes back until `until` settles (at most `OFFERS_FIRST_MS`), then tells the latest. */
  #holdRoster(until: Promise<void> | null | undefined): void {
    if (!until || this.#rosterHeld) return;
    this.#rosterHeld = true;
    void this.#withinOffersFirst(until).then(() => {
      this.#rosterHeld = false;
      if (!this.#rosterChanged) return;
      this.#rosterChanged = false;
      this.events.emit('roster', this.#roster.list);
    });
  }

  /** `promise`, or `OFFERS_FIRST_MS` if that comes first. */
  #withinOffersFirst(promise: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, OFFERS_FIRST_MS)));
    return Promise.race([promise, late]).then(() => clearTimeout(timer));
  }

  /**
   * Tells that the call is on, after the first offers are answered and the first candidates are
   * out (`offers`) but no later than `OFFERS_FIRST_MS`: what the status starts (the call view's
   * first render, the stats) holds the page for 60 ms and more, and the offer's callback, the
   * candidates' events and the answer would wait behind it (the connectivity checks with them).
   */
  #emitInCall(offers: Promise<void> | null | undefined): void {
    if (!offers) return this.events.emit('status', undefined);
    // Any other status meanwhile (the server's word on our own media comes ~25 ms after `joined`)
    // would bring the call view in before the offer is set and answered: it waits too.
    const attempt = this.#attempt;
    this.#statusHeldFor = attempt;
    void this.#withinOffersFirst(offers).then(() => {
      if (this.#statusHeldFor !== attempt) return;
      this.#statusHeldFor = null;
      if (attempt === this.#attempt && this.#phase === 'in-call') this.events.emit('status', undefined);
    });
  }

  /** Tells that something in the status changed, unless this join's first status is held (it tells the latest). */
  #emitStatus(): void {
    if (this.#statusHeldFor !== this.#attempt) this.events.emit('status', undefined);
  }

  /**
   * Back in the room as the same peer: every link stays. When the server still held us
   * (`resumed: 'session'`) its list is complete, and a peer missing from it left while we were
   * away. When it rebuilt us from the token (it restarted), a missing peer may be on its way back,
   * so their media waits for the server's grace window; `peer-left` ends it sooner.
   */
  #resumed(client: SignalingClient, transport: MediaTransport, data: JoinedPayload): void {
    transport.setIceServers(data.iceServers);
    for (const peer of data.peers) if (peer.id !== this.#selfId) transport.addPeer(peer.id, { present: false });
    const gone = this.#roster.resume(data.peers, { complete: data.resumed === 'session', graceMs: data.limits.resumeGraceMs });
    for (const id of gone) this.#endMedia(id);
    // After the browser was offline its address may have changed: find new paths on every link.
    transport.restartIce({ onlyDisconnected: !client.wentOffline });
  }

  /**
   * The server's link to the other instances came back, and signals for us may have been lost
   * meanwhile: its list of peers is complete, and every link looks for a path again. A peer we
   * have no link to joined during the gap; we offer, and perfect negotiation settles it if they
   * offer too.
   */
  #resync(peers: readonly Peer[]): void {
    const transport = this.#transport;
    if (!transport || this.#phase !== 'in-call') return;
    const others = peers.filter((peer) => peer.id !== this.#selfId);
    for (const peer of others) transport.addPeer(peer.id, { present: true });
    for (const id of this.#roster.resume(others, { complete: true, graceMs: 0 })) this.#endMedia(id);
    transport.restartIce();
    this.events.emit('senders', undefined);
  }

  #createTransport(client: SignalingClient, mode: RoomMode): MediaTransport {
    const signaling: SignalingPort = {
      send: (event, payload) => this.#client?.send(event, payload) ?? false,
      on: (event, listener) => client.on(event, listener),
    };
    const context = {
      selfId: this.#selfId!,
      iceServers: this.#iceServers,
      signaling,
      tracks: { audio: this.#tracks.track('audio'), video: this.#tracks.track('video') },
      screen: this.#tracks.screen,
    };
    const transport: MediaTransport =
      this.#options.createTransport?.(context, mode) ?? (mode === 'sfu' ? new SfuTransport(context) : new Mesh(context));
    for (const event of ['stream', 'screen', 'linkstate', 'linkfailure'] as const) {
      transport.events.on(event, (data: MediaTransportEvents[typeof event]) => this.#report(transport, event, data));
    }
    if (this.#view) transport.setView?.(this.#view);
    return transport;
  }

  /** What a transport says about a peer reaches the roster, unless a switch holds it back. */
  #report<E extends keyof MediaTransportEvents>(transport: MediaTransport, event: E, data: MediaTransportEvents[E]): void {
    if (event === 'linkstate' && (data as MediaTransportEvents['linkstate']).state === 'connected') this.#linkConnected();
    if (this.#switch) return this.#switch.report(transport, event, data);
    if (transport === this.#transport) this.#roster.patch(data.peerId, mediaPatch(event, data));
  }

  /**
   * A link that connects now carries our media: the bandwidth plan takes it in, a moment later.
   * Planning reads and sets each sender's parameters, which waits for WebRTC's thread (up to 16 ms
   * of the page in a CPU profile of the call-setup benchmark), and as a link connects that thread
   * is starting its first frames; until the plan, the browser's own start-up rate applies.
   */
  #linkConnected(): void {
    clearTimeout(this.#planTimer);
    this.#planTimer = setTimeout(() => this.events.emit('senders', undefined), PLAN_CONNECTED_AFTER_MS);
  }

  /** The room outgrew the mesh: the SFU transport replaces it (make before break). */
  #moveToSfu(client: SignalingClient): void {
    if (this.#mode === 'sfu' || !this.#transport) return;
    this.#mode = 'sfu';
    this.#replaceTransport(client);
    this.#emitStatus();
  }

  /**
   * Make before break: a new SFU transport starts beside the one in use (the mesh, or an SFU
   * transport whose media server was lost), and each tile keeps its old media until the new
   * media for that peer plays; then the old transport closes. A replacement during another one
   * drops the transport being left at once: the one in use becomes the one left.
   */
  #replaceTransport(client: SignalingClient): void {
    const old = this.#transport;
    if (!old) return;
    this.#switch?.cancel();
    this.#switch = null;
    this.#leavingTransport?.close();
    old.stopSignaling?.();
    const next = this.#createTransport(client, 'sfu');
    this.#transport = next;
    this.#leavingTransport = old;
    const participants = new Map(this.#roster.list.map((p) => [p.peer.id, p]));
    this.#switch = new TransportSwitch({
      from: old,
      to: next,
      waiting: [...participants.values()].filter((p) => p.stream).map((p) => p.peer.id),
      sends: (id) => {
        const media = this.#roster.list.find((p) => p.peer.id === id)?.peer.media;
        // A video off the page is paused by the SFU: that peer's audio is what plays.
        return { audio: !!media?.audio, video: !!media?.video && this.showsVideoOf(id) };
      },
      patch: (id, patch) => this.#roster.patch(id, patch),
      ondone: () => {
        this.#switch = null;
        this.#leavingTransport = null;
        this.events.emit('senders', undefined);
      },
      timeoutMs: this.#options.switchTimeoutMs ?? SWITCH_TIMEOUT_MS,
    });
    for (const id of participants.keys()) next.addPeer(id, { present: true });
    this.events.emit('senders', undefined);
  }

  /** The transport in use, and the mesh while it is being replaced. */
  #transports(): MediaTransport[] {
    const all: MediaTransport[] = [];
    if (this.#transport) all.push(this.#transport);
    if (this.#leavingTransport) all.push(this.#leavingTransport);
    return all;
  }

  #closeTransports(): void {
    this.#switch?.cancel();
    this.#switch = null;
    this.#leavingTransport?.close();
    this.#leavingTransport = null;
    this.#transport?.close();
    this.#transport = null;
  }

  #removePeer(id: string): void {
    this.#roster.remove(id);
    this.#endMedia(id);
  }

  #endMedia(id: string): void {
    this.#switch?.forget(id);
    this.#leavingTransport?.removePeer(id);
    this.#transport?.removePeer(id);
    this.events.emit('peer-removed', id);
    this.events.emit('senders', undefined);
  }

  /** Tells the others what we send, when it changed since we last said. */
  #announceMedia(): void {
    if (this.#phase !== 'in-call') return;
    const media: MediaState = { audio: this.#tracks.micOn, video: this.#tracks.camOn, screen: !!this.#tracks.screen };
    const last = this.#announced;
    if (last && last.audio === media.audio && last.video === media.video && last.screen === media.screen) return;
    this.#announced = media;
    this.#client?.send('media', media);
  }

  #fail(failure: Failure): void {
    this.#teardown();
    this.#failure = failure;
    this.#setPhase('failed');
  }

  #setPhase(phase: CallPhase): void {
    this.#phase = phase;
    // A new phase (a failure, leaving) is told at once, and ends the hold.
    this.#statusHeldFor = null;
    this.events.emit('status', undefined);
  }

  #setSelf(peer: Peer): void {
    this.#self = peer;
    this.moderation.hostChanged(!!peer.host);
    this.#emitStatus();
  }

  #setConnection(connection: ServerConnection): void {
    if (this.#connection === connection) return;
    this.#connection = connection;
    this.#emitStatus();
  }

  /** Closes the session, the media and the screen share; the camera and microphone stay on for a retry. */
  #teardown(): void {
    this.#attempt++;
    clearTimeout(this.#joinTimer);
    clearTimeout(this.#planTimer);
    const client = this.#client;
    this.#client = null;
    client?.close();
    this.#tracks.stopScreen();
    this.#closeTransports();
    this.#mode = 'mesh';
    this.#roster.clear();
    this.moderation.reset();
    this.#self = null;
    this.#announced = null;
    this.#connection = 'online';
  }
}
