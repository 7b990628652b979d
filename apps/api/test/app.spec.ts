import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config.js';

describe('api app', () => {
  let sut: INestApplication;
  let base: string;

  beforeAll(async () => {
    const webRoot = mkdtempSync(join(tmpdir(), 'parley-web-'));
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Parley</title>');
    writeFileSync(join(webRoot, 'app.js'), 'console.log(1)');
    sut = await createApp(loadConfig({ LOG_LEVEL: 'error', STUN_URLS: '' }, webRoot));
    await sut.listen(0, '127.0.0.1');
    base = `127.0.0.1:${(sut.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await sut.close();
  });

  it('answers /healthz', async () => {
    const response = await fetch(`http://${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', rooms: 0, peers: 0 });
  });

  it('serves the SPA for / and for a room link, and files as themselves', async () => {
    for (const path of ['/', '/r/brave-otter-42']) {
      const response = await fetch(`http://${base}${path}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>Parley</title>');
    }
    expect(await (await fetch(`http://${base}/app.js`)).text()).toBe('console.log(1)');
  });

  it('runs the gateway on /ws', async () => {
    const socket = new WebSocket(`ws://${base}/ws`);
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ event: 'join', data: { room: 'r1', name: 'Ada', protocol: 1 } }));
    expect(JSON.parse(await reply)).toMatchObject({ event: 'joined', data: { room: 'r1', iceServers: [] } });
    socket.close();
  });
});
