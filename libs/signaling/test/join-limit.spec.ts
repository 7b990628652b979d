import { ErrorCode } from '@parley/protocol';
import { RoomService } from '../src/index.js';
import { TestApp } from './test-app.js';

describe('joins to rooms an address has not been in', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({ newRoomJoinsPerIp: { burst: 3, perMinute: 1 }, resumeGraceMs: 5_000 });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('refuses a probe past the limit with rate-limited and nothing of the room, and keeps the socket', async () => {
    const owner = await sut.joined('secret-room', 'Owner');
    const eve = await sut.client();
    // The owner's join used the address's first new room; two more are left.
    for (const room of ['probe-1', 'probe-2']) {
      await eve.join(room, 'Eve');
      eve.send('leave', {});
    }
    eve.send('join', { room: 'probe-3', name: 'Eve', protocol: 1, ref: 'p3' });
    expect(await eve.next('error')).toEqual({
      code: ErrorCode.RateLimited,
      message: expect.stringContaining('new rooms'),
      ref: 'p3',
      event: 'join',
    });
    expect(await sut.app.get(RoomService).peersOf('probe-3')).toEqual([]);
    // Rooms this address was in are still open to it.
    expect((await eve.join('probe-1', 'Eve')).room).toBe('probe-1');
    expect(owner.client.received).toEqual([]);
  });

  it('never counts rejoins, a second person behind the same address, or resumes', async () => {
    const ada = await sut.joined('standup', 'Ada');
    for (const room of ['a', 'b']) {
      const other = await sut.client();
      await other.join(room, 'Other');
    }
    // The bucket is empty now: every new room is refused...
    const late = await sut.client();
    late.send('join', { room: 'c', name: 'Late', protocol: 1 });
    expect((await late.next('error')).code).toBe(ErrorCode.RateLimited);
    // ...but a colleague joins the room this address is in, and Ada resumes after a drop.
    expect((await late.join('standup', 'Bob')).peers.map((p) => p.id)).toEqual([ada.id]);
    ada.client.close();
    const back = await sut.client();
    expect((await back.join('standup', 'Ada', { resume: ada.joined.resume })).self.id).toBe(ada.id);
    const again = await sut.client();
    expect((await again.join('standup', 'Cy')).peers).toHaveLength(2);
  });
});
