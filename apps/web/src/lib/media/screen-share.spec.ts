import { isScreenTrack } from '../rtc/peer-link';
import { startScreenShare } from './screen-share';

class FakeTrack extends EventTarget {
  constructor(readonly kind: 'audio' | 'video' = 'video') {
    super();
  }
  contentHint = '';
  stopped = 0;
  stop(): void {
    this.stopped++;
  }
}

function display(tracks: FakeTrack[], asked: DisplayMediaStreamOptions[] = []) {
  return async (options: DisplayMediaStreamOptions) => {
    asked.push(options);
    const of = (kind: string) => tracks.filter((t) => t.kind === kind);
    return { getVideoTracks: () => of('video'), getAudioTracks: () => of('audio'), getTracks: () => tracks } as unknown as MediaStream;
  };
}

const createStream = (tracks: MediaStreamTrack[]) => ({ id: 'stream', tracks }) as unknown as MediaStream;

describe('startScreenShare', () => {
  it('gives a detail-hinted track in a stream of its own', async () => {
    const track = new FakeTrack();
    const share = await startScreenShare({ onended: () => {}, getDisplayMedia: display([track]), createStream });
    if ('problem' in share) throw new Error(share.problem);
    expect(share.track).toBe(track);
    expect(track.contentHint).toBe('detail');
    expect(share.stream).toMatchObject({ id: 'stream', tracks: [track] });
    expect(share.audio).toBeNull();
  });

  it('asks for the tab’s sound, not the system’s, and sends it in the screen’s stream', async () => {
    const [track, sound] = [new FakeTrack(), new FakeTrack('audio')];
    const asked: DisplayMediaStreamOptions[] = [];
    const share = await startScreenShare({ onended: () => {}, getDisplayMedia: display([track, sound], asked), createStream });
    if ('problem' in share) throw new Error(share.problem);
    expect(asked).toEqual([expect.objectContaining({ audio: true, systemAudio: 'exclude', suppressLocalAudioPlayback: false })]);
    expect(share.audio).toBe(sound);
    expect(share.stream).toMatchObject({ tracks: [track, sound] });
    share.stop();
    expect([track.stopped, sound.stopped]).toEqual([1, 1]);
  });

  it('stops the sound when the browser’s “Stop sharing” ends the screen', async () => {
    const [track, sound] = [new FakeTrack(), new FakeTrack('audio')];
    let ended = 0;
    const share = await startScreenShare({ onended: () => ended++, getDisplayMedia: display([track, sound]), createStream });
    if ('problem' in share) throw new Error(share.problem);
    track.dispatchEvent(new Event('ended'));
    expect(ended).toBe(1);
    expect(sound.stopped).toBe(1);
  });

  it('reports the browser’s own “Stop sharing”, but not a stop asked for here', async () => {
    const track = new FakeTrack();
    let ended = 0;
    const share = await startScreenShare({ onended: () => ended++, getDisplayMedia: display([track]), createStream });
    if ('problem' in share) throw new Error(share.problem);
    track.dispatchEvent(new Event('ended'));
    track.dispatchEvent(new Event('ended'));
    expect(ended).toBe(1);

    const other = new FakeTrack();
    const second = await startScreenShare({ onended: () => ended++, getDisplayMedia: display([other]), createStream });
    if ('problem' in second) throw new Error(second.problem);
    second.stop();
    other.dispatchEvent(new Event('ended'));
    expect(ended).toBe(1);
    expect(other.stopped).toBe(1);
  });

  it('tells a cancelled picker from a failure and from no support', async () => {
    const refuse = (name: string) => () => Promise.reject(new DOMException('no', name));
    expect(await startScreenShare({ onended: () => {}, getDisplayMedia: refuse('NotAllowedError') })).toEqual({ problem: 'cancelled' });
    expect(await startScreenShare({ onended: () => {}, getDisplayMedia: refuse('NotReadableError') })).toEqual({ problem: 'failed' });
    expect(await startScreenShare({ onended: () => {}, getDisplayMedia: display([]) })).toEqual({ problem: 'failed' });
    expect(await startScreenShare({ onended: () => {} })).toEqual({ problem: 'unsupported' });
  });
});

describe('isScreenTrack', () => {
  it('is a track that arrives in a stream: the screen, or its sound', () => {
    expect(isScreenTrack({ track: { kind: 'video' }, streams: [{}] })).toBe(true);
    expect(isScreenTrack({ track: { kind: 'audio' }, streams: [{}] })).toBe(true);
    expect(isScreenTrack({ track: { kind: 'video' }, streams: [] })).toBe(false);
    expect(isScreenTrack({ track: { kind: 'audio' }, streams: [] })).toBe(false);
  });
});
