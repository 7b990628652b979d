import { tabTitle } from './tab-title';

describe('tabTitle', () => {
  it('is the room when everything is read', () => {
    expect(tabTitle('standup', 0)).toBe('standup · Parley');
  });

  it('puts the unread count in front', () => {
    expect(tabTitle('standup', 3)).toBe('(3) standup · Parley');
  });
});
