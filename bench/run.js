// `npm run bench`: Parley's signaling against a bare `ws` relay and PeerJS's server, measured in one run.
// Usage: node bench/run.js [--quick] [--targets=bare,peerjs,single,redis,base,redis-base] [--clients=N] [--workers=N]
//        [--idle=N] [--no-steps] [--cpu-prof] | --report bench/results/<file>.json
// Env: BENCH_REDIS_URL (default redis://127.0.0.1:6379), BENCH_PARLEY_MAIN (another build),
//      BENCH_PARLEY_BASE (the build the `base` and `redis-base` targets run, to compare before and after in one run).
// Exits 1 on a lost signal, a failed join or an unavailable target (a missing Redis excused).
// See docs/benchmarks.md for what each number means.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  PARLEY_BASE,
  parleyBuilt,
  profileServersInto,
  onRedis,
  redisPid,
  redisReachable,
  REDIS_URL,
  ROOT,
  runBounded,
  startTarget,
  track,
} from './servers.js';
import { cpuMs, fmt, machineJiffies, median, ratio, rssKb, summary } from './stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    targets: { type: 'string', default: 'bare,peerjs,single,redis,bare-redis' },
    clients: { type: 'string' },
    workers: { type: 'string' },
    idle: { type: 'string' },
    // Only the steady rate and the idle phase: quicker, for before/after comparisons.
    'no-steps': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});

/** Signals allowed per socket per second by Parley (burst 200, then 50/s): stay below it. */
const PER_SOCKET_MAX = 40;

const CONFIG = args.quick
  ? {
      clients: 40,
      roomSize: 4,
      workers: 1,
      idleSockets: 200,
      warmSockets: 20,
      connectBatches: 2,
      steadyRate: 200,
      steadyRounds: 1,
      steadyMs: 1500,
      steps: [200, 400],
      stepMs: 1000,
      idleCpuMs: 2000,
      drainMs: 5000,
      settleMs: 500,
      concurrency: 20,
      deadlineMs: 5 * 60_000,
    }
  : {
      clients: 1500,
      roomSize: 5,
      workers: 2,
      idleSockets: 5000,
      warmSockets: 50,
      connectBatches: 5,
      steadyRate: 2000,
      steadyRounds: 5,
      steadyMs: 4000,
      steps: [500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 10000, 12000, 14000, 16000, 20000, 24000, 28000, 32000, 40000, 48000, 56000],
      stepMs: 4000,
      // One resume-token rotation period (Parley's default, 30 s): whether a shorter window held a
      // rotation of every socket's token was luck, and moved Parley's idle figure by a point.
      idleCpuMs: 30_000,
      drainMs: 15_000,
      settleMs: 2000,
      concurrency: 50,
      deadlineMs: 30 * 60_000,
    };
if (args.clients) CONFIG.clients = Number(args.clients);
if (args.workers) CONFIG.workers = Number(args.workers);
if (args.idle) CONFIG.idleSockets = Number(args.idle);
if (args['no-steps']) CONFIG.steps = [];
CONFIG.p99LimitMs = 50;
/**
 * The machine is shared: a measurement during which other processes (not the servers, Redis, the
 * load workers or this script) used more than this share of all cores is "noisy", and is repeated
 * (bounded) so that the figures come from quiet measurements where possible.
 */
CONFIG.noisyExternalPct = 20;

const TARGETS = {
  bare: 'bare ws relay',
  peerjs: 'PeerJS server',
  single: 'Parley, 1 instance',
  base: 'Parley, base build',
  redis: 'Parley, 2 instances + Redis',
  'redis-base': 'Parley, base build, 2 instances + Redis',
  'bare-redis': 'bare ws relay, 2 instances + Redis',
};
/** The references every Parley figure is divided by. */
const REFERENCES = ['bare', 'peerjs'];
/** The targets that are not Parley: no ratios, no checks of their own. */
const NOT_PARLEY = [...REFERENCES, 'bare-redis'];
const runTag = `b${Date.now().toString(36)}`;
const log = (...parts) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- load workers --------------------------------------------------------------------------

function startWorkers(count) {
  return Array.from({ length: count }, () => {
    const worker = track(fork(resolve(ROOT, 'bench/load.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    ourPids.add(worker.pid);
    worker.once('exit', () => ourPids.delete(worker.pid));
    worker.request = (message, replyType, timeoutMs = 120_000) =>
      new Promise((resolveReply, reject) => {
        const timer = setTimeout(() => reject(new Error(`load worker: no ${replyType} within ${timeoutMs} ms`)), timeoutMs);
        const onMessage = (reply) => reply.type === replyType && (cleanup(), resolveReply(reply));
        const onExit = (code) => (cleanup(), reject(new Error(`load worker exited (${code})`)));
        const cleanup = () => (clearTimeout(timer), worker.off('message', onMessage), worker.off('exit', onExit));
        worker.on('message', onMessage);
        worker.on('exit', onExit);
        worker.send(message);
      });
    return worker;
  });
}

/** Stops load workers, their clients' sockets with them; `leave`: Parley's clients leave their rooms first. */
async function stopWorkers(workers, { leave = false } = {}) {
  await Promise.all(workers.map((w) => w.exitCode === null && new Promise((r) => (w.once('exit', r), w.send({ type: 'close', leave })))));
}

/** Connects `sockets` clients in rooms of `roomSize`, whole rooms per worker. */
async function connectClients(workers, { urls, protocol }, phase, sockets, roomSize) {
  const rooms = Array.from({ length: Math.ceil(sockets / roomSize) }, (_, i) => ({
    name: `${runTag}-${phase}-${i}`,
    size: Math.min(roomSize, sockets - i * roomSize),
  }));
  const replies = await Promise.all(
    workers.map((w, i) =>
      w.request(
        {
          type: 'connect',
          group: phase,
          worker: i,
          workers: workers.length,
          urls,
          protocol,
          rooms: rooms.filter((_, r) => r % workers.length === i),
          idle: phase.startsWith('idle'),
          concurrency: CONFIG.concurrency,
          timeoutMs: 15_000,
        },
        'connected',
      ),
    ),
  );
  return {
    connectMs: replies.flatMap((r) => r.connectMs),
    failed: replies.reduce((n, r) => n + r.failed, 0),
    incomplete: replies.reduce((n, r) => n + r.incompleteRooms, 0),
    firstError: replies.find((r) => r.firstError)?.firstError,
  };
}

/** Every process the benchmark runs (servers, Redis, load workers), to tell its CPU from others'. */
const ourPids = new Set([process.pid]);
// Waiting is bounded: this much for the steady rounds, and as much again for the rate steps.
const QUIET_BUDGET_MS = args.quick ? 5_000 : 150_000;
let quietBudgetMs = QUIET_BUDGET_MS;
let lastWasNoisy = false;

/** After a noisy measurement, waits (bounded) until other processes leave the machine quiet. */
async function waitForQuiet() {
  const started = Date.now();
  const until = started + Math.min(30_000, quietBudgetMs);
  const ours = () => [...ourPids].reduce((sum, pid) => sum + (existsSync(`/proc/${pid}/stat`) ? cpuMs(pid) : 0), 0);
  let external = NaN;
  while (Date.now() < until) {
    const [m0, c0] = [machineJiffies(), ours()];
    await sleep(1000);
    const [m1, c1] = [machineJiffies(), ours()];
    external = (Math.max(0, (m1.busy - m0.busy) * 10 - (c1 - c0)) / ((m1.total - m0.total) * 10)) * 100;
    if (external < CONFIG.noisyExternalPct) break;
  }
  quietBudgetMs -= Date.now() - started;
  log(
    `waited ${fmt((Date.now() - started) / 1000, 0)} s for the machine to quieten (others now ${fmt(external, 0)}%; ${fmt(quietBudgetMs / 1000, 0)} s of waiting left)`,
  );
}

let runId = 0;
const measurements = new Map(); // run id -> measurement, to credit late arrivals back to it

/** Signals that arrived during a later measurement count as delivered late, not lost. */
function creditLate(replies) {
  for (const r of replies) {
    for (const [id, n] of Object.entries(r.staleByRun)) {
      const m = measurements.get(Number(id));
      if (!m) continue;
      m.lateAfterDrain = (m.lateAfterDrain ?? 0) + n;
      m.delivered += n;
      m.lost = Math.max(0, m.lost - n);
    }
  }
}

/** Sends at `rate` msg/s for `durationMs` across all workers; returns the merged measurements. */
async function measure(target, workers, rate, durationMs, drainMs = CONFIG.drainMs) {
  if (lastWasNoisy && quietBudgetMs > 0) await waitForQuiet();
  const id = ++runId;
  const self0 = process.cpuUsage();
  const cpu0 = target.pids.map(cpuMs);
  const redisCpu0 = target.redisPid ? cpuMs(target.redisPid) : NaN;
  const machine0 = machineJiffies();
  const replies = await Promise.all(
    workers.map((w) =>
      w.request(
        { type: 'run', group: target.group, runId: id, rate: rate / workers.length, durationMs, drainMs },
        'ran',
        durationMs + drainMs + 30_000,
      ),
    ),
  );
  creditLate(replies);
  const serverCpuMs = target.pids.map(cpuMs).reduce((sum, v, i) => sum + v - cpu0[i], 0);
  const redisCpuMs = target.redisPid ? cpuMs(target.redisPid) - redisCpu0 : NaN;
  const machine1 = machineJiffies();
  const selfCpu = process.cpuUsage(self0);
  const sum = (key) => replies.reduce((n, r) => n + r[key], 0);
  const errors = {};
  for (const r of replies) for (const [code, n] of Object.entries(r.errors)) errors[code] = (errors[code] ?? 0) + n;
  const latency = summary(replies.flatMap((r) => r.latencies));
  const sent = sum('sent');
  const delivered = sum('delivered');
  const sendWallMs = Math.max(...replies.map((r) => r.sendWallMs));
  const m = {
    rate,
    achievedRate: (sent / sendWallMs) * 1000,
    sent,
    delivered,
    lost: sum('lost'),
    sendersWithLoss: sum('sendersWithLoss'),
    maxLostPerSender: Math.max(...replies.map((r) => r.maxLostPerSender)),
    outOfOrder: sum('outOfOrder'),
    closes: sum('closes'),
    errors,
    latencyMs: latency,
    serverCpuMs,
    serverCpuUsPerMsg: delivered ? (serverCpuMs * 1000) / delivered : NaN,
    serverCpuPct: (serverCpuMs / sendWallMs) * 100,
    redisCpuUsPerMsg: delivered ? (redisCpuMs * 1000) / delivered : NaN,
    loadCpuPct: (sum('workerCpuMs') / sendWallMs) * 100,
    // How busy the whole machine was (all cores, everything running on it, this benchmark included).
    machineBusyPct: ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100,
  };
  // What everything else on the machine used meanwhile, as a share of all cores (10 ms per jiffy).
  const oursMs = serverCpuMs + (Number.isFinite(redisCpuMs) ? redisCpuMs : 0) + sum('workerCpuMs') + (selfCpu.user + selfCpu.system) / 1000;
  m.externalPct = Math.max(0, ((machine1.busy - machine0.busy) * 10 - oursMs) / ((machine1.total - machine0.total) * 10)) * 100;
  m.quiet = m.externalPct < CONFIG.noisyExternalPct;
  lastWasNoisy = !m.quiet;
  m.pass = clean(m) && m.latencyMs.p99 < CONFIG.p99LimitMs && m.achievedRate >= 0.95 * rate;
  measurements.set(id, m);
  return m;
}

const clean = (m) => m.lost === 0 && m.delivered === m.sent && m.closes === 0 && Object.keys(m.errors).length === 0;

// ---- phases ----------------------------------------------------------------------------------

/** Starts a target, connects its C clients and checks that signals flow; throws Unavailable if not. */
async function prepare(kind, workers, result) {
  // The one excused absence: no Redis on this machine. Anything else unavailable fails the run.
  if (onRedis(kind) && !(await redisReachable())) throw new Unavailable(`no Redis answers at ${REDIS_URL}`, { noRedis: true });
  const target = await startTarget(kind).catch((error) => {
    throw onRedis(kind) ? new Unavailable(`did not start: ${error.message}`) : error;
  });
  target.kind = kind;
  for (const pid of target.pids) ourPids.add(pid);
  target.group = `load-${kind}`;
  try {
    if (onRedis(kind)) target.redisPid = await redisPid();
    if (target.redisPid) ourPids.add(target.redisPid);
    log(`${kind}: connecting ${CONFIG.clients} clients in rooms of ${CONFIG.roomSize} to ${target.urls.join(', ')}`);
    const connected = await connectClients(workers, target, target.group, CONFIG.clients, CONFIG.roomSize);
    result.connect = { sockets: CONFIG.clients, failed: connected.failed, ...summary(connected.connectMs) };
    delete result.connect.n;
    if (connected.failed) throw new Unavailable(`${connected.failed} clients failed to join: ${connected.firstError}`);
    if (connected.incomplete)
      throw new Unavailable(`${connected.incomplete} clients never saw all their room-mates (rooms not shared across instances?)`);
    const probe = await measure(target, workers, Math.min(200, CONFIG.steadyRate), 1000, 3000);
    if (probe.delivered < probe.sent)
      throw new Unavailable(
        `signals not delivered: ${probe.delivered} of ${probe.sent} arrived${onRedis(kind) ? ' (cross-instance relay not working?)' : ''}`,
      );
    await measure(target, workers, CONFIG.steadyRate, 1000); // warm-up, not reported
    return target;
  } catch (error) {
    await target.stop();
    throw error;
  }
}

function steadySummary(all) {
  // Latency and CPU figures come from the quiet rounds when there are any; counts from all rounds.
  const quiet = all.filter((m) => m.quiet);
  const s = quiet.length ? quiet : all;
  return {
    rate: CONFIG.steadyRate,
    rounds: all.length,
    quietRounds: quiet.length,
    sent: all.reduce((n, m) => n + m.sent, 0),
    delivered: all.reduce((n, m) => n + m.delivered, 0),
    lost: all.reduce((n, m) => n + m.lost, 0),
    sendersWithLoss: Math.max(...all.map((m) => m.sendersWithLoss)),
    outOfOrder: all.reduce((n, m) => n + m.outOfOrder, 0),
    errors: all.reduce((n, m) => n + Object.values(m.errors).reduce((a, b) => a + b, 0), 0),
    p50Ms: median(s.map((m) => m.latencyMs.p50)),
    p99Ms: median(s.map((m) => m.latencyMs.p99)),
    maxMs: Math.max(...s.map((m) => m.latencyMs.max)),
    serverCpuUsPerMsg: median(s.map((m) => m.serverCpuUsPerMsg)),
    redisCpuUsPerMsg: median(s.map((m) => m.redisCpuUsPerMsg)),
    externalPct: median(s.map((m) => m.externalPct)),
  };
}

/**
 * All targets run side by side, each with its own C clients, and are measured in turn (rounds
 * interleaved, rate steps interleaved), so the noise of a shared machine falls on all of them alike.
 */
async function loadPhase(kinds, results) {
  const workers = startWorkers(CONFIG.workers);
  const targets = [];
  try {
    for (const kind of kinds) {
      try {
        targets.push(await prepare(kind, workers, results[kind]));
      } catch (error) {
        if (error instanceof Unavailable) {
          results[kind].unavailable = error.message;
          if (error.noRedis) results[kind].noRedis = true;
        } else results[kind].error = error.message;
        log(`${kind}: ${error instanceof Unavailable ? 'unavailable' : 'ERROR'}: ${error.message}`);
      }
    }

    // Steady rate: rounds interleaved across targets until each has enough quiet rounds (bounded).
    for (const t of targets) results[t.kind].steady = [];
    const quietRounds = (t) => results[t.kind].steady.filter((m) => m.quiet).length;
    for (let round = 0; round < CONFIG.steadyRounds * 2; round++) {
      const pending = targets.filter((t) => quietRounds(t) < CONFIG.steadyRounds);
      if (!pending.length) break;
      for (let i = 0; i < pending.length; i++) {
        const t = pending[(i + round) % pending.length]; // rotate who goes first
        const m = await measure(t, workers, CONFIG.steadyRate, CONFIG.steadyMs);
        log(
          `${t.kind}: steady ${CONFIG.steadyRate}/s round ${round + 1}: p50 ${fmt(m.latencyMs.p50, 2)} p99 ${fmt(m.latencyMs.p99, 2)} ms, lost ${m.lost}, ooo ${m.outOfOrder}, ${fmt(m.serverCpuUsPerMsg)} µs server CPU/msg, others ${fmt(m.externalPct, 0)}% of machine${m.quiet ? '' : ' (noisy)'}`,
        );
        results[t.kind].steady.push(m);
      }
    }
    for (const t of targets) results[t.kind].atSteadyRate = steadySummary(results[t.kind].steady);

    quietBudgetMs = QUIET_BUDGET_MS;
    let stepping = [...targets];
    for (const t of targets) Object.assign(results[t.kind], { steps: [], maxRate: 0 });
    for (const rate of CONFIG.steps) {
      if (!stepping.length) break;
      if (rate / CONFIG.clients > PER_SOCKET_MAX) {
        for (const t of stepping) results[t.kind].maxRateLimitedBy = `the per-socket cap of ${PER_SOCKET_MAX}/s × ${CONFIG.clients} clients`;
        break;
      }
      for (const t of [...stepping]) {
        const result = results[t.kind];
        let m;
        // Two tries; up to four when the failed tries were noisy.
        for (let attempt = 1; attempt <= 4; attempt++) {
          if (attempt > 2 && result.steps.slice(-2).every((x) => x.quiet)) break;
          m = await measure(t, workers, rate, CONFIG.stepMs);
          m.attempt = attempt;
          result.steps.push(m);
          log(
            `${t.kind}: ${rate}/s (try ${attempt}): lost ${m.lost}, p99 ${fmt(m.latencyMs.p99, 2)} ms, server CPU ${fmt(m.serverCpuPct, 0)}%, load CPU ${fmt(m.loadCpuPct, 0)}%, others ${fmt(m.externalPct, 0)}% of machine -> ${m.pass ? 'ok' : 'FAIL'}`,
          );
          if (m.pass || !t.alive()) break;
        }
        if (m.pass) result.maxRate = rate;
        else {
          result.maxRateLimitedBy = failureReason(m);
          // Every try was disturbed by other processes: the step says nothing about the server.
          if (result.steps.filter((x) => x.rate === rate).every((x) => !x.quiet)) {
            result.maxRateInconclusive = true;
            result.maxRateLimitedBy += ` (every try noisy: others used ${fmt(m.externalPct, 0)}% of the machine, so inconclusive)`;
          }
          stepping = stepping.filter((x) => x !== t);
        }
      }
    }
    // Still passing at the last step (or at the per-socket cap): the true maximum is higher.
    for (const t of stepping) {
      results[t.kind].maxRateIsFloor = true;
      results[t.kind].maxRateLimitedBy ??= 'nothing: the last step passed (add steps)';
    }
  } finally {
    await stopWorkers(workers);
    await Promise.all(targets.map((t) => t.stop()));
  }
}

function failureReason(m) {
  const reasons = [];
  if (m.lost || m.delivered < m.sent) reasons.push(`lost ${m.sent - m.delivered}`);
  if (Object.keys(m.errors).length) reasons.push(`errors ${JSON.stringify(m.errors)}`);
  if (m.closes) reasons.push(`${m.closes} sockets closed`);
  if (!(m.latencyMs.p99 < CONFIG.p99LimitMs)) reasons.push(`p99 ${fmt(m.latencyMs.p99)} ms`);
  if (m.achievedRate < 0.95 * m.rate) reasons.push(`load generator reached only ${fmt(m.achievedRate, 0)}/s`);
  return `${m.rate}/s failed: ${reasons.join(', ')}`;
}

/**
 * Connects and idle sockets, every target on a fresh server, all running side by side: a warm-up
 * (sockets that join and leave), then N idle joined sockets in batches alternated across the
 * targets (each batch's server CPU per connect; their median is the figure, as the steady rounds'
 * is), then the RSS per socket, then each target's window of idle CPU in turn.
 */
async function idlePhase(kinds, results) {
  const started = [];
  const fail = (kind, message) => {
    results[kind].error = message;
    log(`${kind}: ERROR: ${message}`);
  };
  try {
    for (const kind of kinds) {
      try {
        started.push({ kind, target: await startTarget(kind), batches: [], connectCpuMs: 0, joined: 0, connectMs: [] });
      } catch (error) {
        fail(kind, error.message);
      }
    }
    const live = () => started.filter((entry) => !entry.out);
    const serverCpu = ({ target }) => target.pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
    const sampleRss = async () => {
      const samples = live().map(() => []);
      for (let i = 0; i < 3; i++) {
        live().forEach((entry, j) => samples[j].push(entry.target.pids.reduce((sum, pid) => sum + rssKb(pid), 0)));
        await sleep(CONFIG.settleMs / 4);
      }
      return new Map(live().map((entry, j) => [entry, median(samples[j])]));
    };
    const warm = startWorkers(1);
    try {
      for (const entry of live()) await connectClients(warm, entry.target, `idle-warm-${entry.kind}`, CONFIG.warmSockets, CONFIG.roomSize);
    } finally {
      // Left, not dropped: a dropped Parley peer stays reconnecting for its grace window (20 s),
      // and its end would fall into the measurements.
      await stopWorkers(warm, { leave: true });
    }
    await sleep(CONFIG.settleMs);
    const before = await sampleRss();
    const workers = startWorkers(CONFIG.workers);
    try {
      const names = live().map((entry) => entry.kind);
      log(`${names.join(', ')}: ${CONFIG.idleSockets} idle sockets each, in ${CONFIG.connectBatches} alternated batches`);
      const perBatch = Math.ceil(CONFIG.idleSockets / CONFIG.connectBatches);
      for (let b = 0; b * perBatch < CONFIG.idleSockets; b++) {
        const sockets = Math.min(perBatch, CONFIG.idleSockets - b * perBatch);
        // Who goes first rotates, as in the steady rounds.
        const order = live().map((_, i, all) => all[(i + b) % all.length]);
        for (const entry of order) {
          const cpu0 = serverCpu(entry);
          const connected = await connectClients(workers, entry.target, `idle-${entry.kind}-${b}`, sockets, CONFIG.roomSize);
          const joined = connected.connectMs.length;
          const cpuMsUsed = serverCpu(entry) - cpu0;
          entry.batches.push(joined ? (cpuMsUsed * 1000) / joined : NaN);
          entry.connectCpuMs += cpuMsUsed;
          entry.joined += joined;
          entry.connectMs.push(...connected.connectMs);
          if (connected.failed) {
            fail(entry.kind, `${connected.failed} of ${sockets} idle sockets failed to join: ${connected.firstError}`);
            entry.out = true;
          }
        }
      }
      await sleep(CONFIG.settleMs);
      const after = await sampleRss();
      // Idle: the sockets only ping (Parley), heartbeat (PeerJS) or nothing (bare); several ping
      // rounds. One target's window after another: the others are idle meanwhile.
      for (const entry of live()) {
        const [idleCpu0, idleMachine0, idleAt] = [serverCpu(entry), machineJiffies(), performance.now()];
        await sleep(CONFIG.idleCpuMs);
        const [idleCpu1, idleMachine1, idleWallMs] = [serverCpu(entry), machineJiffies(), performance.now() - idleAt];
        entry.idleCpuPct = ((idleCpu1 - idleCpu0) / idleWallMs) * 100;
        entry.idleMachineBusyPct = ((idleMachine1.busy - idleMachine0.busy) / (idleMachine1.total - idleMachine0.total)) * 100;
      }
      for (const entry of live()) {
        const { kind, joined, batches } = entry;
        results[kind].idle = {
          sockets: joined,
          rssBeforeKb: before.get(entry),
          rssAfterKb: after.get(entry),
          rssPerConnKb: joined ? (after.get(entry) - before.get(entry)) / joined : NaN,
          connectP50Ms: summary(entry.connectMs).p50,
          connectP99Ms: summary(entry.connectMs).p99,
          // Server CPU while a batch's sockets connected and joined (handshakes, `join`,
          // announcements), per socket: the median of the batches, and each batch.
          connectCpuUs: median(batches),
          connectCpuUsBatches: batches,
          // All of the batches' CPU per socket: with what a fresh server pays once, in the first.
          connectCpuUsAll: joined ? (entry.connectCpuMs * 1000) / joined : NaN,
          idleCpuPct: entry.idleCpuPct,
          idleMachineBusyPct: entry.idleMachineBusyPct,
        };
        const r = results[kind].idle;
        log(
          `${kind}: RSS ${fmt(r.rssBeforeKb / 1024)} -> ${fmt(r.rssAfterKb / 1024)} MB for ${joined} sockets = ${fmt(r.rssPerConnKb, 2)} kB/conn; ` +
            `${fmt(r.connectCpuUs, 0)} µs server CPU per connect (batches ${batches.map((us) => fmt(us, 0)).join(', ')}; all ${fmt(r.connectCpuUsAll, 0)}); idle ${fmt(r.idleCpuPct, 2)}% of a core`,
        );
      }
    } finally {
      await stopWorkers(workers);
    }
  } finally {
    await Promise.all(started.map(({ target }) => target.stop()));
  }
}

class Unavailable extends Error {
  constructor(message, { noRedis = false } = {}) {
    super(message);
    this.noRedis = noRedis;
  }
}

/**
 * Why this run must fail, in words: a target that errored, that is unavailable for any reason but
 * a missing Redis (clients that cannot join, signals that do not flow), or that lost a signal at
 * the steady rate. In a --quick smoke every rate step is far below capacity, so a loss there fails too;
 * in a full run, loss at a high step is how the maximum rate is found.
 */
function failures(results) {
  const out = [];
  for (const [kind, r] of Object.entries(results)) {
    if (r.error) out.push(`${kind}: ${r.error}`);
    if (r.unavailable && !r.noRedis) out.push(`${kind}: unavailable: ${r.unavailable}`);
    const s = r.atSteadyRate;
    if (s && (s.lost > 0 || s.delivered < s.sent || s.errors > 0)) {
      out.push(`${kind}: at the steady rate ${s.delivered} of ${s.sent} signals arrived (${s.lost} lost, ${s.errors} errors)`);
    }
    if (args.quick) {
      for (const m of r.steps ?? []) {
        if (m.lost > 0 || m.delivered < m.sent || Object.keys(m.errors).length) {
          out.push(`${kind}: at ${m.rate}/s (try ${m.attempt}) ${m.delivered} of ${m.sent} signals arrived, errors ${JSON.stringify(m.errors)}`);
        }
      }
    }
  }
  return out;
}

// ---- report ----------------------------------------------------------------------------------

function machine() {
  const ulimit = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    kernel: os.release(),
    fdLimit: ulimit,
    loadAvgAtStart: os.loadavg().map((v) => +v.toFixed(2)),
  };
}

function pad(cells, widths) {
  return cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
}

function report(results) {
  const refs = REFERENCES.filter((k) => results[k] && !results[k].unavailable && !results[k].error);
  const refNames = refs.map((k) => (k === 'bare' ? 'bare' : k));
  // "12.0 (1.40×, 1.25×)": a Parley figure and its ratio to each reference of the run.
  const withRatios = (kind, get, digits = 1) => {
    const value = get(results[kind]);
    if (NOT_PARLEY.includes(kind) || !refs.length) return fmt(value, digits);
    return `${fmt(value, digits)} (${refs.map((k) => `${fmt(ratio(value, get(results[k])), 2)}×`).join(', ')})`;
  };
  const rows = [
    [
      'target',
      'connect p50/p99 ms',
      `sent/deliv @${CONFIG.steadyRate}`,
      'lost',
      'ooo',
      'lat p50/p99/max ms',
      `p99 (×${refNames.join(', ×')})`,
      `CPU µs/msg (×${refNames.join(', ×')})`,
      'max rate/s',
      `CPU µs/connect (×${refNames.join(', ×')})`,
      `idle %core @${CONFIG.idleSockets}`,
      `RSS kB/conn (×${refNames.join(', ×')})`,
    ],
  ];
  for (const [kind, r] of Object.entries(results)) {
    if (r.unavailable || r.error) {
      rows.push([TARGETS[kind], `unavailable: ${r.unavailable ?? r.error}`]);
      continue;
    }
    const s = r.atSteadyRate ?? {};
    rows.push([
      TARGETS[kind],
      `${fmt(r.connect?.p50, 2)} / ${fmt(r.connect?.p99, 2)}`,
      `${s.sent ?? '-'}/${s.delivered ?? '-'}`,
      s.lost ?? '-',
      s.outOfOrder ?? '-',
      `${fmt(s.p50Ms, 2)} / ${fmt(s.p99Ms, 2)} / ${fmt(s.maxMs, 1)}`,
      withRatios(kind, (x) => x?.atSteadyRate?.p99Ms, 2),
      withRatios(kind, (x) => x?.atSteadyRate?.serverCpuUsPerMsg),
      `${r.maxRateIsFloor || r.maxRateInconclusive ? '≥' : ''}${r.maxRate ?? '-'}${r.maxRateInconclusive ? '?' : ''}`,
      withRatios(kind, (x) => x?.idle?.connectCpuUs, 0),
      fmt(r.idle?.idleCpuPct, 2),
      withRatios(kind, (x) => x?.idle?.rssPerConnKb, 2),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.filter((row) => row.length > 2).map((row) => String(row[i] ?? '').length)));
  console.log('\n' + rows.map((row) => (row.length === 2 ? `${row[0].padStart(widths[0])}  ${row[1]}` : pad(row, widths))).join('\n'));
  for (const [kind, r] of Object.entries(results))
    if (r.maxRateLimitedBy) console.log(`  ${TARGETS[kind]}: max rate stopped by ${r.maxRateLimitedBy}`);
  console.log('\nRate steps (p99 ms of each try, ✗ = failed; then server CPU, % of one core):');
  for (const [kind, r] of Object.entries(results)) {
    if (!r.steps?.length) continue;
    const byRate = new Map();
    for (const m of r.steps) byRate.set(m.rate, [...(byRate.get(m.rate) ?? []), m]);
    const cells = [...byRate].map(
      ([rate, tries]) =>
        `${rate}: ${tries.map((m) => fmt(m.latencyMs.p99, 0) + (m.pass ? '' : '✗')).join('/')} @${fmt(tries.at(-1).serverCpuPct, 0)}%`,
    );
    console.log(`  ${TARGETS[kind]}:\n    ${cells.join(', ')}`);
  }
  for (const kind of Object.keys(results).filter(onRedis)) {
    const redisCpu = results[kind]?.atSteadyRate?.redisCpuUsPerMsg;
    if (redisCpu) console.log(`  ${TARGETS[kind]}: Redis server CPU ${fmt(redisCpu)} µs/msg (not in the table's CPU column)`);
  }

  // What crossing instances costs a relay that does nothing else: the floor under Parley's own ratio.
  for (const [two, one] of [
    ['bare-redis', 'bare'],
    ['redis', 'single'],
  ]) {
    const [a, b] = [results[two]?.atSteadyRate, results[one]?.atSteadyRate];
    if (a && b)
      console.log(
        `  ${TARGETS[two]} against 1 instance: CPU/msg ${fmt(ratio(a.serverCpuUsPerMsg, b.serverCpuUsPerMsg), 2)}×, p99 ${fmt(ratio(a.p99Ms, b.p99Ms), 2)}×`,
      );
  }

  const { bare, single, redis } = results;
  const checks = [];
  const check = (name, value, limit, ok) => checks.push({ name, value, limit, pass: Number.isFinite(value) ? ok(value) : null });
  // (ok may return null: not decidable from this run)
  if (bare && single) {
    const steady = (r) => r.atSteadyRate ?? {};
    const inconclusive = bare.maxRateInconclusive || single.maxRateInconclusive;
    if (CONFIG.steps.length)
      check(
        `1 instance max rate ≥ 0.8× bare${inconclusive ? ' (inconclusive: a maximum was cut short by noise)' : bare.maxRateIsFloor ? " (bare's max is a lower bound, so this ratio is an upper bound)" : ''}`,
        ratio(single.maxRate, bare.maxRate),
        0.8,
        (v) => (inconclusive ? null : v >= 0.8),
      );
    check('server CPU/msg ≤ 1.1× bare', ratio(steady(single).serverCpuUsPerMsg, steady(bare).serverCpuUsPerMsg), 1.1, (v) => v <= 1.1);
    check(`p99 @${CONFIG.steadyRate}/s ≤ 2× bare`, ratio(steady(single).p99Ms, steady(bare).p99Ms), 2, (v) => v <= 2);
    check('server CPU/connect ≤ 1.5× bare', ratio(single.idle?.connectCpuUs, bare.idle?.connectCpuUs), 1.5, (v) => v <= 1.5);
    check('RSS/conn ≤ 1.3× bare', ratio(single.idle?.rssPerConnKb, bare.idle?.rssPerConnKb), 1.3, (v) => v <= 1.3);
    check(`idle CPU with ${CONFIG.idleSockets} sockets ≤ 3% of a core`, single.idle?.idleCpuPct, 3, (v) => v <= 3);
  }
  if (results.peerjs && single)
    check('server CPU/msg ≤ PeerJS', ratio(single.atSteadyRate?.serverCpuUsPerMsg, results.peerjs.atSteadyRate?.serverCpuUsPerMsg), 1, (v) => v <= 1);
  for (const [kind, r] of Object.entries(results))
    if (!NOT_PARLEY.includes(kind) && r.atSteadyRate)
      check(`${TARGETS[kind]}: zero loss (steady + passing steps)`, r.atSteadyRate.lost + r.atSteadyRate.outOfOrder, 0, (v) => v === 0);
  if (single && redis?.atSteadyRate) {
    check(`Redis p99 @${CONFIG.steadyRate}/s ≤ 2× single`, ratio(redis.atSteadyRate.p99Ms, single.atSteadyRate?.p99Ms), 2, (v) => v <= 2);
    check(
      'Redis CPU/msg (both instances) ≤ 1.5× single',
      ratio(redis.atSteadyRate.serverCpuUsPerMsg, single.atSteadyRate?.serverCpuUsPerMsg),
      1.5,
      (v) => v <= 1.5,
    );
  }
  console.log(`\nTargets (issue 13)${args.quick ? ': a --quick smoke, whose counts are too small for these to mean anything' : ''}:`);
  for (const c of checks) console.log(`  ${c.pass === null ? 'n/a ' : c.pass ? 'PASS' : 'MISS'}  ${c.name}: ${fmt(c.value, 2)}`);
  return checks;
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  if (args.report) {
    // Print the table of a saved result again: node bench/run.js --report bench/results/<file>.json
    const saved = JSON.parse(readFileSync(args.report, 'utf8'));
    Object.assign(CONFIG, saved.config);
    report(saved.results);
    return 0;
  }
  const kinds = args.targets.split(',').filter((k) => k in TARGETS);
  if (kinds.some((k) => !NOT_PARLEY.includes(k)) && !parleyBuilt()) throw new Error('apps/api/dist/main.js is missing: run `npm run build` first');
  if ((kinds.includes('base') || kinds.includes('redis-base')) && !PARLEY_BASE)
    throw new Error('the base targets need BENCH_PARLEY_BASE=<another build>/apps/api/dist/main.js');
  const started = new Date();
  const stamp = `${started.toISOString().replace(/[:.]/g, '-')}${args.quick ? '-quick' : ''}`;
  if (args['cpu-prof']) {
    profileServersInto(resolve(ROOT, 'bench/results', `profiles-${stamp}`));
    log(`servers write CPU profiles to bench/results/profiles-${stamp}/ (summarise with node bench/profile-summary.js <file>)`);
  }
  log(
    `${args.quick ? 'quick smoke' : 'full run'}: targets ${kinds.join(', ')}; ${CONFIG.clients} clients in rooms of ${CONFIG.roomSize}, ${CONFIG.workers} load worker(s)`,
  );
  const results = {};
  for (const kind of kinds) results[kind] = {};
  await loadPhase(kinds, results);
  const idleKinds = kinds.filter((kind) => !results[kind].unavailable && !results[kind].error);
  try {
    await idlePhase(idleKinds, results);
  } catch (error) {
    for (const kind of idleKinds) results[kind].error ??= error.message;
    log(`idle phase: ERROR: ${error.message}`);
  }
  const checks = report(results);
  const failed = failures(results);
  const file = resolve(ROOT, 'bench/results', `${stamp}.json`);
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify(
      { startedAt: started.toISOString(), quick: args.quick, machine: machine(), config: CONFIG, results, checks, failures: failed },
      null,
      2,
    ),
  );
  log(`wrote ${file}`);
  for (const reason of failed) console.error(`[bench] FAIL ${reason}`);
  return failed.length ? 1 : 0;
}

runBounded(main, { label: 'bench', deadlineMs: CONFIG.deadlineMs });
