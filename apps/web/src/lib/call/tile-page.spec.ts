import { layerFor, slotsFor, stripSlotsFor, tileOrder, tilePage, tileWidthFor } from './tile-page';

const peers = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const none = new Set<string>();

describe(tileOrder.name, () => {
  it.each([
    ['arrival order without a speaker or pins', null, [], ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
    ['pinned people first, in arrival order', null, ['f', 'c'], ['c', 'f', 'a', 'b', 'd', 'e', 'g']],
    ['the speaker right after the pinned', 'e', ['f'], ['f', 'e', 'a', 'b', 'c', 'd', 'g']],
    ['a pinned speaker stays among the pinned', 'f', ['f'], ['f', 'a', 'b', 'c', 'd', 'e', 'g']],
    ['a speaker who is not in the call changes nothing', 'zz', [], ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
    ['a pin of someone who left changes nothing', null, ['zz'], ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
  ])('%s', (_, speaker, pinned, expected) => {
    expect(tileOrder(peers, speaker, new Set(pinned))).toEqual(expected);
  });

  it('leaves a speaker already within the first page where they are', () => {
    expect(tileOrder(peers, 'c', none, 4)).toEqual(peers);
    expect(tileOrder(peers, 'e', none, 4)).toEqual(['e', 'a', 'b', 'c', 'd', 'f', 'g']);
    expect(tileOrder(peers, 'c', new Set(['f', 'g']), 4)).toEqual(['f', 'g', 'c', 'a', 'b', 'd', 'e']);
  });
});

describe(tilePage.name, () => {
  it('shows everyone, without "+N", when all fit', () => {
    expect(tilePage({ peers: ['a', 'b'], speaker: null, pinned: none, slots: 3, page: 0 })).toEqual({
      visible: ['a', 'b'],
      hidden: 0,
      page: 0,
      pages: 1,
    });
    expect(tilePage({ peers: [], speaker: 'a', pinned: none, slots: 2, page: 3 })).toEqual({ visible: [], hidden: 0, page: 0, pages: 1 });
  });

  it('keeps a slot for the local tile and one for "+N" when not everyone fits', () => {
    // Six slots: the local tile, four people, "+3".
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 6, page: 0 })).toEqual({
      visible: ['a', 'b', 'c', 'd'],
      hidden: 3,
      page: 0,
      pages: 2,
    });
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 6, page: 1 })).toEqual({ visible: ['e', 'f', 'g'], hidden: 4, page: 1, pages: 2 });
  });

  it('wraps pages past either end', () => {
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 6, page: 2 }).page).toBe(0);
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 6, page: -1 }).page).toBe(1);
  });

  it('brings a speaker from a later page onto the first; one already there keeps their place', () => {
    expect(tilePage({ peers, speaker: 'g', pinned: none, slots: 6, page: 0 }).visible).toEqual(['g', 'a', 'b', 'c']);
    expect(tilePage({ peers, speaker: 'c', pinned: none, slots: 6, page: 0 }).visible).toEqual(['a', 'b', 'c', 'd']);
  });

  it('shows the pinned on every page, paging the others after them', () => {
    const pinned = new Set(['g']);
    expect(tilePage({ peers, speaker: null, pinned, slots: 6, page: 0 })).toEqual({ visible: ['g', 'a', 'b', 'c'], hidden: 3, page: 0, pages: 2 });
    expect(tilePage({ peers, speaker: null, pinned, slots: 6, page: 1 })).toEqual({ visible: ['g', 'd', 'e', 'f'], hidden: 3, page: 1, pages: 2 });
  });

  it('shows only the pinned when they fill the page', () => {
    const pinned = new Set(['a', 'b', 'c', 'd', 'e']);
    expect(tilePage({ peers, speaker: 'g', pinned, slots: 4, page: 1 })).toEqual({ visible: ['a', 'b'], hidden: 5, page: 0, pages: 1 });
  });

  it('always shows someone, however small the screen', () => {
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 1, page: 0 })).toMatchObject({ visible: ['a'], hidden: 6, pages: 7 });
    expect(tilePage({ peers, speaker: null, pinned: none, slots: 2, page: 0 })).toMatchObject({ visible: ['a'], hidden: 6 });
  });
});

describe(slotsFor.name, () => {
  it.each([
    [1280, 720, 12],
    [1920, 1080, 24],
    [400, 700, 2],
    [320, 480, 2],
  ])('%d×%d fits %d tiles', (width, height, slots) => {
    expect(slotsFor(width, height)).toBe(slots);
  });
});

describe(stripSlotsFor.name, () => {
  // 1280×760: a 471 px large tile leaves one row of five 192 px tiles; a phone has two to a row, below a 201 px one.
  it.each([
    [1280, 760, 5],
    [1920, 1080, 10],
    [390, 844, 8],
    [320, 480, 2],
  ])('%d×%d fits %d small tiles below the large one', (width, height, slots) => {
    expect(stripSlotsFor(width, height)).toBe(slots);
  });
});

describe(layerFor.name, () => {
  it.each([
    [900, 1, 2],
    [640, 1, 2],
    [400, 1, 1],
    [400, 2, 2],
    [300, 1, 0],
    [200, 2, 1],
  ])('a tile %d px wide at ratio %d takes layer %d', (width, ratio, layer) => {
    expect(layerFor(width, ratio)).toBe(layer);
  });
});

describe(tileWidthFor.name, () => {
  it('splits the width among the columns that fit', () => {
    expect(tileWidthFor(1280, 1)).toBe(1248);
    expect(tileWidthFor(1280, 2)).toBe(618);
    expect(tileWidthFor(1280, 12)).toBe(303);
  });
});
