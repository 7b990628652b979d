import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { effectiveConfig, enabledLogLevels, loadConfig, MIN_SECRET_LENGTH } from './config.js';

const STRONG = 'c0ffee'.repeat(8);

function secretFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'parley-secret-')), 'secret');
  writeFileSync(path, content);
  return path;
}

describe(loadConfig.name, () => {
  it('has a default for everything', () => {
    expect(loadConfig({}, '/web')).toEqual({
      port: 3000,
      host: '0.0.0.0',
      signalingPath: '/ws',
      iceServers: [{ urls: ['stun:stun.l.google.com:19302'] }],
      allowedOrigins: [],
      maxPeers: 6,
      janusServers: [],
      meshMaxPeers: 4,
      resumeSecret: undefined,
      shutdownDrainMs: 0,
      resumeGraceMs: 20_000,
      turn: undefined,
      logLevel: 'log',
      logJson: expect.any(Boolean),
      redisUrl: undefined,
      redisKeyPrefix: 'parley:',
      authSecret: undefined,
      authAudience: [],
      authIssuer: [],
      authMaxTokenTtlSeconds: 86_400,
      maxSocketsPerIp: 50,
      connectionsPerSecondPerIp: 20,
      apiRequestsPerMinutePerIp: 30,
      trustProxy: false,
      webRoot: '/web',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        HOST: '127.0.0.1',
        SIGNALING_PATH: '/signal',
        STUN_URLS: 'stun:a:3478, stun:b:3478',
        ALLOWED_ORIGINS: 'https://a.example,https://b.example',
        MAX_PEERS: '4',
        RESUME_SECRET: 'shh',
        RESUME_GRACE_MS: '5000',
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'json',
        REDIS_URL: 'redis://r:6379',
        REDIS_KEY_PREFIX: 'blue:',
        AUTH_SECRET: 'jwt',
        AUTH_AUDIENCE: 'parley, meet',
        AUTH_ISSUER: 'https://id.example',
        AUTH_MAX_TOKEN_TTL: '600',
        MAX_SOCKETS_PER_IP: '5000',
        CONNECTIONS_PER_SECOND_PER_IP: '1000',
        API_REQUESTS_PER_MINUTE_PER_IP: '90',
        TRUST_PROXY: '1',
        SHUTDOWN_DRAIN_MS: '5000',
      },
      '/web',
    );
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      signalingPath: '/signal',
      iceServers: [{ urls: ['stun:a:3478', 'stun:b:3478'] }],
      allowedOrigins: ['https://a.example', 'https://b.example'],
      maxPeers: 4,
      resumeSecret: 'shh',
      resumeGraceMs: 5000,
      logLevel: 'debug',
      logJson: true,
      redisUrl: 'redis://r:6379',
      redisKeyPrefix: 'blue:',
      authSecret: 'jwt',
      authAudience: ['parley', 'meet'],
      authIssuer: ['https://id.example'],
      authMaxTokenTtlSeconds: 600,
      maxSocketsPerIp: 5000,
      connectionsPerSecondPerIp: 1000,
      apiRequestsPerMinutePerIp: 90,
      trustProxy: 1,
      shutdownDrainMs: 5000,
    });
  });

  it('reads TURN settings, and refuses TURN_URLS without TURN_SECRET', () => {
    expect(loadConfig({ TURN_URLS: 'turn:a:3478,turns:a:5349', TURN_SECRET: STRONG, TURN_TTL: '600' }, '/web').turn).toEqual({
      urls: ['turn:a:3478', 'turns:a:5349'],
      secret: STRONG,
      ttlSeconds: 600,
    });
    expect(loadConfig({ TURN_URLS: 'turn:a:3478', TURN_SECRET: STRONG }, '/web').turn?.ttlSeconds).toBe(3600);
    expect(() => loadConfig({ TURN_URLS: 'turn:a:3478' }, '/web')).toThrow(/TURN_SECRET/);
  });

  it('reads Janus settings: 50 people a room and the switch past MESH_MAX_PEERS; an explicit MAX_PEERS wins', () => {
    const config = loadConfig(
      { JANUS_URLS: 'ws://127.0.0.1:8188, wss://janus-b.internal/janus', JANUS_API_SECRET: STRONG, MESH_MAX_PEERS: '3' },
      '/web',
    );
    expect(config).toMatchObject({
      maxPeers: 50,
      meshMaxPeers: 3,
      janusServers: [
        { url: 'ws://127.0.0.1:8188', apiSecret: STRONG },
        { url: 'wss://janus-b.internal/janus', apiSecret: STRONG },
      ],
    });
    expect(
      loadConfig({ JANUS_URLS: 'ws://127.0.0.1:8188', JANUS_API_SECRET_FILE: secretFile(`${STRONG}\n`), MAX_PEERS: '12' }, '/web'),
    ).toMatchObject({
      maxPeers: 12,
      janusServers: [{ url: 'ws://127.0.0.1:8188', apiSecret: STRONG }],
    });
    expect(loadConfig({ JANUS_URLS: '' }, '/web')).toMatchObject({ maxPeers: 6, janusServers: [] });
  });

  it('refuses JANUS_URLS without JANUS_API_SECRET, a URL that is not ws://, and a MESH_MAX_PEERS below 1', () => {
    expect(() => loadConfig({ JANUS_URLS: 'ws://127.0.0.1:8188' }, '/web')).toThrow(/JANUS_API_SECRET/);
    expect(() => loadConfig({ JANUS_URLS: 'http://127.0.0.1:8188', JANUS_API_SECRET: STRONG }, '/web')).toThrow(
      /JANUS_URLS: http:\/\/127.0.0.1:8188 is not a ws/,
    );
    expect(() => loadConfig({ MESH_MAX_PEERS: '0' }, '/web')).toThrow(/MESH_MAX_PEERS must be an integer from 1/);
    expect(() => loadConfig({ JANUS_URLS: 'ws://j:8188', JANUS_API_SECRET: 'dev-only-janus', HOST: '0.0.0.0' }, '/web')).toThrow(
      /JANUS_API_SECRET is a known development value/,
    );
  });

  it('takes an empty STUN_URLS as no STUN server', () => {
    expect(loadConfig({ STUN_URLS: '' }, '/web').iceServers).toEqual([]);
  });

  it('refuses values that make no sense, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'http' }, '/web')).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ MAX_PEERS: '1' }, '/web')).toThrow(/MAX_PEERS must be an integer from 2/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, '/web')).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_MS: '-1' }, '/web')).toThrow(/SHUTDOWN_DRAIN_MS must be an integer from 0/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' }, '/web')).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r:6379' }, '/web')).toThrow(/RESUME_SECRET/);
  });

  describe('secrets', () => {
    const NAMES = ['RESUME_SECRET', 'TURN_SECRET', 'AUTH_SECRET'] as const;
    const field = { RESUME_SECRET: 'resumeSecret', TURN_SECRET: 'turn', AUTH_SECRET: 'authSecret' } as const;
    const read = (env: NodeJS.ProcessEnv, name: (typeof NAMES)[number]) => {
      const config = loadConfig({ TURN_URLS: 'turn:a:3478', ...(name === 'TURN_SECRET' ? {} : { TURN_SECRET: STRONG }), ...env }, '/web');
      return name === 'TURN_SECRET' ? config.turn?.secret : config[field[name]];
    };

    it.each(NAMES)('reads %s from the file its _FILE variable names, without the trailing newline', (name) => {
      expect(read({ [`${name}_FILE`]: secretFile(`${STRONG}\n`) }, name)).toBe(STRONG);
      expect(read({ [`${name}_FILE`]: secretFile(STRONG), [name]: '' }, name)).toBe(STRONG);
    });

    it.each(NAMES)('refuses %s together with its _FILE, a missing file and an empty one', (name) => {
      expect(() => read({ [name]: STRONG, [`${name}_FILE`]: secretFile(STRONG) }, name)).toThrow(`Both ${name} and ${name}_FILE are set`);
      expect(() => read({ [`${name}_FILE`]: '/nonexistent/parley-secret' }, name)).toThrow(
        new RegExp(`${name}_FILE: cannot read /nonexistent/parley-secret \\(ENOENT\\)`),
      );
      expect(() => read({ [`${name}_FILE`]: secretFile('\n') }, name)).toThrow(`${name}_FILE`);
    });

    // The values older compose files and .env.example shipped, and their kin.
    const development = [
      'dev-only-change-me',
      'dev-only-change-me-too',
      'DEV-ONLY-whatever-it-says',
      'please-change-me-now',
      'changeme-changeme',
      'replace_me_with_a_secret',
    ];

    it.each(NAMES)('refuses a known development value of %s on every address but loopback', (name) => {
      for (const value of development) {
        for (const HOST of [undefined, '0.0.0.0', '::', '192.168.1.10', 'parley.example']) {
          expect(() => read({ [name]: value, HOST }, name)).toThrow(`${name} is a known development value`);
          expect(() => read({ [`${name}_FILE`]: secretFile(value), HOST }, name)).toThrow(`${name} is a known development value`);
        }
        for (const HOST of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'])
          expect(read({ [name]: value, HOST }, name)).toBe(value);
      }
    });

    it.each(NAMES)(`refuses %s shorter than ${MIN_SECRET_LENGTH} characters except on loopback`, (name) => {
      expect(() => read({ [name]: 'x'.repeat(MIN_SECRET_LENGTH - 1) }, name)).toThrow(`${name} is shorter than ${MIN_SECRET_LENGTH} characters`);
      expect(read({ [name]: 'x'.repeat(MIN_SECRET_LENGTH) }, name)).toBe('x'.repeat(MIN_SECRET_LENGTH));
      expect(read({ [name]: 'short', HOST: '127.0.0.1' }, name)).toBe('short');
    });

    it('counts RESUME_SECRET_FILE as the shared secret REDIS_URL needs', () => {
      expect(loadConfig({ REDIS_URL: 'redis://r:6379', RESUME_SECRET_FILE: secretFile(STRONG) }, '/web').resumeSecret).toBe(STRONG);
    });

    it('never puts the refused value in the error message', () => {
      for (const value of [...development, 'hunter2']) {
        const message = (() => {
          try {
            loadConfig({ RESUME_SECRET: value }, '/web');
          } catch (error) {
            return (error as Error).message;
          }
          throw new Error(`${value} was accepted`);
        })();
        expect(message).toMatch(/^RESUME_SECRET is/);
        expect(message).not.toContain(value);
      }
    });
  });

  it('maps a level to itself and everything more severe', () => {
    expect(enabledLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['true', true],
    ['0', 0],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8,fd00::/8', ['loopback', '10.0.0.0/8', 'fd00::/8']],
  ])('reads TRUST_PROXY=%p as %p', (raw, expected) => {
    expect(loadConfig(raw === undefined ? {} : { TRUST_PROXY: raw }, '/web').trustProxy).toEqual(expected);
  });
});

describe(effectiveConfig.name, () => {
  it('shows every setting but no secret, and no Redis password', () => {
    const secrets = { RESUME_SECRET: `r-${STRONG}`, TURN_SECRET: `t-${STRONG}`, AUTH_SECRET: `a-${STRONG}`, JANUS_API_SECRET: `j-${STRONG}` };
    const config = loadConfig(
      { ...secrets, TURN_URLS: 'turn:a:3478', REDIS_URL: 'redis://:hunter2-password@r:6379/0', MAX_PEERS: '4', JANUS_URLS: 'ws://janus:8188' },
      '/web',
    );
    const shown = effectiveConfig(config);
    const text = JSON.stringify(shown);
    for (const value of [...Object.values(secrets), 'hunter2-password']) expect(text).not.toContain(value);
    expect(shown).toMatchObject({
      maxPeers: 4,
      resumeSecret: 'set',
      authSecret: 'set',
      turn: { urls: ['turn:a:3478'], secret: 'set' },
      redisUrl: 'redis://:redacted@r:6379/0',
      janusServers: [{ url: 'ws://janus:8188/', apiSecret: 'set' }],
      shutdownDrainMs: 0,
    });
    expect(effectiveConfig(loadConfig({}, '/web'))).toMatchObject({ authSecret: 'unset', turn: 'off', redisUrl: 'unset: rooms in memory' });
  });
});
