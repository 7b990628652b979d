import { jest } from '@jest/globals';
import type { Peer } from '@parley/protocol';
import { Roster, type RemoteParticipant } from './roster';

const peer = (id: string, name = id): Peer => ({
  id,
  name,
  media: { audio: true, video: true, screen: false },
  connection: 'online',
});

function setup() {
  const changes: (readonly RemoteParticipant[])[] = [];
  const expired: string[] = [];
  const sut = new Roster({ onchange: (list) => changes.push(list), onexpired: (id) => expired.push(id) });
  const ids = () => sut.list.map((r) => r.peer.id);
  return { sut, changes, expired, ids };
}

afterEach(() => jest.useRealTimers());

describe(Roster.name, () => {
  it('starts with the listed peers, leaving out ourselves, with nothing received yet', () => {
    const { sut, ids } = setup();
    sut.reset('me', [peer('a'), peer('me'), peer('b')]);
    expect(ids()).toEqual(['a', 'b']);
    expect(sut.list[0]).toMatchObject({ stream: null, screen: null, link: 'new', linkFailure: null });
  });

  it('adds a newcomer at the end and updates a known peer in place', () => {
    const { sut, ids } = setup();
    sut.reset('me', [peer('a'), peer('b')]);
    sut.upsert(peer('c'));
    sut.upsert({ ...peer('a', 'Ada'), media: { audio: false, video: true, screen: false } });
    expect(ids()).toEqual(['a', 'b', 'c']);
    expect(sut.list[0]!.peer).toMatchObject({ name: 'Ada', media: { audio: false } });
    sut.upsert(peer('me'));
    expect(ids()).toEqual(['a', 'b', 'c']);
  });

  it('patches media and link state without touching the others, and ignores strangers', () => {
    const { sut, changes } = setup();
    sut.reset('me', [peer('a'), peer('b')]);
    const b = sut.list[1];
    sut.patch('a', { link: 'connected', linkFailure: 'relay' });
    expect(sut.list[0]).toMatchObject({ link: 'connected', linkFailure: 'relay' });
    expect(sut.list[1]).toBe(b);
    const count = changes.length;
    sut.patch('nobody', { link: 'failed' });
    expect(changes).toHaveLength(count);
    expect(sut.has('nobody')).toBe(false);
  });

  it('keeps media that arrives before its sender is listed, and hands it over when they are', () => {
    const { sut, changes } = setup();
    sut.reset('me', [peer('a')]);
    const stream = {} as MediaStream;
    const count = changes.length;
    sut.patch('b', { stream, link: 'connecting' });
    expect(changes).toHaveLength(count);
    sut.upsert(peer('b'));
    expect(sut.list[1]).toMatchObject({ stream, link: 'connecting' });
  });

  it('forgets early media of someone who left before being listed', () => {
    const { sut } = setup();
    sut.reset('me');
    sut.patch('b', { stream: {} as MediaStream });
    sut.remove('b');
    sut.upsert(peer('b'));
    expect(sut.list[0]!.stream).toBeNull();
  });

  it('removes a peer once, saying whether they were there', () => {
    const { sut, ids } = setup();
    sut.reset('me', [peer('a'), peer('b')]);
    expect(sut.remove('a')).toBe(true);
    expect(sut.remove('a')).toBe(false);
    expect(ids()).toEqual(['b']);
  });

  it('reports every change with a new list, so a runes facade sees it', () => {
    const { sut, changes } = setup();
    sut.reset('me', [peer('a')]);
    sut.upsert(peer('b'));
    sut.remove('a');
    expect(changes.map((list) => list.map((r) => r.peer.id))).toEqual([['a'], ['a', 'b'], ['b']]);
    expect(new Set(changes).size).toBe(changes.length);
  });

  describe('resume', () => {
    it('with a complete list (session), drops whoever is not listed and returns them', () => {
      const { sut, ids } = setup();
      sut.reset('me', [peer('a'), peer('b'), peer('c')]);
      const gone = sut.resume([peer('a'), peer('c'), peer('d')], { complete: true, graceMs: 1000 });
      expect(gone).toEqual(['b']);
      expect(ids()).toEqual(['a', 'c', 'd']);
    });

    it('after a server restart (token), keeps an unlisted peer as reconnecting until the grace window ends', () => {
      jest.useFakeTimers();
      const { sut, ids, expired } = setup();
      sut.reset('me', [peer('a'), peer('b')]);
      expect(sut.resume([peer('a')], { complete: false, graceMs: 5000 })).toEqual([]);
      expect(ids()).toEqual(['a', 'b']);
      expect(sut.list[1]!.peer.connection).toBe('reconnecting');
      expect(sut.isMissing('b')).toBe(true);
      jest.advanceTimersByTime(4999);
      expect(expired).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(expired).toEqual(['b']);
      expect(sut.isMissing('b')).toBe(false);
    });

    it('stops the grace timer when the missing peer comes back', () => {
      jest.useFakeTimers();
      const { sut, expired } = setup();
      sut.reset('me', [peer('a'), peer('b')]);
      sut.resume([peer('a')], { complete: false, graceMs: 5000 });
      sut.upsert(peer('b'));
      expect(sut.list[1]!.peer.connection).toBe('online');
      jest.advanceTimersByTime(10_000);
      expect(expired).toEqual([]);
    });

    it('does not restart a grace window that is already running', () => {
      jest.useFakeTimers();
      const { sut, expired } = setup();
      sut.reset('me', [peer('a'), peer('b')]);
      sut.resume([peer('a')], { complete: false, graceMs: 5000 });
      jest.advanceTimersByTime(3000);
      // A second resume (the server restarted again) must not give b a fresh window, nor drop b now.
      expect(sut.resume([peer('a')], { complete: true, graceMs: 5000 })).toEqual([]);
      jest.advanceTimersByTime(2000);
      expect(expired).toEqual(['b']);
    });

    it('a fresh start or a clear cancels every grace timer', () => {
      jest.useFakeTimers();
      const { sut, expired, ids } = setup();
      sut.reset('me', [peer('a'), peer('b')]);
      sut.resume([], { complete: false, graceMs: 5000 });
      sut.clear();
      jest.advanceTimersByTime(10_000);
      expect(expired).toEqual([]);
      expect(ids()).toEqual([]);
    });
  });
});
