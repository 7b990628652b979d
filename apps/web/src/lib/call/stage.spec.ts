import { holdSpeaker, loudest, NO_SPEAKER, smoothLevels, STAGE_HOLD_MS, stageOf, stageView, togglePin, type SpeakerHold } from './stage';

const everyone = () => true;

/** Runs the hold-off over `[ms, loudest]` steps and says who is shown after each. */
function shownOver(steps: [number, string | null][], present: (id: string) => boolean = everyone): (string | null)[] {
  let hold: SpeakerHold = NO_SPEAKER;
  return steps.map(([now, speaker]) => (hold = holdSpeaker(hold, speaker, present, now)).shown);
}

describe(smoothLevels.name, () => {
  it('averages each person over readings, so a gap between words is not silence', () => {
    const first = smoothLevels(new Map(), new Map([['a', 0.5]]));
    expect(first.get('a')).toBe(0.5);
    const gap = smoothLevels(first, new Map([['a', 0]]));
    expect(gap.get('a')).toBeCloseTo(0.35);
  });

  it('drops people no longer read', () => {
    expect([...smoothLevels(new Map([['a', 0.5]]), new Map([['b', 0.1]])).keys()]).toEqual(['b']);
  });
});

describe(loudest.name, () => {
  it('is the loudest voice heard at all, or nobody', () => {
    expect(
      loudest(
        new Map([
          ['a', 0.07],
          ['b', 0.6],
          ['c', 0.3],
        ]),
        0.02,
      ),
    ).toBe('b');
    expect(loudest(new Map([['a', 0.01]]), 0.02)).toBeNull();
    expect(loudest(new Map(), 0.02)).toBeNull();
  });
});

describe(holdSpeaker.name, () => {
  it('puts the first voice on stage at once', () => {
    expect(holdSpeaker(NO_SPEAKER, 'a', everyone, 0)).toEqual({ shown: 'a', candidate: null, since: 0 });
  });

  it('switches to a new speaker only once they stayed the loudest for the hold-off', () => {
    expect(
      shownOver([
        [0, 'a'],
        [1000, 'b'],
        [1000 + STAGE_HOLD_MS - 1, 'b'],
        [1000 + STAGE_HOLD_MS, 'b'],
      ]),
    ).toEqual(['a', 'a', 'a', 'b']);
  });

  it('does not switch for a cough: a short turn, then the speaker again, restarts the wait', () => {
    expect(
      shownOver([
        [0, 'a'],
        [1000, 'b'],
        [1500, 'a'],
        [2000, 'b'],
        [2000 + STAGE_HOLD_MS - 1, 'b'],
      ]),
    ).toEqual(['a', 'a', 'a', 'a', 'a']);
  });

  it('keeps the last speaker through a pause', () => {
    expect(
      shownOver([
        [0, 'a'],
        [5000, null],
        [60_000, null],
      ]),
    ).toEqual(['a', 'a', 'a']);
  });

  it('gives the stage up at once when its speaker left', () => {
    const present = (id: string) => id !== 'a';
    expect(holdSpeaker({ shown: 'a', candidate: 'b', since: 1000 }, 'b', present, 1100).shown).toBe('b');
    expect(holdSpeaker({ shown: 'a', candidate: null, since: 0 }, null, present, 1100).shown).toBeNull();
  });

  it('ignores a speaker who is not in the call', () => {
    expect(holdSpeaker({ shown: 'a', candidate: null, since: 0 }, 'zz', (id) => id !== 'zz', 0)).toEqual({ shown: 'a', candidate: null, since: 0 });
  });
});

describe(stageOf.name, () => {
  const peers = ['a', 'b', 'c'];
  it.each([
    ['the held speaker', [], 'b', 'b'],
    ['the first to arrive before anyone spoke', [], null, 'a'],
    ['a pinned person over the speaker', ['c'], 'b', 'c'],
    ['the last one pinned', ['c', 'a'], 'b', 'a'],
    ['the speaker when the pinned person left', ['zz'], 'b', 'b'],
    ['the first to arrive when the speaker left', [], 'zz', 'a'],
  ])('%s', (_, pinned, speaker, expected) => {
    expect(stageOf({ peers, pinned: new Set(pinned), speaker })).toBe(expected);
  });

  it('is nobody when alone', () => {
    expect(stageOf({ peers: [], pinned: new Set(['a']), speaker: 'a' })).toBeNull();
  });
});

describe(togglePin.name, () => {
  it('pins last and unpins, leaving the set it was given alone', () => {
    const pinned = new Set(['a']);
    expect([...togglePin(pinned, 'b')]).toEqual(['a', 'b']);
    expect([...togglePin(pinned, 'a')]).toEqual([]);
    expect([...pinned]).toEqual(['a']);
  });
});

describe(stageView.name, () => {
  it('asks the stage person at the top layer and the strip at its own', () => {
    const view = [
      { peer: 'a', layer: 1 as const },
      { peer: 'b', layer: 1 as const },
    ];
    expect(stageView(view, 'b', 0)).toEqual([
      { peer: 'b', layer: 2 },
      { peer: 'a', layer: 0 },
    ]);
  });

  it('adds the stage person when the page left them out', () => {
    expect(stageView([{ peer: 'a', layer: 2 }], 'c', 1)).toEqual([
      { peer: 'c', layer: 2 },
      { peer: 'a', layer: 1 },
    ]);
  });
});
