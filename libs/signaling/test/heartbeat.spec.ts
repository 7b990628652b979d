import type { Socket } from 'node:net';
import { ResumeTokens } from '../src/resume-tokens.js';
import { TestApp } from './test-app.js';
import type { TestClient } from './test-client.js';

/** A ping frame from the server (unmasked, no payload): FIN + opcode 0x9, length 0. */
const PING = Buffer.from([0x89, 0x00]);

/** Every chunk the client's TCP socket reads, as it arrives: what the server wrote together arrives together. */
function chunksOf(client: TestClient): Buffer[] {
  const chunks: Buffer[] = [];
  (client.socket as unknown as { _socket: Socket })._socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return chunks;
}

/** A chunk where a ping is followed at once by a text frame (opcode 0x1) holding `text`. */
const pingWith = (chunks: Buffer[], text: string) =>
  chunks.some((chunk) => {
    const at = chunk.indexOf(PING);
    return at >= 0 && chunk[at + 2] === 0x81 && chunk.includes(text, at);
  });

/** Peers from `TestApp.manyJoined`, with every chunk each one's socket reads. */
async function manyPeers(app: TestApp, count: number) {
  return (await app.manyJoined(count, 'many')).map((peer) => ({ ...peer, chunks: chunksOf(peer.client) }));
}

describe('the heartbeat', () => {
  let sut: TestApp;

  afterEach(async () => {
    await sut.close();
  });

  it("sends a sweep's ping with the socket's next frame, in the same write", async () => {
    sut = await TestApp.start({ heartbeatMs: 1_000, resumeRotateMs: 3_600_000 });
    const ada = await sut.joined('beat', 'Ada');
    const bob = await sut.joined('beat', 'Bob');
    const chunks = chunksOf(ada.client);
    const pinged = new Promise((resolve) => ada.client.socket.once('ping', resolve));
    // A signal every 50 ms: the sweep's ping waits at most 200 ms (heartbeatMs / 5) for one.
    const talking = setInterval(() => bob.client.send('signal', { to: ada.id, candidate: null }), 50);
    try {
      await pinged;
    } finally {
      clearInterval(talking);
    }
    expect(pingWith(chunks, '"event":"signal"')).toBe(true);
  });

  it('pings a socket that is sent nothing, alone, and keeps it while it answers', async () => {
    sut = await TestApp.start({ heartbeatMs: 100, resumeRotateMs: 3_600_000 });
    const ada = await sut.joined('quiet', 'Ada');
    let pings = 0;
    ada.client.socket.on('ping', () => pings++);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(ada.client.socket.readyState).toBe(ada.client.socket.OPEN);
  });

  it("rotates resume tokens on the heartbeat's clock, each in one write with its socket's ping", async () => {
    sut = await TestApp.start({ heartbeatMs: 300, resumeRotateMs: 600 });
    const ada = await sut.joined('rotate', 'Ada');
    const chunks = chunksOf(ada.client);
    const first = await ada.client.next('resume-token');
    const second = await ada.client.next('resume-token');
    expect(new Set([ada.joined.resume, first.resume, second.resume]).size).toBe(3);
    const check = sut.app.get(ResumeTokens).verify(second.resume);
    expect(check.ok && check.claims).toMatchObject({ peerId: ada.id, room: 'rotate', name: 'Ada' });
    expect(pingWith(chunks, '"event":"resume-token"')).toBe(true);
  });

  // Lone pings go out a hundred per turn of the event loop, and rotations a hundred peers per turn.
  it('pings more idle sockets than one turn writes, and keeps them all while they answer', async () => {
    sut = await TestApp.start({ heartbeatMs: 200, resumeRotateMs: 3_600_000 });
    const peers = await manyPeers(sut, 250);
    const pings = peers.map(({ client }) => {
      const count = { n: 0 };
      client.socket.on('ping', () => count.n++);
      return count;
    });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(Math.min(...pings.map((p) => p.n))).toBeGreaterThanOrEqual(3);
    expect(peers.flatMap(({ client }, i) => (client.socket.readyState === client.socket.OPEN ? [] : [i]))).toEqual([]);
  });

  it("rotates the tokens of more peers than one turn rotates, each in one write with its socket's ping", async () => {
    sut = await TestApp.start({ heartbeatMs: 1_000, resumeRotateMs: 2_000 });
    const peers = await manyPeers(sut, 250);
    const tokens = await Promise.all(peers.map(({ client }) => client.next('resume-token', 5_000)));
    expect(new Set(tokens.map((t) => t.resume)).size).toBe(250);
    // The peers whose new token did not go out in one write with a ping:
    expect(peers.flatMap(({ chunks }, i) => (pingWith(chunks, '"event":"resume-token"') ? [] : [i]))).toEqual([]);
  });
});
