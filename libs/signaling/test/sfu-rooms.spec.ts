/**
 * SFU rooms through the gateway, against a real Janus (Debian's package, started with
 * deploy/janus/start.sh on free ports): the switch past meshMaxPeers, publish and subscribe
 * relayed over Parley's socket, bad SFU events, a Janus that is not there, and no Janus id,
 * secret or pin in any frame a client gets. Publishers and subscribers are real WebRTC peers
 * (werift) where media must flow.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { ErrorCode, LIMITS, type ServerEvents } from '@parley/protocol';
import { ROOM_STORE, type RoomStore } from '../src/index.js';
import { janusMissing, startJanus, type JanusProcess } from './janus-process.js';
import { answerOffer, RawJanus, subscriberPc } from './janus-peers.js';
import { TestApp } from './test-app.js';
import { activePeers, SfuTestPeers } from './sfu-test-peers.js';
import { settle, type TestClient } from './test-client.js';

const describeJanus = janusMissing ? describe.skip : describe;

const MESH_MAX = 2;

describeJanus('SFU rooms through the gateway', () => {
  let janus: JanusProcess;
  let sut: TestApp;
  const clients: TestClient[] = [];
  const peers = new SfuTestPeers();
  const pcs = peers.pcs;
  const publish = (client: TestClient, ref?: string) => peers.publish(client, ref);
  const subscriber = (client: TestClient) => peers.subscriber(client);
  /** Values no frame to a client may contain (the room's assignment, feed ids, the api_secret). */
  const secrets = new Set<string>();

  beforeAll(async () => {
    janus = await startJanus();
  });

  afterAll(async () => {
    await janus?.stop();
  });

  beforeEach(async () => {
    sut = await TestApp.start({ resumeGraceMs: 300, sfu: { servers: [{ url: janus.url, apiSecret: janus.apiSecret }], meshMaxPeers: MESH_MAX } });
    secrets.clear();
    secrets.add(janus.apiSecret);
  });

  afterEach(async () => {
    await peers.close();
    const frames = clients.splice(0).flatMap((client) => client.frames);
    await sut.close();
    // Every frame any client of the test received, consumed or not.
    expect(frames.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(frames.filter((frame) => frame.includes(secret))).toEqual([]);
  });

  async function join(room: string, name: string) {
    const client = await sut.client();
    clients.push(client);
    const joined = await client.join(room, name);
    return { client, joined, id: joined.self.id };
  }

  /** Remembers the room's Janus ids and secrets, and every feed id in it, for the frame scan. */
  async function rememberSecrets(room: string): Promise<void> {
    const media = await sut.app.get<RoomStore>(ROOM_STORE).roomMedia(room);
    if (!media?.sfu) throw new Error(`room ${room} has no SFU assignment`);
    const { janusRoom, secret, pin } = media.sfu;
    for (const value of [janusRoom, secret, pin]) secrets.add(value);
    const raw = await RawJanus.open(janus.url, janus.apiSecret);
    try {
      const listed = await raw.videoroom({ request: 'listparticipants', room: janusRoom, secret });
      for (const participant of (listed.participants as { id: string }[] | undefined) ?? []) secrets.add(String(participant.id));
    } finally {
      raw.close();
    }
  }

  /** MESH_MAX people in a mesh, then one more: the room switches. */
  async function sfuRoom(room: string) {
    const mesh = [];
    for (let i = 0; i < MESH_MAX; i++) mesh.push(await join(room, `Mesh${i}`));
    const last = await join(room, 'Switcher');
    return [...mesh, last];
  }

  /** The next sfu-offer whose active streams satisfy `match`. */
  async function offerWhere(client: TestClient, match: (offer: ServerEvents['sfu-offer']) => boolean, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const offer = await client.next('sfu-offer', Math.max(1, deadline - Date.now()));
      if (match(offer)) return offer;
    }
  }
  it('switches a room that grows past meshMaxPeers: room-mode to everyone there, joined.mode sfu to the newcomer', async () => {
    const [ada, bob] = [await join('big', 'Ada'), await join('big', 'Bob')];
    expect(ada.joined.mode).toBeUndefined();
    expect(bob.joined.mode).toBeUndefined();

    const cy = await join('big', 'Cy');

    expect(cy.joined.mode).toBe('sfu');
    expect(cy.joined.peers.map((p) => p.id)).toEqual([ada.id, bob.id]);
    for (const { client } of [ada, bob]) {
      expect(await client.next('room-mode')).toEqual({ mode: 'sfu' });
      // room-mode comes before the newcomer's peer-joined.
      const order = client.frames.map((f) => JSON.parse(f) as { event: string; data: { peer?: { id: string } } });
      const joinedAt = order.findIndex((f) => f.event === 'peer-joined' && f.data.peer?.id === cy.id);
      expect(joinedAt).toBeGreaterThan(order.findIndex((f) => f.event === 'room-mode'));
    }
    await rememberSecrets('big');
    const dee = await join('big', 'Dee');
    expect(dee.joined.mode).toBe('sfu');
    await settle();
    expect(dee.client.received.map((f) => f.event)).not.toContain('room-mode');
    expect(cy.client.received.map((f) => f.event)).not.toContain('room-mode');
    // Mesh signals still pass in an SFU room.
    ada.client.send('signal', { to: dee.id, candidate: null });
    expect(await dee.client.next('signal')).toEqual({ from: ada.id, candidate: null });
  });

  it('answers sfu-publish with sfu-answer, offers the publisher to the others by peer id, and their answers reach Janus', async () => {
    const [ada, bob, cy] = await sfuRoom('pubsub');
    await rememberSecrets('pubsub');

    const { answer } = await publish(ada.client, 'p1');
    expect(answer).toMatchObject({ ref: 'p1', description: { type: 'answer', sdp: expect.stringMatching(/^v=0\r\n/) } });

    for (const watcher of [bob, cy]) {
      const offer = await offerWhere(watcher.client, (o) => activePeers(o).length === 2);
      expect(offer.description).toMatchObject({ type: 'offer', sdp: expect.stringMatching(/^v=0\r\n/) });
      expect(offer.streams).toEqual([
        { mid: expect.any(String), peer: ada.id, kind: 'audio', active: true },
        { mid: expect.any(String), peer: ada.id, kind: 'video', active: true },
      ]);
      // The mids are the offer's own m-lines.
      for (const { mid } of offer.streams) expect(offer.description.sdp).toContain(`\r\na=mid:${mid}\r\n`);
    }
    await rememberSecrets('pubsub');
    const first = bob.client.frames
      .map((f) => JSON.parse(f) as { event: string; data: ServerEvents['sfu-offer'] })
      .find((f) => f.event === 'sfu-offer')!.data;

    // Bob answers with a real peer connection and trickles: Janus connects to it.
    const pc = subscriberPc();
    pcs.push(pc);
    const connected = new Promise<void>((resolve) => pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve()));
    bob.client.send('sfu-answer', { description: { type: 'answer', sdp: await answerOffer(pc, first.description.sdp) } });
    bob.client.send('sfu-candidate', { pc: 'subscriber', candidate: null });
    await connected;

    // A second publisher: Bob's subscription grows, and the new offer lists both by peer id.
    await publish(cy.client, 'p2');
    const both = await offerWhere(bob.client, (o) => activePeers(o).length === 4);
    expect(activePeers(both).sort()).toEqual([`${ada.id}/audio`, `${ada.id}/video`, `${cy.id}/audio`, `${cy.id}/video`].sort());
    bob.client.send('sfu-answer', { description: { type: 'answer', sdp: await answerOffer(pc, both.description.sdp) }, ref: 'a2' });
    await bob.client.roundTrip();
    expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
    await rememberSecrets('pubsub');
  });

  it("drops a leaving peer's tracks from the others' next sfu-offer", async () => {
    const [ada, bob, cy] = await sfuRoom('leaving');
    const bobSubscriber = subscriber(bob.client);
    await publish(ada.client);
    await publish(cy.client);
    await bobSubscriber.until((o) => activePeers(o).length === 4);
    await rememberSecrets('leaving');
    const before = bobSubscriber.offers.length;

    ada.client.send('leave', {});

    expect(await bob.client.next('peer-left')).toEqual({ id: ada.id, reason: 'left' });
    const after = await bobSubscriber.until((o) => bobSubscriber.offers.indexOf(o) >= before);
    expect(activePeers(after).sort()).toEqual([`${cy.id}/audio`, `${cy.id}/video`]);
    // Ada's transceivers stay in the SDP, marked inactive.
    expect(after.streams.filter((s) => s.peer === ada.id).every((s) => !s.active)).toBe(true);
  });

  it('tells a peer that resumes into an SFU room its mode, and a room that empties starts again as mesh', async () => {
    const [ada, bob, cy] = await sfuRoom('again');
    await rememberSecrets('again');
    ada.client.close();
    const back = await sut.client();
    clients.push(back);
    const resumed = await back.join('again', 'Ada', { resume: ada.joined.resume });
    expect(resumed).toMatchObject({ resumed: 'session', mode: 'sfu', self: { id: ada.id } });

    for (const { client } of [bob, cy]) client.send('leave', {});
    back.send('leave', {});
    await settle(300);
    const fresh = await join('again', 'Dee');
    expect(fresh.joined.mode).toBeUndefined();
    expect(await sut.app.get<RoomStore>(ROOM_STORE).roomMedia('again')).toBeUndefined();
  });

  /** Packets on each mid of `sub` over one 600 ms window, once `expected` holds for a window (mid → flowing). */
  async function flowing(sub: ReturnType<typeof subscriber>, expected: Record<string, boolean>, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    let seen: Record<string, boolean> = {};
    while (Date.now() < deadline) {
      const before = new Map(sub.received);
      await settle(600);
      seen = Object.fromEntries(Object.keys(expected).map((mid) => [mid, (sub.received.get(mid) ?? 0) > (before.get(mid) ?? 0)]));
      if (Object.keys(expected).every((mid) => seen[mid] === expected[mid])) return;
    }
    throw new Error(`media per mid ${JSON.stringify(seen)}, wanted ${JSON.stringify(expected)}`);
  }

  /** Two publishers sending media, and Bob receiving both: the mids of each track on Bob's subscriber. */
  async function watching(room: string) {
    const [ada, bob, cy] = await sfuRoom(room);
    const bobSubscriber = subscriber(bob.client);
    for (const who of [ada, cy]) peers.sendMedia((await publish(who.client)).pc);
    const offer = await bobSubscriber.until((o) => activePeers(o).length === 4);
    const mid = (peer: string, kind: string) => offer.streams.find((s) => s.peer === peer && s.kind === kind && s.active)!.mid;
    const mids = { adaAudio: mid(ada.id, 'audio'), adaVideo: mid(ada.id, 'video'), cyAudio: mid(cy.id, 'audio'), cyVideo: mid(cy.id, 'video') };
    await flowing(bobSubscriber, { [mids.adaAudio]: true, [mids.adaVideo]: true, [mids.cyAudio]: true, [mids.cyVideo]: true }, 20_000);
    return { ada, bob, cy, bobSubscriber, mids };
  }

  it('sfu-view forwards the videos in the view and pauses the others, without renegotiating; audio flows from everyone', async () => {
    const { ada, bob, cy, bobSubscriber, mids } = await watching('view');
    const offers = bobSubscriber.offers.length;

    bob.client.send('sfu-view', { peers: [{ peer: ada.id, layer: 2 }], ref: 'v1' });
    await flowing(bobSubscriber, { [mids.adaAudio]: true, [mids.adaVideo]: true, [mids.cyAudio]: true, [mids.cyVideo]: false });
    bob.client.send('sfu-view', { peers: [{ peer: cy.id, layer: 0 }] });
    await flowing(bobSubscriber, { [mids.adaAudio]: true, [mids.adaVideo]: false, [mids.cyAudio]: true, [mids.cyVideo]: true });
    bob.client.send('sfu-view', { peers: [] });
    await flowing(bobSubscriber, { [mids.adaAudio]: true, [mids.adaVideo]: false, [mids.cyAudio]: true, [mids.cyVideo]: false });

    expect(bobSubscriber.offers.length).toBe(offers);
    expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
    await rememberSecrets('view');
  });

  it('applies a flood of sfu-view as its last accepted view, refuses the rest with rate-limited, and keeps the socket', async () => {
    const { ada, bob, cy, bobSubscriber, mids } = await watching('flood');
    // Forty go through (the bucket of events other than signals); the last of those shows only Ada.
    const views = Array.from({ length: 50 }, (_, i) => ({ peers: [{ peer: i % 2 ? ada.id : cy.id, layer: (i % 3) as 0 | 1 | 2 }] }));
    for (const view of views) bob.client.send('sfu-view', view);
    // Refusals come back at once; an accepted view has no answer.
    await settle(500);
    const errors = bob.client.received.filter((f) => f.event === 'error').map((f) => (f.data as { code: string }).code);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set([ErrorCode.RateLimited]));
    await flowing(bobSubscriber, { [mids.adaVideo]: true, [mids.cyVideo]: false, [mids.cyAudio]: true });
  });

  it("refuses an sfu-view naming another room's peer, yourself, or no one, and bad layers, with the field named", async () => {
    const [ada, bob] = await sfuRoom('strict');
    const elsewhere = await join('other-room', 'Eve');
    ada.client.send('sfu-view', {
      peers: [
        { peer: bob.id, layer: 1 },
        { peer: elsewhere.id, layer: 1 },
      ],
      ref: 'x',
    });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, event: 'sfu-view', ref: 'x' });
    ada.client.send('sfu-view', { peers: [{ peer: ada.id, layer: 1 }], ref: 'self' });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'self' });
    ada.client.send('sfu-view', { peers: [{ peer: 'made-up-peer-id', layer: 0 }], ref: 'nobody' });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, ref: 'nobody' });

    const many = Array.from({ length: LIMITS.maxSfuView + 1 }, (_, i) => ({ peer: `p${i}`, layer: 0 }));
    const cases: [unknown, string][] = [
      [{}, 'peers'],
      [{ peers: 'all' }, 'peers'],
      [{ peers: [{ peer: bob.id, layer: 3 }] }, 'peers.0.layer'],
      [{ peers: [{ peer: bob.id, layer: -1 }] }, 'peers.0.layer'],
      [{ peers: [{ peer: bob.id, layer: 1.5 }] }, 'peers.0.layer'],
      [{ peers: [{ peer: bob.id, layer: '2' }] }, 'peers.0.layer'],
      [{ peers: [{ peer: bob.id }] }, 'peers.0.layer'],
      [{ peers: [{ layer: 1 }] }, 'peers.0.peer'],
      [{ peers: [{ peer: '', layer: 1 }] }, 'peers.0.peer'],
      [{ peers: [{ peer: 'x'.repeat(65), layer: 1 }] }, 'peers.0.peer'],
      [{ peers: [{ peer: bob.id, layer: 1, mid: '0' }] }, 'peers.0.mid'],
      [{ peers: [bob.id] }, 'peers'],
      [
        {
          peers: [
            { peer: bob.id, layer: 1 },
            { peer: bob.id, layer: 2 },
          ],
        },
        'peers',
      ],
      [{ peers: [], room: 'other' }, 'room'],
    ];
    for (const [i, [data, field]] of cases.entries()) {
      const { client } = i % 2 ? bob! : ada!;
      client.send('sfu-view', data as Record<string, unknown>);
      const error = await client.next('error');
      expect({ field, error }).toMatchObject({
        field,
        error: { code: ErrorCode.InvalidMessage, event: 'sfu-view', details: expect.arrayContaining([expect.objectContaining({ field })]) },
      });
    }
    // Too many for one frame's entry budget, or for the view: refused either way, before any lookup.
    ada.client.send('sfu-view', { peers: many });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.InvalidMessage, event: 'sfu-view' });
    await ada.client.roundTrip();
  });

  it('sfu-ice-restart brings a new sfu-offer with new ICE credentials, and media flows on', async () => {
    const { bob, bobSubscriber, mids } = await watching('ice');
    const ufrag = (sdp: string) => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1];
    const before = ufrag(bobSubscriber.offers.at(-1)!.description.sdp);
    const offers = bobSubscriber.offers.length;
    bob.client.send('sfu-ice-restart', {});
    const restarted = await bobSubscriber.until((o) => bobSubscriber.offers.indexOf(o) >= offers);
    expect(ufrag(restarted.description.sdp)).toBeTruthy();
    expect(ufrag(restarted.description.sdp)).not.toBe(before);
    // The same tracks on the same mids.
    expect(activePeers(restarted).sort()).toEqual(activePeers(bobSubscriber.offers[offers - 1]!).sort());
    await flowing(bobSubscriber, { [mids.adaVideo]: true, [mids.cyVideo]: true });
    expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
  });

  it('refuses sfu-ice-restart without a subscriber connection, and SFU events in a mesh room', async () => {
    const [ada] = await sfuRoom('no-sub');
    ada.client.send('sfu-ice-restart', { ref: 'early' });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.InvalidMessage, ref: 'early', message: expect.stringMatching(/ICE/) });
    ada.client.send('sfu-ice-restart', { restart: true });
    expect(await ada.client.next('error')).toMatchObject({
      code: ErrorCode.InvalidMessage,
      details: [expect.objectContaining({ field: 'restart' })],
    });

    const meshy = await join('meshy', 'Mo');
    const other = await join('meshy', 'Ny');
    for (const [event, data] of [
      ['sfu-view', { peers: [{ peer: other.id, layer: 1 }] }],
      ['sfu-ice-restart', {}],
    ] as const) {
      meshy.client.send(event, { ...data, ref: event });
      expect(await meshy.client.next('error')).toEqual({
        code: ErrorCode.InvalidMessage,
        message: 'This room is not using the media server',
        event,
        ref: event,
      });
    }
  });

  it('refuses SFU events before join, and in a mesh room, with a clear error', async () => {
    const loner = await sut.client();
    clients.push(loner);
    loner.send('sfu-publish', { description: { type: 'offer', sdp: 'v=0\r\n' }, ref: 'early' });
    expect(await loner.next('error')).toMatchObject({ code: ErrorCode.NotJoined, event: 'sfu-publish', ref: 'early' });

    const ada = await join('small', 'Ada');
    const frames: [string, Record<string, unknown>][] = [
      ['sfu-publish', { description: { type: 'offer', sdp: 'v=0\r\n' } }],
      ['sfu-answer', { description: { type: 'answer', sdp: 'v=0\r\n' } }],
      ['sfu-candidate', { pc: 'publisher', candidate: null }],
    ];
    for (const [event, data] of frames) {
      ada.client.send(event as 'sfu-publish', { ...data, ref: event });
      expect(await ada.client.next('error')).toEqual({
        code: ErrorCode.InvalidMessage,
        message: 'This room is not using the media server',
        event,
        ref: event,
      });
    }
    await ada.client.roundTrip();
  });

  it('refuses bad SFU events with invalid-message naming the field, and keeps the socket', async () => {
    const [ada, bo] = await sfuRoom('bad');
    const sdp = 'v=0\r\n';
    const cases: [string, unknown, string][] = [
      ['sfu-publish', {}, 'description'],
      ['sfu-publish', { description: { type: 'answer', sdp } }, 'description.type'],
      ['sfu-publish', { description: { type: 'offer' } }, 'description.sdp'],
      ['sfu-publish', { description: { type: 'offer', sdp: 42 } }, 'description.sdp'],
      ['sfu-publish', { description: { type: 'offer', sdp: 'x'.repeat(LIMITS.maxSdpLength + 1) } }, 'description.sdp'],
      ['sfu-publish', { description: { type: 'offer', sdp, extra: 1 } }, 'description.extra'],
      ['sfu-publish', { description: { type: 'offer', sdp }, to: 'someone' }, 'to'],
      ['sfu-publish', { description: 'v=0' }, 'description'],
      ['sfu-answer', { description: { type: 'offer', sdp } }, 'description.type'],
      ['sfu-answer', { description: { type: 'answer', sdp }, ref: 'r'.repeat(65) }, 'ref'],
      ['sfu-answer', { sdp }, 'sdp'],
      ['sfu-candidate', { candidate: null }, 'pc'],
      ['sfu-candidate', { pc: 'both', candidate: null }, 'pc'],
      ['sfu-candidate', { pc: 'publisher' }, 'candidate'],
      ['sfu-candidate', { pc: 'publisher', candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host' }, 'candidate'],
      ['sfu-candidate', { pc: 'publisher', candidate: { candidate: 'c'.repeat(LIMITS.maxCandidateLength + 1) } }, 'candidate.candidate'],
      ['sfu-candidate', { pc: 'subscriber', candidate: { candidate: '', sdpMLineIndex: -1 } }, 'candidate.sdpMLineIndex'],
      ['sfu-candidate', { pc: 'subscriber', candidate: { candidate: '', from: 'x' } }, 'candidate.from'],
      ['sfu-candidate', { pc: 'subscriber', candidate: null, room: 'other' }, 'room'],
    ];
    // Split over two people: twenty invalid frames in ten seconds close a socket as abuse.
    for (const [i, [event, data, field]] of cases.entries()) {
      const { client } = i % 2 ? bo! : ada!;
      client.send(event as 'sfu-publish', data as Record<string, unknown>);
      const error = await client.next('error');
      expect({ event, field, error }).toMatchObject({
        event,
        field,
        error: { code: ErrorCode.InvalidMessage, event, details: expect.arrayContaining([expect.objectContaining({ field })]) },
      });
    }
    // Well-formed, but for connections that do not exist yet, or an SDP Janus refuses.
    ada.client.send('sfu-candidate', { pc: 'subscriber', candidate: null, ref: 'c1' });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.InvalidMessage, ref: 'c1', message: expect.stringMatching(/candidate/) });
    ada.client.send('sfu-answer', { description: { type: 'answer', sdp }, ref: 'a1' });
    expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.InvalidMessage, ref: 'a1', message: expect.stringMatching(/answer/) });
    ada.client.send('sfu-publish', { description: { type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }, ref: 'p1' });
    expect(await ada.client.next('error', 10_000)).toMatchObject({
      code: ErrorCode.InvalidMessage,
      ref: 'p1',
      message: expect.stringMatching(/offer/),
    });
    await rememberSecrets('bad');
    await ada.client.roundTrip();
  });
});

describe('SFU rooms when Janus is unreachable', () => {
  let sut: TestApp;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    sut = await TestApp.start({
      sfu: { servers: [{ url: `ws://127.0.0.1:${port}`, apiSecret: randomBytes(9).toString('hex') }], meshMaxPeers: MESH_MAX },
    });
  });

  afterEach(async () => {
    clients.splice(0);
    await sut.close();
  });

  it('keeps the room mesh and answers the joiner past meshMaxPeers room-full saying why, at once', async () => {
    const mesh = [];
    for (let i = 0; i < MESH_MAX; i++) {
      const client = await sut.client();
      clients.push(client);
      mesh.push(await client.join('big', `Mesh${i}`));
    }
    const late = await sut.client();
    const startedAt = Date.now();
    late.send('join', { room: 'big', name: 'Late', protocol: 1, ref: 'late' });

    const error = await late.next('error', 5000);
    expect(error).toMatchObject({ code: ErrorCode.RoomFull, event: 'join', ref: 'late' });
    expect(error.message).toMatch(/full for a direct call \(2 people\) and the media server is unavailable/);
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(mesh.every((joined) => joined.mode === undefined)).toBe(true);
    await settle();
    for (const client of clients) expect(client.received.map((f) => f.event)).not.toContain('room-mode');
    expect(await sut.app.get<RoomStore>(ROOM_STORE).roomMedia('big')).toBeUndefined();
  });
});
