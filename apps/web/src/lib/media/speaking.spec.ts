import { audioEnergy, levelBetween, SpeakerDetector } from './speaking';

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
  const report = (entries: object[]) => new Map(entries.map((entry, i) => [String(i), entry])) as unknown as RTCStatsReport;

  it('sums the audio energy of one kind of stream', () => {
    const stats = report([
      { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 0.5, totalSamplesDuration: 10 },
      { type: 'inbound-rtp', kind: 'audio', totalAudioEnergy: 0.25, totalSamplesDuration: 10 },
      { type: 'inbound-rtp', kind: 'video', totalAudioEnergy: 9 },
      { type: 'media-source', kind: 'audio', totalAudioEnergy: 2, totalSamplesDuration: 4 },
    ]);
    expect(audioEnergy(stats, 'inbound-rtp')).toEqual({ energy: 0.75, seconds: 20 });
    expect(audioEnergy(stats, 'media-source')).toEqual({ energy: 2, seconds: 4 });
  });

  it('leaves out the sound of a shared screen (ours or theirs): it is not anyone speaking', () => {
    const stats = report([
      { type: 'inbound-rtp', kind: 'audio', trackIdentifier: 'voice', totalAudioEnergy: 0.5, totalSamplesDuration: 10 },
      { type: 'inbound-rtp', kind: 'audio', trackIdentifier: 'their-tab', totalAudioEnergy: 8, totalSamplesDuration: 10 },
      { type: 'media-source', kind: 'audio', trackIdentifier: 'mic', totalAudioEnergy: 2, totalSamplesDuration: 4 },
      { type: 'media-source', kind: 'audio', trackIdentifier: 'our-tab', totalAudioEnergy: 9, totalSamplesDuration: 4 },
    ]);
    const notVoices = new Set(['their-tab', 'our-tab']);
    expect(audioEnergy(stats, 'inbound-rtp', notVoices)).toEqual({ energy: 0.5, seconds: 10 });
    expect(audioEnergy(stats, 'media-source', notVoices)).toEqual({ energy: 2, seconds: 4 });
  });

  it('hears a short loud sound between two readings that an instantaneous level could miss', () => {
    // 40 ms at full level in a 200 ms window.
    const level = levelBetween({ energy: 1, seconds: 10 }, { energy: 1 + 1 * 0.04, seconds: 10.2 });
    expect(level).toBeCloseTo(Math.sqrt(0.2), 5);
    expect(level).toBeGreaterThan(0.02);
  });

  it('is silent without a previous reading or without new audio', () => {
    expect(levelBetween(undefined, { energy: 5, seconds: 10 })).toBe(0);
    expect(levelBetween({ energy: 5, seconds: 10 }, { energy: 5, seconds: 10 })).toBe(0);
  });
});
