import { CloseCode, ErrorCode } from '@parley/protocol';
import { resolveSignalingOptions, RoomService } from '../src/index.js';
import { ResumeTokens } from '../src/resume-tokens.js';
import { TestApp } from './test-app.js';
import { settle, type TestClient } from './test-client.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
const candidate = (i: number) => ({ candidate: `candidate:${i} 1 udp 1 192.0.2.1 ${5000 + i} typ host`, sdpMid: '0', sdpMLineIndex: 0 });

describe('liveness and resume', () => {
  let sut: TestApp;

  afterEach(async () => {
    await sut?.close();
  });

  it('shows a silent peer as reconnecting within 15 s, then removes it after the grace window', async () => {
    sut = await TestApp.start({ resumeGraceMs: 2_000 });
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');

    const silentAt = Date.now();
    bob.client.goSilent();

    const updated = await ada.client.next('peer-updated', 16_000);
    const noticedAfter = Date.now() - silentAt;
    expect(updated.peer).toMatchObject({ id: bob.id, connection: 'reconnecting' });
    // Three 5 s heartbeats at most, plus timer slack on a loaded machine.
    expect(noticedAfter).toBeLessThan(15_500);

    expect(await ada.client.next('peer-left', 3_000)).toEqual({ id: bob.id, reason: 'timeout' });
    expect(Date.now() - silentAt - noticedAfter).toBeGreaterThanOrEqual(1_900);
  }, 25_000);

  it('treats a socket that closed while its join was being authorized as dropped, not as a ghost', async () => {
    sut = await TestApp.start({
      resumeGraceMs: 500,
      authorize: async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return {};
      },
    });
    const ada = await sut.joined('r1', 'Ada');
    const quitter = await sut.client();
    quitter.send('join', { room: 'r1', name: 'Quitter', protocol: 1 });
    quitter.close();

    const joined = await ada.client.next('peer-joined');
    expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: joined.peer.id, connection: 'reconnecting' } });
    expect(await ada.client.next('peer-left')).toEqual({ id: joined.peer.id, reason: 'timeout' });
    expect(await sut.app.get(RoomService).peersOf('r1')).toHaveLength(1);
  });

  it('closes a socket that never joins within 10 s', async () => {
    sut = await TestApp.start();
    const idle = await sut.client();
    const openedAt = Date.now();

    expect((await idle.closed).code).toBe(CloseCode.PolicyViolation);
    expect(Date.now() - openedAt).toBeLessThan(10_500);
  }, 15_000);

  it('resumes within the window with the same id, and replays the signals it missed in order', async () => {
    sut = await TestApp.start({ resumeGraceMs: 5_000 });
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    bob.client.close();
    expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'reconnecting' } });

    ada.client.send('signal', { to: bob.id, description: offer });
    for (let i = 0; i < 5; i++) ada.client.send('signal', { to: bob.id, candidate: candidate(i) });
    await ada.client.roundTrip();

    const back = await sut.client();
    const joined = await back.join('r1', 'Bob', { resume: bob.joined.resume, ref: 'again' });
    expect(joined).toMatchObject({ ref: 'again', resumed: 'session', self: { id: bob.id, name: 'Bob', connection: 'online' } });
    expect(joined.limits.resumeGraceMs).toBe(5_000);
    expect(joined.peers.map((p) => p.id)).toEqual([ada.id]);
    expect(joined.resume).not.toBe(bob.joined.resume);

    expect(await back.next('signal')).toEqual({ from: ada.id, description: offer });
    for (let i = 0; i < 5; i++) expect(await back.next('signal')).toEqual({ from: ada.id, candidate: candidate(i) });
    expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'online' } });
    await settle(5_200);
    expect(ada.client.received.filter((f) => f.event === 'peer-left')).toEqual([]);
  }, 15_000);

  it('lets a resume take over a connection the server has not yet found dead', async () => {
    sut = await TestApp.start();
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    bob.client.goSilent();

    const back = await sut.client();
    expect((await back.join('r1', 'Bob', { resume: bob.joined.resume })).self.id).toBe(bob.id);
    ada.client.send('signal', { to: bob.id, candidate: null });
    expect(await back.next('signal')).toEqual({ from: ada.id, candidate: null });
    expect(sut.app.get(RoomService).size).toEqual({ rooms: 1, peers: 2 });
  });

  it('answers forged, expired, malformed and wrong-room tokens with unauthorized and a reason, then allows a fresh join', async () => {
    sut = await TestApp.start({ resumeSecret: 'secret' });
    const ada = await sut.joined('r1', 'Ada');
    const tokens = sut.app.get(ResumeTokens);
    const claims = { peerId: ada.id, room: 'r1', name: 'Ada' };
    const forged = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'guess' })).issue(claims).token;
    const cases = [
      ['forged', forged],
      ['expired', tokens.issue(claims, Date.now() - 48 * 3600_000).token],
      ['malformed', 'not-a-token'],
      ['wrong-room', ada.joined.resume],
    ] as const;

    const eve = await sut.client();
    for (const [reason, resume] of cases) {
      eve.send('join', { room: reason === 'wrong-room' ? 'r2' : 'r1', name: 'Eve', protocol: 1, resume });
      expect(await eve.next('error')).toMatchObject({
        code: ErrorCode.Unauthorized,
        event: 'join',
        details: [{ field: 'resume', problems: [reason] }],
      });
    }
    const fresh = await eve.join('r1', 'Eve');
    expect(fresh.self.id).not.toBe(ada.id);
    expect((await sut.app.get(RoomService).peersOf('r1')).map((p) => p.id)).toEqual([ada.id, fresh.self.id]);
  });

  it('accepts a token from before a restart when the secret is the same, and restores the id', async () => {
    sut = await TestApp.start({ resumeSecret: 'shared' });
    const ada = await sut.joined('r1', 'Ada');
    const bob = await sut.joined('r1', 'Bob');
    const port = new URL(sut.url).port;
    await sut.close();
    expect((await ada.client.closed).code).toBe(CloseCode.ServiceRestart);

    sut = await TestApp.start({ resumeSecret: 'shared' }, Number(port));
    const adaBack = await sut.client();
    expect((await adaBack.join('r1', 'Ada', { resume: ada.joined.resume })).self.id).toBe(ada.id);
    const bobBack = await sut.client();
    const joined = await bobBack.join('r1', 'Bob', { resume: bob.joined.resume });
    expect(joined.self.id).toBe(bob.id);
    expect(joined.resumed).toBe('token');
    expect(joined.peers.map((p) => p.id)).toEqual([ada.id]);
    expect(await adaBack.next('peer-joined')).toMatchObject({ peer: { id: bob.id } });

    const stranger = await TestApp.start({ resumeSecret: 'other' });
    try {
      const eve = await stranger.client();
      eve.send('join', { room: 'r1', name: 'Ada', protocol: 1, resume: ada.joined.resume });
      expect(await eve.next('error')).toMatchObject({ code: ErrorCode.Unauthorized });
    } finally {
      await stranger.close();
    }
  });

  describe('a resume token works once', () => {
    const refused = async (client: TestClient, problem: string) =>
      expect(await client.next('error')).toMatchObject({
        code: ErrorCode.Unauthorized,
        event: 'join',
        details: [{ field: 'resume', problems: [problem] }],
      });

    it('refuses a token already used, and the resumed peer keeps its socket', async () => {
      sut = await TestApp.start();
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      bob.client.close();
      await ada.client.next('peer-updated');

      const back = await sut.client();
      const resumed = await back.join('r1', 'Bob', { resume: bob.joined.resume });
      expect(resumed.self.id).toBe(bob.id);
      const thief = await sut.client();
      thief.send('join', { room: 'r1', name: 'Bob', protocol: 1, resume: bob.joined.resume });
      await refused(thief, 'used');

      await back.roundTrip();
      ada.client.send('signal', { to: bob.id, candidate: null });
      expect(await back.next('signal')).toEqual({ from: ada.id, candidate: null });
      // The token from the resume is the one that works now.
      const again = await sut.client();
      expect((await again.join('r1', 'Bob', { resume: resumed.resume })).self.id).toBe(bob.id);
      expect((await back.closed).code).toBe(CloseCode.Replaced);
    });

    it('refuses a token of a peer that left, even on a server that no longer holds it', async () => {
      sut = await TestApp.start();
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('leave', {});
      await settle();
      const back = await sut.client();
      back.send('join', { room: 'r1', name: 'Ada', protocol: 1, resume: ada.joined.resume });
      await refused(back, 'revoked');
      expect(await sut.app.get(RoomService).peersOf('r1')).toEqual([]);
    });

    it("refuses another subject's token when rooms need authorization, and the owner stays", async () => {
      // The room token names its subject; anything goes otherwise.
      sut = await TestApp.start({ authorize: ({ token }) => ({ subject: token }) });
      const alice = await sut.client();
      const joined = await alice.join('r1', 'Alice', { token: 'alice' });
      const bob = await sut.client();
      await bob.join('r1', 'Bob', { token: 'bob' });
      await alice.next('peer-joined');

      const bobAgain = await sut.client();
      bobAgain.send('join', { room: 'r1', name: 'Bob', protocol: 1, token: 'bob', resume: joined.resume });
      await refused(bobAgain, 'wrong-subject');
      await alice.roundTrip();
      expect(alice.received).toEqual([]);

      const aliceBack = await sut.client();
      expect((await aliceBack.join('r1', 'Alice', { token: 'alice', resume: joined.resume })).self.id).toBe(joined.self.id);
    });

    it('sends a new token during a call; it works, and one older than the one before does not', async () => {
      sut = await TestApp.start({ resumeRotateMs: 1_000 });
      const ada = await sut.joined('r1', 'Ada');
      const first = await ada.client.next('resume-token');
      const second = await ada.client.next('resume-token');
      expect(new Set([ada.joined.resume, first.resume, second.resume]).size).toBe(3);
      const tokens = sut.app.get(ResumeTokens);
      const check = tokens.verify(second.resume);
      expect(check.ok && check.claims).toMatchObject({ peerId: ada.id, room: 'r1', name: 'Ada' });

      const stale = await sut.client();
      stale.send('join', { room: 'r1', name: 'Ada', protocol: 1, resume: ada.joined.resume });
      await refused(stale, 'used');
      const back = await sut.client();
      const resumed = await back.join('r1', 'Ada', { resume: second.resume });
      expect(resumed).toMatchObject({ resumed: 'session', self: { id: ada.id } });
      expect((await ada.client.closed).code).toBe(CloseCode.Replaced);
      // The new socket gets its own rotations.
      expect((await back.next('resume-token')).resume).not.toBe(resumed.resume);
    });

    it('refuses a pre-restart token used again after the restart rebuilt the peer', async () => {
      sut = await TestApp.start({ resumeSecret: 'shared' });
      const ada = await sut.joined('r1', 'Ada');
      const port = new URL(sut.url).port;
      await sut.close();

      sut = await TestApp.start({ resumeSecret: 'shared' }, Number(port));
      const back = await sut.client();
      expect(await back.join('r1', 'Ada', { resume: ada.joined.resume })).toMatchObject({ resumed: 'token', self: { id: ada.id } });
      const replay = await sut.client();
      replay.send('join', { room: 'r1', name: 'Ada', protocol: 1, resume: ada.joined.resume });
      await refused(replay, 'used');
      await back.roundTrip();
    });
  });
});
