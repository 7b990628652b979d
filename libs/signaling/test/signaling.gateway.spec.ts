import { jest } from '@jest/globals';
import { CloseCode, ErrorCode, LIMITS } from '@parley/protocol';
import { RoomService, SignalingGateway } from '../src/index.js';
import { TestApp } from './test-app.js';
import { settle, TestClient } from './test-client.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host', sdpMid: '0', sdpMLineIndex: 0 };

describe(SignalingGateway.name, () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({ resumeGraceMs: 300 });
  });

  afterEach(async () => {
    await sut.close();
  });

  describe('join', () => {
    it('answers joined with a server-issued id, the others, limits and the echoed ref', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.client();
      const joined = await bob.join('r1', '  Bob\u0007\u202E ', { ref: 'j1' });

      expect(joined).toMatchObject({
        ref: 'j1',
        room: 'r1',
        self: { name: 'Bob', media: { audio: false, video: false, screen: false }, connection: 'online' },
        peers: [{ id: ada.id, name: 'Ada' }],
        iceServers: [],
        chat: [],
        limits: { maxPeers: 6, maxFrameBytes: LIMITS.maxFrameBytes, maxChatLength: 2000, resumeGraceMs: 300 },
      });
      expect(joined.resumed).toBeUndefined();
      expect(joined.self.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(joined.self.id).not.toBe(ada.id);
      expect(typeof joined.resume).toBe('string');
      expect(await ada.client.next('peer-joined')).toEqual({ peer: joined.self });
    });

    it('gives the 7th joiner of a 6-person room room-full, and lets them in once someone leaves', async () => {
      const six = await Promise.all(Array.from({ length: 6 }, (_, i) => sut.joined('full', `P${i}`)));
      const seventh = await sut.client();

      seventh.send('join', { room: 'full', name: 'Late', protocol: 1, ref: 'late' });
      expect(await seventh.next('error')).toMatchObject({ code: ErrorCode.RoomFull, event: 'join', ref: 'late' });

      six[0].client.send('leave', {});
      await expect(seventh.join('full', 'Late')).resolves.toMatchObject({ peers: expect.any(Array) });
    });

    it('rejects another protocol version with unsupported-protocol', async () => {
      const client = await sut.client();
      client.send('join', { room: 'r1', name: 'Ada', protocol: 2 });
      expect(await client.next('error')).toMatchObject({ code: ErrorCode.UnsupportedProtocol, event: 'join' });
      await expect(client.join('r1')).resolves.toBeDefined();
    });

    it('rejects a second join on the same socket', async () => {
      const { client } = await sut.joined('r1');
      client.send('join', { room: 'r2', name: 'Ada', protocol: 1 });
      expect(await client.next('error')).toMatchObject({ code: ErrorCode.InvalidMessage, event: 'join' });
    });

    it('sends the chat history to a later joiner', async () => {
      const ada = await sut.joined('r1', 'Ada');
      ada.client.send('chat', { text: 'hello' });
      await ada.client.next('chat');

      const bob = await sut.client();
      expect((await bob.join('r1', 'Bob')).chat).toMatchObject([{ from: ada.id, name: 'Ada', text: 'hello' }]);
    });
  });

  describe('signal', () => {
    it('relays descriptions and candidates (including end-of-candidates) with the sender as from', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');

      bob.client.send('signal', { to: ada.id, description: offer });
      bob.client.send('signal', { to: ada.id, candidate });
      bob.client.send('signal', { to: ada.id, candidate: null });

      expect(await ada.client.next('signal')).toEqual({ from: bob.id, description: offer });
      expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate });
      expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });
    });

    it('keeps the order of a burst of signals', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const sent = Array.from({ length: 100 }, (_, i) => ({ ...candidate, sdpMLineIndex: i }));

      for (const c of sent) bob.client.send('signal', { to: ada.id, candidate: c });
      const got = [];
      for (let i = 0; i < sent.length; i++) got.push((await ada.client.next('signal')).candidate);

      expect(got).toEqual(sent);
    });

    it('never delivers to a peer of another room, to an unknown id, or to the sender', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const eve = await sut.joined('r2', 'Eve');

      for (const to of [ada.id, 'no-such-peer', eve.id]) {
        eve.client.send('signal', { to, description: offer, ref: to });
        expect(await eve.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer, event: 'signal', ref: to });
      }
      bob.client.send('signal', { to: bob.id, description: offer });
      expect(await bob.client.next('error')).toMatchObject({ code: ErrorCode.UnknownPeer });

      await settle();
      expect(ada.client.received.filter((f) => f.event === 'signal')).toEqual([]);
      expect(bob.client.received.filter((f) => f.event === 'signal')).toEqual([]);
      await eve.client.roundTrip();
    });

    it('does not honour a spoofed from: the frame is rejected and nothing is delivered', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const eve = await sut.joined('r1', 'Eve');

      eve.client.send('signal', { to: ada.id, from: bob.id, description: offer });
      expect(await eve.client.next('error')).toMatchObject({
        code: ErrorCode.InvalidMessage,
        details: [{ field: 'from', problems: ['property from should not exist'] }],
      });
      await settle();
      expect(ada.client.received.filter((f) => f.event === 'signal')).toEqual([]);
    });
  });

  describe('media, chat and leave', () => {
    it('announces media state to the room with peer-updated', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');

      bob.client.send('media', { audio: false, video: true, screen: false, ref: 'm1' });

      const expected = { peer: { id: bob.id, name: 'Bob', media: { audio: false, video: true, screen: false }, connection: 'online' } };
      expect(await ada.client.next('peer-updated')).toEqual(expected);
      expect(await bob.client.next('peer-updated')).toEqual({ ...expected, ref: 'm1' });
    });

    it('broadcasts cleaned chat to the whole room, sender included, and keeps the last 50', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');

      bob.client.send('chat', { text: ' hi\u0000 <b>there</b>\nsecond line\u202E ', ref: 'c1' });
      const seen = await ada.client.next('chat');
      expect(seen).toMatchObject({ from: bob.id, name: 'Bob', text: 'hi <b>there</b>\nsecond line' });
      expect(seen.ref).toBeUndefined();
      expect(await bob.client.next('chat')).toMatchObject({ id: seen.id, ref: 'c1' });

      // Chat is limited to 3/s per socket, so five people share the 55 messages.
      const crowd = [bob, ...(await Promise.all(['Cy', 'Di', 'Ed', 'Fa'].map((name) => sut.joined('r1', name))))];
      await Promise.all(
        crowd.map(async ({ client }, who) => {
          for (let i = 0; i < 11; i++) {
            client.send('chat', { text: `${who}-${i}` });
            await client.next('chat');
            await new Promise((resolve) => setTimeout(resolve, 340));
          }
        }),
      );
      const order = [];
      for (let i = 0; i < 55; i++) order.push((await ada.client.next('chat')).text);
      crowd[4].client.send('leave', {});

      const late = await sut.client();
      const history = (await late.join('r1', 'Late')).chat;
      expect(history.map((m) => m.text)).toEqual(order.slice(-LIMITS.chatHistory));
      const room = sut.app.get(RoomService);
      expect(room.size).toEqual({ rooms: 1, peers: 6 });
    });

    it('announces peer-left on leave, and after the grace window for a closed socket', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      const cy = await sut.joined('r1', 'Cy');

      bob.client.send('leave', {});
      expect(await ada.client.next('peer-left')).toEqual({ id: bob.id, reason: 'left' });
      expect(await cy.client.next('peer-left')).toEqual({ id: bob.id, reason: 'left' });

      bob.client.send('signal', { to: ada.id, description: offer });
      expect(await bob.client.next('error')).toMatchObject({ code: ErrorCode.NotJoined });
      await expect(bob.client.join('r1', 'Bob again')).resolves.toBeDefined();

      cy.client.close();
      expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: cy.id, connection: 'reconnecting' } });
      expect(await ada.client.next('peer-left')).toEqual({ id: cy.id, reason: 'timeout' });

      ada.client.close();
      bob.client.close();
      await settle(500);
      expect(sut.app.get(RoomService).size).toEqual({ rooms: 0, peers: 0 });
    });
  });

  describe('bad input', () => {
    const cases: [string, string | Buffer, string][] = [
      ['malformed JSON', '{"event": "signal", "data": {', ErrorCode.InvalidMessage],
      ['a JSON array', '[1,2]', ErrorCode.InvalidMessage],
      ['a binary frame', Buffer.from([0xff, 0x00, 0x12]), ErrorCode.InvalidMessage],
      ['no event', JSON.stringify({ data: {} }), ErrorCode.InvalidMessage],
      ['an unknown event', JSON.stringify({ event: 'hack', data: {} }), ErrorCode.UnknownEvent],
      ['non-object data', JSON.stringify({ event: 'chat', data: 'hi' }), ErrorCode.InvalidMessage],
    ];

    it.each(cases)('answers %s with an error and keeps the socket', async (_, frame, code) => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      await ada.client.next('peer-joined');

      bob.client.sendRaw(frame);

      expect(await bob.client.next('error')).toMatchObject({ code, message: expect.any(String) });
      await bob.client.roundTrip();
      await settle();
      expect(ada.client.received.filter((f) => f.event !== 'peer-updated')).toEqual([]);
    });

    const invalid: [string, string, Record<string, unknown>, string[]][] = [
      ['a missing name', 'join', { room: 'r1', protocol: 1 }, ['name']],
      ['a bad room name', 'join', { room: 'no spaces/', name: 'A', protocol: 1 }, ['room']],
      ['an empty name after cleaning', 'join', { room: 'r2', name: ' \u0001 ', protocol: 1 }, ['name']],
      ['a long name', 'join', { room: 'r2', name: 'x'.repeat(41), protocol: 1 }, ['name']],
      ['a string protocol', 'join', { room: 'r2', name: 'A', protocol: '1' }, ['protocol']],
      ['a long ref', 'media', { audio: true, video: true, screen: false, ref: 'x'.repeat(65) }, ['ref']],
      ['wrong types', 'media', { audio: 'yes', video: 1, screen: null }, ['audio', 'video', 'screen']],
      ['an extra field', 'chat', { text: 'hi', admin: true }, ['admin']],
      ['an empty chat', 'chat', { text: '   ' }, ['text']],
      ['a long chat', 'chat', { text: 'x'.repeat(2001) }, ['text']],
      ['neither description nor candidate', 'signal', { to: 'x' }, ['description']],
      ['both description and candidate', 'signal', { to: 'x', description: offer, candidate }, ['description']],
      ['a bad description type', 'signal', { to: 'x', description: { type: 'hello', sdp: '' } }, ['description.type']],
      ['an SDP over the limit', 'signal', { to: 'x', description: { type: 'offer', sdp: 'a'.repeat(LIMITS.maxSdpLength + 1) } }, ['description.sdp']],
      ['an extra nested field', 'signal', { to: 'x', candidate: { ...candidate, evil: 1 } }, ['candidate.evil']],
      ['a string candidate', 'signal', { to: 'x', candidate: 'candidate:1' }, ['candidate']],
    ];

    it.each(invalid)('answers %s with invalid-message naming the fields', async (_, event, data, fields) => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      await ada.client.next('peer-joined');

      bob.client.sendRaw(JSON.stringify({ event, data: { ...data, ref: data.ref ?? 'bad' } }));

      const error = await bob.client.next('error');
      expect(error).toMatchObject({ code: ErrorCode.InvalidMessage, event });
      expect(error.details?.map((d) => d.field).sort()).toEqual([...fields].sort());
      if (data.ref === undefined) expect(error.ref).toBe('bad');
      await bob.client.roundTrip();
      await settle();
      expect(ada.client.received.filter((f) => f.event !== 'peer-updated')).toEqual([]);
    });

    it('answers not-joined before a join', async () => {
      const client = await sut.client();
      for (const [event, data] of [
        ['signal', { to: 'x', candidate: null }],
        ['media', { audio: true, video: true, screen: false }],
        ['chat', { text: 'hi' }],
        ['leave', {}],
      ] as const) {
        client.send(event, data);
        expect(await client.next('error')).toMatchObject({ code: ErrorCode.NotJoined, event });
      }
    });

    it('closes the socket with 1009 on a frame over 64 KiB, and nobody else notices', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      await ada.client.next('peer-joined');

      bob.client.sendRaw(JSON.stringify({ event: 'chat', data: { text: 'x'.repeat(LIMITS.maxFrameBytes) } }));

      expect((await bob.client.closed).code).toBe(CloseCode.MessageTooBig);
      expect(await ada.client.next('peer-updated')).toMatchObject({ peer: { id: bob.id, connection: 'reconnecting' } });
      expect(await ada.client.next('peer-left')).toEqual({ id: bob.id, reason: 'timeout' });
      await ada.client.roundTrip();
    });

    it('answers a chat flood with rate-limited, politely and without closing', async () => {
      const ada = await sut.joined('r1', 'Ada');
      for (let i = 0; i < 5; i++) ada.client.send('chat', { text: `spam ${i}` });

      expect(await ada.client.next('error')).toMatchObject({ code: ErrorCode.RateLimited, event: 'chat' });
      await ada.client.roundTrip();
    });

    it('never limits a normal trickle of ICE candidates (30 in a second), even after a burst', async () => {
      const ada = await sut.joined('r1', 'Ada');
      const bob = await sut.joined('r1', 'Bob');
      for (let i = 0; i < 150; i++) bob.client.send('signal', { to: ada.id, candidate });
      for (let i = 0; i < 30; i++) {
        await new Promise((resolve) => setTimeout(resolve, 33));
        bob.client.send('signal', { to: ada.id, candidate });
      }
      for (let i = 0; i < 180; i++) await ada.client.next('signal');
      await bob.client.roundTrip();
      expect(bob.client.received.filter((f) => f.event === 'error')).toEqual([]);
    });

    it('closes the socket with 1008 on sustained abuse', async () => {
      const ada = await sut.joined('r1', 'Ada');
      for (let i = 0; i < 120; i++) ada.client.send('chat', { text: `spam ${i}` });

      expect((await ada.client.closed).code).toBe(CloseCode.PolicyViolation);
    });

    it('answers an unexpected failure with internal, without leaking it', async () => {
      const ada = await sut.joined('r1', 'Ada');
      jest.spyOn(sut.app.get(RoomService), 'chat').mockImplementation(() => {
        throw new Error('database password is hunter2');
      });

      ada.client.send('chat', { text: 'hi', ref: 'x' });

      const error = await ada.client.next('error');
      expect(error).toEqual({ code: ErrorCode.Internal, message: expect.any(String), ref: 'x', event: 'chat' });
      expect(error.message).not.toContain('hunter2');
      await ada.client.roundTrip();
    });
  });

  describe('connections per IP', () => {
    it('refuses more open sockets than allowed with 429, and admits again once one closes', async () => {
      const capped = await TestApp.start({ maxSocketsPerIp: 3 });
      try {
        const open = await Promise.all([capped.client(), capped.client(), capped.client()]);
        await expect(capped.client()).rejects.toThrow(/429/);
        open[0].socket.close();
        await open[0].closed;
        await settle(50);
        await expect(capped.client()).resolves.toBeInstanceOf(TestClient);
      } finally {
        await capped.close();
      }
    });

    it('refuses sockets opened faster than allowed with 429', async () => {
      const capped = await TestApp.start({ connectionsPerSecondPerIp: 2 });
      try {
        const results = await Promise.allSettled(Array.from({ length: 6 }, () => capped.client()));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
        expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([
          expect.stringMatching(/429/),
          expect.stringMatching(/429/),
        ]);
      } finally {
        await capped.close();
      }
    });
  });

  describe('origin', () => {
    it('refuses a browser from a foreign origin with 403, and accepts the page own origin', async () => {
      const host = new URL(sut.url).host;
      await expect(TestClient.connect(sut.url, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
      await expect(TestClient.connect(sut.url, { origin: `http://${host}` })).resolves.toBeInstanceOf(TestClient);
    });
  });
});

describe('SignalingGateway with an authorize hook', () => {
  let sut: TestApp;

  beforeEach(async () => {
    sut = await TestApp.start({
      path: '/signal',
      maxPeers: 2,
      iceServers: [{ urls: 'stun:stun.example.org' }],
      authorize: ({ token, request }) => {
        if (token !== 'let-me-in') throw new Error('bad token');
        return { name: `User from ${request.socket.remoteAddress}` };
      },
    });
  });

  afterEach(async () => {
    await sut.close();
  });

  it('answers unauthorized when the hook throws, and keeps the socket for a retry', async () => {
    const client = await sut.client();
    client.send('join', { room: 'r1', name: 'Ada', protocol: 1, token: 'guess', ref: 'a1' });
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, ref: 'a1', event: 'join' });

    const joined = await client.join('r1', 'Ada', { token: 'let-me-in' });
    expect(joined.self.name).toBe('User from 127.0.0.1');
    expect(joined.iceServers).toEqual([{ urls: 'stun:stun.example.org' }]);
    expect(joined.limits.maxPeers).toBe(2);
  });
});
