import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config.js';

function webRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'parley-web-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
  writeFileSync(join(root, 'app.js'), 'console.log(1)');
  return root;
}

/** The real app from `env`, on a free loopback port, where development secrets are allowed. */
export async function start(env: NodeJS.ProcessEnv): Promise<{ app: INestApplication; base: string }> {
  const app = await createApp(loadConfig({ LOG_LEVEL: 'error', STUN_URLS: '', HOST: '127.0.0.1', ...env }, webRoot()));
  await app.listen(0, '127.0.0.1');
  return { app, base: `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}` };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET from a chosen loopback address (`from`), so per-IP limits see several clients. */
export function get(
  base: string,
  path: string,
  { from = '127.0.0.1', headers = {} }: { from?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const [host, port] = base.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, headers, localAddress: from, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} timed out`)));
    req.once('error', reject);
    req.end();
  });
}
