import { jest } from '@jest/globals';
import { CloseCode, ErrorCode, type JoinedPayload, type Peer, type RoomMode } from '@parley/protocol';
import { Emitter } from '../emitter';
import { LocalTracks } from '../media/local-tracks';
import type { MediaTransport, MediaTransportContext, MediaTransportEvents } from '../rtc/media-transport';
import type { ReconnectPolicy } from '../signaling/reconnect-policy';
import { SignalingClient, type ConnectivityChange } from '../signaling/signaling-client';
import { CallSession } from './call-session';
import { FakeSocket } from '../signaling/socket.fake';

/** What the next transports say about their first offers (see `offersAnswered`) and answers (`answered`). */
let pendingOffers: Promise<void> | null = null;
let pendingAnswer: Promise<void> | null = null;

/** A media transport that records what the session asks of it. */
class FakeTransport implements MediaTransport {
  readonly events = new Emitter<MediaTransportEvents>();
  readonly calls: string[] = [];
  readonly peers = new Set<string>();
  closed = false;
  iceServers: unknown[];
  constructor(
    readonly context: MediaTransportContext,
    readonly mode: RoomMode = 'mesh',
  ) {
    this.iceServers = context.iceServers;
  }
  addPeer(peerId: string, { present }: { present: boolean }): void {
    this.calls.push(`add ${peerId}${present ? ' present' : ''}`);
    this.peers.add(peerId);
  }
  offersAnswered(): Promise<void> | null {
    return pendingOffers;
  }
  answered(): Promise<void> | null {
    return pendingAnswer;
  }
  removePeer(peerId: string): void {
    this.calls.push(`remove ${peerId}`);
    this.peers.delete(peerId);
  }
  setTrack(kind: string, track: MediaStreamTrack | null): void {
    this.calls.push(`track ${kind} ${track ? 'on' : 'off'}`);
  }
  setScreen(screen: unknown): void {
    this.calls.push(`screen ${screen ? 'on' : 'off'}`);
  }
  setIceServers(iceServers: unknown[]): void {
    this.iceServers = iceServers;
  }
  setView(view: readonly { peer: string; layer: number }[]): void {
    this.calls.push(`view ${view.map((v) => `${v.peer}:${v.layer}`).join(',')}`);
  }
  stopSignaling(): void {
    this.calls.push('stop signaling');
  }
  restartIce({ onlyDisconnected = false } = {}): void {
    this.calls.push(onlyDisconnected ? 'restart disconnected' : 'restart all');
  }
  connections() {
    return new Map<string, RTCPeerConnection>();
  }
  sending() {
    return [];
  }
  close(): void {
    this.closed = true;
  }
}

const peer = (id: string): Peer => ({ id, name: id.toUpperCase(), media: { audio: true, video: true, screen: false }, connection: 'online' });

const joined = (self: string, peers: string[], extra: Partial<JoinedPayload> = {}): JoinedPayload => ({
  self: peer(self),
  room: 'standup',
  peers: peers.map(peer),
  iceServers: [{ urls: 'stun:stun.test' }],
  resume: `token-${self}`,
  chat: [],
  limits: { maxPeers: 6, maxFrameBytes: 65536, maxNameLength: 64, maxChatLength: 2000, resumeGraceMs: 5000 },
  ...extra,
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const sessions: CallSession[] = [];

afterEach(() => {
  pendingOffers = pendingAnswer = null;
  for (const session of sessions.splice(0)) session.close();
  jest.useRealTimers();
});

/** A received track: muted until RTP arrives, like a browser's. */
class FakeRemoteTrack extends EventTarget {
  constructor(
    readonly kind: 'audio' | 'video',
    public muted = true,
  ) {
    super();
  }
  unmute(): void {
    this.muted = false;
    this.dispatchEvent(new Event('unmute'));
  }
}

function remoteStream(...tracks: FakeRemoteTrack[]): MediaStream {
  return {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  } as unknown as MediaStream;
}

function setup({ policy, joinTimeoutMs, switchTimeoutMs }: { policy?: ReconnectPolicy; joinTimeoutMs?: number; switchTimeoutMs?: number } = {}) {
  const sockets: FakeSocket[] = [];
  const transports: FakeTransport[] = [];
  const urls: string[] = [];
  let connectivity: (change: ConnectivityChange) => void = () => {};
  const tracks = new LocalTracks();
  const sut = new CallSession({
    room: 'standup',
    token: 'room-token',
    tracks,
    signalingUrl: async () => 'ws://parley.test/signal',
    joinTimeoutMs,
    switchTimeoutMs,
    createClient: (url) => {
      urls.push(url);
      return new SignalingClient({
        url,
        policy: policy ?? { nextRetryDelayInMs: ({ retryCount }) => (retryCount < 2 ? 0 : null) },
        createSocket: () => {
          const socket = new FakeSocket();
          sockets.push(socket);
          return socket as unknown as WebSocket;
        },
        connectivity: (listener) => {
          connectivity = listener;
          return () => (connectivity = () => {});
        },
      });
    },
    createTransport: (context, mode) => {
      const transport = new FakeTransport(context, mode);
      transports.push(transport);
      return transport;
    },
  });
  sessions.push(sut);
  const statuses: string[] = [];
  sut.events.on('status', () => statuses.push(`${sut.phase}/${sut.connection}`));
  const socket = () => sockets[sockets.length - 1]!;
  const transport = () => transports[transports.length - 1]!;
  const ids = () => sut.participants.map((p) => p.peer.id);
  /** Joins and lets the server answer with `payload`. */
  const inCall = async (payload = joined('me', ['a', 'b'])) => {
    const joining = sut.join('Ada');
    await tick();
    socket().open();
    await joining;
    socket().receive('joined', payload);
  };
  return { sut, sockets, transports, urls, statuses, tracks, socket, transport, ids, inCall, browser: (c: ConnectivityChange) => connectivity(c) };
}

describe(CallSession.name, () => {
  describe('joining', () => {
    it('connects to the URL it is given and joins with the name and the room token', async () => {
      const { sut, urls, socket, statuses } = setup();
      const joining = sut.join('Ada');
      expect(sut.phase).toBe('joining');
      await tick();
      socket().open();
      await joining;
      expect(urls).toEqual(['ws://parley.test/signal']);
      expect(socket().events('join')).toEqual([{ room: 'standup', name: 'Ada', token: 'room-token', protocol: 1 }]);
      socket().receive('joined', joined('me', ['a', 'b']));
      expect(sut.phase).toBe('in-call');
      expect(sut.selfId).toBe('me');
      expect(sut.maxPeers).toBe(6);
      expect(statuses).toEqual(['joining/online', 'in-call/online']);
    });

    it('starts the transport with the ICE servers and offers to everyone already there', async () => {
      const { transport, inCall, ids } = setup();
      await inCall();
      expect(transport().context.selfId).toBe('me');
      expect(transport().context.iceServers).toEqual([{ urls: 'stun:stun.test' }]);
      expect(transport().calls).toEqual(['add a present', 'add b present']);
      expect(ids()).toEqual(['a', 'b']);
    });

    it('tells that the call is on once the first offers are answered, so that the call view renders after them', async () => {
      let sent = () => {};
      pendingOffers = new Promise((resolve) => (sent = resolve));
      const { sut, inCall, statuses } = setup();
      await inCall();
      expect(sut.phase).toBe('in-call');
      expect(statuses).toEqual(['joining/online']);
      sent();
      await tick();
      expect(statuses).toEqual(['joining/online', 'in-call/online']);
    });

    it('holds any other status until then: the word on our own media does not bring the call view in early', async () => {
      let sent = () => {};
      pendingOffers = new Promise((resolve) => (sent = resolve));
      const { sut, socket, inCall, statuses } = setup();
      await inCall();
      socket().receive('peer-updated', { peer: { ...peer('me'), host: true } });
      expect(sut.self?.host).toBe(true);
      expect(statuses).toEqual(['joining/online']);
      sent();
      await tick();
      expect(statuses).toEqual(['joining/online', 'in-call/online']);
      socket().receive('peer-updated', { peer: { ...peer('me'), host: false } });
      expect(statuses).toEqual(['joining/online', 'in-call/online', 'in-call/online']);
    });

    it('tells a failure during the hold at once, and not the held status after it', async () => {
      let sent = () => {};
      pendingOffers = new Promise((resolve) => (sent = resolve));
      const { sut, socket, inCall, statuses } = setup();
      await inCall();
      socket().receive('removed', {});
      expect(sut.phase).toBe('failed');
      expect(statuses).toEqual(['joining/online', 'failed/online']);
      sent();
      await tick();
      expect(statuses).toEqual(['joining/online', 'failed/online']);
    });

    it('tells that the call is on after 150 ms even when an offer is still unanswered', async () => {
      pendingOffers = new Promise(() => {});
      const { inCall, statuses } = setup();
      await inCall();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(statuses).toEqual(['joining/online', 'in-call/online']);
    });

    it('says what it sends once in the call', async () => {
      const { socket, inCall } = setup();
      await inCall();
      expect(socket().events('media')).toEqual([{ audio: false, video: false, screen: false }]);
    });

    it('hands the chat history over with every joined', async () => {
      const { sut, inCall } = setup();
      const history: unknown[] = [];
      sut.events.on('chat-history', (messages) => history.push(messages));
      const message = { id: 'm1', from: 'a', name: 'A', text: 'hi', at: 1 };
      await inCall(joined('me', ['a'], { chat: [message] }));
      expect(history).toEqual([[message]]);
    });
  });

  describe('people coming and going', () => {
    it('shows a newcomer once their offer is answered, so the new tile renders after that', async () => {
      const { sut, inCall, socket, ids } = setup();
      await inCall(joined('me', ['a']));
      let answered = () => {};
      pendingAnswer = new Promise((resolve) => (answered = resolve));
      const lists: string[][] = [];
      sut.events.on('roster', (list) => lists.push(list.map((p) => p.peer.id)));
      socket().receive('peer-joined', { peer: peer('c') });
      expect(ids()).toEqual(['a', 'c']);
      expect(lists).toEqual([]);
      answered();
      await tick();
      expect(lists).toEqual([['a', 'c']]);
    });

    it('shows a newcomer after 150 ms even when their offer has not come', async () => {
      const { sut, inCall, socket } = setup();
      await inCall(joined('me', ['a']));
      pendingAnswer = new Promise(() => {});
      const lists: string[][] = [];
      sut.events.on('roster', (list) => lists.push(list.map((p) => p.peer.id)));
      socket().receive('peer-joined', { peer: peer('c') });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(lists).toEqual([['a', 'c']]);
    });

    it('adds a newcomer (who will offer) and updates a peer in place', async () => {
      const { socket, transport, inCall, ids, sut } = setup();
      await inCall();
      socket().receive('peer-joined', { peer: peer('c') });
      expect(transport().calls.at(-1)).toBe('add c');
      socket().receive('peer-updated', { peer: { ...peer('a'), media: { audio: false, video: true, screen: true } } });
      expect(ids()).toEqual(['a', 'b', 'c']);
      expect(sut.participants[0]!.peer.media.screen).toBe(true);
    });

    it('ends the media of whoever leaves', async () => {
      const { sut, socket, transport, inCall, ids } = setup();
      const removed: string[] = [];
      sut.events.on('peer-removed', (id) => removed.push(id));
      await inCall();
      socket().receive('peer-left', { id: 'a' });
      expect(ids()).toEqual(['b']);
      expect(transport().calls.at(-1)).toBe('remove a');
      expect(removed).toEqual(['a']);
    });

    it('puts what the transport reports on the right person', async () => {
      const { sut, transport, inCall } = setup();
      await inCall();
      const stream = {} as MediaStream;
      transport().events.emit('stream', { peerId: 'b', stream });
      transport().events.emit('linkstate', { peerId: 'b', state: 'connected' });
      transport().events.emit('linkfailure', { peerId: 'a', failure: 'relay' });
      expect(sut.participants.map((p) => [p.peer.id, p.stream, p.link, p.linkFailure])).toEqual([
        ['a', null, 'new', 'relay'],
        ['b', stream, 'connected', null],
      ]);
    });

    it('tells that the senders changed a moment after a link connects (the bandwidth plan governs connected links only)', async () => {
      const { sut, transport, inCall } = setup();
      await inCall();
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      let changes = 0;
      sut.events.on('senders', () => changes++);
      transport().events.emit('linkstate', { peerId: 'b', state: 'connecting' });
      jest.advanceTimersByTime(1000);
      expect(changes).toBe(0);
      transport().events.emit('linkstate', { peerId: 'b', state: 'connected' });
      transport().events.emit('linkstate', { peerId: 'a', state: 'connected' });
      expect(changes).toBe(0);
      jest.advanceTimersByTime(500);
      expect(changes).toBe(1);
    });

    it('does not tell of a link that connected once the call is over', async () => {
      const { sut, transport, inCall } = setup();
      await inCall();
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      let changes = 0;
      sut.events.on('senders', () => changes++);
      transport().events.emit('linkstate', { peerId: 'b', state: 'connected' });
      sut.leave();
      changes = 0;
      jest.advanceTimersByTime(1000);
      expect(changes).toBe(0);
    });

    it('sends through the transport only on the current socket', async () => {
      const { socket, transport, inCall } = setup();
      await inCall();
      transport().context.signaling.send('signal', { to: 'a', candidate: null });
      expect(socket().events('signal')).toEqual([{ to: 'a', candidate: null }]);
    });

    it('delivers the server’s signals to the transport', async () => {
      const { socket, transport, inCall } = setup();
      await inCall();
      const seen: unknown[] = [];
      transport().context.signaling.on('signal', (data) => seen.push(data));
      socket().receive('signal', { from: 'a', candidate: null });
      expect(seen).toEqual([{ from: 'a', candidate: null }]);
    });
  });

  describe('resume', () => {
    /** Drops the socket, lets the client reconnect, and answers its join with `payload`. */
    async function comeBack(env: ReturnType<typeof setup>, payload: JoinedPayload) {
      env.socket().close(1006);
      await tick();
      env.socket().open();
      expect(env.socket().events('join')[0]).toMatchObject({ resume: 'token-me' });
      env.socket().receive('joined', payload);
    }

    it('shows reconnecting while the socket is away and reconnected when it is back', async () => {
      const env = setup({ policy: { nextRetryDelayInMs: () => 60_000 } });
      const reconnected: number[] = [];
      env.sut.events.on('reconnected', () => reconnected.push(1));
      await env.inCall();
      env.socket().close(CloseCode.ServiceRestart);
      expect(env.sut.connection).toBe('reconnecting');
      expect(env.sut.phase).toBe('in-call');
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a', 'b'], { resumed: 'session' }));
      expect(env.sut.connection).toBe('online');
      expect(reconnected).toHaveLength(1);
    });

    it('as the same peer (session) keeps the transport, drops who left, and restarts only ICE without a path', async () => {
      const env = setup();
      await env.inCall();
      const transport = env.transport();
      const iceServers = [{ urls: 'turn:turn.test', username: 'u', credential: 'c' }];
      await comeBack(env, joined('me', ['a'], { resumed: 'session', iceServers }));
      expect(env.transports).toHaveLength(1);
      expect(transport.closed).toBe(false);
      expect(transport.iceServers).toEqual(iceServers);
      expect(env.ids()).toEqual(['a']);
      expect(transport.calls.slice(2)).toEqual(['add a', 'remove b', 'restart disconnected']);
    });

    it('a resync (signals may have been lost) offers to a peer it has no link to, drops who is gone and restarts ICE everywhere', async () => {
      const env = setup();
      await env.inCall();
      const transport = env.transport();
      env.socket().receive('resync', { peers: [peer('me'), peer('a'), peer('c')] });
      expect(env.ids()).toEqual(['a', 'c']);
      expect(transport.calls.slice(2)).toEqual(['add a present', 'add c present', 'remove b', 'restart all']);
    });

    it('after a server restart (token) keeps a missing peer until the grace window ends', async () => {
      const env = setup();
      await env.inCall();
      jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
      env.socket().close(1006);
      await jest.advanceTimersByTimeAsync(1);
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a'], { resumed: 'token' }));
      expect(env.ids()).toEqual(['a', 'b']);
      expect(env.sut.participants[1]!.peer.connection).toBe('reconnecting');
      jest.advanceTimersByTime(5000);
      expect(env.ids()).toEqual(['a']);
      expect(env.transport().calls.at(-1)).toBe('remove b');
    });

    it('a missing peer who comes back keeps their media', async () => {
      const env = setup();
      await env.inCall();
      await comeBack(env, joined('me', ['a'], { resumed: 'token' }));
      env.socket().receive('peer-joined', { peer: peer('b') });
      expect(env.ids()).toEqual(['a', 'b']);
      expect(env.transport().calls).not.toContain('remove b');
      expect(env.sut.participants[1]!.peer.connection).toBe('online');
    });

    it('restarts ICE on every link after the browser was offline', async () => {
      const env = setup({ policy: { nextRetryDelayInMs: () => 60_000 } });
      await env.inCall();
      env.browser('offline');
      env.browser('online');
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a', 'b'], { resumed: 'session' }));
      expect(env.transport().calls.at(-1)).toBe('restart all');
    });

    it('as a new peer (the token was refused) starts over with a new transport', async () => {
      const env = setup();
      await env.inCall();
      const first = env.transport();
      await comeBack(env, joined('me-2', ['a']));
      expect(first.closed).toBe(true);
      expect(env.transports).toHaveLength(2);
      expect(env.sut.selfId).toBe('me-2');
      expect(env.transport().calls).toEqual(['add a present']);
    });

    it('after reconnecting gave up, stays in the call, and Retry tries again', async () => {
      const env = setup({ policy: { nextRetryDelayInMs: () => null } });
      await env.inCall();
      env.socket().close(1006);
      expect(env.sut.connection).toBe('lost');
      expect(env.sut.phase).toBe('in-call');
      expect(env.transport().closed).toBe(false);
      env.sut.retryConnection();
      expect(env.sut.connection).toBe('reconnecting');
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a', 'b'], { resumed: 'session' }));
      expect(env.sut.connection).toBe('online');
    });
  });

  describe('failures', () => {
    it('says the server cannot be reached when the socket never opens', async () => {
      const { sut, socket } = setup();
      const joining = sut.join('Ada');
      await tick();
      socket().close(1006);
      await joining;
      expect(sut.phase).toBe('failed');
      expect(sut.failure?.kind).toBe('unreachable');
    });

    it('says the room is full, with its size', async () => {
      const { sut, socket } = setup();
      const joining = sut.join('Ada');
      await tick();
      socket().open();
      await joining;
      socket().receive('error', { event: 'join', code: ErrorCode.RoomFull, message: 'full' });
      expect(sut.phase).toBe('failed');
      expect(sut.failure?.kind).toBe('room-full');
    });

    it('gives up on a join the server never answers', async () => {
      const { sut, socket } = setup({ joinTimeoutMs: 20 });
      const joining = sut.join('Ada');
      await tick();
      socket().open();
      await joining;
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(sut.failure?.title).toBe('Joining took too long');
    });

    it.each([
      [CloseCode.Replaced, 'You joined from somewhere else'],
      [CloseCode.PolicyViolation, 'Disconnected by the server'],
    ])('ends the call when the server closes with %i', async (code, title) => {
      const { sut, socket, transport, inCall, ids } = setup();
      await inCall();
      socket().close(code);
      expect(sut.phase).toBe('failed');
      expect(sut.failure?.title).toBe(title);
      expect(transport().closed).toBe(true);
      expect(ids()).toEqual([]);
    });

    it('says a lost connection ended the join when it was lost before joining', async () => {
      const { sut, socket } = setup({ policy: { nextRetryDelayInMs: () => null } });
      const joining = sut.join('Ada');
      await tick();
      socket().open();
      await joining;
      socket().close(1006);
      expect(sut.failure?.kind).toBe('lost');
    });

    it('turns other errors into notices and chat errors into a rejected message', async () => {
      const { sut, socket, inCall } = setup();
      const notices: string[] = [];
      const rejected: unknown[] = [];
      sut.events.on('notice', (notice) => notices.push(notice));
      sut.events.on('chat-rejected', (error) => rejected.push(error));
      await inCall();
      socket().receive('error', { event: 'signal', code: ErrorCode.UnknownPeer, message: 'gone' });
      socket().receive('error', { event: 'chat', code: ErrorCode.RateLimited, message: 'slow down', ref: 'c1' });
      expect(sut.phase).toBe('in-call');
      expect(notices).toEqual(['Someone left before a message could reach them.']);
      expect(rejected).toMatchObject([{ ref: 'c1' }]);
    });

    it('retry joins again with the same name', async () => {
      const { sut, socket, sockets } = setup();
      const joining = sut.join('Grace');
      await tick();
      socket().close(1006);
      await joining;
      const retrying = sut.retry();
      await tick();
      socket().open();
      await retrying;
      expect(sockets).toHaveLength(2);
      expect(socket().events('join')[0]).toMatchObject({ name: 'Grace' });
    });
  });

  describe('path reports', () => {
    const paths = (ws: FakeSocket) => ws.sent.filter((frame) => frame.event === 'path');

    it('tells the server each mesh link’s path once per kind, and again on a new server session', async () => {
      const { sut, socket, inCall } = setup();
      await inCall();
      sut.reportPath('a', 'relay');
      sut.reportPath('a', 'relay');
      sut.reportPath('b', 'direct');
      sut.reportPath('a', 'direct');
      expect(paths(socket())).toEqual([
        { event: 'path', data: { peer: 'a', kind: 'relay' } },
        { event: 'path', data: { peer: 'b', kind: 'direct' } },
        { event: 'path', data: { peer: 'a', kind: 'direct' } },
      ]);
      socket().receive('joined', joined('me', ['a', 'b']));
      sut.reportPath('a', 'relay');
      expect(paths(socket())).toHaveLength(4);
    });

    it('reports nothing before the call, nor for SFU connections', async () => {
      const { sut, socket, inCall } = setup();
      sut.reportPath('a', 'relay');
      await inCall(joined('me', ['a', 'b'], { mode: 'sfu' }));
      sut.reportPath('a', 'relay');
      expect(paths(socket())).toEqual([]);
    });
  });

  describe('leaving', () => {
    it('says goodbye, then closes the socket and the transport', async () => {
      const { sut, socket, transport, inCall } = setup();
      await inCall();
      const ws = socket();
      sut.leave();
      expect(ws.sent.at(-1)).toEqual({ event: 'leave', data: {} });
      expect(ws.readyState).toBe(3);
      expect(transport().closed).toBe(true);
      expect(sut.phase).toBe('left');
    });

    it('a join overtaken by leaving stops where it is', async () => {
      const { sut, sockets } = setup();
      const joining = sut.join('Ada');
      sut.leave();
      await joining;
      await tick();
      expect(sockets).toHaveLength(0);
      expect(sut.phase).toBe('left');
    });
  });

  describe('the SFU', () => {
    const stream = (sut: CallSession, id: string) => sut.participants.find((p) => p.peer.id === id)?.stream;
    const link = (sut: CallSession, id: string) => sut.participants.find((p) => p.peer.id === id)?.link;

    it('starts on the SFU when the room already uses it', async () => {
      const { sut, transports, inCall } = setup();
      await inCall(joined('me', ['a', 'b'], { mode: 'sfu' }));
      expect(transports.map((t) => t.mode)).toEqual(['sfu']);
      expect(transports[0]!.calls).toEqual(['add a present', 'add b present']);
      expect(sut.mode).toBe('sfu');
    });

    it('moves from the mesh make-before-break: each tile switches once the SFU’s media plays, then the mesh closes', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall();
      const [mesh] = transports;
      const meshA = remoteStream(new FakeRemoteTrack('video', false));
      const meshB = remoteStream(new FakeRemoteTrack('video', false));
      mesh!.events.emit('stream', { peerId: 'a', stream: meshA });
      mesh!.events.emit('stream', { peerId: 'b', stream: meshB });
      mesh!.events.emit('linkstate', { peerId: 'a', state: 'connected' });
      socket().receive('room-mode', { mode: 'sfu' });
      expect(sut.mode).toBe('sfu');
      expect(transports.map((t) => t.mode)).toEqual(['mesh', 'sfu']);
      const sfu = transports[1]!;
      expect(sfu.calls).toEqual(['add a present', 'add b present']);
      expect(sut.transport).toBe(sfu);

      const videoA = new FakeRemoteTrack('video');
      const sfuA = remoteStream(new FakeRemoteTrack('audio'), videoA);
      sfu.events.emit('stream', { peerId: 'a', stream: sfuA });
      sfu.events.emit('linkstate', { peerId: 'a', state: 'connecting' });
      expect(stream(sut, 'a')).toBe(meshA);
      expect(link(sut, 'a')).toBe('connected');
      videoA.unmute();
      expect(stream(sut, 'a')).toBe(sfuA);
      expect(link(sut, 'a')).toBe('connecting');
      // The mesh has no say about a tile that switched.
      mesh!.events.emit('linkstate', { peerId: 'a', state: 'failed' });
      expect(link(sut, 'a')).toBe('connecting');
      expect(mesh!.closed).toBe(false);

      const sfuB = remoteStream(new FakeRemoteTrack('audio', false), new FakeRemoteTrack('video', false));
      sfu.events.emit('stream', { peerId: 'b', stream: sfuB });
      expect(stream(sut, 'b')).toBe(sfuB);
      expect(mesh!.closed).toBe(true);
      expect(sfu.closed).toBe(false);
      socket().receive('room-mode', { mode: 'sfu' });
      expect(transports).toHaveLength(2);
    });

    it('counts audio as playing for a peer who sends no video (their camera’s track stays muted)', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall(joined('me', ['a'], { peers: [{ ...peer('a'), media: { audio: true, video: false, screen: false } }] }));
      transports[0]!.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('audio', false)) });
      socket().receive('room-mode', { mode: 'sfu' });
      const audio = new FakeRemoteTrack('audio');
      const sfuA = remoteStream(audio, new FakeRemoteTrack('video'));
      transports[1]!.events.emit('stream', { peerId: 'a', stream: sfuA });
      expect(transports[0]!.closed).toBe(false);
      audio.unmute();
      expect(stream(sut, 'a')).toBe(sfuA);
      expect(transports[0]!.closed).toBe(true);
    });

    it('does not wait for media from a peer who sends none', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall(joined('me', ['a'], { peers: [{ ...peer('a'), media: { audio: false, video: false, screen: false } }] }));
      transports[0]!.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('audio')) });
      socket().receive('room-mode', { mode: 'sfu' });
      const sfuA = remoteStream(new FakeRemoteTrack('audio'), new FakeRemoteTrack('video'));
      transports[1]!.events.emit('stream', { peerId: 'a', stream: sfuA });
      expect(stream(sut, 'a')).toBe(sfuA);
      expect(transports[0]!.closed).toBe(true);
    });

    it('closes the mesh after the timeout when the SFU does not play, showing what the SFU has', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 30 });
      await inCall();
      const meshA = remoteStream(new FakeRemoteTrack('video', false));
      transports[0]!.events.emit('stream', { peerId: 'a', stream: meshA });
      socket().receive('room-mode', { mode: 'sfu' });
      const sfuA = remoteStream(new FakeRemoteTrack('video'));
      transports[1]!.events.emit('stream', { peerId: 'a', stream: sfuA });
      expect(stream(sut, 'a')).toBe(meshA);
      await new Promise((resolve) => setTimeout(resolve, 60));
      expect(transports[0]!.closed).toBe(true);
      expect(stream(sut, 'a')).toBe(sfuA);
    });

    it('does not wait for a peer who leaves during the move, nor for one the mesh never reached', async () => {
      const { transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall();
      transports[0]!.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('video', false)) });
      socket().receive('room-mode', { mode: 'sfu' });
      expect(transports[0]!.closed).toBe(false);
      socket().receive('peer-left', { id: 'a', reason: 'left' });
      expect(transports[0]!.closed).toBe(true);
      expect(transports[1]!.calls).toContain('remove a');
    });

    it('on sfu-restart (the media server was lost) rebuilds the SFU transport make-before-break, with the view, waiting only for the videos shown', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall(joined('me', ['a', 'b'], { mode: 'sfu' }));
      sut.setView([{ peer: 'a', layer: 2 }]);
      const [old] = transports;
      const oldA = remoteStream(new FakeRemoteTrack('video', false));
      old!.events.emit('stream', { peerId: 'a', stream: oldA });
      old!.events.emit('stream', { peerId: 'b', stream: remoteStream(new FakeRemoteTrack('audio', false)) });
      expect(old!.calls).toContain('view a:2');

      socket().receive('sfu-restart', {});
      expect(transports.map((t) => t.mode)).toEqual(['sfu', 'sfu']);
      const next = transports[1]!;
      expect(old!.calls.at(-1)).toBe('stop signaling');
      expect(next.calls).toEqual(['view a:2', 'add a present', 'add b present']);
      expect(sut.transport).toBe(next);

      const videoA = new FakeRemoteTrack('video');
      next.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('audio'), videoA) });
      expect(stream(sut, 'a')).toBe(oldA);
      videoA.unmute();
      expect(stream(sut, 'a')).not.toBe(oldA);
      // B's video is off the view (paused by the SFU): B's audio is enough.
      const audioB = new FakeRemoteTrack('audio');
      next.events.emit('stream', { peerId: 'b', stream: remoteStream(audioB, new FakeRemoteTrack('video', false)) });
      expect(old!.closed).toBe(false);
      audioB.unmute();
      expect(old!.closed).toBe(true);

      // A restart during a restart: the transport being left goes at once, the one in use is left next.
      socket().receive('sfu-restart', {});
      socket().receive('sfu-restart', {});
      expect(transports).toHaveLength(4);
      expect(transports.map((t) => t.closed)).toEqual([true, true, false, false]);
      expect(sut.transport).toBe(transports[3]);
    });

    it('ignores sfu-restart in a mesh room', async () => {
      const { transports, socket, inCall } = setup();
      await inCall();
      socket().receive('sfu-restart', {});
      expect(transports).toHaveLength(1);
    });

    it('sends local track changes on both transports while they overlap', async () => {
      const { transports, socket, inCall, tracks } = setup({ switchTimeoutMs: 60_000 });
      await inCall();
      transports[0]!.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('video', false)) });
      socket().receive('room-mode', { mode: 'sfu' });
      const share = { track: {} as MediaStreamTrack, stream: {} as MediaStream, stop: () => {} };
      tracks.events.emit('screen', share);
      expect(transports.map((t) => t.calls.at(-1))).toEqual(['screen on', 'screen on']);
    });

    it('a resume keeps the SFU transport', async () => {
      const env = setup();
      await env.inCall(joined('me', ['a', 'b'], { mode: 'sfu' }));
      env.socket().close(1006);
      await tick();
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a', 'b'], { resumed: 'session', mode: 'sfu' }));
      expect(env.transports.map((t) => [t.mode, t.closed])).toEqual([['sfu', false]]);
      expect(env.transport().calls.at(-1)).toBe('restart disconnected');
    });

    it('a resume into a room that moved meanwhile starts the move', async () => {
      const env = setup({ switchTimeoutMs: 60_000 });
      await env.inCall();
      env.socket().close(1006);
      await tick();
      env.socket().open();
      env.socket().receive('joined', joined('me', ['a', 'b'], { resumed: 'session', mode: 'sfu' }));
      expect(env.transports.map((t) => t.mode)).toEqual(['mesh', 'sfu']);
      expect(env.sut.mode).toBe('sfu');
    });

    it('leaving closes both transports and starts the next join on the mesh', async () => {
      const { sut, transports, socket, inCall } = setup({ switchTimeoutMs: 60_000 });
      await inCall();
      transports[0]!.events.emit('stream', { peerId: 'a', stream: remoteStream(new FakeRemoteTrack('video', false)) });
      socket().receive('room-mode', { mode: 'sfu' });
      sut.leave();
      expect(transports.map((t) => t.closed)).toEqual([true, true]);
      expect(sut.mode).toBe('mesh');
    });
  });

  describe('local media', () => {
    it('publishes a screen share on the transport and tells the others', async () => {
      const { sut, socket, transport, inCall, tracks } = setup();
      await inCall();
      const share = { track: {} as MediaStreamTrack, stream: {} as MediaStream, stop: () => {} };
      expect(await sut.shareScreen(async () => share)).toBeNull();
      expect(tracks.screen).toBe(share);
      expect(transport().calls.at(-1)).toBe('screen on');
      expect(socket().events('media').at(-1)).toEqual({ audio: false, video: false, screen: true });
      tracks.stopScreen();
      expect(transport().calls.at(-1)).toBe('screen off');
      expect(socket().events('media').at(-1)).toEqual({ audio: false, video: false, screen: false });
    });

    it('does not share the screen outside a call', async () => {
      const { sut } = setup();
      let asked = false;
      expect(
        await sut.shareScreen(async () => {
          asked = true;
          return { problem: 'failed' };
        }),
      ).toBeNull();
      expect(asked).toBe(false);
    });

    it('hands a joiner the screen being shared, and stops sharing when the call ends', async () => {
      const { sut, transport, inCall, tracks } = setup();
      await inCall();
      let stopped = false;
      const share = { track: {} as MediaStreamTrack, stream: {} as MediaStream, stop: () => (stopped = true) };
      await sut.shareScreen(async () => share);
      sut.leave();
      expect(stopped).toBe(true);
      expect(tracks.screen).toBeNull();
      expect(transport().context.screen).toBeNull();
    });
  });
});
