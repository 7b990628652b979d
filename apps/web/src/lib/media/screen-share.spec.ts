import { isScreenTrack } from '../rtc/peer-link';
import { startScreenShare } from './screen-share';

class FakeTrack extends EventTarget {
  kind = 'video';
  contentHint = '';
  stopped = 0;
  stop(): void {
    this.stopped++;
  }
}

function display(tracks: FakeTrack[]) {
  return async () => ({ getVideoTracks: () => tracks, getTracks: () => tracks }) as unknown as MediaStream;
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
  it('is video that arrives in a stream', () => {
    expect(isScreenTrack({ track: { kind: 'video' }, streams: [{}] })).toBe(true);
    expect(isScreenTrack({ track: { kind: 'video' }, streams: [] })).toBe(false);
    expect(isScreenTrack({ track: { kind: 'audio' }, streams: [{}] })).toBe(false);
  });
});
