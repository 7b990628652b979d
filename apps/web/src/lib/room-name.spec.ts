import { jest } from '@jest/globals';
import { randomRoomName } from './random-room-name';
import { isValidRoomName, parseRoomInput } from './room-name';

const SHAPE = /^[a-z]{2,7}-[a-z]{2,7}-[a-z]{2,7}-[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/;

/** A fill that writes `bytes` (then zeros), as crypto.getRandomValues would write random ones. */
const fixed =
  (...bytes: number[]) =>
  (target: Uint8Array) => {
    target.fill(0).set(bytes.slice(0, target.length));
    return target;
  };

describe('room names', () => {
  it('generates valid names of three words and a base32 tail', () => {
    for (let i = 0; i < 200; i++) {
      const name = randomRoomName();
      expect(name).toMatch(SHAPE);
      expect(isValidRoomName(name)).toBe(true);
      expect(name.length).toBeLessThanOrEqual(40);
    }
    expect(randomRoomName(fixed())).toBe('brave-otter-lake-00000-00000');
    expect(randomRoomName(fixed(63, 63, 63, 31, 31, 31, 31, 31, 31, 31, 31, 31, 31))).toBe('jaunty-ferret-bluff-zzzzz-zzzzz');
  });

  it('draws from the CSPRNG, not Math.random', () => {
    const random = jest.spyOn(Math, 'random');
    const getRandomValues = jest.spyOn(globalThis.crypto, 'getRandomValues');
    randomRoomName();
    expect(random).not.toHaveBeenCalled();
    expect(getRandomValues).toHaveBeenCalledTimes(1);
    random.mockRestore();
    getRandomValues.mockRestore();
  });

  // Each random byte picks one part on its own, so the parts multiply: 64^3 * 32^10 = 2^68 names.
  it('carries at least 64 bits: every byte position chooses among 64 words or 32 characters', () => {
    let bits = 0;
    for (let position = 0; position < 13; position++) {
      const names = new Set<string>();
      for (let value = 0; value < 256; value++) {
        const bytes = new Array(13).fill(0);
        bytes[position] = value;
        names.add(randomRoomName(fixed(...bytes)));
      }
      expect(names.size).toBe(position < 3 ? 64 : 32);
      bits += Math.log2(names.size);
    }
    expect(bits).toBeGreaterThanOrEqual(64);
  });

  it('never repeats across many names', () => {
    const names = new Set(Array.from({ length: 10_000 }, () => randomRoomName()));
    expect(names.size).toBe(10_000);
  });

  it('validates the protocol pattern', () => {
    expect(isValidRoomName('team_sync-1')).toBe(true);
    expect(isValidRoomName('')).toBe(false);
    expect(isValidRoomName('a'.repeat(65))).toBe(false);
    expect(isValidRoomName('has space')).toBe(false);
    expect(isValidRoomName('émile')).toBe(false);
  });

  it('accepts a name or a pasted invite link', () => {
    expect(parseRoomInput('  brave-otter-42 ')).toBe('brave-otter-42');
    expect(parseRoomInput('https://parley.example/r/brave-otter-lake-k7m3q-9x2pd?x=1')).toBe('brave-otter-lake-k7m3q-9x2pd');
    expect(parseRoomInput('https://parley.example/r/bad%20name')).toBeNull();
    expect(parseRoomInput('no/slashes')).toBeNull();
  });
});
