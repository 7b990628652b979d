import { jest } from '@jest/globals';
import { Deadlines } from './deadlines.js';

describe(Deadlines.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('expires each item its delay after it was added, in order, on one timer', () => {
    const expired: string[] = [];
    const sut = new Deadlines<string>(1_000, (item) => expired.push(item));
    sut.add('a');
    jest.advanceTimersByTime(400);
    sut.add('b');
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(599);
    expect(expired).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toEqual(['a']);
    jest.advanceTimersByTime(400);
    expect(expired).toEqual(['a', 'b']);
    expect(jest.getTimerCount()).toBe(0);
    sut.add('c');
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual(['a', 'b', 'c']);
  });

  it('expires nothing deleted, and holds nothing once due or deleted', () => {
    const expired: string[] = [];
    const sut = new Deadlines<string>(1_000, (item) => expired.push(item));
    sut.add('a');
    sut.add('b');
    sut.delete('a');
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual(['b']);
    // Nothing left: the timer is not armed again.
    expect(jest.getTimerCount()).toBe(0);
    sut.add('c');
    sut.delete('c');
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual(['b']);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('counts a deadline set again from then', () => {
    const expired: string[] = [];
    const sut = new Deadlines<string>(1_000, (item) => expired.push(item));
    sut.add('a');
    sut.add('b');
    jest.advanceTimersByTime(500);
    sut.add('a');
    jest.advanceTimersByTime(500);
    expect(expired).toEqual(['b']);
    jest.advanceTimersByTime(500);
    expect(expired).toEqual(['b', 'a']);
  });

  it('expires nothing once cleared', () => {
    const expired: number[] = [];
    const sut = new Deadlines<number>(100, (item) => expired.push(item));
    for (let i = 0; i < 3; i++) sut.add(i);
    sut.clear();
    jest.advanceTimersByTime(1_000);
    expect(expired).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
