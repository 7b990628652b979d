// Starts and stops the servers under test, and keeps track of every child process so that none
// outlives the benchmark (normal end, error, Ctrl-C or deadline).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// BENCH_PARLEY_MAIN points at another build (a patched copy, say) to compare it in the same way.
export const PARLEY_MAIN = resolve(process.env.BENCH_PARLEY_MAIN ?? resolve(ROOT, 'apps/api/dist/main.js'));
// BENCH_PARLEY_BASE the build the `base` target runs (a checkout of main, say): before and after in one run.
export const PARLEY_BASE = process.env.BENCH_PARLEY_BASE ? resolve(process.env.BENCH_PARLEY_BASE) : undefined;
const BARE_RELAY = resolve(ROOT, 'bench/bare-relay.js');
const PEERJS_SERVER = resolve(ROOT, 'bench/peerjs-server.js');
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

const children = new Set();

/** Registers a child process to be killed when the benchmark ends, however it ends. */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function killAll() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once a WebSocket to `url` opens; rejects when the process dies or time runs out. */
// A server starts in about a second; on a saturated machine one took over 20 s.
async function waitReady(url, child, timeoutMs = 60_000) {
  // PeerJS answers an upgrade without an id and token by closing: an opened socket is enough.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited (${child.exitCode ?? child.signalCode}): ${child.logTail()}`);
    const open = await new Promise((r) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      ws.on('open', () => (ws.terminate(), r(true)));
      ws.on('error', () => r(false));
    });
    if (open) return;
    await sleep(150);
  }
  throw new Error(`server at ${url} not ready within ${timeoutMs} ms: ${child.logTail()}`);
}

/** Set by `bench/run.js --cpu-prof`: servers write a V8 CPU profile there when they stop. */
let profileDir;
export function profileServersInto(dir) {
  profileDir = dir;
}

function startProcess(script, env) {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', resolve(ROOT, 'bench/exit-on-sigterm.js')] : [];
  const child = track(spawn(process.execPath, [...flags, script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let log = '';
  const keep = (chunk) => (log = (log + chunk).slice(-2000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.logTail = () => log.trim().split('\n').slice(-5).join(' | ') || '(no output)';
  return child;
}

/** Counts Redis targets started by this process, for their key prefixes. */
let redisTargets = 0;

/** The targets of two instances sharing rooms through Redis: Parley's (this build's and the base build's) and the bare relay's. */
export const onRedis = (kind) => kind === 'redis' || kind === 'redis-base' || kind === 'bare-redis';

/**
 * Starts a target: `bare` (bench/bare-relay.js), `bare-redis` (two of them sharing rooms through
 * Redis), `peerjs` (PeerJS's server), `single` (one Parley), `base` (one Parley of the
 * BENCH_PARLEY_BASE build), `redis` (two Parley instances sharing Redis) or `redis-base` (the same
 * of the BENCH_PARLEY_BASE build),
 * with `env` added to Parley's environment.
 * Resolves to {urls, pids, protocol, stop()}: `protocol` is `peerjs` for PeerJS, `parley` otherwise.
 */
export async function startTarget(kind, env = {}) {
  const instances = onRedis(kind) ? 2 : 1;
  const procs = [];
  const urls = [];
  // Each Redis target starts on keys of its own, and they are deleted when it stops: a stopped
  // target's instances leave their peers' records behind (a SIGTERM keeps them for a resume
  // elsewhere), and the next target's instances would spend their first seconds reaping them.
  const prefix = onRedis(kind) ? `parley-bench-${process.pid}-${++redisTargets}:` : undefined;
  try {
    for (let i = 0; i < instances; i++) {
      const port = await freePort();
      const url = kind === 'peerjs' ? `ws://127.0.0.1:${port}/peerjs` : `ws://127.0.0.1:${port}/ws`;
      const child = startProcess(...serverOf(kind, { port, instance: i, instances, prefix, env }));
      procs.push(child);
      urls.push(url);
      await waitReady(url, child);
    }
  } catch (error) {
    await stopAll(procs, prefix);
    throw error;
  }
  return {
    urls,
    protocol: kind === 'peerjs' ? 'peerjs' : 'parley',
    pids: procs.map((p) => p.pid),
    procs,
    stop: () => stopAll(procs, prefix),
    alive: () => procs.every((p) => p.exitCode === null && p.signalCode === null),
  };
}

/** The script and environment of one of a target's server processes. */
function serverOf(kind, { port, instance, instances, prefix, env }) {
  if (kind === 'peerjs') return [PEERJS_SERVER, { PORT: String(port) }];
  if (kind === 'bare') return [BARE_RELAY, { PORT: String(port) }];
  if (kind === 'bare-redis') {
    const ids = Array.from({ length: instances }, (_, j) => `i${j}`);
    return [
      BARE_RELAY,
      {
        PORT: String(port),
        BARE_RELAY_REDIS: REDIS_URL,
        BARE_RELAY_PREFIX: prefix,
        BARE_RELAY_INSTANCE: ids[instance],
        BARE_RELAY_INSTANCES: ids.join(','),
      },
    ];
  }
  const parley = {
    PORT: String(port),
    HOST: '127.0.0.1',
    STUN_URLS: '',
    LOG_LEVEL: 'warn',
    RESUME_SECRET: 'parley-bench-resume-secret-0123456789',
    ...(prefix ? { REDIS_URL, REDIS_KEY_PREFIX: prefix } : { REDIS_URL: '' }),
    ...env,
  };
  return [kind === 'base' || kind === 'redis-base' ? PARLEY_BASE : PARLEY_MAIN, parley];
}

async function stopAll(procs, redisPrefix) {
  await Promise.all(
    procs.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // A profiled server writes its profile as it exits, which takes long on a busy machine.
      if ((await Promise.race([exited.then(() => true), sleep(profileDir ? 30_000 : 3000).then(() => false)])) === false) {
        child.kill('SIGKILL');
        await exited;
      }
    }),
  );
  if (redisPrefix) await redisCommand(`EVAL "${DELETE_KEYS}" 0 ${redisPrefix}*`).catch(() => undefined);
}

/** Deletes the keys matching ARGV[1] (a bench's Redis holds only its own few thousand). */
const DELETE_KEYS = "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n";

export function parleyBuilt() {
  return existsSync(PARLEY_MAIN);
}

/** Sends one inline command to Redis and returns the raw reply, or throws. */
function redisCommand(command, timeoutMs = 1000) {
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolveReply, reject) => {
    const socket = connect(Number(port || 6379), hostname || '127.0.0.1');
    let reply = '';
    const timer = setTimeout(() => (socket.destroy(), reject(new Error('Redis did not answer'))), timeoutMs);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk;
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (!bulk || reply.length >= bulk[0].length + Number(bulk[1])) {
        clearTimeout(timer);
        socket.end();
        resolveReply(reply);
      }
    });
    socket.on('error', (error) => (clearTimeout(timer), reject(error)));
  });
}

/** Whether Redis answers PING at REDIS_URL. */
export async function redisReachable() {
  try {
    return (await redisCommand('PING')).startsWith('+PONG');
  } catch {
    return false;
  }
}

/** The pid of the Redis server (to charge its CPU too), or undefined when Redis is not reachable. */
export async function redisPid() {
  try {
    const info = await redisCommand('INFO server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    return existsSync(`/proc/${pid}/stat`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs a benchmark's `main` (resolving to its exit code) within `deadlineMs`, and exits with its
 * code, 1 on an error, 2 at the deadline or 130 on Ctrl-C, killing every child first, however it ends.
 */
export function runBounded(main, { label, deadlineMs }) {
  const deadline = setTimeout(() => {
    console.error(`[${label}] deadline of ${deadlineMs / 60000} min passed: stopping`);
    killAll();
    process.exit(2);
  }, deadlineMs);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (killAll(), process.exit(130)));
  process.on('exit', killAll);
  main().then(
    (code) => (clearTimeout(deadline), killAll(), process.exit(code)),
    (error) => (console.error(`[${label}]`, error), killAll(), process.exit(1)),
  );
}
