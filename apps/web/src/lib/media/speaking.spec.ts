import { localLevel, receiverLevel, SpeakerDetector } from './speaking';

const levels = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe(SpeakerDetector.name, () => {
  it('gives the first voice the ring at once', () => {
    const sut = new SpeakerDetector();
    expect(sut.update(levels({ a: 0, b: 0 }), 0)).toEqual({ speaking: new Set(), active: null });
    const state = sut.update(levels({ a: 0.3, b: 0 }), 100);
    expect([...state.speaking]).toEqual(['a']);
    expect(state.active).toBe('a');
  });

  it('keeps someone speaking through a short pause between words', () => {
    const sut = new SpeakerDetector({ holdMs: 500 });
    sut.update(levels({ a: 0.3 }), 0);
    expect(sut.update(levels({ a: 0 }), 400).speaking.has('a')).toBe(true);
    expect(sut.update(levels({ a: 0 }), 600).speaking.has('a')).toBe(false);
  });

  it('keeps the ring on the last speaker through silence', () => {
    const sut = new SpeakerDetector({ holdMs: 300 });
    sut.update(levels({ a: 0.3, b: 0 }), 0);
    expect(sut.update(levels({ a: 0, b: 0 }), 2000).active).toBe('a');
  });

  it('does not hand the ring over for a cough, but does for someone who keeps talking', () => {
    const sut = new SpeakerDetector({ holdMs: 300, switchMs: 600 });
    sut.update(levels({ a: 0.3, b: 0 }), 0);
    sut.update(levels({ a: 0, b: 0 }), 1000);
    expect(sut.update(levels({ a: 0, b: 0.4 }), 1100).active).toBe('a');
    expect(sut.update(levels({ a: 0, b: 0.4 }), 1400).active).toBe('a');
    expect(sut.update(levels({ a: 0, b: 0.4 }), 1700).active).toBe('b');
  });

  it('does not take the ring from someone who is still talking', () => {
    const sut = new SpeakerDetector({ switchMs: 200 });
    sut.update(levels({ a: 0.3, b: 0 }), 0);
    for (let t = 100; t <= 1000; t += 100) expect(sut.update(levels({ a: 0.2, b: 0.5 }), t).active).toBe('a');
  });

  it('picks the loudest when several start at once', () => {
    const sut = new SpeakerDetector();
    expect(sut.update(levels({ a: 0.1, b: 0.6, c: 0.3 }), 0).active).toBe('b');
  });

  it('forgets someone who left', () => {
    const sut = new SpeakerDetector();
    sut.update(levels({ a: 0.3 }), 0);
    sut.forget('a');
    expect(sut.update(levels({}), 10)).toEqual({ speaking: new Set(), active: null });
    sut.update(levels({ b: 0.3 }), 20);
    expect(sut.update(levels({}), 30).active).toBeNull();
  });
});

describe('levels', () => {
  it('reads the loudest contributing source of a receiver', () => {
    expect(receiverLevel({ getSynchronizationSources: () => [{ audioLevel: 0.1 }, { audioLevel: 0.4 }] as never })).toBe(0.4);
    expect(receiverLevel({ getSynchronizationSources: () => [] })).toBe(0);
    expect(receiverLevel(null)).toBe(0);
  });

  it('reads the microphone level from media-source stats', async () => {
    const stats = new Map([
      ['a', { type: 'media-source', kind: 'audio', audioLevel: 0.25 }],
      ['v', { type: 'media-source', kind: 'video' }],
    ]);
    expect(await localLevel({ getStats: async () => stats as unknown as RTCStatsReport })).toBe(0.25);
  });
});
