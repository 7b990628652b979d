import { resolveSignalingOptions } from './signaling.constants.js';
import { ResumeTokens } from './resume-tokens.js';

describe(ResumeTokens.name, () => {
  const sut = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'secret' }));
  const claims = { peerId: 'p1', room: 'r1', name: 'Ada' };

  it('verifies what it issued', () => {
    expect(sut.verify(sut.issue(claims))).toEqual({ ok: true, claims: { ...claims, expiresAt: expect.any(Number) } });
  });

  it('accepts tokens of another instance with the same secret', () => {
    const other = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'secret' }));
    expect(other.verify(sut.issue(claims)).ok).toBe(true);
  });

  it('rejects a token signed with another secret, or with altered claims', () => {
    const stranger = new ResumeTokens(resolveSignalingOptions({ resumeSecret: 'other' }));
    expect(stranger.verify(sut.issue(claims))).toEqual({ ok: false, reason: 'forged' });

    const [, signature] = sut.issue(claims).split('.');
    const altered = Buffer.from(JSON.stringify({ ...claims, room: 'r2', expiresAt: Date.now() + 1e6 })).toString('base64url');
    expect(sut.verify(`${altered}.${signature}`)).toEqual({ ok: false, reason: 'forged' });
  });

  it('rejects an expired or malformed token', () => {
    const token = sut.issue(claims, Date.now() - 25 * 60 * 60 * 1000);
    expect(sut.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(sut.verify('garbage')).toEqual({ ok: false, reason: 'malformed' });
    expect(sut.verify('a.b.c')).toEqual({ ok: false, reason: 'malformed' });
  });
});
