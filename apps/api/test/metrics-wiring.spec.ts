import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config.js';

async function start(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; base: string }> {
  const root = mkdtempSync(join(tmpdir(), 'parley-web-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
  const app = await createApp(loadConfig({ LOG_LEVEL: 'error', STUN_URLS: '', ...env }, root));
  await app.listen(0, '127.0.0.1');
  return { app, base: `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}
const sample = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.slice(series.length + 1),
  );
const scrape = async (base: string) => (await fetch(`http://${base}/metrics`)).text();
const refused = (base: string, headers: Record<string, string>, localAddress = '127.0.0.1') =>
  new Promise<number>((resolve) => {
    const socket = new WebSocket(`ws://${base}/ws`, { headers, localAddress });
    socket.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', () => undefined);
  });
function send(socket: WebSocket, event: string, data: object): Promise<{ event: string; data: Record<string, unknown> }> {
  return new Promise((resolve) => {
    socket.once('message', (raw) => resolve(JSON.parse(raw.toString())));
    socket.send(JSON.stringify({ event, data }));
  });
}
const open = (base: string, localAddress = '127.0.0.1') =>
  new Promise<WebSocket>((resolve, reject) => {
    const s = new WebSocket(`ws://${base}/ws`, { localAddress });
    s.once('open', () => resolve(s)).once('error', reject);
  });

describe('metrics from the real paths', () => {
  it('counts refused upgrades by reason', async () => {
    const { app, base } = await start({ MAX_SOCKETS_PER_IP: '1' });
    try {
      expect(await refused(base, { origin: 'https://evil.example' })).toBe(403);
      const first = await open(base, '127.0.0.9');
      expect(await refused(base, {}, '127.0.0.9')).toBe(429);
      first.close();
      const text = await scrape(base);
      expect(sample(text, 'parley_upgrades_refused_total{reason="origin"}')).toBe(1);
      expect(sample(text, 'parley_upgrades_refused_total{reason="caps"}')).toBe(1);
    } finally {
      await app.close();
    }
  });

  it('counts joins and resumes by result', async () => {
    const { app, base } = await start({ MAX_PEERS: '2' });
    try {
      const a = await open(base);
      const joined = await send(a, 'join', { room: 'w', name: 'A', protocol: 1 });
      const a2 = await open(base);
      expect((await send(a2, 'join', { room: 'w', name: 'A2', protocol: 1 })).event).toBe('joined');
      const b = await open(base);
      expect((await send(b, 'join', { room: 'w', name: 'B', protocol: 1 })).data.code).toBe('room-full');
      const c = await open(base);
      expect((await send(c, 'join', { room: 'w', name: 'A', protocol: 1, resume: joined.data.resume })).data.resumed).toBe('session');
      const d = await open(base);
      expect((await send(d, 'join', { room: 'x', name: 'A', protocol: 1, resume: 'garbage.x' })).event).toBe('error');
      const text = await scrape(base);
      expect(sample(text, 'parley_joins_total{result="ok"}')).toBe(3);
      expect(sample(text, 'parley_joins_total{result="room-full"}')).toBe(1);
      expect(sample(text, 'parley_resumes_total{result="session"}')).toBe(1);
      expect(sample(text, 'parley_resumes_total{result="unauthorized"}') + sample(text, 'parley_resumes_total{result="invalid-message"}')).toBe(1);
      for (const s of [a, a2, b, c, d]) s.close();
    } finally {
      await app.close();
    }
  });

  it('counts a mesh link once by its ICE path, whichever end reports it', async () => {
    const { app, base } = await start({});
    try {
      const a = await open(base);
      const idA = ((await send(a, 'join', { room: 'p', name: 'A', protocol: 1 })).data.self as { id: string }).id;
      const b = await open(base);
      const idB = ((await send(b, 'join', { room: 'p', name: 'B', protocol: 1 })).data.self as { id: string }).id;
      a.send(JSON.stringify({ event: 'path', data: { peer: idB, kind: 'relay' } }));
      b.send(JSON.stringify({ event: 'path', data: { peer: idA, kind: 'relay' } }));
      // `path` has no answer; one about oneself is refused, after the ones before it were handled.
      const refusedAboutSelf = (socket: WebSocket, self: string) =>
        new Promise<unknown>((resolve) => {
          const listen = (raw: Buffer) => {
            const frame = JSON.parse(raw.toString()) as { event: string; data: { code?: string } };
            if (frame.event !== 'error') return;
            socket.off('message', listen);
            resolve(frame.data.code);
          };
          socket.on('message', listen);
          socket.send(JSON.stringify({ event: 'path', data: { peer: self, kind: 'relay' } }));
        });
      expect(await refusedAboutSelf(a, idA)).toBe('unknown-peer');
      expect(await refusedAboutSelf(b, idB)).toBe('unknown-peer');
      const text = await scrape(base);
      expect(sample(text, 'parley_ice_paths_total{path="relay"}')).toBe(1);
      expect(sample(text, 'parley_ice_paths_total{path="direct"}')).toBe(0);
      for (const s of [a, b]) s.close();
    } finally {
      await app.close();
    }
  });
});
