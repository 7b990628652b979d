import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SIGNALING_OPTIONS, SignalingModule, RoomService, type ResolvedSignalingOptions } from '../src/index.js';

const CONFIG = Symbol('CONFIG');

@Module({ providers: [{ provide: CONFIG, useValue: { peers: 4, path: '/call' } }], exports: [CONFIG] })
class ConfigModule {}

async function resolved(imports: unknown[]): Promise<ResolvedSignalingOptions> {
  const moduleRef = await Test.createTestingModule({ imports: imports as never[] }).compile();
  expect(moduleRef.get(RoomService)).toBeInstanceOf(RoomService);
  return moduleRef.get(SIGNALING_OPTIONS);
}

describe(SignalingModule.name, () => {
  it('applies defaults with forRoot()', async () => {
    expect(await resolved([SignalingModule.forRoot({})])).toEqual({
      path: '/ws',
      maxPeers: 6,
      iceServers: [],
      allowedOrigins: [],
      resumeSecret: expect.stringMatching(/^[\w-]{43}$/),
      resumeGraceMs: 20_000,
      resumeRotateMs: 30_000,
      heartbeatMs: 5_000,
      joinTimeoutMs: 10_000,
      waitingTimeoutMs: 300_000,
      authorize: undefined,
      turn: undefined,
      redis: undefined,
      roomStore: undefined,
      messageBus: undefined,
      maxSocketsPerIp: 50,
      connectionsPerSecondPerIp: 20,
      trustProxy: false,
      newRoomJoinsPerIp: { burst: 20, perMinute: 20 },
      metrics: expect.objectContaining({ received: expect.any(Function) }),
    });
  });

  it('keeps what forRoot() is given', async () => {
    const authorize = () => ({});
    const options = await resolved([
      SignalingModule.forRoot({ path: '/call', maxPeers: 3, iceServers: [{ urls: 'stun:a' }], resumeSecret: 's', authorize }),
    ]);
    expect(options).toMatchObject({ path: '/call', maxPeers: 3, iceServers: [{ urls: 'stun:a' }], resumeSecret: 's', authorize });
  });

  it('resolves forRootAsync() from an injected provider', async () => {
    const options = await resolved([
      SignalingModule.forRootAsync({
        imports: [ConfigModule],
        inject: [CONFIG],
        useFactory: async (config: { peers: number; path: string }) => ({ maxPeers: config.peers, path: config.path }),
      }),
    ]);
    expect(options).toMatchObject({ path: '/call', maxPeers: 4, iceServers: [] });
  });

  it('gives turn a default lifetime, and refuses it without a secret', async () => {
    const options = await resolved([SignalingModule.forRoot({ turn: { urls: ['turn:t:3478'], secret: 's' } })]);
    expect(options.turn).toEqual({ urls: ['turn:t:3478'], secret: 's', ttlSeconds: 3600 });
    await expect(resolved([SignalingModule.forRoot({ turn: { urls: ['turn:t:3478'], secret: '' } })])).rejects.toThrow(/secret/);
  });

  it('with sfu, defaults maxPeers to 50 and meshMaxPeers to 4; an explicit maxPeers wins', async () => {
    const servers = [{ url: 'ws://127.0.0.1:8188', apiSecret: 'janus-secret' }];
    expect(await resolved([SignalingModule.forRoot({ sfu: { servers } })])).toMatchObject({ maxPeers: 50, sfu: { servers, meshMaxPeers: 4 } });
    const async = await resolved([SignalingModule.forRootAsync({ useFactory: () => ({ maxPeers: 20, sfu: { servers, meshMaxPeers: 2 } }) })]);
    expect(async).toMatchObject({ maxPeers: 20, sfu: { servers, meshMaxPeers: 2 } });
  });

  it('refuses sfu without servers, or with a meshMaxPeers below 1', async () => {
    await expect(resolved([SignalingModule.forRoot({ sfu: { servers: [] } })])).rejects.toThrow(/sfu/);
    const servers = [{ url: 'ws://127.0.0.1:8188', apiSecret: 's' }];
    await expect(resolved([SignalingModule.forRoot({ sfu: { servers, meshMaxPeers: 0 } })])).rejects.toThrow(/meshMaxPeers/);
  });

  it('refuses a maxPeers below 2', async () => {
    await expect(resolved([SignalingModule.forRoot({ maxPeers: 1 })])).rejects.toThrow(/maxPeers/);
  });
});
