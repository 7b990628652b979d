import { levelOf } from './mic-level';

describe('levelOf', () => {
  it('is 0 for silence and nothing', () => {
    expect(levelOf(new Float32Array(64))).toBe(0);
    expect(levelOf([])).toBe(0);
  });

  it('is 100 at full scale', () => {
    expect(levelOf(new Float32Array(64).fill(1))).toBe(100);
    expect(levelOf(Float32Array.from({ length: 64 }, (_, i) => (i % 2 ? 1 : -1)))).toBe(100);
  });

  it('rises in decibels: -30 dBFS is half way, -60 dBFS and below is empty', () => {
    expect(levelOf(new Float32Array(64).fill(10 ** (-30 / 20)))).toBe(50);
    expect(levelOf(new Float32Array(64).fill(10 ** (-60 / 20)))).toBe(0);
    expect(levelOf(new Float32Array(64).fill(0.0001))).toBe(0);
  });
});
