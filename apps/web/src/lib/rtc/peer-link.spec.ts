import type { IceCandidate } from '@parley/protocol';
import { PeerLink, type LinkSignal, type PeerLinkOptions } from './peer-link';
import { FakePeerConnection, FakeTrack, FakeTransceiver, settle } from './peer-connection.fake';

interface Side {
  sut: PeerLink;
  pc: FakePeerConnection;
  sent: LinkSignal[];
  failures: boolean[];
}

const TIMING = { restartAfterDisconnectedMs: 40, failAfterMs: 120 };
/** For negotiation tests: the fake's ICE never connects, and a fail timer firing on a slow machine would restart it. */
const PATIENT = { restartAfterDisconnectedMs: 60_000, failAfterMs: 60_000 };
const links: PeerLink[] = [];

function makeLink(
  polite: boolean,
  send: (signal: LinkSignal) => void = () => {},
  tracks = { audio: null, video: null },
  timing = TIMING,
  extra: Partial<PeerLinkOptions> = {},
): Side {
  const pc = new FakePeerConnection();
  const sent: LinkSignal[] = [];
  const failures: boolean[] = [];
  const options: PeerLinkOptions = {
    peerId: polite ? 'impolite' : 'polite',
    polite,
    configuration: {},
    send: (signal) => {
      sent.push(signal);
      send(signal);
    },
    onfailure: (failed) => failures.push(failed),
    createConnection: () => pc as unknown as RTCPeerConnection,
    timing,
    ...extra,
  };
  const sut = new PeerLink(options, tracks);
  links.push(sut);
  return { sut, pc, sent, failures };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Two links whose signals reach each other asynchronously, like a real server. */
function pair(): { polite: Side; impolite: Side } {
  const sides = {} as { polite: Side; impolite: Side };
  sides.polite = makeLink(true, (signal) => setTimeout(() => void sides.impolite.sut.receive(signal), 0), undefined, PATIENT);
  sides.impolite = makeLink(false, (signal) => setTimeout(() => void sides.polite.sut.receive(signal), 0), undefined, PATIENT);
  return sides;
}

const descriptions = (side: Side) => side.sent.flatMap((s) => ('description' in s ? [s.description.type] : []));

describe(PeerLink.name, () => {
  const original = console.warn;
  let warnings: unknown[][];
  beforeEach(() => {
    warnings = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
  });
  afterEach(() => {
    console.warn = original;
    for (const link of links.splice(0)) link.close();
  });

  it('completes a plain offer and answer', async () => {
    const { polite, impolite } = pair();
    impolite.pc.onnegotiationneeded?.();
    await settle();

    expect(descriptions(impolite)).toEqual(['offer']);
    expect(descriptions(polite)).toEqual(['answer']);
    expect(polite.pc.signalingState).toBe('stable');
    expect(impolite.pc.signalingState).toBe('stable');
    expect(warnings).toEqual([]);
  });

  it('resolves glare: the polite side rolls back and answers, the impolite side ignores the colliding offer', async () => {
    const { polite, impolite } = pair();
    polite.pc.onnegotiationneeded?.();
    impolite.pc.onnegotiationneeded?.();
    await settle();

    expect(polite.pc.history).toEqual(['sld:offer', 'rollback', 'srd:offer', 'sld:answer']);
    expect(descriptions(polite)).toEqual(['offer', 'answer']);
    expect(impolite.pc.history).toEqual(['sld:offer', 'srd:answer']);
    expect(descriptions(impolite)).toEqual(['offer']);
    expect(polite.pc.signalingState).toBe('stable');
    expect(impolite.pc.signalingState).toBe('stable');
    expect(polite.pc.remoteDescription?.sdp).toBe(impolite.pc.localDescription?.sdp);
    expect(warnings).toEqual([]);
  });

  it('queues candidates that arrive before the remote description, then applies them in order', async () => {
    const { sut, pc } = makeLink(true);
    const first: IceCandidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const second: IceCandidate = { candidate: 'candidate:2 1 udp 1 10.0.0.2 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

    await sut.receive({ candidate: first });
    await sut.receive({ candidate: second });
    await sut.receive({ candidate: null });
    expect(pc.added).toEqual([]);

    await sut.receive({ description: { type: 'offer', sdp: 'remote-offer' } });
    expect(pc.added).toEqual([first, second, undefined]);
    expect(pc.signalingState).toBe('stable');
    expect(warnings).toEqual([]);
  });

  it('applies a candidate straight away once a remote description exists', async () => {
    const { sut, pc } = makeLink(false);
    await sut.receive({ description: { type: 'offer', sdp: 'remote-offer' } });
    const candidate: IceCandidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0' };
    await sut.receive({ candidate });
    expect(pc.added).toEqual([candidate]);
  });

  it('does not process a candidate before the description that came ahead of it', async () => {
    const { sut, pc } = makeLink(true);
    const candidate: IceCandidate = { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0' };
    void sut.receive({ description: { type: 'offer', sdp: 'remote-offer' } });
    await sut.receive({ candidate });
    expect(pc.added).toEqual([candidate]);
    expect(warnings).toEqual([]);
  });

  it('answers with sendrecv transceivers carrying the local tracks', async () => {
    const audio = new FakeTrack('audio') as unknown as MediaStreamTrack;
    const { sut, pc } = makeLink(true, () => {}, { audio, video: null } as never);
    await sut.receive({ description: { type: 'offer', sdp: 'remote-offer' } });

    expect(pc.transceivers.map((t) => [t.receiver.track.kind, t.direction, t.sender.track])).toEqual([
      ['audio', 'sendrecv', audio],
      ['video', 'sendrecv', null],
    ]);
  });

  it('offers audio and video even without local media, so the peer can still be received', () => {
    const { sut, pc } = makeLink(false);
    sut.start();
    expect(pc.transceivers.map((t) => [t.receiver.track.kind, t.direction])).toEqual([
      ['audio', 'sendrecv'],
      ['video', 'sendrecv'],
    ]);
  });

  it('offers as it starts, without waiting for negotiationneeded', async () => {
    const { polite, impolite } = pair();
    impolite.sut.start();
    await settle();

    expect(descriptions(impolite)).toEqual(['offer']);
    expect(descriptions(polite)).toEqual(['answer']);
    expect(impolite.pc.signalingState).toBe('stable');
  });

  it('makes no second offer when negotiationneeded comes while the first is being made', async () => {
    const { polite, impolite } = pair();
    impolite.sut.start();
    impolite.pc.onnegotiationneeded?.();
    await settle();

    expect(descriptions(impolite)).toEqual(['offer']);
    expect(descriptions(polite)).toEqual(['answer']);
  });

  it('replaces a track on the negotiated transceiver', async () => {
    const { sut, pc } = makeLink(false);
    sut.start();
    const video = new FakeTrack('video') as unknown as MediaStreamTrack;
    await sut.setTrack('video', video);
    expect(pc.transceivers[1]?.sender.track).toBe(video);
  });

  it('restarts ICE when it fails', () => {
    const { sut, pc } = makeLink(true);
    pc.ice('failed');
    expect(pc.restarts).toBe(1);
    expect(sut.restarts).toBe(1);
  });

  it('restarts ICE after a few seconds stuck in disconnected', async () => {
    const { pc } = makeLink(true);
    pc.ice('connected');
    pc.ice('disconnected');
    await sleep(TIMING.restartAfterDisconnectedMs / 2);
    expect(pc.restarts).toBe(0);
    await sleep(TIMING.restartAfterDisconnectedMs);
    expect(pc.restarts).toBe(1);
  });

  it('does not restart when disconnected heals by itself', async () => {
    const { pc } = makeLink(true);
    pc.ice('connected');
    pc.ice('disconnected');
    await sleep(TIMING.restartAfterDisconnectedMs / 2);
    pc.ice('connected');
    await sleep(TIMING.restartAfterDisconnectedMs * 2);
    expect(pc.restarts).toBe(0);
  });

  it('reports a failure when a restart does not connect in time, tries again, and clears it once connected', async () => {
    const { sut, pc, failures } = makeLink(true);
    await sut.receive({ description: { type: 'offer', sdp: 'remote-offer' } });
    pc.ice('connected');
    pc.ice('failed');
    expect(pc.restarts).toBe(1);
    await sleep(TIMING.failAfterMs / 2);
    expect(failures).toEqual([]);

    await sleep(TIMING.failAfterMs);
    expect(failures).toEqual([true]);
    expect(sut.failed).toBe(true);
    expect(pc.restarts).toBe(2);

    pc.ice('connected');
    expect(failures).toEqual([true, false]);
    await sleep(TIMING.failAfterMs * 1.5);
    expect(pc.restarts).toBe(2);
  });

  it('reports a link that never connects', async () => {
    const { failures } = makeLink(false);
    await sleep(TIMING.failAfterMs * 1.5);
    expect(failures).toEqual([true]);
  });

  it('does not report a link that connected in time', async () => {
    const { pc, failures } = makeLink(false);
    pc.ice('checking');
    pc.ice('connected');
    await sleep(TIMING.failAfterMs * 1.5);
    expect(failures).toEqual([]);
  });

  it('resolves two ICE restarts at once like any glare: one offer wins, both sides end stable', async () => {
    const { polite, impolite } = pair();
    impolite.pc.onnegotiationneeded?.();
    await settle();
    polite.pc.history.length = impolite.pc.history.length = 0;

    polite.pc.ice('failed');
    impolite.pc.ice('failed');
    await settle();

    expect(polite.pc.history).toEqual(['sld:offer', 'rollback', 'srd:offer', 'sld:answer']);
    expect(impolite.pc.history).toEqual(['sld:offer', 'srd:answer']);
    expect(polite.pc.signalingState).toBe('stable');
    expect(impolite.pc.signalingState).toBe('stable');
    expect(polite.pc.remoteDescription?.sdp).toBe(impolite.pc.localDescription?.sdp);
    expect(warnings).toEqual([]);
  });

  it('stops watching ICE once closed', async () => {
    const { sut, pc, failures } = makeLink(true);
    pc.ice('connected');
    pc.ice('disconnected');
    sut.close();
    await sleep(TIMING.failAfterMs * 1.5);
    expect(pc.restarts).toBe(0);
    expect(failures).toEqual([]);
  });

  it('sends local candidates, and null at the end of candidates', () => {
    const { pc, sent } = makeLink(true);
    pc.onicecandidate?.({ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    pc.onicecandidate?.({ candidate: null });
    expect(sent).toEqual([{ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } }, { candidate: null }]);
  });

  it('tells when the first exchange is done on each side: the answer sent or applied, and the first candidate out', async () => {
    const { polite, impolite } = pair();
    const done: string[] = [];
    void impolite.sut.firstExchange().then(() => done.push('offerer'));
    void polite.sut.firstExchange().then(() => done.push('answerer'));
    void impolite.sut.start();
    await settle();
    expect(descriptions(polite)).toEqual(['answer']);
    expect(impolite.pc.signalingState).toBe('stable');
    expect(done).toEqual([]);
    polite.pc.onicecandidate?.({ candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } });
    await settle();
    expect(done).toEqual(['answerer']);
    impolite.pc.onicecandidate?.({ candidate: null });
    await settle();
    expect(done).toEqual(['answerer', 'offerer']);
  });

  it('ends the wait for the first exchange when closed', async () => {
    const { sut } = makeLink(true);
    let done = false;
    void sut.firstExchange().then(() => (done = true));
    sut.close();
    await settle();
    expect(done).toBe(true);
  });

  it('ignores signals after close', async () => {
    const { sut, pc } = makeLink(true);
    sut.close();
    await sut.receive({ description: { type: 'offer', sdp: 'late' } });
    expect(pc.history).toEqual([]);
  });

  describe('screen share', () => {
    const screen = () => ({ track: new FakeTrack('video') as unknown as MediaStreamTrack, stream: {} as MediaStream });
    const withSound = () => ({ ...screen(), audio: new FakeTrack('audio') as unknown as MediaStreamTrack });
    const negotiated = async ({ polite, impolite }: { polite: Side; impolite: Side }) => {
      impolite.sut.start();
      impolite.pc.onnegotiationneeded?.();
      await settle();
      expect(polite.pc.signalingState).toBe('stable');
    };

    it('sends the shared tab’s sound beside the microphone, in the screen’s stream, and stops it with the share', async () => {
      const sides = pair();
      await negotiated(sides);
      const { impolite } = sides;
      const share = withSound();
      await impolite.sut.setScreen(share);
      expect(impolite.pc.transceivers.map((t) => [t.receiver.track.kind, t.direction])).toEqual([
        ['audio', 'sendrecv'],
        ['video', 'sendrecv'],
        ['video', 'sendonly'],
        ['audio', 'sendonly'],
      ]);
      expect(impolite.pc.transceivers[3]?.sender.track).toBe(share.audio);
      expect(impolite.pc.transceivers.slice(2).map((t) => t.streams)).toEqual([[share.stream], [share.stream]]);
      impolite.pc.onnegotiationneeded?.();
      await settle();

      // A new microphone goes on the microphone's transceiver, never on the screen's sound.
      const mic = new FakeTrack('audio') as unknown as MediaStreamTrack;
      await impolite.sut.setTrack('audio', mic);
      expect(impolite.pc.transceivers[0]?.sender.track).toBe(mic);
      expect(impolite.pc.transceivers[3]?.sender.track).toBe(share.audio);

      await impolite.sut.setScreen(null);
      expect(impolite.pc.transceivers.map((t) => t.sender.track)).toEqual([mic, null, null, null]);
      expect(impolite.pc.transceivers).toHaveLength(4);
    });

    it('adds the sound’s transceiver for a later share that has sound, and reuses both after', async () => {
      const sides = pair();
      await negotiated(sides);
      const { impolite } = sides;
      await impolite.sut.setScreen(screen());
      expect(impolite.pc.transceivers).toHaveLength(3);
      await impolite.sut.setScreen(null);
      const share = withSound();
      await impolite.sut.setScreen(share);
      expect(impolite.pc.transceivers.map((t) => t.sender.track)).toEqual([null, null, share.track, share.audio]);
      await impolite.sut.setScreen(null);
      const again = withSound();
      await impolite.sut.setScreen(again);
      expect(impolite.pc.transceivers.map((t) => t.sender.track)).toEqual([null, null, again.track, again.audio]);
    });

    it('tells the peer’s screen sound from its microphone, and keeps the microphone’s transceiver for ours', async () => {
      const heard: [string, boolean][] = [];
      const { sut, pc } = makeLink(true, undefined, undefined, PATIENT, { ontrack: (track, isScreen) => heard.push([track.kind, isScreen]) });
      await sut.receive({ description: { type: 'offer', sdp: 'ada-offer' } });
      // Ada shares with sound: a second audio transceiver arrives, in the screen's stream.
      const sound = new FakeTransceiver('audio', 'recvonly');
      sound.mid = 'screen-audio';
      pc.transceivers.unshift(sound);
      pc.ontrack?.({ track: sound.receiver.track, streams: [{}], transceiver: sound });
      expect(heard).toEqual([
        ['audio', false],
        ['video', false],
        ['audio', true],
      ]);
      const mic = new FakeTrack('audio') as unknown as MediaStreamTrack;
      await sut.setTrack('audio', mic);
      expect(sound.sender.track).toBeNull();
      expect(pc.transceivers.find((t) => t.mid === 'audio')?.sender.track).toBe(mic);
    });

    it('waits for the first negotiation, then sends the screen on a transceiver of its own', async () => {
      const { polite, impolite } = pair();
      const share = screen();
      await polite.sut.setScreen(share);
      expect(polite.pc.transceivers).toHaveLength(0);

      impolite.sut.start();
      impolite.pc.onnegotiationneeded?.();
      await settle();
      expect(polite.pc.transceivers.map((t) => [t.receiver.track.kind, t.direction])).toEqual([
        ['audio', 'sendrecv'],
        ['video', 'sendrecv'],
        ['video', 'sendonly'],
      ]);
      expect(polite.pc.transceivers[2]?.sender.track).toBe(share.track);
    });

    it('never puts the camera on the screen’s transceiver, and stops without renegotiating', async () => {
      const { polite, impolite } = pair();
      impolite.sut.start();
      impolite.pc.onnegotiationneeded?.();
      await settle();
      const share = screen();
      await impolite.sut.setScreen(share);
      impolite.pc.onnegotiationneeded?.();
      await settle();

      const camera = new FakeTrack('video') as unknown as MediaStreamTrack;
      await impolite.sut.setTrack('video', camera);
      expect(impolite.pc.transceivers[1]?.sender.track).toBe(camera);
      expect(impolite.pc.transceivers[2]?.sender.track).toBe(share.track);

      await impolite.sut.setScreen(null);
      expect(impolite.pc.transceivers[2]?.sender.track).toBeNull();
      expect(impolite.pc.transceivers).toHaveLength(3);
      expect(impolite.sut.senders().map((s) => s.role)).toEqual(['audio', 'camera', 'screen']);
      expect(polite.pc.signalingState).toBe('stable');
    });
  });
});
