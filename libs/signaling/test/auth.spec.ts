import { ErrorCode } from '@parley/protocol';
import { SignJWT, UnsecuredJWT } from 'jose';
import { jwtAuthorizer } from '../src/index.js';
import { TestApp } from './test-app.js';

const SECRET = 'room-token-secret';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown>, { secret = key, exp = now() + 60 } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (exp) jwt.setExpirationTime(exp);
  return jwt.sign(secret);
}

describe('room tokens (AUTH_SECRET)', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await TestApp.start({ authorize: jwtAuthorizer(SECRET), maxPeers: 50 });
  });

  afterAll(async () => {
    await sut.close();
  });

  const refused: [string, () => Promise<string | undefined>][] = [
    ['a missing token', async () => undefined],
    ['a token that is not a JWT', async () => 'hello'],
    ['a forged token', () => token({ room: 'r1' }, { secret: new TextEncoder().encode('guess') })],
    ['an expired token', () => token({ room: 'r1' }, { exp: now() - 10 })],
    ['a token without exp', () => token({ room: 'r1' }, { exp: 0 })],
    ['a token without room', () => token({ sub: 'u1' })],
    ['a token not yet valid', () => new SignJWT({ room: 'r1' }).setProtectedHeader({ alg: 'HS256' }).setNotBefore(now() + 600).setExpirationTime(now() + 900).sign(key)],
    ['an alg:none token', async () => new UnsecuredJWT({ room: 'r1', exp: now() + 60 }).encode()],
    ['an HS512 token', () => new SignJWT({ room: 'r1' }).setProtectedHeader({ alg: 'HS512' }).setExpirationTime(now() + 60).sign(key)],
    ['a token for another room', () => token({ room: 'r2' })],
  ];

  it.each(refused)('refuses %s with unauthorized, and the socket can try again', async (_, make) => {
    const client = await sut.client();
    client.send('join', { room: 'r1', name: 'Eve', protocol: 1, token: await make(), ref: 'auth' });
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, ref: 'auth', event: 'join' });
    await expect(client.join('r1', 'Eve', { token: await token({ room: 'r1' }) })).resolves.toBeDefined();
  });

  it('admits a token for the room or for any room, and takes the name from it, cleaned', async () => {
    const ada = await sut.client();
    const joined = await ada.join('r3', 'typed name', { token: await token({ room: 'r3', sub: 'user-1', name: 'Ada\u202E Lovelace' }) });
    expect(joined.self.name).toBe('Ada Lovelace');

    const bob = await sut.client();
    await expect(bob.join('r3', 'Bob', { token: await token({ room: '*' }) })).resolves.toMatchObject({ self: { name: 'Bob' } });
  });
});
