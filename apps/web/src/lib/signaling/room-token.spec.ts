import { takeRoomToken } from './room-token';

describe(takeRoomToken.name, () => {
  it('reads the token from the fragment and takes it out of the address bar', () => {
    const replaced: string[] = [];
    const token = takeRoomToken(
      { hash: '#token=abc.def.ghi', pathname: '/r/standup', search: '' },
      { replaceState: (_data, _unused, url) => void replaced.push(String(url)) },
    );
    expect(token).toBe('abc.def.ghi');
    expect(replaced).toEqual(['/r/standup']);
  });

  it('leaves a link without a token alone', () => {
    const replaced: string[] = [];
    expect(takeRoomToken({ hash: '', pathname: '/r/standup', search: '' }, { replaceState: () => void replaced.push('x') })).toBeUndefined();
    expect(takeRoomToken({ hash: '#other=1', pathname: '/r/standup', search: '' }, { replaceState: () => void replaced.push('x') })).toBeUndefined();
    expect(replaced).toEqual([]);
  });
});
