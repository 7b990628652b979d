/**
 * The pool across two real Janus processes: least-loaded placement, a server that stops
 * answering (SIGSTOP) reported with its rooms and replaced, its return, and two Parley
 * instances sharing one VideoRoom through the stored assignment.
 */
import type { RTCPeerConnection } from 'werift';
import { JanusPool } from '../src/sfu/janus-pool.js';
import { SfuError, SfuErrorKind } from '../src/sfu/sfu-errors.js';
import { janusMissing, startJanus, type JanusProcess } from './janus-process.js';
import { RecordingLogger, connectPublisher, nextEvent } from './janus-peers.js';
import { publisherOffer } from './janus-sdp.js';

const describeJanus = janusMissing ? describe.skip : describe;

describeJanus(`${JanusPool.name} with two Janus servers`, () => {
  let janus: JanusProcess[] = [];
  const pools: JanusPool[] = [];
  const pcs: RTCPeerConnection[] = [];

  beforeEach(async () => {
    janus = await Promise.all([startJanus(), startJanus()]);
  });

  afterEach(async () => {
    await Promise.all(pcs.splice(0).map((pc) => pc.close()));
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    await Promise.all(janus.map((process) => process.stop()));
  });

  async function pool(servers = janus): Promise<JanusPool> {
    const sut = new JanusPool({
      servers: servers.map((process) => ({ url: process.url, apiSecret: process.apiSecret })),
      logger: new RecordingLogger(),
      keepaliveIntervalMs: 300,
      keepaliveTimeoutMs: 1000,
      reconnectIntervalMs: 500,
    });
    pools.push(sut);
    expect(await sut.start()).toBe(servers.length);
    return sut;
  }

  it('puts each new room on the server with the fewest participants', async () => {
    const sut = await pool();
    const first = await sut.ensureRoom('r1');
    await sut.publish('r1', 'peer-1', publisherOffer());
    await sut.publish('r1', 'peer-2', publisherOffer());
    const other = janus.map((p) => p.url).find((url) => url !== first.server)!;

    expect((await sut.ensureRoom('r2')).server).toBe(other); // 0 participants against 2
    expect((await sut.ensureRoom('r3')).server).toBe(other); // still 0 against 2
    for (const peer of ['peer-3', 'peer-4', 'peer-5']) await sut.publish('r2', peer, publisherOffer());
    expect((await sut.ensureRoom('r4')).server).toBe(first.server); // 2 against 3
  });

  it('reports a server that stops answering keepalives with its rooms, and moves them', async () => {
    const sut = await pool();
    const r1 = await sut.ensureRoom('r1');
    await sut.publish('r1', 'peer-1', publisherOffer());
    const r2 = await sut.ensureRoom('r2');
    expect(r2.server).not.toBe(r1.server);
    const frozen = janus.find((p) => p.url === r1.server)!;
    const lost = nextEvent(sut, 'server-lost', () => true, 5000);

    frozen.pause();

    expect(await lost).toEqual({ server: r1.server, rooms: ['r1'] });
    expect(sut.liveServers()).toEqual([r2.server]);
    const error = await sut.publish('r1', 'peer-1', publisherOffer()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SfuError);
    expect((error as SfuError).kind).toBe(SfuErrorKind.Unavailable);
    // The room moves: the stored assignment points at the lost server, so a new one is made.
    const moved = await sut.ensureRoom('r1', r1);
    expect(moved.server).toBe(r2.server);
    expect(moved.janusRoom).not.toBe(r1.janusRoom);
    await expect(sut.publish('r1', 'peer-1', publisherOffer())).resolves.toMatch(/^v=0/);
    await expect(sut.publish('r2', 'peer-2', publisherOffer())).resolves.toMatch(/^v=0/);

    const back = nextEvent(sut, 'server-up', (e) => e.server === r1.server, 10_000);
    frozen.resume();
    await back;
    expect(sut.liveServers().sort()).toEqual(janus.map((p) => p.url).sort());
  });

  it('lets a second Parley instance use the same VideoRoom through the stored assignment', async () => {
    const one = await pool([janus[0]!]);
    const two = await pool([janus[0]!]);
    const assignment = await one.ensureRoom('shared');
    pcs.push(await connectPublisher(one, 'shared', 'peer-ada'));

    expect(await two.ensureRoom('shared', assignment)).toEqual(assignment);
    const offer = await two.subscribe('shared', 'peer-bob', [{ peer: 'peer-ada' }]);

    expect(offer?.streams.map((s) => `${s.peer}/${s.kind}`)).toEqual(['peer-ada/audio', 'peer-ada/video']);
  });
});
