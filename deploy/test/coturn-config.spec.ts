/**
 * The repo's coturn configuration (deploy/coturn/turnserver.conf), run for real: Debian's
 * `turnserver` on 127.0.0.1 (and ::1) with that file, WITHOUT --allow-loopback-peers, and a small
 * TURN client (./turn-client.ts). Credentials come from the app's own code (turnCredential), so
 * this also proves that what `joined` hands out is what coturn accepts.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { turnCredential } from '../../libs/signaling/src/turn-credentials.js';
import { startTurnServer, TURN_CONFIG, type TurnServer } from '../../e2e/turn-server.js';
import { Attr, attr, decodeXorAddress, errorCode, fingerprintValid, integrityValid, TurnClient, type StunMessage } from './turn-client.js';

const TTL = 600;
const config = readFileSync(TURN_CONFIG, 'utf8');
const compose = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');

function credentials(server: TurnServer, peerId: string, options: { secret?: string; now?: number } = {}) {
  const ice = turnCredential(peerId, { urls: server.urls, secret: options.secret ?? server.secret, ttlSeconds: TTL }, options.now ?? Date.now());
  return { username: ice.username!, password: ice.credential! };
}

function describeAnswer(message: StunMessage): string {
  const error = errorCode(message);
  return error ? `${error.code} ${error.reason}` : message.cls;
}

const clients: TurnClient[] = [];
function client(server: TurnServer): TurnClient {
  const c = new TurnClient(server);
  clients.push(c);
  return c;
}

afterAll(async () => {
  for (const c of clients) {
    await c.release().catch(() => undefined);
    c.close();
  }
});

describe('deploy/coturn/turnserver.conf (static)', () => {
  const lines = config
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));

  it('uses the REST-API secret scheme and carries no secret itself', () => {
    expect(lines).toContain('use-auth-secret');
    expect(lines.some((line) => /^(static-auth-secret|user|lt-cred-mech)(=|\s|$)/.test(line))).toBe(false);
  });

  it('has the hardening options', () => {
    for (const option of ['no-cli', 'fingerprint', 'no-multicast-peers', 'no-tcp-relay']) expect(lines).toContain(option);
    expect(lines).not.toContain('allow-loopback-peers');
    // coturn 4.6 reads "denied-peer-ip=::" as a wildcard that refuses every peer.
    expect(lines).not.toContain('denied-peer-ip=::');
    expect(lines.find((line) => line.startsWith('user-quota='))).toMatch(/^user-quota=[1-9]\d*$/);
    expect(lines.find((line) => line.startsWith('total-quota='))).toMatch(/^total-quota=[1-9]\d*$/);
    expect(lines.find((line) => line.startsWith('realm='))).toBe('realm=parley');
  });

  it('publishes in docker-compose.yml the relay range the configuration uses', () => {
    const min = lines.find((line) => line.startsWith('min-port='))!.split('=')[1];
    const max = lines.find((line) => line.startsWith('max-port='))!.split('=')[1];
    expect(compose).toContain(`${min}-${max}:${min}-${max}/udp`);
    expect(compose).toContain('/etc/coturn/turnserver.conf');
  });
});

describe('turnserver with the repo configuration (no --allow-loopback-peers)', () => {
  let server: TurnServer;
  let allocated: TurnClient;

  beforeAll(async () => {
    server = await startTurnServer({ ipv6: true });
    allocated = client(server);
  }, 20_000);

  afterAll(async () => {
    for (const c of clients.splice(0)) {
      await c.release().catch(() => undefined);
      c.close();
    }
    await server?.stop();
  });

  it('allocates a relay with a valid credential from the app, after a 401 challenge', async () => {
    const { challenge, response } = await allocated.allocate(credentials(server, 'peer-valid'));

    expect(errorCode(challenge)?.code).toBe(401);
    expect(attr(challenge, Attr.Realm)?.toString()).toBe('parley');
    expect(attr(challenge, Attr.Nonce)?.length).toBeGreaterThan(0);

    expect(describeAnswer(response)).toBe('success');
    expect(integrityValid(response, allocated.signingKey!)).toBe(true);
    expect(fingerprintValid(response)).toBe(true);
    const relayed = decodeXorAddress(attr(response, Attr.XorRelayedAddress)!, response.transactionId);
    expect(relayed.address).toBe('127.0.0.1');
    expect(relayed.port).toBeGreaterThanOrEqual(server.relayPorts[0]);
    expect(relayed.port).toBeLessThanOrEqual(server.relayPorts[1]);
    expect(attr(response, Attr.Lifetime)!.readUInt32BE(0)).toBeGreaterThan(0);
  });

  it('refuses an expired credential with 401', async () => {
    const expired = credentials(server, 'peer-expired', { now: Date.now() - (TTL + 60) * 1000 });
    expect(Number(expired.username.split(':')[0])).toBeLessThan(Date.now() / 1000);

    const { challenge, response } = await client(server).allocate(expired);
    expect(errorCode(challenge)?.code).toBe(401);
    // The signed second attempt is refused too: the expiry in the username is in the past.
    expect(response).not.toBe(challenge);
    expect(describeAnswer(response)).toMatch(/^401\b/);
  });

  it('refuses a credential made with another secret with 401', async () => {
    const { response } = await client(server).allocate(credentials(server, 'peer-wrong', { secret: 'not-the-secret' }));
    expect(describeAnswer(response)).toMatch(/^401\b/);
  });

  it('grants a permission to a public address (so the refusals below come from the deny list)', async () => {
    const answer = await allocated.createPermission('1.1.1.1');
    expect(describeAnswer(answer)).toBe('success');
    expect(integrityValid(answer, allocated.signingKey!)).toBe(true);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback (whole /8)', '127.1.2.3'],
    ['private 10/8', '10.0.0.1'],
    ['private 172.16/12 (docker networks)', '172.17.0.1'],
    ['private 192.168/16', '192.168.1.1'],
    ['link-local', '169.254.1.1'],
    ['cloud metadata', '169.254.169.254'],
    ['CGNAT 100.64/10', '100.64.0.1'],
    ['"this" network 0/8', '0.0.0.1'],
    ['benchmarking 198.18/15', '198.18.0.1'],
    ['multicast', '224.0.0.251'],
    ['broadcast', '255.255.255.255'],
  ])('refuses a permission to %s (%s) with 403', async (_name, peer) => {
    const answer = await allocated.createPermission(peer);
    expect(describeAnswer(answer)).toMatch(/^403\b/);
  });

  it('refuses a channel to loopback and to a private address with 403', async () => {
    expect(describeAnswer(await allocated.channelBind('127.0.0.1', 6379, 0x4001))).toMatch(/^403\b/);
    expect(describeAnswer(await allocated.channelBind('10.0.0.1', 6379, 0x4002))).toMatch(/^403\b/);
    expect(describeAnswer(await allocated.channelBind('1.1.1.1', 3478, 0x4003))).toBe('success');
  });

  describe('IPv6 relay', () => {
    let v6: TurnClient;

    beforeAll(async () => {
      v6 = client(server);
      const { response } = await v6.allocate(credentials(server, 'peer-v6'), { family: 6 });
      expect(describeAnswer(response)).toBe('success');
      const relayed = decodeXorAddress(attr(response, Attr.XorRelayedAddress)!, response.transactionId);
      expect(relayed).toMatchObject({ family: 6, address: '0:0:0:0:0:0:0:1' });
    });

    it('grants a permission to a public IPv6 address', async () => {
      expect(describeAnswer(await v6.createPermission('2001:4860:4860::8888'))).toBe('success');
    });

    it.each([
      ['loopback', '::1'],
      ['unspecified', '::'],
      ['unique local fc00::/7', 'fd00::2'],
      ['unique local fc00::/7', 'fc00::1'],
      ['link-local', 'fe80::1'],
      ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
      ['IPv4-mapped private', '::ffff:10.0.0.1'],
      ['IPv4-mapped private', '::ffff:192.168.1.1'],
      ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
      ['NAT64 of a private address', '64:ff9b::a00:1'],
      ['6to4 of a private address', '2002:a00:1::1'],
      ['multicast', 'ff02::1'],
    ])('refuses a permission to %s (%s) with 403', async (_name, peer) => {
      expect(describeAnswer(await v6.createPermission(peer))).toMatch(/^403\b/);
    });
  });
});

describe('turnserver for the browser test (allowLoopbackPeers)', () => {
  let server: TurnServer;

  beforeAll(async () => {
    server = await startTurnServer({ allowLoopbackPeers: true });
  }, 20_000);

  afterAll(async () => {
    for (const c of clients.splice(0)) {
      await c.release().catch(() => undefined);
      c.close();
    }
    await server?.stop();
  });

  it('relays to 127.0.0.1 only, and still refuses private addresses', async () => {
    const c = client(server);
    const { response } = await c.allocate(credentials(server, 'peer-browser'));
    expect(describeAnswer(response)).toBe('success');
    expect(describeAnswer(await c.createPermission('127.0.0.1'))).toBe('success');
    expect(describeAnswer(await c.createPermission('10.0.0.1'))).toMatch(/^403\b/);
    expect(describeAnswer(await c.createPermission('192.168.1.1'))).toMatch(/^403\b/);
  });
});
