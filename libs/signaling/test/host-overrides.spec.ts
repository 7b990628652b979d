/**
 * What libs/signaling/README.md promises a host: its own room store and bus through the module
 * options (or `overrideProvider` on the exported tokens), and a terminus-shaped health indicator.
 */
import type { AddressInfo } from 'node:net';
import { Test } from '@nestjs/testing';
import {
  LocalMessageBus,
  MemoryRoomStore,
  MESSAGE_BUS,
  ROOM_STORE,
  RoomService,
  SignalingAdapter,
  SignalingDrain,
  SignalingHealthIndicator,
  SignalingModule,
  type BusMessage,
  type MessageBus,
  type PeerRecord,
} from '../src/index.js';
import { TestApp } from './test-app.js';

/** The host's store: the memory one, recording what Parley asks of it. */
class RecordingStore extends MemoryRoomStore {
  readonly admitted: string[] = [];
  override async admit(record: PeerRecord, maxPeers: number): Promise<boolean> {
    this.admitted.push(`${record.room}/${record.peer.name}`);
    return super.admit(record, maxPeers);
  }
}

/** The host's bus (think NATS), here in-process: instances that share it reach each other through it. */
class SharedBus implements MessageBus {
  static readonly #instances = new Map<string, SharedBus>();
  readonly published: BusMessage['kind'][] = [];
  #handler: (message: BusMessage) => void = () => {};

  constructor(readonly instanceId: string) {
    SharedBus.#instances.set(instanceId, this);
  }

  async publish(instance: string, message: BusMessage): Promise<void> {
    this.published.push(message.kind);
    const target = SharedBus.#instances.get(instance);
    if (target) target.#handler(structuredClone(message));
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.#handler = handler;
  }

  onResync(): void {}
}

describe('a host brings its own parts', () => {
  it('uses the room store and the bus given as module options, across two instances', async () => {
    const roomStore = new RecordingStore();
    const busOne = new SharedBus('host-bus-1');
    const one = await TestApp.start({ roomStore, messageBus: busOne });
    const two = await TestApp.start({ roomStore, messageBus: new SharedBus('host-bus-2') });
    try {
      const ada = await one.joined('own-parts', 'Ada');
      const bob = await two.joined('own-parts', 'Bob');
      expect(roomStore.admitted).toEqual(['own-parts/Ada', 'own-parts/Bob']);
      expect((await roomStore.members('own-parts')).map((m) => m.instance)).toEqual(['host-bus-1', 'host-bus-2']);
      // Bob is on the other instance: the signal reaches Ada through the host's bus.
      expect(await ada.client.next('peer-joined')).toMatchObject({ peer: { id: bob.id } });
      bob.client.send('signal', { to: ada.id, candidate: null });
      expect(await ada.client.next('signal')).toEqual({ from: bob.id, candidate: null });
      ada.client.send('signal', { to: bob.id, candidate: null });
      expect(await bob.client.next('signal')).toEqual({ from: ada.id, candidate: null });
      expect(busOne.published).toContain('deliver');
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('takes the same parts from forRootAsync', async () => {
    const roomStore = new RecordingStore();
    const messageBus = new LocalMessageBus('async-bus');
    const moduleRef = await Test.createTestingModule({
      imports: [SignalingModule.forRootAsync({ useFactory: async () => ({ roomStore, messageBus }) })],
    }).compile();
    expect(moduleRef.get(ROOM_STORE)).toBe(roomStore);
    expect(moduleRef.get(MESSAGE_BUS)).toBe(messageBus);
    await moduleRef.close();
  });

  it('lets a test swap the store with overrideProvider on the exported token', async () => {
    const roomStore = new RecordingStore();
    const moduleRef = await Test.createTestingModule({ imports: [SignalingModule.forRoot({})] })
      .overrideProvider(ROOM_STORE)
      .useValue(roomStore)
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new SignalingAdapter(app));
    await app.listen(0, '127.0.0.1');
    try {
      const { TestClient } = await import('./test-client.js');
      const client = await TestClient.connect(`ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/ws`);
      await client.join('overridden', 'Cy');
      expect(roomStore.admitted).toEqual(['overridden/Cy']);
      expect(app.get(RoomService).size).toEqual({ rooms: 1, peers: 1 });
      client.close();
    } finally {
      await app.close();
    }
  });
});

describe(SignalingHealthIndicator.name, () => {
  it('is up with the counts, and down while draining', async () => {
    const sut = await TestApp.start();
    try {
      await sut.joined('health', 'Ada');
      const indicator = sut.app.get(SignalingHealthIndicator);
      expect(await indicator.isHealthy('parley')).toEqual({ parley: { status: 'up', rooms: 1, peers: 1, redis: 'not configured', draining: false } });
      sut.app.get(SignalingDrain).start();
      expect(await indicator.isHealthy('parley')).toEqual({
        parley: { status: 'down', rooms: 1, peers: 1, redis: 'not configured', draining: true, message: expect.stringMatching(/^Shutting down/) },
      });
    } finally {
      await sut.close();
    }
  });

  it('is down when Redis does not answer', async () => {
    const sut = await TestApp.start({
      redis: { url: 'redis://127.0.0.1:1', keyPrefix: `health-${process.pid}:` },
      resumeSecret: 'health-test-secret',
    });
    try {
      expect(await sut.app.get(SignalingHealthIndicator).isHealthy('signaling')).toMatchObject({
        signaling: { status: 'down', redis: 'down', message: 'Redis does not answer' },
      });
    } finally {
      await sut.close();
    }
  });
});
