import type { ClientEvents, ServerEvents, SessionDescription, SfuStream } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { MediaTransportEvents, SignalingPort } from './media-transport';
import { FakePeerConnection, FakeStream, FakeTrack, FakeTransceiver, settle, useFakeStreams } from './peer-connection.fake';
import { peerStats, SfuTransport, SIMULCAST_ENCODINGS, type SfuTransportOptions } from './sfu-transport';

useFakeStreams();

/**
 * The fake connection, taught what the SFU's connections need: an offer whose "SDP" lists its
 * m-lines (so transceivers appear with the server's mids), rollback, init options, and stats.
 */
class FakeSfuConnection extends FakePeerConnection {
  readonly inits: { kind: string; init: Record<string, unknown> }[] = [];
  stats = new Map<string, Record<string, unknown>>();

  override addTransceiver(trackOrKind: FakeTrack | 'audio' | 'video', init: { direction: RTCRtpTransceiverDirection }): FakeTransceiver {
    this.inits.push({ kind: typeof trackOrKind === 'string' ? trackOrKind : trackOrKind.kind, init });
    return super.addTransceiver(trackOrKind, init);
  }

  override async setLocalDescription(description?: { type: string }): Promise<void> {
    if (description?.type === 'rollback') {
      this.history.push('rollback');
      this.localDescription = null;
      this.signalingState = 'stable';
      return;
    }
    await super.setLocalDescription();
  }

  override async setRemoteDescription(description: SessionDescription): Promise<void> {
    if (description.type !== 'offer') return super.setRemoteDescription(description);
    await settle(1);
    const lines = JSON.parse(description.sdp) as { mid: string; kind: 'audio' | 'video'; active: boolean }[];
    for (const line of lines) {
      let transceiver = this.transceivers.find((t) => t.mid === line.mid);
      if (!transceiver) {
        transceiver = new FakeTransceiver(line.kind, 'recvonly');
        transceiver.mid = line.mid;
        Object.assign(transceiver.receiver.track, { id: `track-${line.mid}-${this.transceivers.length}` });
        this.transceivers.push(transceiver);
      }
      transceiver.direction = line.active ? 'recvonly' : 'inactive';
    }
    this.remoteDescription = description;
    this.signalingState = 'have-remote-offer';
    this.history.push('srd:offer');
  }

  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return this.stats;
  }
}

/** What the server would send for a subscriber with these streams: the "SDP" lists the m-lines. */
function offer(streams: SfuStream[]): ServerEvents['sfu-offer'] {
  return { description: { type: 'offer', sdp: JSON.stringify(streams) }, streams };
}
const s = (mid: string, peer: string, kind: 'audio' | 'video', active = true): SfuStream => ({ mid, peer, kind, active });

/** The server's side of the socket: what the transport sent, and a way to answer. */
class FakeServer {
  readonly incoming = new Emitter<ServerEvents>();
  readonly sent: { event: keyof ClientEvents; data: unknown }[] = [];
  readonly port: SignalingPort = {
    send: (event, data) => {
      this.sent.push({ event, data });
      return true;
    },
    on: (event, listener) => this.incoming.on(event, listener),
  };
  events(name: keyof ClientEvents) {
    return this.sent.filter((frame) => frame.event === name).map((frame) => frame.data as Record<string, unknown>);
  }
}

const transports: SfuTransport[] = [];
afterEach(() => {
  for (const transport of transports.splice(0)) transport.close();
});

function setup(extra: Partial<SfuTransportOptions> = {}) {
  const server = new FakeServer();
  const connections: FakeSfuConnection[] = [];
  const events: string[] = [];
  const streams = new Map<string, FakeStream>();
  const screens: Record<string, FakeStream[]> = {};
  const camera = new FakeTrack('video');
  const mic = new FakeTrack('audio');
  const sut = new SfuTransport({
    selfId: 'me',
    iceServers: [{ urls: 'stun:stun.test' }],
    signaling: server.port,
    tracks: { audio: mic as unknown as MediaStreamTrack, video: camera as unknown as MediaStreamTrack },
    screen: null,
    createConnection: (configuration) => {
      const pc = new FakeSfuConnection(configuration);
      connections.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    timing: { restartAfterDisconnectedMs: 60_000, answerTimeoutMs: 60_000 },
    ...extra,
  });
  transports.push(sut);
  sut.events.on('stream', ({ peerId, stream }) => {
    streams.set(peerId, stream as unknown as FakeStream);
    events.push(`stream ${peerId}`);
  });
  sut.events.on('screen', ({ peerId, stream }) => {
    (screens[peerId] ??= []).push(stream as unknown as FakeStream);
    events.push(`screen ${peerId}`);
  });
  sut.events.on('linkstate', ({ peerId, state }) => events.push(`linkstate ${peerId} ${state}`));
  sut.events.on('linkfailure', ({ peerId, failure }: MediaTransportEvents['linkfailure']) => events.push(`linkfailure ${peerId} ${failure}`));
  const [publisher, subscriber] = connections as [FakeSfuConnection, FakeSfuConnection];
  /** The browser says negotiation is needed (the fake does not by itself), and the transport offers. */
  const negotiate = async () => {
    publisher.onnegotiationneeded?.();
    await settle();
  };
  const answer = async () => {
    server.incoming.emit('sfu-answer', { description: { type: 'answer', sdp: 'janus-answer' } });
    await settle();
  };
  const subscribe = async (list: SfuStream[]) => {
    server.incoming.emit('sfu-offer', offer(list));
    await settle();
  };
  /** The track the subscriber receives on `mid`. */
  const received = (mid: string) => subscriber.transceivers.find((t) => t.mid === mid)!.receiver.track;
  return { sut, server, connections, publisher, subscriber, events, streams, screens, camera, mic, negotiate, answer, subscribe, received };
}

describe(SfuTransport.name, () => {
  describe('publishing', () => {
    it('sends the microphone and the camera in three simulcast layers, offered with sfu-publish and answered by sfu-answer', async () => {
      const { publisher, server, negotiate, answer, camera, mic } = setup();
      expect(publisher.inits).toEqual([
        { kind: 'audio', init: { direction: 'sendonly' } },
        { kind: 'video', init: { direction: 'sendonly', sendEncodings: SIMULCAST_ENCODINGS } },
      ]);
      expect(publisher.transceivers.map((t) => t.sender.track)).toEqual([mic, camera]);
      expect(publisher.getConfiguration()).toMatchObject({ iceServers: [{ urls: 'stun:stun.test' }], bundlePolicy: 'max-bundle' });
      await negotiate();
      expect(server.events('sfu-publish')).toEqual([{ description: { type: 'offer', sdp: expect.stringContaining('offer') } }]);
      await answer();
      expect(publisher.history).toEqual(['sld:offer', 'srd:answer']);
      expect(publisher.signalingState).toBe('stable');
    });

    it('keeps candidates that come before the answer, and trickles its own', async () => {
      const { publisher, server, negotiate, answer } = setup();
      await negotiate();
      server.incoming.emit('sfu-candidate', {
        pc: 'publisher',
        candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 4000 typ host', sdpMid: '0' },
      });
      await settle();
      expect(publisher.added).toEqual([]);
      await answer();
      expect(publisher.added).toEqual([{ candidate: 'candidate:1 1 udp 1 127.0.0.1 4000 typ host', sdpMid: '0' }]);
      publisher.onicecandidate?.({ candidate: { candidate: 'candidate:2', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
      publisher.onicecandidate?.({ candidate: null });
      expect(server.events('sfu-candidate')).toEqual([
        { pc: 'publisher', candidate: { candidate: 'candidate:2', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } },
        { pc: 'publisher', candidate: null },
      ]);
    });

    it('offers one at a time: a change while an offer is out publishes again after its answer', async () => {
      const { server, negotiate, answer } = setup();
      await negotiate();
      await negotiate();
      expect(server.events('sfu-publish')).toHaveLength(1);
      await answer();
      expect(server.events('sfu-publish')).toHaveLength(2);
      await answer();
      expect(server.events('sfu-publish')).toHaveLength(2);
    });

    it('withdraws an offer the server never answers and makes a new one', async () => {
      // The second offer's own timeout must not run out before the test answers it: 500 ms leaves
      // a loaded machine room between seeing the offer and answering it.
      const { publisher, server, negotiate, answer } = setup({ timing: { answerTimeoutMs: 500 } });
      await negotiate();
      while (server.events('sfu-publish').length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      await answer();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(publisher.history).toEqual(['sld:offer', 'rollback', 'sld:offer', 'srd:answer']);
      expect(server.events('sfu-publish')).toHaveLength(2);
    });

    it('ignores an answer it did not ask for', async () => {
      const { publisher, answer } = setup();
      await answer();
      expect(publisher.history).toEqual([]);
    });

    it('restarts ICE when the publisher fails, and when asked while it has no path', async () => {
      const { publisher, sut } = setup();
      publisher.ice('failed');
      expect(publisher.restarts).toBe(1);
      publisher.iceConnectionState = 'connected';
      sut.restartIce({ onlyDisconnected: true });
      expect(publisher.restarts).toBe(1);
      sut.restartIce();
      expect(publisher.restarts).toBe(2);
    });

    it('restarts ICE after the publisher stays disconnected', async () => {
      const { publisher } = setup({ timing: { restartAfterDisconnectedMs: 20 } });
      publisher.ice('disconnected');
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(publisher.restarts).toBe(1);
    });

    it('replaces tracks without renegotiating, and shares the screen on a transceiver of its own', async () => {
      const { sut, publisher } = setup();
      sut.setTrack('video', null);
      sut.setTrack('audio', null);
      await settle();
      expect(publisher.transceivers.map((t) => t.sender.track)).toEqual([null, null]);
      const screen = new FakeTrack('video');
      const source = { track: screen as unknown as MediaStreamTrack, stream: new FakeStream([screen]) as unknown as MediaStream };
      sut.setScreen(source);
      expect(publisher.inits.at(-1)).toEqual({ kind: 'video', init: { direction: 'sendonly', streams: [source.stream] } });
      sut.setScreen(null);
      await settle();
      expect(publisher.transceivers[2]!.sender.track).toBeNull();
      sut.setScreen(source);
      await settle();
      expect(publisher.transceivers).toHaveLength(3);
      expect(publisher.transceivers[2]!.sender.track).toBe(screen);
    });

    it('publishes the shared tab’s sound beside the screen, in its stream, and stops it with the share', async () => {
      const { sut, publisher } = setup();
      const [screen, sound] = [new FakeTrack('video'), new FakeTrack('audio')];
      const stream = new FakeStream([screen, sound]) as unknown as MediaStream;
      const source = { track: screen as unknown as MediaStreamTrack, audio: sound as unknown as MediaStreamTrack, stream };
      sut.setScreen(source);
      expect(publisher.inits.slice(2)).toEqual([
        { kind: 'video', init: { direction: 'sendonly', streams: [stream] } },
        { kind: 'audio', init: { direction: 'sendonly', streams: [stream] } },
      ]);
      sut.setScreen(null);
      await settle();
      expect(publisher.transceivers.map((t) => t.sender.track).slice(2)).toEqual([null, null]);
      // A share without sound leaves the sound's transceiver empty; one with sound fills it again.
      sut.setScreen({ track: screen as unknown as MediaStreamTrack, stream });
      await settle();
      expect(publisher.transceivers.map((t) => t.sender.track).slice(2)).toEqual([screen, null]);
      sut.setScreen(source);
      await settle();
      expect(publisher.transceivers).toHaveLength(4);
      expect(publisher.transceivers.map((t) => t.sender.track).slice(2)).toEqual([screen, sound]);
    });

    it('adds the sound’s transceiver for a later share that has sound', async () => {
      const { sut, publisher } = setup();
      const screen = new FakeTrack('video');
      sut.setScreen({ track: screen as unknown as MediaStreamTrack, stream: new FakeStream([screen]) as unknown as MediaStream });
      sut.setScreen(null);
      const sound = new FakeTrack('audio');
      sut.setScreen({
        track: screen as unknown as MediaStreamTrack,
        audio: sound as unknown as MediaStreamTrack,
        stream: new FakeStream() as unknown as MediaStream,
      });
      await settle();
      expect(publisher.inits.map((i) => i.kind)).toEqual(['audio', 'video', 'video', 'audio']);
      expect(publisher.transceivers.map((t) => t.sender.track).slice(2)).toEqual([screen, sound]);
    });

    it('lists what the publisher sends, for the governor', async () => {
      const { sut, negotiate, answer, publisher } = setup();
      expect(sut.sending()[0]!.senders()).toEqual([]);
      await negotiate();
      await answer();
      expect(sut.sending()).toHaveLength(1);
      expect(sut.sending()[0]!.pc).toBe(publisher);
      expect(
        sut
          .sending()[0]!
          .senders()
          .map((x) => x.role),
      ).toEqual(['audio', 'camera']);
      publisher.connectionState = 'closed';
      expect(sut.sending()).toEqual([]);
    });

    it('gives both connections fresh ICE servers', () => {
      const { sut, publisher, subscriber } = setup();
      const turn = [{ urls: 'turn:turn.test', username: 'u', credential: 'c' }];
      sut.setIceServers(turn);
      expect(publisher.getConfiguration().iceServers).toEqual(turn);
      expect(subscriber.getConfiguration().iceServers).toEqual(turn);
    });
  });

  describe('subscribing', () => {
    it('answers each sfu-offer and hands each peer its audio and camera as one stream', async () => {
      const { sut, server, subscriber, subscribe, streams, events, received } = setup();
      sut.addPeer('ada', { present: true });
      sut.addPeer('bo', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video'), s('2', 'bo', 'audio'), s('3', 'bo', 'video')]);
      expect(subscriber.history).toEqual(['srd:offer', 'sld:answer']);
      expect(server.events('sfu-answer')).toEqual([{ description: { type: 'answer', sdp: expect.stringContaining('answer') } }]);
      expect(streams.get('ada')!.getTracks()).toEqual([received('0'), received('1')]);
      expect(streams.get('bo')!.getTracks()).toEqual([received('2'), received('3')]);
      expect(events).toEqual(['linkstate ada new', 'stream ada', 'linkstate bo new', 'stream bo']);
    });

    it('holds a peer’s tracks until the peer is known (an offer can overtake peer-joined)', async () => {
      const { sut, subscribe, streams, received } = setup();
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video')]);
      expect(streams.size).toBe(0);
      sut.addPeer('ada', { present: false });
      expect(streams.get('ada')!.getTracks()).toEqual([received('0'), received('1')]);
    });

    /** Ada and Bo were received on mids 0 to 3, and Bo left: the server may reuse his m-lines. */
    const afterBoLeft = async () => {
      const sides = setup();
      sides.sut.addPeer('ada', { present: true });
      sides.sut.addPeer('bo', { present: true });
      await sides.subscribe([s('0', 'bo', 'audio'), s('1', 'bo', 'video'), s('2', 'ada', 'audio'), s('3', 'ada', 'video')]);
      sides.sut.removePeer('bo');
      sides.events.length = 0;
      return sides;
    };

    it('a peer’s second video is the screen share, and their first stays the camera even on a lower mid', async () => {
      const { subscribe, streams, screens, received, events } = await afterBoLeft();
      // The server reuses Bo's m-lines for Ada's screen share.
      await subscribe([s('0', 'bo', 'audio', false), s('1', 'ada', 'video'), s('2', 'ada', 'audio'), s('3', 'ada', 'video')]);
      expect(events).toEqual(['screen ada']);
      expect(streams.get('ada')!.getTracks()).toEqual([received('2'), received('3')]);
      expect(screens.ada![0]!.getTracks()).toEqual([received('1')]);
      // The same offer again changes nothing.
      events.length = 0;
      await subscribe([s('0', 'bo', 'audio', false), s('1', 'ada', 'video'), s('2', 'ada', 'audio'), s('3', 'ada', 'video')]);
      expect(events).toEqual([]);
    });

    it('a peer’s second audio is the screen’s sound: it goes with the screen, never into the voice’s stream', async () => {
      const { subscribe, streams, screens, received, events } = await afterBoLeft();
      // Ada shares a tab with sound, on Bo's old m-lines.
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video'), s('2', 'ada', 'audio'), s('3', 'ada', 'video')]);
      expect(streams.get('ada')!.getTracks()).toEqual([received('2'), received('3')]);
      expect(screens.ada!.at(-1)!.getTracks()).toEqual([received('1'), received('0')]);
      expect(events).toEqual(['screen ada']);
      // The sound goes (a share without it, later): the screen is handed on again without it.
      await subscribe([s('0', 'ada', 'audio', false), s('1', 'ada', 'video'), s('2', 'ada', 'audio'), s('3', 'ada', 'video')]);
      expect(screens.ada!.at(-1)!.getTracks()).toEqual([received('1')]);
    });

    it('within one offer, the server’s order says which audio is the voice', async () => {
      const { sut, subscribe, streams, screens, received } = setup();
      sut.addPeer('ada', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video'), s('3', 'ada', 'video'), s('2', 'ada', 'audio')]);
      expect(streams.get('ada')!.getTracks()).toEqual([received('0'), received('1')]);
      expect(screens.ada![0]!.getTracks()).toEqual([received('3'), received('2')]);
    });

    it('within one offer, the server’s order says which video is the camera', async () => {
      const { sut, subscribe, streams, screens, received } = setup();
      sut.addPeer('ada', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('2', 'ada', 'video'), s('1', 'ada', 'video')]);
      expect(streams.get('ada')!.getTracks()).toEqual([received('0'), received('2')]);
      expect(screens.ada![0]!.getTracks()).toEqual([received('1')]);
    });

    it('takes a stream the server marks inactive out of the peer’s media', async () => {
      const { sut, subscribe, streams, received } = setup();
      sut.addPeer('ada', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video')]);
      await subscribe([s('0', 'ada', 'audio'), s('1', 'ada', 'video', false)]);
      expect(streams.get('ada')!.getTracks()).toEqual([received('0')]);
    });

    it('keeps subscriber candidates that come before the offer, and trickles its own', async () => {
      const { sut, server, subscriber, subscribe } = setup();
      sut.addPeer('ada', { present: true });
      server.incoming.emit('sfu-candidate', { pc: 'subscriber', candidate: { candidate: 'candidate:9', sdpMid: '0' } });
      server.incoming.emit('sfu-candidate', { pc: 'subscriber', candidate: null });
      await settle();
      expect(subscriber.added).toEqual([]);
      await subscribe([s('0', 'ada', 'audio')]);
      expect(subscriber.added).toEqual([{ candidate: 'candidate:9', sdpMid: '0' }, undefined]);
      subscriber.onicecandidate?.({ candidate: null });
      expect(server.events('sfu-candidate')).toEqual([{ pc: 'subscriber', candidate: null }]);
    });

    it('reports the subscriber’s state and failure under every peer it carries', async () => {
      const { sut, subscriber, subscribe, events } = setup();
      sut.setIceServers([{ urls: 'turn:turn.test' }]);
      subscriber.setConfiguration({ ...subscriber.getConfiguration(), iceTransportPolicy: 'relay' });
      sut.addPeer('ada', { present: true });
      sut.addPeer('bo', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('1', 'bo', 'audio')]);
      events.length = 0;
      subscriber.connectionState = 'failed';
      subscriber.onconnectionstatechange?.();
      subscriber.connectionState = 'connected';
      subscriber.onconnectionstatechange?.();
      expect(events).toEqual([
        'linkstate ada failed',
        'linkstate bo failed',
        'linkfailure ada relay',
        'linkfailure bo relay',
        'linkstate ada connected',
        'linkstate bo connected',
        'linkfailure ada null',
        'linkfailure bo null',
      ]);
    });

    it('asks the server for an ICE restart when the subscriber fails, once until that offer is answered', async () => {
      const { sut, subscriber, subscribe, server } = setup();
      subscriber.connectionState = 'failed';
      subscriber.onconnectionstatechange?.();
      // Nothing to restart before the first offer.
      expect(server.events('sfu-ice-restart')).toEqual([]);
      await subscribe([s('0', 'ada', 'audio')]);
      subscriber.onconnectionstatechange?.();
      subscriber.onconnectionstatechange?.();
      sut.restartIce();
      expect(server.events('sfu-ice-restart')).toEqual([{}]);
      await subscribe([s('0', 'ada', 'audio')]);
      subscriber.onconnectionstatechange?.();
      expect(server.events('sfu-ice-restart')).toEqual([{}, {}]);
    });

    it('asks for an ICE restart after the subscriber stays disconnected', async () => {
      const { subscriber, subscribe, server } = setup({ timing: { restartAfterDisconnectedMs: 20 } });
      await subscribe([s('0', 'ada', 'audio')]);
      subscriber.connectionState = 'disconnected';
      subscriber.onconnectionstatechange?.();
      expect(server.events('sfu-ice-restart')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 40));
      expect(server.events('sfu-ice-restart')).toEqual([{}]);
    });

    it('sends the view when it changes, and nothing more', async () => {
      const { sut, server } = setup();
      sut.setView([{ peer: 'ada', layer: 2 }]);
      sut.setView([{ peer: 'ada', layer: 2 }]);
      sut.setView([
        { peer: 'ada', layer: 1 },
        { peer: 'bo', layer: 1 },
      ]);
      sut.setView([]);
      expect(server.events('sfu-view')).toEqual([
        { peers: [{ peer: 'ada', layer: 2 }] },
        {
          peers: [
            { peer: 'ada', layer: 1 },
            { peer: 'bo', layer: 1 },
          ],
        },
        { peers: [] },
      ]);
    });

    it('once replaced, neither hears nor sends signals, and keeps its media until closed', async () => {
      const { sut, server, subscriber, publisher, subscribe, negotiate, streams } = setup();
      sut.addPeer('ada', { present: true });
      await subscribe([s('0', 'ada', 'audio')]);
      const sent = server.sent.length;
      sut.stopSignaling();
      await subscribe([s('0', 'ada', 'audio'), s('1', 'bo', 'audio')]);
      await negotiate();
      publisher.onicecandidate?.({ candidate: null });
      sut.setView([]);
      subscriber.connectionState = 'failed';
      subscriber.onconnectionstatechange?.();
      expect(server.sent.length).toBe(sent);
      expect(subscriber.history.filter((h) => h.startsWith('srd'))).toHaveLength(1);
      expect(streams.get('ada')!.getTracks()).toHaveLength(1);
    });

    it('gives stats per peer: only that peer’s inbound tracks, and our microphone', async () => {
      const { sut, subscriber, publisher, subscribe } = setup();
      sut.addPeer('ada', { present: true });
      sut.addPeer('bo', { present: true });
      await subscribe([s('0', 'ada', 'audio'), s('1', 'bo', 'audio')]);
      subscriber.stats = new Map(
        Object.entries({
          a: { type: 'inbound-rtp', id: 'a', kind: 'audio', mid: '0', totalAudioEnergy: 1 },
          b: { type: 'inbound-rtp', id: 'b', kind: 'audio', mid: '1', totalAudioEnergy: 2 },
          p: { type: 'candidate-pair', id: 'p', bytesReceived: 100, currentRoundTripTime: 0.02 },
        }),
      );
      publisher.stats = new Map(Object.entries({ m: { type: 'media-source', id: 'm', kind: 'audio', totalAudioEnergy: 3 } }));
      const views = sut.connections();
      expect([...views.keys()]).toEqual(['ada', 'bo']);
      subscriber.connectionState = 'connected';
      expect(views.get('ada')!.connectionState).toBe('connected');
      const ada = (await views.get('ada')!.getStats()) as unknown as Map<string, { id: string }>;
      expect([...ada.values()]).toEqual([
        { type: 'inbound-rtp', id: 'a', kind: 'audio', mid: '0', totalAudioEnergy: 1 },
        { type: 'candidate-pair', id: 'p', currentRoundTripTime: 0.02 },
        { type: 'media-source', id: 'm', kind: 'audio', totalAudioEnergy: 3 },
      ]);
    });
  });

  it('ignores mesh signals, and stops listening once closed', async () => {
    const { sut, server, subscriber, publisher, subscribe } = setup();
    server.incoming.emit('signal', { from: 'ada', description: { type: 'offer', sdp: 'x' } });
    sut.addPeer('ada', { present: true });
    sut.close();
    await subscribe([s('0', 'ada', 'audio')]);
    expect(subscriber.history).toEqual([]);
    expect([publisher.signalingState, subscriber.signalingState]).toEqual(['closed', 'closed']);
  });
});

describe(peerStats.name, () => {
  it('matches tracks by id where a browser reports no mid', () => {
    const received = new Map(
      Object.entries({
        a: { type: 'inbound-rtp', id: 'a', trackIdentifier: 't-ada' },
        b: { type: 'inbound-rtp', id: 'b', trackIdentifier: 't-bo' },
        t: { type: 'transport', id: 't' },
        o: { type: 'outbound-rtp', id: 'o' },
      }),
    );
    const view = peerStats(received, new Map(), { mids: new Set(), tracks: new Set(['t-bo']) });
    expect([...view.keys()]).toEqual(['b', 't']);
  });
});

describe('SfuTransport and bad frames from the server', () => {
  const good = [s('0', 'ada', 'audio'), s('1', 'ada', 'video')];
  it.each<[string, keyof ServerEvents, unknown]>([
    ['an offer without data', 'sfu-offer', null],
    ['an offer without streams', 'sfu-offer', { description: { type: 'offer', sdp: '[]' } }],
    ['an offer with streams that are not a list', 'sfu-offer', { description: { type: 'offer', sdp: '[]' }, streams: 'ada' }],
    ['an offer that is an answer', 'sfu-offer', { description: { type: 'answer', sdp: '[]' }, streams: [] }],
    ['an offer without SDP', 'sfu-offer', { description: { type: 'offer' }, streams: [] }],
    ['an answer without data', 'sfu-answer', undefined],
    ['an answer that is an offer', 'sfu-answer', { description: { type: 'offer', sdp: 'x' } }],
    ['a candidate for no connection', 'sfu-candidate', { pc: 'mesh', candidate: null }],
    ['a candidate that is a number', 'sfu-candidate', { pc: 'subscriber', candidate: 7 }],
    ['a candidate without its line', 'sfu-candidate', { pc: 'publisher', candidate: { sdpMid: '0' } }],
    ['a string', 'sfu-offer', 'offer'],
  ])('drops %s and keeps working', async (_name, event, data) => {
    const { sut, server, subscriber, publisher, subscribe, streams } = setup();
    sut.addPeer('ada', { present: true });
    server.incoming.emit(event, data as never);
    await settle();
    expect(subscriber.history).toEqual([]);
    expect([publisher.added, subscriber.added]).toEqual([[], []]);
    await subscribe(good);
    expect(streams.get('ada')!.getTracks()).toHaveLength(2);
  });

  it('leaves out streams that are malformed, repeat a mid, or are our own', async () => {
    const { sut, server, streams, received } = setup();
    sut.addPeer('ada', { present: true });
    sut.addPeer('me', { present: true });
    const listed = [
      s('0', 'ada', 'audio'),
      { mid: '1', peer: 'ada', kind: 'data', active: true },
      { mid: 2, peer: 'ada', kind: 'video', active: true },
      null,
      s('0', 'ada', 'video'),
      s('3', 'me', 'video'),
      { mid: '4', peer: 'ada', kind: 'video', active: 'yes' },
    ];
    server.incoming.emit('sfu-offer', { description: { type: 'offer', sdp: JSON.stringify([s('0', 'ada', 'audio')]) }, streams: listed as never });
    await settle();
    expect(streams.get('ada')!.getTracks()).toEqual([received('0')]);
    expect(streams.has('me')).toBe(false);
  });
});
