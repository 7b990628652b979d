/**
 * janode is an optional dependency (its addon unix-dgram needs a compiler): the built app, run as
 * after an install that left janode out (hide-janode.mjs), serves mesh rooms when JANUS_URLS is
 * unset, and refuses to start with a clear message when it is set. The control: with janode
 * installed, the same build loads the adapter on demand and starts with JANUS_URLS set.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { JANODE_MISSING } from '../src/sfu-loader.js';
import { TestClient } from './test-client.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const HIDE_JANODE = fileURLToPath(new URL('./hide-janode.mjs', import.meta.url));
const SECRET = 'c0ffee'.repeat(8);

interface Run {
  code: Promise<number | null>;
  /** Resolves when the app says it listens; rejects with its output when it exits first. */
  listening: Promise<void>;
  output: () => string;
  kill: () => void;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/** apps/api/dist/main.js as `npm start` runs it, with `env` and, when `hide`, without janode. */
function start(env: Record<string, string>, hide: boolean): Run {
  const args = [...(hide ? ['--import', HIDE_JANODE] : []), 'apps/api/dist/main.js'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const code = once(child, 'exit').then(([exitCode]) => exitCode as number | null);
  const listening = new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Parley is running')) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void code.then(() => reject(new Error(`the app exited before listening:\n${output}`)));
  });
  listening.catch(() => {}); // awaited by the tests that expect it; the others look at `code`
  return { code, listening, output: () => output, kill: () => child.kill('SIGINT') };
}

describe('janode is optional', () => {
  const runs: Run[] = [];

  beforeAll(() => {
    // The test runs what `npm start` runs: the compiled server (a few seconds when up to date).
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'apps/api/tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  }, 120_000);

  afterEach(async () => {
    for (const run of runs.splice(0)) {
      run.kill();
      await run.code;
    }
  });

  it('without janode and without JANUS_URLS, the app starts and serves a mesh room', async () => {
    const port = await freePort();
    const run = start({ PORT: String(port) }, true);
    runs.push(run);
    await run.listening;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    try {
      const joined = await client.join('no-janode');
      expect(joined.mode ?? 'mesh').toBe('mesh');
    } finally {
      client.close();
    }
  });

  it('without janode and with JANUS_URLS, startup fails with a message that names janode and what to do', async () => {
    const run = start({ PORT: String(await freePort()), JANUS_URLS: 'ws://127.0.0.1:9', JANUS_API_SECRET: SECRET }, true);
    runs.push(run);
    expect(await run.code).toBe(1);
    expect(run.output()).toContain(JANODE_MISSING);
    expect(run.output()).toMatch(/Cause: Cannot find package 'janode'/);
    expect(run.output()).not.toContain('Parley is running');
  });

  it('with janode installed, JANUS_URLS loads the adapter on demand and the app starts (Janus unreachable yet)', async () => {
    const port = await freePort();
    const run = start({ PORT: String(port), JANUS_URLS: 'ws://127.0.0.1:9', JANUS_API_SECRET: SECRET }, false);
    runs.push(run);
    await run.listening;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(run.output()).not.toContain(JANODE_MISSING);
  });
});
