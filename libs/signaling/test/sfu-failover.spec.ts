/**
 * Two Parley instances sharing rooms through a real Redis, and two real Janus servers (Debian's
 * package, started with deploy/janus/start.sh on free ports). People on both instances share one
 * VideoRoom, found through the room store; when that Janus is killed, the room moves to the other
 * one exactly once, and everyone is told to publish and subscribe again there.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { JANUS_POOL, ROOM_STORE, type JanusPool, type RoomStore, type SignalingModuleOptions } from '../src/index.js';
import { janusMissing, startJanus, type JanusProcess } from './janus-process.js';
import { activePeers, SfuTestPeers } from './sfu-test-peers.js';
import { TestApp } from './test-app.js';
import { settle, waitFor, type TestClient } from './test-client.js';

const describeJanus = janusMissing ? describe.skip : describe;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describeJanus('SFU rooms on two instances and two Janus servers', () => {
  const keyPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  const apiSecret = randomBytes(18).toString('base64url');
  let januses: JanusProcess[] = [];
  const killed = new Set<JanusProcess>();
  const kill = (url: string) => {
    const janus = januses.find((candidate) => candidate.url === url)!;
    killed.add(janus);
    janus.kill();
  };
  let one: TestApp;
  let two: TestApp;
  const peers = new SfuTestPeers();

  beforeAll(async () => {
    januses = await Promise.all([startJanus({ JANUS_API_SECRET: apiSecret }), startJanus({ JANUS_API_SECRET: apiSecret })]);
  });

  afterAll(async () => {
    await Promise.all(januses.map((janus) => janus.stop()));
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  beforeEach(async () => {
    // A Janus a test killed is replaced by a fresh one.
    januses = await Promise.all(
      januses.map(async (janus) => {
        if (!killed.has(janus)) return janus;
        await janus.stop();
        return startJanus({ JANUS_API_SECRET: apiSecret });
      }),
    );
    const options: SignalingModuleOptions = {
      redis: { url: REDIS_URL, keyPrefix },
      resumeSecret: 'shared',
      sfu: { servers: januses.map((janus) => ({ url: janus.url, apiSecret })), meshMaxPeers: 1 },
    };
    [one, two] = await Promise.all([TestApp.start(options), TestApp.start(options)]);
  });

  afterEach(async () => {
    await peers.close();
    await Promise.all([one.close(), two.close()]);
  });

  const assignment = async (room: string) => (await one.app.get<RoomStore>(ROOM_STORE).roomMedia(room))?.sfu;

  /** Publishes with a werift peer sending media, and receives on a subscriber that answers every offer. */
  async function inRoom(client: TestClient) {
    const subscriber = peers.subscriber(client);
    const { pc } = await peers.publish(client);
    peers.sendMedia(pc);
    return subscriber;
  }

  it('tells someone who was away during the move, and resumes, to publish and subscribe again', async () => {
    const [ada, bob] = [await one.joined('away', 'Ada'), await one.joined('away', 'Bob')];
    const cy = await two.joined('away', 'Cy');
    expect(cy.joined.mode).toBe('sfu');
    await inRoom(ada.client);
    await inRoom(bob.client);
    const first = await assignment('away');
    bob.client.close();
    kill(first!.server);
    expect(await ada.client.next('sfu-restart', 10_000)).toEqual({});
    await inRoom(ada.client);
    const back = await one.client();
    const resumed = await back.join('away', 'Bob', { resume: bob.joined.resume });
    expect(resumed).toMatchObject({ resumed: 'session', mode: 'sfu', self: { id: bob.id } });
    expect(await back.next('sfu-restart', 10_000)).toEqual({});
    // A resume with nothing lost (its publisher lives) restarts nothing.
    ada.client.close();
    const adaBack = await one.client();
    await adaBack.join('away', 'Ada', { resume: ada.joined.resume });
    await settle(500);
    expect(adaBack.received.map((f) => f.event)).not.toContain('sfu-restart');
  });

  it('someone who resumes on the other instance publishes and subscribes again through it; the old one lets go of its handles', async () => {
    const ada = await one.joined('moved', 'Ada');
    const bob = await one.joined('moved', 'Bob');
    expect(bob.joined.mode).toBe('sfu');
    const adaSubscriber = await inRoom(ada.client);
    await inRoom(bob.client);
    const bobVideo = (offer: { streams: { peer: string; kind: string; mid: string; active: boolean }[] }) =>
      offer.streams.find((s) => s.peer === bob.id && s.kind === 'video' && s.active)?.mid;
    const first = bobVideo(await adaSubscriber.until((offer) => bobVideo(offer) !== undefined, 20_000))!;
    await waitFor(() => (adaSubscriber.received.get(first) ?? 0) > 10, 20_000);
    const poolOf = (app: TestApp) => app.app.get<JanusPool>(JANUS_POOL);
    expect(poolOf(one).publishes('moved', bob.id)).toBe(true);

    bob.client.close();
    const back = await two.client();
    expect(await back.join('moved', 'Bob', { resume: bob.joined.resume })).toMatchObject({ resumed: 'session', mode: 'sfu', self: { id: bob.id } });
    expect(await back.next('sfu-restart', 10_000)).toEqual({});
    await waitFor(() => !poolOf(one).publishes('moved', bob.id), 10_000);

    const offersBefore = adaSubscriber.offers.length;
    await inRoom(back);
    expect(poolOf(two).publishes('moved', bob.id)).toBe(true);
    // Ada's subscription follows Bob's new publisher, and its packets arrive.
    const offer = await adaSubscriber.until((o) => adaSubscriber.offers.indexOf(o) >= offersBefore && bobVideo(o) !== undefined, 20_000);
    const mid = bobVideo(offer)!;
    const start = adaSubscriber.received.get(mid) ?? 0;
    await waitFor(() => (adaSubscriber.received.get(mid) ?? 0) > start + 10, 20_000);
  });

  it('people on two instances share one VideoRoom and receive each other; the room moves once when its Janus dies', async () => {
    const ada = await one.joined('shared', 'Ada');
    const bob = await two.joined('shared', 'Bob');
    expect(bob.joined.mode).toBe('sfu');
    const cy = await one.joined('shared', 'Cy');
    const first = await assignment('shared');
    expect(first).toBeDefined();

    const subscribers = await Promise.all([ada, bob, cy].map(({ client }) => inRoom(client)));
    const everyoneElse = (id: string) => [ada, bob, cy].filter((p) => p.id !== id).flatMap((p) => [`${p.id}/audio`, `${p.id}/video`]);
    for (const [i, person] of [ada, bob, cy].entries()) {
      await subscribers[i]!.until((o) => activePeers(o).sort().join() === everyoneElse(person.id).sort().join(), 20_000);
    }
    // Media arrives across instances: Ada (instance one) receives Bob's (instance two) video.
    const bobVideo = (offer: { streams: { peer: string; kind: string; mid: string }[] }) =>
      offer.streams.find((s) => s.peer === bob.id && s.kind === 'video')!.mid;
    await waitFor(() => (subscribers[0]!.received.get(bobVideo(subscribers[0]!.offers.at(-1)!)) ?? 0) > 10, 20_000);

    kill(first!.server);

    // Each instance hears of it on its own; one move wins, and both adopt it.
    for (const { client } of [ada, bob, cy]) expect(await client.next('sfu-restart', 10_000)).toEqual({});
    const moved = await assignment('shared');
    expect(moved?.server).toBe(januses.find((janus) => janus.url !== first!.server)!.url);
    expect(moved?.janusRoom).not.toBe(first!.janusRoom);

    // Everyone publishes and subscribes again, on new connections, to the new VideoRoom.
    for (const subscriber of subscribers) subscriber.stop();
    const again = await Promise.all([ada, bob, cy].map(({ client }) => inRoom(client)));
    for (const [i, person] of [ada, bob, cy].entries()) {
      await again[i]!.until((o) => activePeers(o).sort().join() === everyoneElse(person.id).sort().join(), 20_000);
    }
    await waitFor(() => (again[0]!.received.get(bobVideo(again[0]!.offers.at(-1)!)) ?? 0) > 10, 20_000);
    expect(await assignment('shared')).toEqual(moved);
    // An answer or candidate already on its way for a connection to the lost Janus may be refused; nothing else.
    for (const { client } of [ada, bob, cy]) {
      const errors = client.received.filter((f) => f.event === 'error').map((f) => f.data as { event?: string; code: string });
      expect(errors.filter((e) => e.code !== 'invalid-message' || !['sfu-answer', 'sfu-candidate'].includes(e.event ?? ''))).toEqual([]);
    }
  });
});
