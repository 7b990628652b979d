/**
 * Starts Debian's coturn (`/usr/bin/turnserver`, package `coturn`) on loopback with the repo's
 * configuration, deploy/coturn/turnserver.conf, for tests. Only these are overridden, on the
 * command line: the listening and relay addresses (127.0.0.1, and ::1 when asked), a free port, a
 * relay port range, the shared secret, and the pid file and database (in a temporary directory,
 * so running as root touches nothing under /var). `--allow-loopback-peers` is added only when
 * `allowLoopbackPeers` is set: the repo's configuration denies loopback and private peers, which
 * is what deploy/test/coturn-config.spec.ts checks.
 *
 * Used by the relay-only browser test (Playwright) and by the Jest test of the configuration; it
 * imports only node built-ins so that both can load it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TURN_CONFIG = fileURLToPath(new URL('../deploy/coturn/turnserver.conf', import.meta.url));
export const TURNSERVER_BIN = process.env.TURNSERVER_BIN ?? '/usr/bin/turnserver';

export interface TurnServerOptions {
  /** The static-auth-secret; a random one by default. Give the app the same value as TURN_SECRET. */
  secret?: string;
  /** The listening port (UDP and TCP); a free one by default. */
  port?: number;
  /** Relay ports `[min, max]`; by default a random window of 40 ports within 50000-59999. */
  relayPorts?: [number, number];
  /**
   * Lets the relay reach 127.0.0.1 (and ::1): `--allow-loopback-peers` plus `--allowed-peer-ip`,
   * because the repo's `denied-peer-ip` lines would otherwise still refuse loopback. Only the
   * browser test on one machine needs this; never in production.
   */
  allowLoopbackPeers?: boolean;
  /** Also listen and relay on ::1, so IPv6 allocations work. */
  ipv6?: boolean;
  /** The configuration file; the repo's by default. */
  configFile?: string;
  /** More turnserver options, appended last. */
  extraArgs?: string[];
  /** How long to wait for the server to answer a STUN binding request (ms). */
  startTimeoutMs?: number;
}

export interface TurnServer {
  host: '127.0.0.1';
  port: number;
  secret: string;
  relayPorts: [number, number];
  /** Ready-made URLs for TURN_URLS: UDP and TCP on 127.0.0.1. */
  urls: string[];
  /** Everything turnserver printed so far (for failure messages). */
  output(): string;
  /** SIGTERM, then SIGKILL after 3 s; removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
}

function tcpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function udpFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * A port P for turnserver such that P and P + 1 are free for TCP and UDP on 127.0.0.1 (and ::1
 * with `ipv6`) right now: turnserver also binds P + 1 (its RFC 5780 "alternative" port), and
 * keeps retrying, without answering, while that one is taken.
 */
export async function freePort(ipv6 = false): Promise<number> {
  const hosts = ipv6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = randomInt(20000, 32000); // below Linux's ephemeral range (32768-60999)
    let free = true;
    for (const candidate of [port, port + 1]) {
      for (const host of hosts) {
        free &&= (await tcpFree(candidate, host)) && (await udpFree(candidate, host));
      }
    }
    if (free) return port;
  }
  throw new Error('no free port pair for turnserver');
}

/** Sends STUN binding requests until the server answers (true) or the time is up (false). */
export async function stunAnswers(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const tid = randomBytes(12);
  // Binding request: type 0x0001, length 0, magic cookie, transaction id.
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), tid]);
  let timer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  try {
    return await new Promise<boolean>((resolve) => {
      deadline = setTimeout(() => resolve(false), timeoutMs);
      signal?.addEventListener('abort', () => resolve(false), { once: true });
      socket.on('message', (msg) => {
        if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(tid)) resolve(true);
      });
      socket.on('error', () => undefined); // ICMP port unreachable before the server is up
      const send = () => socket.send(request, port, host, () => undefined);
      timer = setInterval(send, 100);
      send();
    });
  } finally {
    clearInterval(timer);
    clearTimeout(deadline);
    socket.close();
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startTurnServer(options: TurnServerOptions = {}): Promise<TurnServer> {
  // A port chosen here may be taken by someone else before turnserver binds it: try another one.
  const attempts = options.port ? 1 : 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await startOnce(options, options.port ?? (await freePort(options.ipv6)));
    } catch (error) {
      lastError = error;
      if (error instanceof SpawnError) break;
    }
  }
  throw lastError;
}

class SpawnError extends Error {}

async function startOnce(options: TurnServerOptions, port: number): Promise<TurnServer> {
  const secret = options.secret ?? `test-${randomBytes(12).toString('hex')}`;
  const relayStart = randomInt(50000, 59960);
  const relayPorts = options.relayPorts ?? [relayStart, relayStart + 39];
  const dir = mkdtempSync(join(tmpdir(), 'parley-turn-'));

  const args = [
    '-c',
    options.configFile ?? TURN_CONFIG,
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    ...(options.ipv6 ? ['--listening-ip=::1', '--relay-ip=::1'] : []),
    `--listening-port=${port}`,
    `--min-port=${relayPorts[0]}`,
    `--max-port=${relayPorts[1]}`,
    `--static-auth-secret=${secret}`,
    // As root, turnserver would otherwise write /var/run/turnserver.pid and /var/lib/turn/turndb.
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--userdb=${join(dir, 'turndb')}`,
    '--log-file=stdout',
    ...(options.allowLoopbackPeers
      ? ['--allow-loopback-peers', '--allowed-peer-ip=127.0.0.1', ...(options.ipv6 ? ['--allowed-peer-ip=::1'] : [])]
      : []),
    ...(options.extraArgs ?? []),
  ];

  let output = '';
  const child = spawn(TURNSERVER_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  // Never leave a turnserver behind, even if a test forgets stop() or the runner exits early.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited(child);
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  // turnserver retries forever when a listening port is taken: notice it instead of waiting (its
  // log is block-buffered on a pipe, so this only catches what it flushed; the timeout does the rest).
  let watch: NodeJS.Timeout | undefined;
  const portTaken = new Promise<false>((resolve) => {
    watch = setInterval(() => {
      if (/Cannot bind .*listener socket|Address already in use/.test(output)) resolve(false);
    }, 50);
  });

  const probe = new AbortController();
  const ready = await Promise.race([
    stunAnswers('127.0.0.1', port, options.startTimeoutMs ?? 10_000, probe.signal),
    spawnError.then((error): never => {
      throw new SpawnError(`cannot run ${TURNSERVER_BIN} (apt-get install coturn): ${error.message}`);
    }),
    exited(child).then(() => false),
    portTaken,
  ])
    .catch(async (error) => {
      await stop();
      throw error;
    })
    .finally(() => {
      clearInterval(watch);
      probe.abort();
    });
  if (!ready) {
    const log = output.slice(-4000);
    await stop();
    throw new Error(`turnserver did not answer on 127.0.0.1:${port}\n${args.join(' ')}\n${log}`);
  }

  return {
    host: '127.0.0.1',
    port,
    secret,
    relayPorts,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    output: () => output,
    stop,
  };
}
