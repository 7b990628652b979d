import { turnCredential } from './turn-credentials.js';

describe(turnCredential.name, () => {
  const turn = { urls: ['turn:127.0.0.1:3478'], secret: 'north', ttlSeconds: 3600 };

  it('follows coturn REST scheme: <expiry>:<peer> signed with HMAC-SHA1, in base64', () => {
    // Expected value from: printf '1700003600:peer1' | openssl dgst -sha1 -hmac north -binary | base64
    expect(turnCredential('peer1', turn, 1_700_000_000_000)).toEqual({
      urls: ['turn:127.0.0.1:3478'],
      username: '1700003600:peer1',
      credential: '/VEbvDfAIXLWflwoF+vmZkPWd6g=',
    });
  });

  it('expires TURN_TTL seconds from now', () => {
    const now = Date.now();
    const { username } = turnCredential('p', { ...turn, ttlSeconds: 60 }, now);
    expect(Number(username!.split(':')[0])).toBe(Math.floor(now / 1000) + 60);
  });
});
