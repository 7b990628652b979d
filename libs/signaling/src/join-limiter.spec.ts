import { resolveSignalingOptions } from './signaling.constants.js';
import { JoinLimiter } from './join-limiter.js';

describe(JoinLimiter.name, () => {
  let sut: JoinLimiter;
  const t0 = 1_000_000;

  beforeEach(() => {
    sut = new JoinLimiter(resolveSignalingOptions({}));
  });

  afterEach(() => sut.onModuleDestroy());

  /** Tries `count` different rooms from `ip`, one every `everyMs`, joining each one allowed. */
  function probe(ip: string, count: number, everyMs: number, start = t0): number {
    let allowed = 0;
    for (let i = 0; i < count; i++) {
      const now = start + i * everyMs;
      if (sut.allow(ip, `room-${i}`, now)) {
        allowed++;
        sut.joined(ip, `room-${i}`, now);
      }
    }
    return allowed;
  }

  it('lets one address into 20 new rooms at once, then 20 a minute: 36,000 rooms take more than a day', () => {
    expect(probe('192.0.2.1', 1_000, 10)).toBe(20 + Math.floor((999 * 10 * 20) / 60_000));
    const perHour = probe('192.0.2.2', 36_000, 100);
    expect(perHour).toBeLessThanOrEqual(20 + 20 * 60);
    expect(perHour).toBeLessThan(36_000 / 24);
  });

  it('never counts a return to a room joined from the same address within the hour', () => {
    expect(probe('192.0.2.1', 20, 0)).toBe(20);
    expect(sut.allow('192.0.2.1', 'new', t0)).toBe(false);
    for (let i = 0; i < 500; i++) expect(sut.allow('192.0.2.1', `room-${i % 20}`, t0 + i * 1_000)).toBe(true);
    // After an hour without joining it, a room is new again.
    const later = t0 + 2 * 60 * 60_000;
    sut.sweep(later);
    expect(probe('192.0.2.1', 21, 0, later)).toBe(20);
  });

  it('keeps addresses apart, and forgets an address once it has nothing to remember', () => {
    expect(probe('192.0.2.1', 30, 0)).toBe(20);
    expect(probe('2001:db8::1', 30, 0)).toBe(20);
    expect(sut.size).toBe(2);
    sut.sweep(t0 + 2 * 60 * 60_000);
    expect(sut.size).toBe(0);
  });

  it('follows newRoomJoinsPerIp', () => {
    sut = new JoinLimiter(resolveSignalingOptions({ newRoomJoinsPerIp: { burst: 2, perMinute: 60 } }));
    expect(probe('192.0.2.1', 10, 0)).toBe(2);
    expect(sut.allow('192.0.2.1', 'next', t0 + 1_000)).toBe(true);
  });
});
