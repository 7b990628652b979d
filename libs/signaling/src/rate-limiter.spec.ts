import { RateLimiter } from './rate-limiter.js';

describe(RateLimiter.name, () => {
  it('allows a burst of signals, then refills over time', () => {
    const sut = new RateLimiter(0);
    for (let i = 0; i < 200; i++) expect(sut.check('signal', 0)).toBe('allow');
    expect(sut.check('signal', 0)).toBe('reject');
    expect(sut.check('signal', 100)).toBe('allow');
  });

  it('counts the SFU events in the signal bucket, with signal', () => {
    const sut = new RateLimiter(0);
    for (const event of ['sfu-publish', 'sfu-answer', 'sfu-candidate', 'signal']) {
      for (let i = 0; i < 50; i++) expect(sut.check(event, 0)).toBe('allow');
    }
    expect(sut.check('sfu-candidate', 0)).toBe('reject');
    expect(sut.check('signal', 0)).toBe('reject');
    expect(sut.check('media', 0)).toBe('allow');
  });

  it('holds chat to 3 per second, separately from signals', () => {
    const sut = new RateLimiter(0);
    for (let i = 0; i < 3; i++) expect(sut.check('chat', 0)).toBe('allow');
    expect(sut.check('chat', 0)).toBe('reject');
    expect(sut.check('signal', 0)).toBe('allow');
    expect(sut.check('chat', 340)).toBe('allow');
  });

  it('puts client-chosen names like valueOf or __proto__ in the general bucket', () => {
    const sut = new RateLimiter(0);
    for (const event of ['valueOf', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(sut.check(event, 0)).toBe('allow');
  });

  it('forgets rejected frames once the 10 s window has passed', () => {
    const sut = new RateLimiter(0);
    for (let i = 0; i < 102; i++) sut.check('chat', 0);
    for (let i = 0; i < 3; i++) expect(sut.check('chat', 10_001)).toBe('allow');
    expect(sut.check('chat', 10_001)).toBe('reject');
  });

  it('calls it abuse after 100 rejected frames within 10 s', () => {
    const sut = new RateLimiter(0);
    const decisions = Array.from({ length: 103 }, () => sut.check('chat', 0));
    expect(decisions.slice(0, 3)).toEqual(['allow', 'allow', 'allow']);
    expect(decisions.slice(3, 102).every((d) => d === 'reject')).toBe(true);
    expect(decisions[102]).toBe('abuse');
  });

  it('counts an invalid frame as five strikes: the 20th within 10 s is abuse', () => {
    const sut = new RateLimiter(0);
    const decisions = Array.from({ length: 20 }, () => sut.invalid(0));
    expect(decisions.slice(0, 19).every((d) => d === 'reject')).toBe(true);
    expect(decisions[19]).toBe('abuse');
    expect(new RateLimiter(0).invalid(0)).toBe('reject');
  });

  it('adds invalid frames and rate-limited frames up in one window', () => {
    const sut = new RateLimiter(0);
    for (let i = 0; i < 3; i++) sut.check('chat', 0);
    for (let i = 0; i < 50; i++) sut.check('chat', 0);
    for (let i = 0; i < 9; i++) expect(sut.invalid(0)).toBe('reject');
    expect(sut.invalid(0)).toBe('abuse');
  });

  it('keeps one limiter per socket', () => {
    const socket = {};
    expect(RateLimiter.of(socket)).toBe(RateLimiter.of(socket));
    expect(RateLimiter.of({})).not.toBe(RateLimiter.of(socket));
  });
});
