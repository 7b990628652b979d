import type { Peer } from '@parley/protocol';
import { presenceChanges, QUIET_ABOVE, soundsOn } from './presence';

const peer = (id: string): Peer => ({ id, name: id.toUpperCase(), media: { audio: true, video: true, screen: false }, connection: 'online' });

describe('presenceChanges', () => {
  it('tells who came and who went, by id', () => {
    const changes = presenceChanges([peer('a'), peer('b')], [peer('b'), peer('c')]);
    expect(changes.joined.map((p) => p.id)).toEqual(['c']);
    expect(changes.left.map((p) => p.id)).toEqual(['a']);
  });

  it('sees no change when only someone’s media or name changed', () => {
    expect(presenceChanges([peer('a')], [{ ...peer('a'), name: 'Ada' }])).toEqual({ joined: [], left: [] });
  });
});

describe('soundsOn', () => {
  it('is on in a small mesh room and off in a big one or through the SFU', () => {
    expect(soundsOn(null, 2, 'mesh')).toBe(true);
    expect(soundsOn(null, QUIET_ABOVE, 'mesh')).toBe(true);
    expect(soundsOn(null, QUIET_ABOVE + 1, 'mesh')).toBe(false);
    expect(soundsOn(null, 3, 'sfu')).toBe(false);
  });

  it('follows the person’s own choice either way', () => {
    expect(soundsOn(true, 30, 'sfu')).toBe(true);
    expect(soundsOn(false, 2, 'mesh')).toBe(false);
  });
});
