import { TestApp } from './test-app.js';

// Signals skip Nest's dispatch (see SignalingGateway.hot) and are handled at once when nothing of
// their socket is pending; these hold the order the protocol promises around an async `join`.
describe('the order of one socket’s messages', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({
      // Slower than the frames behind it: a join that is still being authorized when they arrive.
      authorize: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return {};
      },
    });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('finishes an async join before the same socket’s next signals, which keep their order', async () => {
    const ada = await sut.joined('order');
    const bob = await sut.client();
    bob.send('join', { room: 'order', name: 'Bob', protocol: 1 });
    for (let i = 0; i < 20; i++) bob.send('signal', { to: ada.id, candidate: { candidate: `candidate:${i}`, sdpMid: '0', sdpMLineIndex: 0 } });
    bob.send('signal', { to: ada.id, description: { type: 'offer', sdp: 'v=0' } });

    const joined = await bob.next('joined');
    const seen = [];
    for (let i = 0; i < 20; i++) seen.push(await ada.client.next('signal'));
    expect(seen.map((s) => s.from)).toEqual(Array(20).fill(joined.self.id));
    expect(seen.map((s) => s.candidate?.candidate)).toEqual(Array.from({ length: 20 }, (_, i) => `candidate:${i}`));
    expect(await ada.client.next('signal')).toEqual({ from: joined.self.id, description: { type: 'offer', sdp: 'v=0' } });
    await bob.roundTrip();
    expect(bob.received.filter((f) => f.event === 'error')).toEqual([]);
  });

  it('answers a signal sent before any join with not-joined, in order with a later join', async () => {
    const ada = await sut.joined('order2');
    const bob = await sut.client();
    bob.send('signal', { to: ada.id, candidate: null, ref: 's1' });
    bob.send('join', { room: 'order2', name: 'Bob', protocol: 1 });
    bob.send('signal', { to: ada.id, candidate: null, ref: 's2' });
    expect(await bob.next('error')).toMatchObject({ code: 'not-joined', ref: 's1', event: 'signal' });
    const joined = await bob.next('joined');
    expect(await ada.client.next('signal')).toEqual({ from: joined.self.id, candidate: null });
    await bob.roundTrip();
    expect(bob.received.filter((f) => f.event === 'error')).toEqual([]);
  });
});
