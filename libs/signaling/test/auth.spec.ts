import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '@parley/protocol';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { WebSocketServer } from 'ws';
import { jwtAuthorizer, SignalingGateway, type SignalingModuleOptions } from '../src/index.js';
import { TestApp } from './test-app.js';
import { waitFor } from './test-client.js';

const SECRET = 'room-token-secret';
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

const HOUR = 3600;

function token(claims: Record<string, unknown>, { secret = key, exp = now() + 60, iat = now() as number | null } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' });
  if (iat !== null) jwt.setIssuedAt(iat);
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
    [
      'a token not yet valid',
      () =>
        new SignJWT({ room: 'r1' })
          .setProtectedHeader({ alg: 'HS256' })
          .setNotBefore(now() + 600)
          .setExpirationTime(now() + 900)
          .sign(key),
    ],
    ['an alg:none token', async () => new UnsecuredJWT({ room: 'r1', exp: now() + 60 }).encode()],
    [
      'an HS512 token',
      () =>
        new SignJWT({ room: 'r1' })
          .setProtectedHeader({ alg: 'HS512' })
          .setExpirationTime(now() + 60)
          .sign(key),
    ],
    ['a token for another room', () => token({ room: 'r2' })],
    ['a token that lives 100 years', () => token({ room: 'r1' }, { exp: now() + 100 * 365 * 24 * HOUR })],
    ['a token that lives 25 h (the default cap is 24 h)', () => token({ room: 'r1' }, { exp: now() + 25 * HOUR })],
    ['a token without iat that expires in 25 h', () => token({ room: 'r1' }, { exp: now() + 25 * HOUR, iat: null })],
    [
      'a token issued in 10 years that lives 1 h from then',
      () => token({ room: 'r1' }, { iat: now() + 10 * 365 * 24 * HOUR, exp: now() + 10 * 365 * 24 * HOUR + HOUR }),
    ],
  ];

  it.each(refused)('refuses %s with unauthorized, and the socket can try again', async (_, make) => {
    const client = await sut.client();
    client.send('join', { room: 'r1', name: 'Eve', protocol: 1, token: await make(), ref: 'auth' });
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, ref: 'auth', event: 'join' });
    await expect(client.join('r1', 'Eve', { token: await token({ room: 'r1' }) })).resolves.toBeDefined();
  });

  it('makes the bearer of a role: host token a host, who walks into a locked room; any other role is a guest', async () => {
    const first = await sut.client();
    const joined = await first.join('hosted', 'First', { token: await token({ room: 'hosted' }) });
    expect(joined.self.host).toBe(true);
    first.send('lock', { locked: true });
    await first.next('room-locked');

    const host = await sut.client();
    const hostJoined = await host.join('hosted', 'Host', { token: await token({ room: 'hosted', role: 'host' }) });
    expect(hostJoined).toMatchObject({ self: { host: true }, locked: true });
    for (const role of ['admin', 'Host', ['host'], true]) {
      const guest = await sut.client();
      guest.send('join', { room: 'hosted', name: 'Guest', protocol: 1, token: await token({ room: 'hosted', role }) });
      await guest.next('waiting');
    }
  });

  it('admits a token for the room or for any room, and takes the name from it, cleaned', async () => {
    const ada = await sut.client();
    const joined = await ada.join('r3', 'typed name', { token: await token({ room: 'r3', sub: 'user-1', name: 'Ada\u202E Lovelace' }) });
    expect(joined.self.name).toBe('Ada Lovelace');

    const bob = await sut.client();
    await expect(bob.join('r3', 'Bob', { token: await token({ room: '*' }) })).resolves.toMatchObject({ self: { name: 'Bob' } });
  });

  it('admits tokens that live up to the cap, with or without iat', async () => {
    for (const options of [{ exp: now() + 23 * HOUR }, { exp: now() + 23 * HOUR, iat: null }, { exp: now() + 60, iat: now() - 23 * HOUR }]) {
      const client = await sut.client();
      await expect(client.join('r4', 'Ada', { token: await token({ room: 'r4' }, options) })).resolves.toBeDefined();
    }
  });
});

describe('room tokens with audience, issuer and a shorter cap', () => {
  let sut: TestApp;

  beforeAll(async () => {
    sut = await TestApp.start({
      authorize: jwtAuthorizer(SECRET, { audience: 'parley', issuer: ['https://id.example', 'https://id2.example'], maxTtlSeconds: 600 }),
      maxPeers: 50,
    });
  });

  afterAll(async () => {
    await sut.close();
  });

  const good = { room: 'r1', aud: 'parley', iss: 'https://id.example' };
  const refused: [string, () => Promise<string>][] = [
    ['a token without aud', () => token({ room: 'r1', iss: good.iss })],
    ['a token for another audience', () => token({ ...good, aud: 'other-app' })],
    ['a token without iss', () => token({ room: 'r1', aud: good.aud })],
    ['a token from another issuer', () => token({ ...good, iss: 'https://evil.example' })],
    ['a token that lives longer than maxTtlSeconds', () => token(good, { exp: now() + 601 })],
  ];

  it.each(refused)('refuses %s', async (_, make) => {
    const client = await sut.client();
    client.send('join', { room: 'r1', name: 'Eve', protocol: 1, token: await make(), ref: 'auth' });
    expect(await client.next('error')).toMatchObject({ code: ErrorCode.Unauthorized, ref: 'auth' });
  });

  it('admits a token with the audience, an accepted issuer and a short life', async () => {
    const client = await sut.client();
    await expect(
      client.join('r1', 'Ada', { token: await token({ ...good, aud: ['x', 'parley'], iss: 'https://id2.example' }, { exp: now() + 600 }) }),
    ).resolves.toBeDefined();
  });

  it('refuses a cap that is not a positive number', () => {
    expect(() => jwtAuthorizer(SECRET, { maxTtlSeconds: 0 })).toThrow(/maxTtlSeconds/);
    expect(() => jwtAuthorizer(SECRET, { maxTtlSeconds: Number.NaN })).toThrow(/maxTtlSeconds/);
  });
});

describe('the upgrade request, kept for the authorize hook only', () => {
  let sut: TestApp | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  /** A joined client, and its upgrade request on the server, held weakly. */
  async function joinedWithRequest(options: SignalingModuleOptions) {
    sut = await TestApp.start(options);
    const server = (sut.app.get(SignalingGateway) as unknown as { server: WebSocketServer }).server;
    let request: WeakRef<IncomingMessage> | undefined;
    server.once('connection', (_socket, upgrade: IncomingMessage) => (request = new WeakRef(upgrade)));
    const client = await sut.client({ 'x-team': 'blue' });
    await client.join('footprint', 'Ada');
    return { client, request: request! };
  }

  it('lets the request go without a hook: an idle socket does not hold its headers', async () => {
    const { client, request } = await joinedWithRequest({});
    // Nest remembers the last connection's arguments (a distinctUntilChanged): one more socket.
    await sut!.client();
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc).toBeDefined();
    await waitFor(() => (gc!(), request.deref() === undefined), 5_000, 'the upgrade request to be collected');
    // Still in the room: the socket lives on without it.
    client.send('media', { audio: true, video: false, screen: false, ref: 'm' });
    expect(await client.next('peer-updated')).toMatchObject({ ref: 'm' });
  });

  it('hands the hook the request of the socket at every join, a rejoin too', async () => {
    const teams: unknown[] = [];
    const { client, request } = await joinedWithRequest({
      authorize: ({ request: upgrade }) => {
        teams.push(upgrade.headers['x-team']);
        return {};
      },
    });
    client.send('leave', {});
    await client.join('footprint', 'Ada');
    expect(teams).toEqual(['blue', 'blue']);
    // Kept by the session, not only by Nest's memory of the last connection: one more socket, a collection.
    await sut!.client();
    (globalThis as { gc?: () => void }).gc!();
    expect(request.deref()).toBeDefined();
  });
});
