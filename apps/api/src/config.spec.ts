import { enabledLogLevels, loadConfig } from './config.js';

describe(loadConfig.name, () => {
  it('has a default for everything', () => {
    expect(loadConfig({}, '/web')).toEqual({
      port: 3000,
      host: '0.0.0.0',
      signalingPath: '/ws',
      iceServers: [{ urls: ['stun:stun.l.google.com:19302'] }],
      allowedOrigins: [],
      maxPeers: 6,
      resumeSecret: undefined,
      resumeGraceMs: 20_000,
      turn: undefined,
      logLevel: 'log',
      logJson: expect.any(Boolean),
      redisUrl: undefined,
      redisKeyPrefix: 'parley:',
      authSecret: undefined,
      maxSocketsPerIp: 50,
      connectionsPerSecondPerIp: 20,
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
        MAX_SOCKETS_PER_IP: '5000',
        CONNECTIONS_PER_SECOND_PER_IP: '1000',
        TRUST_PROXY: '1',
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
      maxSocketsPerIp: 5000,
      connectionsPerSecondPerIp: 1000,
      trustProxy: 1,
    });
  });

  it('reads TURN settings, and refuses TURN_URLS without TURN_SECRET', () => {
    expect(loadConfig({ TURN_URLS: 'turn:a:3478,turns:a:5349', TURN_SECRET: 's', TURN_TTL: '600' }, '/web').turn).toEqual({
      urls: ['turn:a:3478', 'turns:a:5349'],
      secret: 's',
      ttlSeconds: 600,
    });
    expect(loadConfig({ TURN_URLS: 'turn:a:3478', TURN_SECRET: 's' }, '/web').turn?.ttlSeconds).toBe(3600);
    expect(() => loadConfig({ TURN_URLS: 'turn:a:3478' }, '/web')).toThrow(/TURN_SECRET/);
  });

  it('takes an empty STUN_URLS as no STUN server', () => {
    expect(loadConfig({ STUN_URLS: '' }, '/web').iceServers).toEqual([]);
  });

  it('refuses values that make no sense, naming the variable', () => {
    expect(() => loadConfig({ PORT: 'http' }, '/web')).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ MAX_PEERS: '1' }, '/web')).toThrow(/MAX_PEERS must be an integer from 2/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' }, '/web')).toThrow(/LOG_LEVEL/);
    expect(() => loadConfig({ LOG_FORMAT: 'xml' }, '/web')).toThrow(/LOG_FORMAT/);
    expect(() => loadConfig({ REDIS_URL: 'redis://r:6379' }, '/web')).toThrow(/RESUME_SECRET/);
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
