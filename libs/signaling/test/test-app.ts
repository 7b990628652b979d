import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignalingAdapter, SignalingModule, type SignalingModuleOptions } from '../src/index.js';
import { TestClient } from './test-client.js';

/** A real Nest app with the signaling module, listening on a free port. */
export class TestApp {
  readonly #clients: TestClient[] = [];

  private constructor(
    readonly app: INestApplication,
    readonly url: string,
  ) {}

  static async start(options: SignalingModuleOptions = {}, port = 0): Promise<TestApp> {
    const moduleRef = await Test.createTestingModule({ imports: [SignalingModule.forRoot(options)] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new SignalingAdapter(app));
    await app.listen(port, '127.0.0.1');
    const { port: bound } = app.getHttpServer().address() as AddressInfo;
    return new TestApp(app, `ws://127.0.0.1:${bound}${options.path ?? '/ws'}`);
  }

  async client(headers?: Record<string, string>, localAddress?: string): Promise<TestClient> {
    const client = await TestClient.connect(this.url, headers, localAddress);
    this.#clients.push(client);
    return client;
  }

  /** A client already in `room`. */
  async joined(room: string, name?: string) {
    const client = await this.client();
    const joined = await client.join(room, name);
    return { client, joined, id: joined.self.id };
  }

  /**
   * `count` clients in rooms of five named `<prefix>-<n>`, from twenty loopback addresses: more
   * sockets and new rooms than one address may open (the per-address caps). Each comes back with
   * the address it connected from, to reconnect from it.
   */
  async manyJoined(count: number, prefix: string) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const address = `127.0.0.${10 + (i % 20)}`;
        const client = await this.client({}, address);
        return { client, address, joined: await client.join(`${prefix}-${Math.floor(i / 5)}`, `P${i}`) };
      }),
    );
  }

  async close(): Promise<void> {
    await this.app.close();
    for (const client of this.#clients) client.close();
  }
}
