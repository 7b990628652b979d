/**
 * The SFU adapter against a real Janus (Debian's package, started with deploy/janus/start.sh on
 * free ports): rooms, publish, subscribe, leave, errors, unexpected events, and isolation of rooms.
 * Publishers that must be subscribable are real WebRTC peers (werift) that finish ICE and DTLS.
 */
import type { RTCPeerConnection } from 'werift';
import { JanusPool } from '../src/sfu/janus-pool.js';
import { SfuError, SfuErrorKind } from '../src/sfu/sfu-errors.js';
import { janusMissing, startJanus, type JanusProcess } from './janus-process.js';
import { RawJanus, RecordingLogger, answerOffer, connectPublisher, nextEvent, subscriberPc } from './janus-peers.js';
import { publisherOffer, subscriberAnswer } from './janus-sdp.js';
import { waitFor } from './test-client.js';

const describeJanus = janusMissing ? describe.skip : describe;
if (janusMissing) console.warn(janusMissing);

async function sfuError(promise: Promise<unknown>): Promise<SfuError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SfuError) return error;
    throw error;
  }
  throw new Error('expected an SfuError, got success');
}

describeJanus(JanusPool.name, () => {
  let janus: JanusProcess;
  let sut: JanusPool;
  let logger: RecordingLogger;
  const pcs: RTCPeerConnection[] = [];
  const raws: RawJanus[] = [];

  beforeAll(async () => {
    janus = await startJanus();
  });

  afterAll(async () => {
    await janus?.stop();
  });

  beforeEach(async () => {
    logger = new RecordingLogger();
    sut = new JanusPool({ servers: [{ url: janus.url, apiSecret: janus.apiSecret }], logger });
    expect(await sut.start()).toBe(1);
  });

  afterEach(async () => {
    await Promise.all(pcs.splice(0).map((pc) => pc.close()));
    raws.splice(0).forEach((raw) => raw.close());
    await sut.close();
  });

  it('creates a private VideoRoom with an unguessable id, secret and pin', async () => {
    const a = await sut.ensureRoom('alpha');
    const b = await sut.ensureRoom('beta');

    for (const assignment of [a, b]) {
      expect(assignment.server).toBe(janus.url);
      expect(assignment.janusRoom).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(assignment.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(assignment.pin).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
    expect(new Set([a.janusRoom, b.janusRoom, a.secret, b.secret, a.pin, b.pin]).size).toBe(6);
    expect(await sut.ensureRoom('alpha')).toEqual(a);

    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    raws.push(raw);
    // Private: not listed without the admin key, listed with it.
    expect(await raw.videoroom({ request: 'list' })).toMatchObject({ list: [] });
    const listed = (await raw.videoroom({ request: 'list', admin_key: janus.apiSecret })).list as { room: string }[];
    expect(listed.map((room) => room.room).sort()).toEqual([a.janusRoom, b.janusRoom].sort());
  });

  it('publishes a simulcast audio+video offer and answers it, reporting the publisher', async () => {
    await sut.ensureRoom('alpha');
    const publishers = nextEvent(sut, 'publishers', (e) => e.room === 'alpha');

    const answer = await sut.publish('alpha', 'peer-ada', publisherOffer());

    expect(answer).toMatch(/^v=0\r\n/);
    expect(answer).toMatch(/\r\nm=audio [1-9]\d* UDP\/TLS\/RTP\/SAVPF 111/);
    expect(answer).toMatch(/\r\nm=video [1-9]\d* UDP\/TLS\/RTP\/SAVPF 96/);
    expect(answer).toMatch(/\r\na=recvonly/);
    expect(answer).toMatch(/\r\na=fingerprint:sha-256 [0-9A-F:]{95}/);
    expect(answer).toMatch(/\r\na=simulcast:recv q;h;f/);
    expect(await publishers).toEqual({
      room: 'alpha',
      publishers: [
        {
          peer: 'peer-ada',
          streams: [
            { mid: '0', kind: 'audio', simulcast: false },
            { mid: '1', kind: 'video', simulcast: true },
          ],
        },
      ],
    });
  });

  it('gives a subscriber one offer listing the feeds it asked for, and updates it', async () => {
    await sut.ensureRoom('alpha');
    pcs.push(await connectPublisher(sut, 'alpha', 'peer-ada'));
    pcs.push(await connectPublisher(sut, 'alpha', 'peer-bob'));

    const offer = await sut.subscribe('alpha', 'peer-cy', [{ peer: 'peer-ada' }, { peer: 'peer-bob', mid: '1' }]);

    expect(offer?.sdp).toMatch(/^v=0\r\n/);
    expect(offer?.sdp.match(/\r\nm=(audio|video) /g)).toHaveLength(3);
    expect(offer?.streams).toEqual([
      { mid: '0', kind: 'audio', peer: 'peer-ada', peerMid: '0', active: true },
      { mid: '1', kind: 'video', peer: 'peer-ada', peerMid: '1', active: true },
      { mid: '2', kind: 'video', peer: 'peer-bob', peerMid: '1', active: true },
    ]);
    await sut.answerSubscriber('alpha', 'peer-cy', subscriberAnswer(offer!.sdp));
    await sut.trickle('alpha', 'peer-cy', 'subscriber', null);

    const added = await sut.subscribe('alpha', 'peer-cy', [{ peer: 'peer-bob', mid: '0' }]);
    expect(added?.streams.filter((s) => s.active).map((s) => `${s.peer}/${s.peerMid}`)).toEqual([
      'peer-ada/0',
      'peer-ada/1',
      'peer-bob/1',
      'peer-bob/0',
    ]);
    await sut.answerSubscriber('alpha', 'peer-cy', subscriberAnswer(added!.sdp));

    // A tile off screen, another at the low simulcast layer: no renegotiation, Janus says ok.
    await sut.configureSubscriber('alpha', 'peer-cy', [
      { mid: '1', send: false },
      { mid: '2', layer: 0 },
    ]);
    expect(await sfuError(sut.configureSubscriber('alpha', 'peer-cy', [{ mid: '99', send: true }]))).toMatchObject({ kind: SfuErrorKind.Rejected });

    const removed = await sut.unsubscribe('alpha', 'peer-cy', [{ peer: 'peer-ada' }]);
    expect(removed?.streams.filter((s) => s.active).map((s) => `${s.peer}/${s.peerMid}`)).toEqual(['peer-bob/1', 'peer-bob/0']);
  });

  it('leave takes a publisher out of the room and out of its subscribers', async () => {
    await sut.ensureRoom('alpha');
    pcs.push(await connectPublisher(sut, 'alpha', 'peer-ada'));
    pcs.push(await connectPublisher(sut, 'alpha', 'peer-bob'));
    const offer = await sut.subscribe('alpha', 'peer-cy', [{ peer: 'peer-ada' }, { peer: 'peer-bob' }]);
    const cy = subscriberPc();
    pcs.push(cy);
    const up = nextEvent(sut, 'connection', (e) => e.peer === 'peer-cy' && e.role === 'subscriber' && e.state === 'up');
    await sut.answerSubscriber('alpha', 'peer-cy', await answerOffer(cy, offer!.sdp));
    await up;
    const gone = nextEvent(sut, 'publishers', (e) => !e.publishers.some((p) => p.peer === 'peer-ada'));
    const renegotiated = nextEvent(sut, 'subscriber-offer', (e) => e.peer === 'peer-cy');

    await sut.leave('alpha', 'peer-ada');

    expect((await gone).publishers.map((p) => p.peer)).toEqual(['peer-bob']);
    const update = await renegotiated;
    expect(update.offer.streams.filter((s) => s.active).map((s) => s.peer)).toEqual(['peer-bob', 'peer-bob']);
    expect(await sfuError(sut.subscribe('alpha', 'peer-cy', [{ peer: 'peer-ada' }]))).toMatchObject({ kind: SfuErrorKind.UnknownPeer });
    await sut.leave('alpha', 'peer-ada'); // twice: no error
    await sut.leave('alpha', 'nobody');
  });

  it('maps Janus errors to Parley error kinds', async () => {
    await sut.ensureRoom('alpha');
    // An SDP on its face, but no ICE credentials or DTLS fingerprint: Janus refuses it.
    const badSdp =
      'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n';

    const rejected = await sfuError(sut.publish('alpha', 'peer-ada', badSdp));
    expect(rejected.kind).toBe(SfuErrorKind.Rejected);
    expect(rejected.janusCode).toBeGreaterThanOrEqual(400);
    expect(await sfuError(sut.publish('alpha', 'peer-ada', 'not an sdp'))).toMatchObject({ kind: SfuErrorKind.Rejected });
    expect(await sfuError(sut.subscribe('alpha', 'peer-cy', [{ peer: 'nobody' }]))).toMatchObject({ kind: SfuErrorKind.UnknownPeer });
    expect(await sfuError(sut.answerSubscriber('alpha', 'peer-cy', 'v=0\r\n'))).toMatchObject({ kind: SfuErrorKind.Rejected });
    expect(await sfuError(sut.publish('no-such-room', 'peer-ada', publisherOffer()))).toMatchObject({ kind: SfuErrorKind.Unavailable });
    // The failed publish left nothing behind: the same peer publishes fine afterwards.
    await expect(sut.publish('alpha', 'peer-ada', publisherOffer())).resolves.toMatch(/^v=0/);

    const small = new JanusPool({ servers: [{ url: janus.url, apiSecret: janus.apiSecret }], logger, maxPublishers: 1 });
    try {
      await small.start();
      await small.ensureRoom('tiny');
      // Janus counts publishers whose connection is up, so the first one is a real WebRTC peer.
      pcs.push(await connectPublisher(small, 'tiny', 'peer-1'));
      expect(await sfuError(small.publish('tiny', 'peer-2', publisherOffer()))).toMatchObject({ kind: SfuErrorKind.Full, janusCode: 432 });
    } finally {
      await small.destroyRoom('tiny');
      await small.close();
    }
  });

  it('logs an unexpected Janus event instead of throwing, and keeps working', async () => {
    const alpha = await sut.ensureRoom('alpha');
    await sut.publish('alpha', 'peer-ada', publisherOffer());
    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    raws.push(raw);
    // Someone else in the room renames itself: Janus tells every participant, Parley never asks for it.
    await raw.videoroom({ request: 'join', ptype: 'publisher', room: alpha.janusRoom, pin: alpha.pin, display: 'guest' });
    await raw.videoroom({ request: 'configure', display: 'renamed' });

    await waitFor(() => logger.warnings().some((m) => m.includes('unexpected Janus event videoroom_display')));
    await expect(sut.publish('alpha', 'peer-bob', publisherOffer())).resolves.toMatch(/^v=0/);
  });

  it("refuses another room's feeds, and Janus enforces each room's pin and secret", async () => {
    const alpha = await sut.ensureRoom('alpha');
    const beta = await sut.ensureRoom('beta');
    pcs.push(await connectPublisher(sut, 'beta', 'peer-bea'));

    // Through the adapter: a peer of beta is unknown in alpha.
    expect(await sfuError(sut.subscribe('alpha', 'peer-cy', [{ peer: 'peer-bea' }]))).toMatchObject({ kind: SfuErrorKind.UnknownPeer });

    // Straight at Janus with the api_secret: beta's feed id, asked through alpha, is refused.
    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    raws.push(raw);
    const participants = await raw.videoroom({ request: 'listparticipants', room: beta.janusRoom, secret: beta.secret });
    const betaFeed = (participants.participants as { id: string }[])[0]!.id;
    expect(
      await raw.videoroom({ request: 'join', ptype: 'subscriber', room: alpha.janusRoom, pin: alpha.pin, streams: [{ feed: betaFeed }] }),
    ).toMatchObject({ error_code: 428 });
    // Without the room's pin or secret nothing works, even with the api_secret.
    expect(await raw.videoroom({ request: 'join', ptype: 'subscriber', room: beta.janusRoom, streams: [{ feed: betaFeed }] })).toMatchObject({
      error_code: 429,
    });
    expect(
      await raw.videoroom({ request: 'join', ptype: 'subscriber', room: beta.janusRoom, pin: alpha.pin, streams: [{ feed: betaFeed }] }),
    ).toMatchObject({ error_code: 433 });
    expect(await raw.videoroom({ request: 'destroy', room: beta.janusRoom, secret: alpha.secret })).toMatchObject({ error_code: 433 });
    // And without the api_secret, Janus answers nothing at all.
    const anonymous = await raw.send({ janus: 'create' });
    expect(anonymous).toMatchObject({ janus: 'error', error: { code: 403 } });
  });

  it('destroyRoom removes the VideoRoom and its handles', async () => {
    const alpha = await sut.ensureRoom('alpha');
    await sut.publish('alpha', 'peer-ada', publisherOffer());

    await sut.destroyRoom('alpha');

    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    raws.push(raw);
    expect(await raw.videoroom({ request: 'exists', room: alpha.janusRoom })).toMatchObject({ exists: false });
    expect(await sfuError(sut.publish('alpha', 'peer-ada', publisherOffer()))).toMatchObject({ kind: SfuErrorKind.Unavailable });
  });
});
