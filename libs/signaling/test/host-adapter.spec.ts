/**
 * `new SignalingAdapter(app, hostAdapter)`: Parley's gateway on SignalingAdapter, every other
 * gateway on the host's adapter, which here is a small one of its own (not a WsAdapter), so that
 * each call it gets is visible. examples/host-app does the same with socket.io's IoAdapter.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { Module, type INestApplication, type WebSocketAdapter, type WsMessageHandler } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayDisconnect } from '@nestjs/websockets';
import type { Observable } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { SignalingAdapter, SignalingModule } from '../src/index.js';
import { TestClient } from './test-client.js';

/** The host's adapter: `ws` on /host with `{type, payload}` frames, recording what it is asked. */
class HostAdapter implements WebSocketAdapter<WebSocketServer, WebSocket> {
  readonly calls: string[] = [];

  constructor(private readonly http: Server) {}

  create(): WebSocketServer {
    this.calls.push('create');
    const server = new WebSocketServer({ noServer: true });
    this.http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (request.url === '/host') server.handleUpgrade(request, socket, head, (client) => server.emit('connection', client, request));
    });
    return server;
  }

  bindClientConnect(server: WebSocketServer, callback: (client: WebSocket) => void): void {
    this.calls.push('connect');
    server.on('connection', callback);
  }

  bindClientDisconnect(client: WebSocket, callback: () => void): void {
    this.calls.push('disconnect');
    client.on('close', callback);
  }

  bindMessageHandlers(client: WebSocket, handlers: WsMessageHandler[], transform: (data: unknown) => Observable<unknown>): void {
    this.calls.push('messages');
    client.on('message', (raw) => {
      const { type, payload } = JSON.parse(raw.toString()) as { type: string; payload: unknown };
      const handler = handlers.find((h) => h.message === type);
      if (handler) transform(handler.callback(payload)).subscribe((reply) => client.send(JSON.stringify({ type: 'reply', payload: reply })));
    });
  }

  close(server: WebSocketServer): void {
    this.calls.push('close');
    server.close();
  }

  dispose(): void {
    this.calls.push('dispose');
  }
}

const gone: string[] = [];

@WebSocketGateway()
class HostGateway implements OnGatewayDisconnect {
  @SubscribeMessage('hello')
  hello(@MessageBody() body: { name: string }) {
    return `hello ${body.name}`;
  }

  handleDisconnect(): void {
    gone.push('host client');
  }
}

@Module({ imports: [SignalingModule.forRoot({})], providers: [HostGateway] })
class HostModule {}

describe('SignalingAdapter wrapping a host adapter', () => {
  let app: INestApplication;
  let host: HostAdapter;
  let base: string;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    host = new HostAdapter(app.getHttpServer());
    app.useWebSocketAdapter(new SignalingAdapter(app, host));
    await app.listen(0, '127.0.0.1');
    base = `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    if (app) await app.close();
  });

  it("serves Parley's gateway itself and hands the host's gateway to the host's adapter", async () => {
    // Only the host's gateway reached the host's adapter.
    expect(host.calls).toEqual(['create', 'connect']);
    const ada = await TestClient.connect(`ws://${base}/ws`);
    await ada.join('beside');
    expect(host.calls).toEqual(['create', 'connect']);

    const client = new WebSocket(`ws://${base}/host`);
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const reply = new Promise<string>((resolve) => client.once('message', (raw) => resolve(raw.toString())));
    client.send(JSON.stringify({ type: 'hello', payload: { name: 'host' } }));
    expect(JSON.parse(await reply)).toEqual({ type: 'reply', payload: 'hello host' });
    expect(host.calls).toEqual(['create', 'connect', 'messages', 'disconnect']);

    client.close();
    await new Promise((resolve) => client.once('close', resolve));
    await ada.roundTrip();
    expect(gone).toEqual(['host client']);
    ada.close();
  });

  it('closes and disposes the host adapter with the app', async () => {
    await app.close();
    expect(host.calls.slice(-2)).toEqual(['close', 'dispose']);
    app = undefined as unknown as INestApplication;
  });
});
