import { createHmac } from 'node:crypto';
import { resolveSignalingOptions } from './signaling.constants.js';
import { ResumeTokens } from './resume-tokens.js';

describe(ResumeTokens.name, () => {
  const sut = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'secret' }));
  const claims = { peerId: 'p1', room: 'r1', name: 'Ada', subject: 'user-1' };

  it('verifies what it issued, with a fresh id each time', () => {
    const { token, id } = sut.issue(claims);
    expect(sut.verify(token)).toEqual({ ok: true, claims: { ...claims, id, expiresAt: expect.any(Number) } });
    expect(sut.issue(claims).id).not.toBe(id);
  });

  it('lives the grace window, two rotations and a restart: minutes, not a day', () => {
    const now = 1_000_000;
    const { token } = sut.issue(claims, now);
    expect(sut.verify(token, now)).toMatchObject({ ok: true, claims: { expiresAt: now + 20_000 + 2 * 30_000 + 60_000 } });
    expect(sut.verify(token, now + sut.ttlMs)).toEqual({ ok: false, reason: 'expired' });
  });

  it('accepts tokens of another instance with the same secret', () => {
    const other = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'secret' }));
    expect(other.verify(sut.issue(claims).token).ok).toBe(true);
  });

  it('rejects a token signed with another secret, or with altered claims', () => {
    const stranger = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'other' }));
    expect(stranger.verify(sut.issue(claims).token)).toEqual({ ok: false, reason: 'forged' });

    const [, signature] = sut.issue(claims).token.split('.');
    const altered = Buffer.from(JSON.stringify({ ...claims, room: 'r2', expiresAt: Date.now() + 1e6 })).toString('base64url');
    expect(sut.verify(`${altered}.${signature}`)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects an expired or malformed token, and signed claims of the wrong shape', () => {
    const { token } = sut.issue(claims, Date.now() - 25 * 60 * 60 * 1000);
    expect(sut.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(sut.verify('garbage')).toEqual({ ok: false, reason: 'malformed' });
    expect(sut.verify('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
    const sign = (body: string) => `${body}.${createHmac('sha256', 'secret').update(body).digest('base64url')}`;
    for (const bad of ['not json', '{"peerId":"p1","room":"r1","name":"A","expiresAt":1e15}', 'null', '[]']) {
      expect(sut.verify(sign(Buffer.from(bad).toString('base64url')))).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
