import type { ServerEvents } from '@parley/protocol';
import { Emitter } from '../emitter';
import type { MediaTransportEvents, SignalingPort } from './media-transport';
import { Mesh, type MeshOptions } from './mesh';
import { FakePeerConnection, type FakeStream, FakeTransceiver, settle, useFakeStreams } from './peer-connection.fake';

useFakeStreams();

/** The server's `signal` relay between meshes, delivering asynchronously like a real server. */
class Relay {
  readonly #inboxes = new Map<string, Emitter<Pick<ServerEvents, 'signal'>>>();
  readonly delivered: { from: string; to: string }[] = [];

  port(self: string): SignalingPort {
    const inbox = new Emitter<Pick<ServerEvents, 'signal'>>();
    this.#inboxes.set(self, inbox);
    return {
      send: (event, data) => {
        if (event !== 'signal') return true;
        const { to, ...signal } = data as ServerEvents['signal'] & { to: string };
        setTimeout(() => {
          this.delivered.push({ from: self, to });
          this.#inboxes.get(to)?.emit('signal', { ...signal, from: self });
        }, 0);
        return true;
      },
      on: (event, listener) => (event === 'signal' ? inbox.on('signal', listener as never) : () => {}),
    };
  }
}

/** Bo, the newcomer, calls Ada: adding a peer who was there first makes the offer. */
async function call(from: ReturnType<typeof mesh>, to: string): Promise<void> {
  from.sut.addPeer(to, { present: true });
  await settle();
}

const meshes: Mesh[] = [];
afterEach(() => {
  for (const mesh of meshes.splice(0)) mesh.close();
});

function mesh(relay: Relay, selfId: string, extra: Partial<MeshOptions> = {}) {
  const connections: FakePeerConnection[] = [];
  const events: string[] = [];
  const sut = new Mesh({
    selfId,
    iceServers: [],
    signaling: relay.port(selfId),
    tracks: { audio: null, video: null },
    screen: null,
    createConnection: (configuration) => {
      const pc = new FakePeerConnection(configuration);
      connections.push(pc);
      return pc as unknown as RTCPeerConnection;
    },
    timing: { restartAfterDisconnectedMs: 60_000, failAfterMs: 60_000 },
    ...extra,
  });
  for (const name of ['stream', 'screen', 'linkstate', 'linkfailure'] as const) {
    sut.events.on(name, (data: MediaTransportEvents[typeof name]) =>
      events.push(`${name} ${data.peerId}${'failure' in data ? ` ${data.failure}` : ''}`),
    );
  }
  meshes.push(sut);
  return { sut, connections, events };
}

describe(Mesh.name, () => {
  it('the newcomer offers to those already there, and what arrives is keyed by the sender', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    // Bo joins a room where Ada is: Bo offers; Ada only gets ready for it.
    ada.sut.addPeer('bo', { present: false });
    await call(bo, 'ada');
    expect(ada.connections).toHaveLength(1);
    expect(bo.connections).toHaveLength(1);
    expect(bo.connections[0]!.history[0]).toBe('sld:offer');
    expect(ada.connections[0]!.history).toEqual(['srd:offer', 'sld:answer']);
    // The fake raises `track` where an offer lands, as a browser does for the offered transceivers.
    expect(ada.events).toContain('stream bo');
    expect([...ada.sut.connections().keys()]).toEqual(['bo']);
  });

  it('says when its first offers are answered and its first candidates are out', async () => {
    const relay = new Relay();
    const bo = mesh(relay, 'bo');
    const ada = mesh(relay, 'ada');
    expect(bo.sut.offersAnswered()).toBeNull();
    ada.sut.addPeer('bo', { present: false });
    bo.sut.addPeer('ada', { present: true });
    let done = false;
    void bo.sut.offersAnswered()!.then(() => (done = true));
    await settle();
    expect(bo.connections[0]!.history).toEqual(['sld:offer', 'srd:answer']);
    // Answered, but the browser has not gathered a candidate yet.
    expect(done).toBe(false);
    bo.connections[0]!.onicecandidate?.({ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 } });
    await settle();
    expect(done).toBe(true);
    expect(bo.sut.offersAnswered()).toBeNull();
  });

  it('says when a newcomer’s first offer is answered and its first candidate is out', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    expect(ada.sut.answered('bo')).toBeNull();
    ada.sut.addPeer('bo', { present: false });
    let answered = false;
    void ada.sut.answered('bo')!.then(() => (answered = true));
    await settle();
    expect(answered).toBe(false);
    await call(bo, 'ada');
    expect(ada.connections[0]!.history).toEqual(['srd:offer', 'sld:answer']);
    expect(answered).toBe(false);
    ada.connections[0]!.onicecandidate?.({ candidate: null });
    await settle();
    expect(answered).toBe(true);
  });

  it('takes an offer that overtakes peer-joined, and does not offer again to a known peer', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    await call(bo, 'ada');
    expect(ada.connections).toHaveLength(1);
    ada.sut.addPeer('bo', { present: false });
    bo.sut.addPeer('ada', { present: true });
    await settle();
    expect(ada.connections).toHaveLength(1);
    expect(bo.connections[0]!.history.filter((h) => h === 'sld:offer')).toHaveLength(1);
  });

  it('removes a peer’s link and stops listening once closed', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    await call(bo, 'ada');
    ada.sut.removePeer('bo');
    expect(ada.connections[0]!.signalingState).toBe('closed');
    expect(ada.sut.connections().size).toBe(0);
    ada.sut.close();
    bo.sut.restartIce();
    await settle();
    expect(ada.connections).toHaveLength(1);
  });

  it('restarts ICE only where there is no path, or everywhere', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    ada.sut.addPeer('bo', { present: false });
    ada.sut.addPeer('cy', { present: false });
    const [bo, cy] = ada.connections;
    bo!.ice('connected');
    ada.sut.restartIce({ onlyDisconnected: true });
    expect([bo!.restarts, cy!.restarts]).toEqual([0, 1]);
    ada.sut.restartIce();
    expect([bo!.restarts, cy!.restarts]).toEqual([1, 2]);
  });

  it('gives every link fresh ICE servers', () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    ada.sut.addPeer('bo', { present: false });
    const turn = [{ urls: 'turn:turn.test', username: 'u', credential: 'c' }];
    ada.sut.setIceServers(turn);
    expect(ada.connections[0]!.getConfiguration().iceServers).toEqual(turn);
    ada.sut.addPeer('cy', { present: false });
    expect(ada.connections[1]!.getConfiguration().iceServers).toEqual(turn);
  });

  it.each([
    ['relay', { iceTransportPolicy: 'relay' as const, iceServers: [{ urls: 'turn:turn.test' }] }],
    ['network', { iceServers: [{ urls: 'turn:turn.test' }] }],
  ])('reports a link that cannot connect as a %s failure', async (failure, configuration) => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada', { timing: { restartAfterDisconnectedMs: 60_000, failAfterMs: 20 } });
    ada.sut.addPeer('bo', { present: false });
    ada.connections[0]!.setConfiguration(configuration);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ada.events).toContain(`linkfailure bo ${failure}`);
    ada.connections[0]!.ice('connected');
    expect(ada.events.at(-1)).toBe('linkfailure bo null');
  });

  it('hands on a peer’s screen with its sound as one stream, apart from the camera and microphone', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    await call(bo, 'ada');
    const screens: FakeStream[] = [];
    ada.sut.events.on('screen', ({ stream }) => screens.push(stream as unknown as FakeStream));
    const pc = ada.connections[0]!;
    const [video, sound] = [new FakeTransceiver('video', 'recvonly'), new FakeTransceiver('audio', 'recvonly')];
    // Bo shares a tab with sound: both tracks come in the screen's stream.
    pc.ontrack?.({ track: video.receiver.track, streams: [{}], transceiver: video });
    pc.ontrack?.({ track: sound.receiver.track, streams: [{}], transceiver: sound });
    expect(screens.map((stream) => stream.getTracks())).toEqual([[video.receiver.track], [video.receiver.track, sound.receiver.track]]);
    expect(ada.events.filter((e) => e === 'stream bo')).toHaveLength(2); // the offer's microphone and camera only
  });

  it('lists what each open link sends, for the governor', async () => {
    const relay = new Relay();
    const ada = mesh(relay, 'ada');
    const bo = mesh(relay, 'bo');
    await call(bo, 'ada');
    const sending = bo.sut.sending();
    expect(sending).toHaveLength(1);
    expect(sending[0]!.senders().map((s) => s.role)).toEqual(['audio', 'camera']);
    bo.connections[0]!.connectionState = 'closed';
    expect(bo.sut.sending()).toHaveLength(0);
    expect(ada.sut.sending()).toHaveLength(1);
  });
});
