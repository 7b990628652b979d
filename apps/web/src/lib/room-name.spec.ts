import { isValidRoomName, parseRoomInput, randomRoomName } from './room-name';

describe('room names', () => {
  it('generates valid readable names', () => {
    for (let i = 0; i < 50; i++) expect(randomRoomName()).toMatch(/^[a-z]+-[a-z]+-\d{2}$/);
    expect(randomRoomName(() => 0)).toBe('brave-otter-10');
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
    expect(parseRoomInput('https://parley.example/r/brave-otter-42?x=1')).toBe('brave-otter-42');
    expect(parseRoomInput('https://parley.example/r/bad%20name')).toBeNull();
    expect(parseRoomInput('no/slashes')).toBeNull();
  });
});
