import { TestApp } from './test-app.js';

const TURN_SECRET = 'turn-secret-never-sent';
const RESUME_SECRET = 'resume-secret-never-sent';

describe('secrets', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({
      resumeSecret: RESUME_SECRET,
      resumeGraceMs: 2_000,
      iceServers: [{ urls: 'stun:127.0.0.1:3478' }],
      turn: { urls: ['turn:127.0.0.1:3478'], secret: TURN_SECRET, ttlSeconds: 600 },
    });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('hands out TURN credentials per peer, and no server-to-client frame of a session carries a secret', async () => {
    const frames: string[] = [];
    const ada = await sut.client();
    const bob = await sut.client();
    for (const { socket } of [ada, bob]) socket.on('message', (raw) => frames.push(raw.toString()));

    const adaJoined = await ada.join('r1', 'Ada');
    const bobJoined = await bob.join('r1', 'Bob');
    expect(adaJoined.iceServers).toEqual([
      { urls: 'stun:127.0.0.1:3478' },
      { urls: ['turn:127.0.0.1:3478'], username: expect.stringMatching(new RegExp(`^\\d+:${adaJoined.self.id}$`)), credential: expect.any(String) },
    ]);
    expect(bobJoined.iceServers[1].username).toMatch(new RegExp(`:${bobJoined.self.id}$`));

    bob.send('signal', { to: adaJoined.self.id, description: { type: 'offer', sdp: 'v=0' } });
    await ada.next('signal');
    bob.send('chat', { text: 'hi' });
    await ada.next('chat');
    bob.send('media', { audio: true, video: false, screen: false });
    await ada.next('peer-updated');
    bob.send('signal', { to: 'nobody', candidate: null });
    await bob.next('error');
    bob.sendRaw('not json');
    await bob.next('error');
    bob.close();
    await ada.next('peer-updated');

    const back = await sut.client();
    back.socket.on('message', (raw) => frames.push(raw.toString()));
    const resumed = await back.join('r1', 'Bob', { resume: bobJoined.resume });
    expect(resumed.iceServers[1].username).toMatch(new RegExp(`:${bobJoined.self.id}$`));

    expect(frames.length).toBeGreaterThan(8);
    for (const frame of frames) {
      expect(frame).not.toContain(TURN_SECRET);
      expect(frame).not.toContain(RESUME_SECRET);
    }
  });
});
