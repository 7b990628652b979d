/**
 * Starts Debian's Janus (`/usr/bin/janus`, package `janus`) for tests, through the repo's own
 * deploy/janus/start.sh: a free WebSocket port on 127.0.0.1, a random api_secret, a random RTP
 * window, and the filled-in configuration in a temporary folder removed on stop. start.sh execs
 * into Janus, so `pid` is Janus's own (SIGSTOP freezes Janus itself).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JANUS_BIN = process.env.JANUS_BIN ?? '/usr/bin/janus';
export const JANUS_START = fileURLToPath(new URL('../../../deploy/janus/start.sh', import.meta.url));
/** Why the Janus tests skip, or null when they run (CI installs janus, so it never skips there). */
export const janusMissing = existsSync(JANUS_BIN) ? null : `${JANUS_BIN} is missing: apt-get install janus (the Janus adapter tests are skipped)`;

export interface JanusProcess {
  url: string;
  apiSecret: string;
  port: number;
  pid: number;
  configDir: string;
  /** Everything start.sh and Janus printed so far. */
  output(): string;
  /** SIGSTOP / SIGCONT: Janus stops answering without closing its sockets. */
  pause(): void;
  /** SIGKILL: Janus dies at once, as in a crash (then `stop` only cleans up). */
  kill(): void;
  resume(): void;
  /** SIGTERM (after SIGCONT), SIGKILL after 3 s; removes the configuration. Safe to call twice. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startJanus(env: Record<string, string> = {}, startTimeoutMs = 15_000): Promise<JanusProcess> {
  const port = await freePort();
  // Several servers behind one JANUS_URLS share the secret: pass JANUS_API_SECRET in `env`.
  const apiSecret = env.JANUS_API_SECRET ?? randomBytes(18).toString('base64url');
  const rtpMin = randomInt(30_000, 39_000);
  const configDir = mkdtempSync(join(tmpdir(), 'parley-janus-test-'));
  const child = spawn('bash', [JANUS_START], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      JANUS_BIN,
      JANUS_PORT: String(port),
      JANUS_API_SECRET: apiSecret,
      JANUS_RTP_PORTS: `${rtpMin}-${rtpMin + 199}`,
      JANUS_CONFIG_DIR: configDir,
      JANUS_DEBUG_LEVEL: '3',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const signal = (name: NodeJS.Signals) => {
    if (!exited && child.pid) process.kill(child.pid, name);
  };
  const stop = async () => {
    if (!exited) {
      signal('SIGCONT');
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(configDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + startTimeoutMs;
  while (!(await accepts(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`Janus did not open ws://127.0.0.1:${port} (exited: ${exited}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `ws://127.0.0.1:${port}`,
    apiSecret,
    port,
    pid: child.pid!,
    configDir,
    output: () => output,
    pause: () => signal('SIGSTOP'),
    kill: () => signal('SIGKILL'),
    resume: () => signal('SIGCONT'),
    stop,
  };
}
