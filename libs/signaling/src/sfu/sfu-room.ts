/**
 * One Parley room on its Janus VideoRoom, as seen from this Parley instance: the publisher and
 * subscriber handles of the peers connected here, and the room's publishers as Janus reports
 * them. Everything is keyed by Parley peer id; feed ids and handles never leave this file.
 */
import { randomBytes } from 'node:crypto';
import Janode from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { JanusServer } from './janus-server.js';
import { SfuError, SfuErrorKind } from './sfu-errors.js';
import {
  MAX_SDP_LENGTH,
  isId,
  isRecord,
  readCandidate,
  readJsep,
  readOptionalOffer,
  readParticipants,
  readPublishers,
  readSubscribedStreams,
  streamsOfOffer,
} from './sfu-input.js';
import type {
  SfuCandidate,
  SfuEvents,
  SfuFeedRequest,
  SfuLogger,
  SfuPcRole,
  SfuPublisher,
  SfuRoomAssignment,
  SfuStreamSetting,
  SfuSubscriberOffer,
} from './sfu.types.js';

type Emit = <E extends keyof SfuEvents>(event: E, payload: SfuEvents[E]) => void;

interface PeerHandle {
  handle: VideoRoomHandle;
  /** Set when Parley detaches it, so the detached event is not reported as a drop. */
  leaving: boolean;
}
interface PublisherHandle extends PeerHandle {
  feed: string;
}
interface SubscriberHandle extends PeerHandle {
  streams: SfuSubscriberOffer['streams'];
  /** What each video track was last set to (`send`/`layer`), by `mid/publisher/publisher's mid`. */
  applied: Map<string, string>;
}

const VR = VideoRoomPlugin.EVENT;
// Plugin events Parley handles, per role; anything else janode reports is logged as unexpected.
const PUBLISHER_EVENTS = new Set([
  VR.VIDEOROOM_PUB_LIST,
  VR.VIDEOROOM_UNPUBLISHED,
  VR.VIDEOROOM_LEAVING,
  VR.VIDEOROOM_KICKED,
  VR.VIDEOROOM_DESTROYED,
]);
const SUBSCRIBER_EVENTS = new Set([VR.VIDEOROOM_UPDATED, VR.VIDEOROOM_DESTROYED, VR.VIDEOROOM_LEAVING]);
// Harmless reports Parley does not act on: logged at debug level only. With simulcast, Janus
// reports the layer it forwards of every subscribed video as it starts and at every fallback
// (two warnings per video, 60 for a room of six, before these were quiet).
const QUIET_EVENTS = new Set([
  VR.VIDEOROOM_SLOWLINK,
  VR.VIDEOROOM_CONFIGURED,
  VR.VIDEOROOM_TALKING,
  VR.VIDEOROOM_SC_SUBSTREAM_LAYER,
  VR.VIDEOROOM_SC_TEMPORAL_LAYERS,
]);

export class SfuRoom {
  readonly #publishers = new Map<string, PublisherHandle>();
  readonly #subscribers = new Map<string, SubscriberHandle>();
  /** feed → publisher, as Janus reported it to this instance's handles. */
  readonly #feeds = new Map<string, SfuPublisher>();
  readonly #queues = new Map<string, Promise<unknown>>();
  #lastPublishers = '[]';
  #closed = false;

  constructor(
    readonly name: string,
    readonly assignment: SfuRoomAssignment,
    readonly server: JanusServer,
    private readonly emit: Emit,
    private readonly logger: SfuLogger,
  ) {}

  /** Peers with a handle here (publisher or subscriber). */
  get peers(): string[] {
    return [...new Set([...this.#publishers.keys(), ...this.#subscribers.keys()])];
  }

  /** Whether `peer` publishes here through this instance. */
  hasPublisher(peer: string): boolean {
    return this.#publishers.has(peer);
  }

  /** The room's publishers as this instance knows them. */
  get publishers(): SfuPublisher[] {
    return [...this.#feeds.values()];
  }

  async publish(peer: string, offerSdp: string): Promise<string> {
    checkSdp(offerSdp, 'publish');
    return this.#serial(peer, 'publisher', async () => {
      const existing = this.#publishers.get(peer);
      if (existing) {
        // A renegotiation (ICE restart, a track added): same handle, same feed.
        const result = await this.server.request(`publish (renegotiate) for ${peer}`, () =>
          existing.handle.configure({ jsep: { type: 'offer', sdp: offerSdp } }),
        );
        this.#setFeed(existing.feed, { peer, streams: streamsOfOffer(offerSdp) });
        return readJsep(result, 'answer', `publish for ${peer}`);
      }
      const handle = await this.server.attach();
      const feed = randomBytes(16).toString('base64url');
      const entry: PublisherHandle = { handle, feed, leaving: false };
      this.#watch(peer, 'publisher', entry);
      try {
        const result = await this.server.request(`publish for ${peer}`, () =>
          handle.joinConfigurePublisher({
            room: this.assignment.janusRoom,
            pin: this.assignment.pin,
            feed,
            display: peer,
            jsep: { type: 'offer', sdp: offerSdp },
          }),
        );
        const answer = readJsep(result, 'answer', `publish for ${peer}`);
        this.#publishers.set(peer, entry);
        const others = readPublishers(isRecord(result) ? result.publishers : [], (m) => this.logger.warn(m));
        for (const [otherFeed, publisher] of others) this.#feeds.set(otherFeed, publisher);
        this.#setFeed(feed, { peer, streams: streamsOfOffer(offerSdp) });
        return answer;
      } catch (error) {
        entry.leaving = true;
        void handle.detach().catch(() => undefined);
        throw error;
      }
    });
  }

  /** A browser's candidate for one of its connections; `null` ends them. */
  trickle(peer: string, role: SfuPcRole, candidate: SfuCandidate | null): Promise<void> {
    return this.#serial(peer, role, async () => {
      const entry = role === 'publisher' ? this.#publishers.get(peer) : this.#subscribers.get(peer);
      if (!entry) throw new SfuError(SfuErrorKind.Rejected, `trickle: ${peer} has no ${role} connection`);
      const payload = candidate
        ? { candidate: candidate.candidate, sdpMid: candidate.sdpMid ?? undefined, sdpMLineIndex: candidate.sdpMLineIndex ?? undefined }
        : null;
      await this.server.request(`trickle for ${peer}`, () => entry.handle.trickle(payload));
    });
  }

  /**
   * Adds `feeds` to `peer`'s subscriber connection (creating it on first use) and returns Janus's
   * offer for it, or null when nothing changed. Feeds are looked up in this room only.
   */
  subscribe(peer: string, feeds: SfuFeedRequest[]): Promise<SfuSubscriberOffer | null> {
    return this.#serial(peer, 'subscriber', async () => {
      const streams = await this.#resolve(feeds);
      const existing = this.#subscribers.get(peer);
      if (existing) {
        const result = await this.server.request(`subscribe for ${peer}`, () => existing.handle.update({ subscribe: streams }));
        return this.#subscriberOffer(existing, result, `subscribe for ${peer}`);
      }
      const handle = await this.server.attach();
      const entry: SubscriberHandle = { handle, streams: [], applied: new Map(), leaving: false };
      this.#watch(peer, 'subscriber', entry);
      try {
        const result = await this.server.request(`subscribe for ${peer}`, () =>
          handle.joinSubscriber({ room: this.assignment.janusRoom, pin: this.assignment.pin, streams, autoupdate: true }),
        );
        const offer = this.#subscriberOffer(entry, result, `subscribe for ${peer}`);
        if (!offer) throw new SfuError(SfuErrorKind.Unavailable, `subscribe for ${peer}: Janus sent no offer`);
        this.#subscribers.set(peer, entry);
        return offer;
      } catch (error) {
        entry.leaving = true;
        void handle.detach().catch(() => undefined);
        throw error;
      }
    });
  }

  /** Removes feeds (or single tracks) from `peer`'s subscriber connection; Janus's new offer. */
  unsubscribe(peer: string, feeds: SfuFeedRequest[]): Promise<SfuSubscriberOffer | null> {
    return this.#serial(peer, 'subscriber', async () => {
      const existing = this.#subscribers.get(peer);
      if (!existing) throw new SfuError(SfuErrorKind.Rejected, `unsubscribe: ${peer} has no subscriber connection`);
      const streams = await this.#resolve(feeds);
      const result = await this.server.request(`unsubscribe for ${peer}`, () => existing.handle.update({ unsubscribe: streams }));
      return this.#subscriberOffer(existing, result, `unsubscribe for ${peer}`);
    });
  }

  /** Pauses, resumes or picks the simulcast layer of received tracks; no renegotiation. */
  configureSubscriber(peer: string, settings: SfuStreamSetting[]): Promise<void> {
    return this.#serial(peer, 'subscriber', async () => {
      const existing = this.#subscribers.get(peer);
      if (!existing) throw new SfuError(SfuErrorKind.Rejected, `configure: ${peer} has no subscriber connection`);
      if (settings.length === 0 || settings.length > 500) throw new SfuError(SfuErrorKind.Rejected, 'configure needs 1 to 500 settings');
      const streams = settings.map(({ mid, send, layer }) => {
        if (!isId(mid) || !existing.streams.some((stream) => stream.mid === mid)) {
          throw new SfuError(SfuErrorKind.Rejected, `configure: no stream ${String(mid).slice(0, 16)} in ${peer}'s subscription`);
        }
        return {
          mid,
          ...(send === undefined ? {} : { send }),
          ...(layer === undefined ? {} : { substream: layer }),
        };
      });
      await this.server.request(`configure for ${peer}`, () => existing.handle.configure({ streams }));
    });
  }

  /**
   * Forwards the videos of the peers in `view` (each at its simulcast layer) and pauses every
   * other video on `peer`'s subscriber connection; audio is left alone. Only tracks whose setting
   * changed are sent to Janus. Nothing to do (no subscriber connection yet) is not an error: the
   * caller applies the view again after each answer.
   */
  applyView(peer: string, view: ReadonlyMap<string, 0 | 1 | 2>): Promise<void> {
    return this.#serial(peer, 'subscriber', async () => {
      const existing = this.#subscribers.get(peer);
      if (!existing) return;
      const changes: { key: string; value: string; setting: SfuStreamSetting }[] = [];
      for (const stream of existing.streams) {
        if (stream.kind !== 'video' || !stream.active) continue;
        const layer = view.get(stream.peer);
        const setting: SfuStreamSetting = layer === undefined ? { mid: stream.mid, send: false } : { mid: stream.mid, send: true, layer };
        const key = `${stream.mid}/${stream.peer}/${stream.peerMid}`;
        const value = `${setting.send}/${setting.layer ?? ''}`;
        if (existing.applied.get(key) !== value) changes.push({ key, value, setting });
      }
      if (changes.length === 0) return;
      const streams = changes.map(({ setting: { mid, send, layer } }) => ({ mid, send, ...(layer === undefined ? {} : { substream: layer }) }));
      await this.server.request(`view for ${peer}`, () => existing.handle.configure({ streams }));
      for (const { key, value } of changes) existing.applied.set(key, value);
    });
  }

  /** Restarts ICE on `peer`'s subscriber connection: Janus's new offer, with fresh credentials. */
  restartIce(peer: string): Promise<SfuSubscriberOffer> {
    return this.#serial(peer, 'subscriber', async () => {
      const existing = this.#subscribers.get(peer);
      if (!existing) throw new SfuError(SfuErrorKind.Rejected, `ICE restart: ${peer} has no subscriber connection`);
      const result = await this.server.request(`ICE restart for ${peer}`, () => existing.handle.configure({ restart: true }));
      const offer = this.#subscriberOffer(existing, result, `ICE restart for ${peer}`);
      if (!offer) throw new SfuError(SfuErrorKind.Unavailable, `ICE restart for ${peer}: Janus sent no offer`);
      return offer;
    });
  }

  /** The browser's answer to the latest subscriber offer: Janus starts sending. */
  async answerSubscriber(peer: string, answerSdp: string): Promise<void> {
    checkSdp(answerSdp, 'answer');
    return this.#serial(peer, 'subscriber', async () => {
      const existing = this.#subscribers.get(peer);
      if (!existing) throw new SfuError(SfuErrorKind.Rejected, `answer: ${peer} has no subscriber connection`);
      await this.server.request(`answer for ${peer}`, () => existing.handle.start({ jsep: { type: 'answer', sdp: answerSdp } }));
    });
  }

  /** Drops `peer`'s publisher and subscriber handles (Janus tells the others it left). */
  async leave(peer: string): Promise<void> {
    await Promise.all([
      this.#serial(peer, 'publisher', async () => {
        const entry = this.#publishers.get(peer);
        if (!entry) return;
        this.#publishers.delete(peer);
        entry.leaving = true;
        this.#deleteFeed(entry.feed);
        // Detaching hangs the connection up first, which is what makes Janus renegotiate the
        // subscribers (autoupdate); a "leave" request first would skip that.
        await this.server.request(`detach for ${peer}`, () => entry.handle.detach()).catch((error) => this.#quiet(error));
      }),
      this.#serial(peer, 'subscriber', async () => {
        const entry = this.#subscribers.get(peer);
        if (!entry) return;
        this.#subscribers.delete(peer);
        entry.leaving = true;
        await this.server.request(`detach for ${peer}`, () => entry.handle.detach()).catch((error) => this.#quiet(error));
      }),
    ]);
  }

  /** Leaves every local peer and, with `destroy`, destroys the VideoRoom on Janus. */
  async close(destroy: boolean): Promise<void> {
    this.#closed = true;
    await Promise.all(this.peers.map((peer) => this.leave(peer)));
    if (destroy && this.server.live) {
      await this.server
        .request(`destroy room ${this.name}`, () => this.server.manager.destroy({ room: this.assignment.janusRoom, secret: this.assignment.secret }))
        .catch((error) => this.#quiet(error));
    }
  }

  /** Forgets every handle without talking to Janus (its server is gone). */
  abandon(): void {
    this.#closed = true;
    for (const entry of [...this.#publishers.values(), ...this.#subscribers.values()]) entry.leaving = true;
    this.#publishers.clear();
    this.#subscribers.clear();
    this.#feeds.clear();
  }

  // Feed requests in Parley's terms → Janus stream requests, looked up in THIS room only: a peer
  // of another room (or a made-up one) has no feed here, whatever the caller passes.
  async #resolve(feeds: SfuFeedRequest[]): Promise<{ feed: string; mid?: string }[]> {
    if (feeds.length === 0 || feeds.length > 200) {
      throw new SfuError(SfuErrorKind.Rejected, `subscribe needs 1 to 200 feeds, got ${feeds.length}`);
    }
    const byPeer = new Map([...this.#feeds].map(([feed, publisher]) => [publisher.peer, feed]));
    if (feeds.some((request) => !byPeer.has(request.peer))) {
      // Published through another Parley instance, or too recently for an event to arrive.
      const result = await this.server.request(`list participants of ${this.name}`, () =>
        this.server.manager.listParticipants({ room: this.assignment.janusRoom, secret: this.assignment.secret }),
      );
      for (const [peer, feed] of readParticipants(result, (m) => this.logger.warn(m))) byPeer.set(peer, feed);
    }
    return feeds.map(({ peer, mid }) => {
      const feed = byPeer.get(peer);
      if (!feed) throw new SfuError(SfuErrorKind.UnknownPeer, `${peer} does not publish in this room`);
      if (mid !== undefined && !isId(mid)) throw new SfuError(SfuErrorKind.Rejected, 'a mid must be a short string');
      return mid === undefined ? { feed } : { feed, mid };
    });
  }

  #subscriberOffer(entry: SubscriberHandle, result: unknown, context: string): SfuSubscriberOffer | null {
    const sdp = readOptionalOffer(result, context);
    if (isRecord(result) && result.streams !== undefined) {
      entry.streams = readSubscribedStreams(result.streams, (m) => this.logger.warn(m));
    }
    return sdp ? { sdp, streams: entry.streams } : null;
  }

  // Every Janus event of a peer's handle, in Parley's terms.
  #watch(peer: string, role: SfuPcRole, entry: PeerHandle): void {
    const { handle } = entry;
    const room = this.name;
    handle.on(Janode.EVENT.HANDLE_WEBRTCUP, () => this.emit('connection', { room, peer, role, state: 'up' }));
    handle.on(Janode.EVENT.HANDLE_HANGUP, (data: unknown) => this.emit('connection', { room, peer, role, state: 'down', reason: reasonOf(data) }));
    handle.on(Janode.EVENT.HANDLE_ICE_FAILED, () => this.emit('connection', { room, peer, role, state: 'ice-failed' }));
    handle.on(Janode.EVENT.HANDLE_MEDIA, (data: unknown) => {
      if (!isRecord(data) || typeof data.type !== 'string' || typeof data.receiving !== 'boolean') return;
      const mid = isId(data.mid) ? data.mid : undefined;
      this.emit('media', { room, peer, role, kind: data.type.slice(0, 16), receiving: data.receiving, ...(mid ? { mid } : {}) });
    });
    handle.on(Janode.EVENT.HANDLE_TRICKLE, (data: unknown) => {
      const candidate = readCandidate(data);
      if (candidate === undefined) this.logger.warn(`Janus sent a malformed candidate for ${peer}; dropped`);
      else this.emit('candidate', { room, peer, role, candidate });
    });
    handle.on(Janode.EVENT.HANDLE_DETACHED, () => {
      if (entry.leaving || this.#closed) return;
      this.#forget(peer, role, entry);
      this.emit('peer-dropped', { room, peer, role, reason: 'detached by Janus' });
    });
    handle.on(Janode.EVENT.HANDLE_SLOWLINK, () => this.logger.debug(`Janus reports a slow link for ${peer} (${role})`));

    const expected = role === 'publisher' ? PUBLISHER_EVENTS : SUBSCRIBER_EVENTS;
    for (const event of Object.values(VR)) {
      handle.on(event, (data: unknown) => {
        if (expected.has(event)) this.#onPluginEvent(peer, role, entry, event, data);
        else if (QUIET_EVENTS.has(event)) this.logger.debug(`Janus ${event} for ${peer} (${role})`);
        else this.logger.warn(`unexpected Janus event ${event} for ${peer} (${role}); ignored`);
      });
    }
  }

  #onPluginEvent(peer: string, role: SfuPcRole, entry: PeerHandle, event: string, data: unknown): void {
    const record = isRecord(data) ? data : {};
    const room = this.name;
    switch (event) {
      case VR.VIDEOROOM_PUB_LIST:
        for (const [feed, publisher] of readPublishers(record.publishers, (m) => this.logger.warn(m))) this.#setFeed(feed, publisher);
        return;
      case VR.VIDEOROOM_UNPUBLISHED:
      case VR.VIDEOROOM_LEAVING:
        if (role === 'publisher' && isId(record.feed) && record.feed !== (entry as PublisherHandle).feed) this.#deleteFeed(record.feed);
        return;
      case VR.VIDEOROOM_KICKED:
        if (isId(record.feed) && record.feed !== (entry as PublisherHandle).feed) {
          this.#deleteFeed(record.feed);
          return;
        }
        this.#drop(peer, role, entry, 'kicked by Janus');
        return;
      case VR.VIDEOROOM_DESTROYED:
        this.#drop(peer, role, entry, 'room destroyed on Janus');
        return;
      case VR.VIDEOROOM_UPDATED: {
        // Janus renegotiated on its own (autoupdate: a publisher went away).
        const sub = entry as SubscriberHandle;
        let offer: SfuSubscriberOffer | null;
        try {
          offer = this.#subscriberOffer(sub, data, `update for ${peer}`);
        } catch (error) {
          this.logger.warn(error instanceof Error ? error.message : String(error));
          return;
        }
        if (offer) this.emit('subscriber-offer', { room, peer, offer });
        return;
      }
    }
  }

  #drop(peer: string, role: SfuPcRole, entry: PeerHandle, reason: string): void {
    if (entry.leaving || this.#closed) return;
    entry.leaving = true;
    this.#forget(peer, role, entry);
    void entry.handle.detach().catch(() => undefined);
    this.emit('peer-dropped', { room: this.name, peer, role, reason });
  }

  #forget(peer: string, role: SfuPcRole, entry: PeerHandle): void {
    if (role === 'publisher' && this.#publishers.get(peer) === entry) {
      this.#publishers.delete(peer);
      this.#deleteFeed((entry as PublisherHandle).feed);
    }
    if (role === 'subscriber' && this.#subscribers.get(peer) === entry) this.#subscribers.delete(peer);
  }

  #setFeed(feed: string, publisher: SfuPublisher): void {
    this.#feeds.set(feed, publisher);
    this.#publishersChanged();
  }

  #deleteFeed(feed: string): void {
    if (this.#feeds.delete(feed)) this.#publishersChanged();
  }

  #publishersChanged(): void {
    const publishers = this.publishers.sort((a, b) => (a.peer < b.peer ? -1 : a.peer > b.peer ? 1 : 0));
    const key = JSON.stringify(publishers);
    if (key === this.#lastPublishers) return;
    this.#lastPublishers = key;
    this.emit('publishers', { room: this.name, publishers });
  }

  // One operation at a time per peer and connection: a candidate waits for the offer before it.
  #serial<T>(peer: string, role: SfuPcRole, run: () => Promise<T>): Promise<T> {
    if (this.#closed && !this.#publishers.has(peer) && !this.#subscribers.has(peer)) {
      return Promise.reject(new SfuError(SfuErrorKind.Unavailable, `room ${this.name} is closed on the SFU`));
    }
    const key = `${role} ${peer}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    const settled = next.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return next;
  }

  #quiet(error: unknown): void {
    this.logger.debug(`ignored while leaving: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function checkSdp(sdp: unknown, what: string): void {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0') || sdp.length > MAX_SDP_LENGTH) {
    throw new SfuError(SfuErrorKind.Rejected, `${what}: not an SDP`);
  }
}

function reasonOf(data: unknown): string | undefined {
  return isRecord(data) && typeof data.reason === 'string' ? data.reason.slice(0, 100) : undefined;
}
