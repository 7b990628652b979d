import { BackoffReconnectPolicy } from './reconnect-policy';

describe(BackoffReconnectPolicy.name, () => {
  it('grows the delay exponentially up to the cap', () => {
    const sut = new BackoffReconnectPolicy({ jitter: 0, initialDelayMs: 100, maxDelayMs: 1000 });
    const delays = [0, 1, 2, 3, 4, 5].map((retryCount) => sut.nextRetryDelayInMs({ retryCount, elapsedMs: 0 }));
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('keeps jitter within the configured fraction', () => {
    const low = new BackoffReconnectPolicy({ jitter: 0.5, initialDelayMs: 1000, random: () => 0 });
    const high = new BackoffReconnectPolicy({ jitter: 0.5, initialDelayMs: 1000, maxDelayMs: 10_000, random: () => 0.999999 });
    expect(low.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).toBe(500);
    expect(high.nextRetryDelayInMs({ retryCount: 0, elapsedMs: 0 })).toBe(1500);
  });

  it('never exceeds the cap, even with jitter', () => {
    const sut = new BackoffReconnectPolicy({ jitter: 0.5, maxDelayMs: 2000, random: () => 0.999999 });
    expect(sut.nextRetryDelayInMs({ retryCount: 8, elapsedMs: 0 })).toBeLessThanOrEqual(2000);
  });

  it('spreads delays between retries of different clients', () => {
    const sut = new BackoffReconnectPolicy();
    const delays = new Set(Array.from({ length: 20 }, () => sut.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })));
    expect(delays.size).toBeGreaterThan(1);
  });

  it('gives up after the maximum number of retries', () => {
    const sut = new BackoffReconnectPolicy({ maxRetries: 3 });
    expect(sut.nextRetryDelayInMs({ retryCount: 2, elapsedMs: 0 })).not.toBeNull();
    expect(sut.nextRetryDelayInMs({ retryCount: 3, elapsedMs: 0 })).toBeNull();
  });

  it('gives up once too much time has passed', () => {
    const sut = new BackoffReconnectPolicy({ maxElapsedMs: 5000 });
    expect(sut.nextRetryDelayInMs({ retryCount: 1, elapsedMs: 5000 })).toBeNull();
  });

  it('by default gives up after about a minute of failed attempts, even with the longest jitter', () => {
    for (const random of [() => 0, () => 0.999999]) {
      const sut = new BackoffReconnectPolicy({ random });
      let elapsedMs = 0;
      let retryCount = 0;
      for (let delay = sut.nextRetryDelayInMs({ retryCount, elapsedMs }); delay !== null;) {
        elapsedMs += delay;
        delay = sut.nextRetryDelayInMs({ retryCount: ++retryCount, elapsedMs });
      }
      expect(elapsedMs).toBeGreaterThan(30_000);
      expect(elapsedMs).toBeLessThanOrEqual(70_000);
    }
  });
});
