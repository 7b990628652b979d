// Starts Debian's Janus for the call benchmark through the repo's own deploy/janus/start.sh, on a
// free WebSocket port with a random secret and RTP range, like the tests do
// (libs/signaling/test/janus-process.ts); start.sh execs into Janus, so the pid is Janus's own.
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, ROOT, track } from './servers.js';

export const JANUS_BIN = process.env.JANUS_BIN ?? '/usr/bin/janus';

export function janusInstalled() {
  return existsSync(JANUS_BIN);
}

const accepts = (port) =>
  new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

/** Resolves to {url, apiSecret, pid, stop()} once Janus accepts connections on its WebSocket port. */
export async function startJanus(timeoutMs = 15_000) {
  const port = await freePort();
  const apiSecret = randomBytes(18).toString('base64url');
  const rtpMin = randomInt(40_000, 49_000);
  const configDir = mkdtempSync(join(tmpdir(), 'parley-janus-bench-'));
  const child = track(
    spawn('bash', [resolve(ROOT, 'deploy/janus/start.sh')], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        JANUS_BIN,
        JANUS_PORT: String(port),
        JANUS_API_SECRET: apiSecret,
        JANUS_RTP_PORTS: `${rtpMin}-${rtpMin + 499}`,
        JANUS_CONFIG_DIR: configDir,
        JANUS_DEBUG_LEVEL: '3',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let log = '';
  const keep = (chunk) => (log = (log + chunk).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(configDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Janus did not open ws://127.0.0.1:${port}: ${log.trim().split('\n').slice(-5).join(' | ')}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  return { url: `ws://127.0.0.1:${port}`, apiSecret, pid: child.pid, log: () => log, stop };
}
