import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LIMITS, type JoinedPayload, type Peer } from '@parley/protocol';
import { FakeSocket } from '../signaling/socket.fake';

/**
 * The facade against the real engine (CallSession, SignalingClient, the mesh) with the browser
 * around it faked: the page's address, fetch, a WebSocket the test drives, getUserMedia and a
 * peer connection that does nothing. What is checked is what components read.
 */
class FakeTrack {
  enabled = true;
  readyState = 'live';
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop() {
    this.stopped = true;
    this.readyState = 'ended';
  }
  getSettings() {
    return { deviceId: `${this.kind}-1` };
  }
}

class FakePeerConnection {
  connectionState = 'new';
  iceConnectionState = 'new';
  signalingState = 'stable';
  [handler: string]: unknown;
  getConfiguration() {
    return {};
  }
  setConfiguration() {}
  addTransceiver() {}
  getTransceivers() {
    return [];
  }
  getReceivers() {
    return [];
  }
  getSenders() {
    return [];
  }
  async getStats() {
    return new Map();
  }
  restartIce() {}
  close() {
    this.connectionState = 'closed';
  }
}

const fetched: string[] = [];
const replaced: string[] = [];
const noop = () => {};

beforeAll(() => {
  const globals: Record<string, unknown> = {
    window: globalThis,
    location: { hash: '#token=room-jwt', pathname: '/r/standup', search: '', protocol: 'https:', host: 'meet.test' },
    history: { replaceState: (_s: unknown, _t: string, url: string) => replaced.push(url) },
    document: { visibilityState: 'visible', addEventListener: noop, removeEventListener: noop },
    addEventListener: noop,
    removeEventListener: noop,
    localStorage: new (class {
      #items = new Map<string, string>();
      getItem = (key: string) => this.#items.get(key) ?? null;
      setItem = (key: string, value: string) => void this.#items.set(key, value);
    })(),
    fetch: async (url: string) => {
      fetched.push(url);
      return { ok: true, status: 200, json: async () => ({ signalingPath: '/rtc/ws', iceTicket: 'ticket' }) };
    },
    navigator: {
      mediaDevices: {
        getUserMedia: async (constraints: { audio?: unknown; video?: unknown }) => {
          const tracks = (['audio', 'video'] as const).filter((kind) => constraints[kind]).map((kind) => new FakeTrack(kind));
          return {
            getTracks: () => tracks,
            getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
            getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
          };
        },
        enumerateDevices: async () => [],
        addEventListener: noop,
        removeEventListener: noop,
      },
    },
    MediaStream: class {
      #tracks: unknown[];
      constructor(tracks: unknown[] = []) {
        this.#tracks = [...tracks];
      }
      getTracks = () => this.#tracks;
      getVideoTracks = () => this.#tracks.filter((t) => (t as FakeTrack).kind === 'video');
      addTrack = (t: unknown) => this.#tracks.push(t);
      removeTrack = (t: unknown) => (this.#tracks = this.#tracks.filter((x) => x !== t));
    },
    WebSocket: FakeSocket,
    RTCPeerConnection: FakePeerConnection,
  };
  for (const [name, value] of Object.entries(globals)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
});

afterAll(() => {
  for (const name of [
    'window',
    'location',
    'history',
    'document',
    'addEventListener',
    'removeEventListener',
    'localStorage',
    'fetch',
    'navigator',
    'MediaStream',
    'WebSocket',
    'RTCPeerConnection',
  ]) {
    Reflect.deleteProperty(globalThis, name);
  }
});

const peer = (id: string): Peer => ({ id, name: id.toUpperCase(), media: { audio: true, video: false, screen: false }, connection: 'online' });
const joined = (self: string, peers: Peer[] = [], extra: Partial<JoinedPayload> = {}): JoinedPayload => ({
  self: peer(self),
  room: 'standup',
  peers,
  iceServers: [],
  resume: 'resume-token',
  chat: [],
  limits: { maxPeers: 6, maxFrameBytes: 65536, maxNameLength: 64, maxChatLength: 2000, resumeGraceMs: 5000 },
  ...extra,
});

/** Lets promises and the dynamic import of the call kit settle. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

describe('CallState', () => {
  it('runs a call from the lobby to leaving, as components read it', async () => {
    const { CallState } = await import('./call-state.svelte');
    const sut = new CallState('standup');
    // The token is taken out of the address bar at once; the server's config is asked early.
    expect(replaced).toEqual(['/r/standup']);
    expect(fetched).toEqual(['/api/config']);
    expect(sut.phase).toBe('lobby');

    await sut.startDevices();
    expect([sut.micOn, sut.camOn, sut.mediaPending, sut.mediaProblem]).toEqual([true, true, false, null]);
    expect(sut.localStream).not.toBeNull();

    expect(sut.join('   ')).toMatch(/Enter your name/);
    expect(sut.join('x'.repeat(LIMITS.maxNameLength + 1))).toMatch(/at most/);
    expect(sut.phase).toBe('lobby');
    expect(sut.join(' Ada\u0007 ')).toBeNull();
    expect(sut.name).toBe('Ada');
    expect(sut.phase).toBe('joining');

    await until(() => FakeSocket.all.length === 1);
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toBe('wss://meet.test/rtc/ws');
    socket.open();
    await until(() => socket.events('join').length === 1);
    expect(socket.events('join')[0]).toMatchObject({ room: 'standup', name: 'Ada', token: 'room-jwt' });

    socket.receive('joined', joined('me', [], { chat: [{ id: 'm1', from: 'x', name: 'X', text: 'hi', at: 1 }] }));
    expect(sut.phase).toBe('in-call');
    expect(sut.selfId).toBe('me');
    expect(sut.maxPeers).toBe(6);
    expect(sut.alone).toBe(true);
    expect(sut.chat?.unread).toBe(1);
    expect(sut.stats).not.toBeNull();
    expect(socket.events('media')).toEqual([{ audio: true, video: true, screen: false }]);

    socket.receive('peer-joined', { peer: peer('bo') });
    // Bo's tile comes once Bo's offer is answered, or soon after (this fake connection never gets one).
    await until(() => sut.remotes.length === 1);
    expect(sut.remotes.map((r) => r.peer.name)).toEqual(['BO']);
    expect(sut.alone).toBe(false);

    await sut.toggleMic();
    expect(sut.micOn).toBe(false);
    expect(socket.events('media').at(-1)).toEqual({ audio: false, video: true, screen: false });

    sut.chat!.draft = 'hello';
    expect(sut.chat!.send()).toBe(true);
    expect(socket.events('chat')).toEqual([{ text: 'hello', ref: 'chat-1' }]);

    socket.close(1012);
    expect(sut.connection).toBe('reconnecting');
    await until(() => FakeSocket.all.length === 2);
    const again = FakeSocket.all[1]!;
    again.open();
    again.receive('joined', joined('me', [peer('bo')], { resumed: 'session' }));
    expect(sut.connection).toBe('online');
    expect(sut.reconnected).toBe(true);
    expect(sut.remotes.map((r) => r.peer.id)).toEqual(['bo']);

    sut.leave();
    expect(again.sent.at(-1)).toEqual({ event: 'leave', data: {} });
    expect(sut.phase).toBe('left');
    expect([sut.micOn, sut.camOn, sut.localStream]).toEqual([false, false, null]);
    expect(sut.remotes).toEqual([]);

    sut.rejoin();
    expect(sut.phase).toBe('lobby');
    await until(() => sut.camOn);
    sut.destroy();
    expect(sut.camOn).toBe(false);
  });

  it('shows a failure that can be retried', async () => {
    const { CallState } = await import('./call-state.svelte');
    const sut = new CallState('standup');
    const before = FakeSocket.all.length;
    sut.join('Ada');
    await until(() => FakeSocket.all.length === before + 1);
    FakeSocket.all.at(-1)!.close(1006);
    await until(() => sut.phase === 'failed');
    expect(sut.failure?.title).toBe('Can’t reach the server');
    sut.retry();
    expect(sut.phase).toBe('joining');
    expect(sut.failure).toBeNull();
    await until(() => FakeSocket.all.length === before + 2);
    sut.destroy();
  });

  it('waits at a locked door, then runs the host controls, hands and reactions as components read them', async () => {
    const { CallState } = await import('./call-state.svelte');
    const sut = new CallState('standup');
    await sut.startDevices();
    sut.join('Ada');
    const before = FakeSocket.all.length;
    await until(() => FakeSocket.all.length === before + 1);
    const socket = FakeSocket.all.at(-1)!;
    socket.open();
    await until(() => socket.events('join').length === 1);

    socket.receive('waiting', { room: 'standup' });
    expect(sut.phase).toBe('waiting');
    socket.receive('joined', joined('me', [{ ...peer('bo'), host: true }], { locked: true }));
    // The call view comes once the offer to Bo is out.
    await until(() => sut.phase === 'in-call');
    const moderation = sut.moderation!;
    expect([moderation.isHost, moderation.locked]).toEqual([false, true]);

    // Bo hands us the role; someone knocks.
    socket.receive('peer-updated', { peer: { ...peer('me'), host: true } });
    expect(moderation.isHost).toBe(true);
    socket.receive('knocking', { waiting: [{ id: 'cy', name: '<b>Cy</b>', since: 1 }] });
    expect(moderation.waiting.map((w) => w.name)).toEqual(['<b>Cy</b>']);
    expect(moderation.announcement).toBe('<b>Cy</b> is asking to join');
    moderation.admit('cy');
    moderation.toggleLock();
    moderation.mute('bo');
    moderation.remove('bo');
    expect(socket.sent.slice(-4)).toEqual([
      { event: 'admit', data: { id: 'cy' } },
      { event: 'lock', data: { locked: false } },
      { event: 'mute', data: { id: 'bo' } },
      { event: 'remove', data: { id: 'bo' } },
    ]);

    // Hands in the order they went up, ours included.
    socket.receive('peer-updated', { peer: { ...peer('me'), host: true, hand: 20 } });
    socket.receive('peer-updated', { peer: { ...peer('bo'), host: true, hand: 10 } });
    expect(moderation.hands).toEqual(['bo', 'me']);
    expect([moderation.handOf('me'), moderation.handRaised]).toEqual([2, true]);
    moderation.toggleHand();
    expect(socket.events('hand').at(-1)).toEqual({ raised: false });

    socket.receive('reaction', { from: 'bo', emoji: '👏' });
    expect(moderation.reactions).toMatchObject([{ from: 'bo', emoji: '👏' }]);
    expect(moderation.announcement).toBe('BO reacted 👏');

    // A host's mute turns our microphone off; only we turn it on.
    expect(sut.micOn).toBe(true);
    socket.receive('muted', { by: 'bo' });
    expect(sut.micOn).toBe(false);
    expect(sut.notice).toBe('BO muted your microphone. You can unmute it when you want to speak.');
    expect(socket.events('media').at(-1)).toEqual({ audio: false, video: true, screen: false });

    socket.receive('removed', {});
    expect(sut.phase).toBe('failed');
    expect(sut.failure).toMatchObject({ title: 'You were removed from the call', retry: false });
    sut.destroy();
  });

  it('says why a locked room did not let us in', async () => {
    const { CallState } = await import('./call-state.svelte');
    const sut = new CallState('standup');
    sut.join('Eve');
    const before = FakeSocket.all.length;
    await until(() => FakeSocket.all.length === before + 1);
    const socket = FakeSocket.all.at(-1)!;
    socket.open();
    socket.receive('waiting', { room: 'standup' });
    socket.receive('denied', { reason: 'denied' });
    expect(sut.phase).toBe('failed');
    expect(sut.failure).toMatchObject({ title: 'You weren’t let in', retry: true });
    sut.destroy();
  });
});
