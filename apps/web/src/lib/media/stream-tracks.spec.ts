import { jest } from '@jest/globals';
import { FakeStream, FakeTrack, useFakeStreams } from '../rtc/peer-connection.fake';
import { onTracksChanged, setStreamTracks, tracksOfKind } from './stream-tracks';

useFakeStreams();

const stream = (...tracks: FakeTrack[]) => new FakeStream(tracks) as unknown as MediaStream;
const tracks = (of: MediaStream | null) => [...((of?.getTracks() ?? []) as unknown as FakeTrack[])];

describe('setStreamTracks', () => {
  it('leaves the stream with exactly the wanted tracks and tells its followers once', () => {
    const [mic, camera, newCamera] = [new FakeTrack('audio'), new FakeTrack('video'), new FakeTrack('video')];
    const peer = stream(mic, camera);
    const changed = jest.fn();
    onTracksChanged(peer, changed);

    setStreamTracks(peer, [mic, newCamera] as unknown as MediaStreamTrack[]);

    expect(tracks(peer)).toEqual([mic, newCamera]);
    expect(changed).toHaveBeenCalledTimes(1);
  });

  it('tells nothing when the tracks are already the wanted ones', () => {
    const mic = new FakeTrack('audio');
    const peer = stream(mic);
    const changed = jest.fn();
    onTracksChanged(peer, changed);

    setStreamTracks(peer, [mic] as unknown as MediaStreamTrack[]);

    expect(changed).not.toHaveBeenCalled();
  });

  it('stops telling a follower that stopped', () => {
    const peer = stream();
    const changed = jest.fn();
    onTracksChanged(peer, changed)();

    setStreamTracks(peer, [new FakeTrack('audio')] as unknown as MediaStreamTrack[]);

    expect(changed).not.toHaveBeenCalled();
  });

  it('tells of tracks the browser added, as well', () => {
    const peer = stream();
    const changed = jest.fn();
    onTracksChanged(peer, changed);

    peer.dispatchEvent(new Event('addtrack'));
    peer.dispatchEvent(new Event('removetrack'));

    expect(changed).toHaveBeenCalledTimes(2);
  });
});

describe('tracksOfKind', () => {
  const [mic, camera] = [new FakeTrack('audio'), new FakeTrack('video')];

  it('gives a player only the tracks of its kind', () => {
    const peer = stream(mic, camera);

    expect(tracks(tracksOfKind(peer, 'video', null))).toEqual([camera]);
    expect(tracks(tracksOfKind(peer, 'audio', null))).toEqual([mic]);
  });

  it("keeps the player's stream while its kind's tracks stay the same, so the player does not start over", () => {
    const peer = stream(mic);
    const sound = tracksOfKind(peer, 'audio', null);

    peer.addTrack(camera as unknown as MediaStreamTrack);

    expect(tracksOfKind(peer, 'audio', sound)).toBe(sound);
  });

  it('gives a new stream when a track of its kind changed', () => {
    const peer = stream(mic, camera);
    const picture = tracksOfKind(peer, 'video', null);
    const newCamera = new FakeTrack('video');

    setStreamTracks(peer, [mic, newCamera] as unknown as MediaStreamTrack[]);
    const next = tracksOfKind(peer, 'video', picture);

    expect(next).not.toBe(picture);
    expect(tracks(next)).toEqual([newCamera]);
  });

  it('gives nothing when there is no track of the kind, or no stream', () => {
    expect(tracksOfKind(stream(mic), 'video', null)).toBeNull();
    expect(tracksOfKind(null, 'audio', null)).toBeNull();
  });
});
