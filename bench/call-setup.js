/* global document, window -- the functions given to waitForFunction run in the page */
// The call-setup benchmark: how long a two-person call takes to start, in Parley's real UI and in a
// minimal reference page (bench/reference/index.html over bench/bare-relay.js), in the same two
// Chromium browsers, alternating. Each call: both people open the page (the camera starts, the
// lobby settles), the first joins, then the second clicks Join; the figure is the time from that
// click until both see the other's video play (first frame presented with videoWidth > 0, and
// frames keep coming), measured inside the pages. Where the time went is read from the same pages
// (bench/call-setup-probe.js), without changing the app.
//
// Usage: node bench/call-setup.js [--calls=10] [--warmup=1] [--point=300] [--targets=reference,parley] [--quick]
// `base` in --targets adds the build at BENCH_PARLEY_BASE (main, say), for before and after in one run.
// (npm run bench runs it after the call benchmark; npm run bench:setup runs it alone.)
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CHROMIUM_BIN, clickJoin, closePerson, launchPerson, openLobby } from './call-browser.js';
import { readProbe, setupProbe } from './call-setup-probe.js';
import { PARLEY_BASE, parleyBuilt, ROOT, runBounded, startTarget } from './servers.js';
import { fmt, median, percentile } from './stats.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    calls: { type: 'string' },
    warmup: { type: 'string' },
    point: { type: 'string' },
    targets: { type: 'string', default: 'reference,parley' },
  },
});

const CONFIG = {
  /** Measured calls per target; the targets take turns, in ABBA order. */
  calls: Number(args.calls ?? (args.quick ? 3 : 10)),
  /** Calls per target before measuring (caches, JIT), not counted. */
  warmup: Number(args.warmup ?? 1),
  /** How long each lobby (and the first person in the call) settles before the next step. */
  settleMs: 1000,
  /**
   * How long the second person's pointer rests on Join before the click (`--point=0`: none, the
   * pointer arrives with the click). Everything before the click is outside the measured time.
   */
  pointMs: Number(args.point ?? 300),
  /** Past this after the click, a call counts as failed. */
  playTimeoutMs: 20_000,
  /** Frames each side's remote video must have presented: it plays, not just shows one frame. */
  minFrames: 5,
  targets: args.targets.split(',').filter((t) => ['reference', 'parley', 'base'].includes(t)),
};

const log = (message) => console.log(`[bench:setup] ${message}`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** Serves the reference page on a free port of 127.0.0.1. */
async function serveReference() {
  const html = readFileSync(resolve(ROOT, 'bench/reference/index.html'));
  const server = createServer((request, response) => {
    if (new URL(request.url, 'http://x').pathname !== '/') return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** Starts what a target needs; resolves to {kind, lobbyUrl(room), stop()}. */
async function startSetupTarget(kind, reference) {
  if (kind === 'reference') {
    const relay = await startTarget('bare');
    return {
      kind,
      lobbyUrl: (room) => `${reference.url}?room=${room}&relay=${encodeURIComponent(relay.urls[0])}`,
      stop: relay.stop,
    };
  }
  const app = await startTarget(kind === 'base' ? 'base' : 'single');
  const http = app.urls[0].replace(/^ws:/, 'http:').replace(/\/ws$/, '');
  return { kind, lobbyUrl: (room) => `${http}/r/${room}`, stop: app.stop, logTail: () => app.procs[0].logTail() };
}

/** Opens the lobby of `room` for one person and waits until it is ready for a click on Join. */
async function openPage(target, person, room) {
  const url = target.lobbyUrl(room);
  if (target.kind === 'reference') {
    await person.page.goto(url);
    await person.page.waitForSelector('body[data-ready]');
  } else {
    await openLobby(person, url);
    // The lobby's preview plays: the camera is on, as it is when a person looks at the lobby.
    await person.page.waitForFunction(() => [...document.querySelectorAll('video')].some((video) => video.videoWidth > 0));
  }
}

/** The first person joins and is in the room (the server answered `joined`). */
async function joinFirst(target, person) {
  if (target.kind !== 'reference') return void (await clickJoin(person));
  await person.page.locator('form button[type="submit"]').click();
  await person.page.waitForFunction(() => !!window.__setup.marks['got joined']);
}

/** One call of two people; resolves to the setup time and both pages' timelines, relative to the second person's click. */
async function runCall(target, [first, second]) {
  const room = `setup-${target.kind}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  await Promise.all([openPage(target, first, room), openPage(target, second, room)]);
  await sleep(CONFIG.settleMs);
  await joinFirst(target, first);
  await sleep(CONFIG.settleMs);
  // A person's pointer reaches the button a moment before they click (pointing, then pressing).
  const join = second.page.locator('form button[type="submit"]');
  if (CONFIG.pointMs > 0) {
    await join.hover();
    await sleep(CONFIG.pointMs);
  }
  await join.click();

  let probes;
  const deadline = Date.now() + CONFIG.playTimeoutMs;
  do {
    await sleep(100);
    probes = await Promise.all([first, second].map((person) => readProbe(person.page)));
  } while (probes.some((probe) => probe.frames < CONFIG.minFrames) && Date.now() < deadline);

  const [a, b] = probes;
  const click = b.marks.click;
  const playing = probes.every((probe) => probe.frames >= CONFIG.minFrames && probe.width > 0);
  const relative = (probe) => ({
    marks: Object.fromEntries(
      Object.entries(probe.marks)
        .map(([name, at]) => [name, Math.round((at - click) * 10) / 10])
        .sort((x, y) => x[1] - y[1]),
    ),
    loads: probe.loads.map(({ name, start, end }) => ({ name, startMs: Math.round(start - click), endMs: Math.round(end - click) })),
    applies: probe.applies.map(({ method, type, start, ms }) => ({ method, type, atMs: Math.round(start - click), ms: Math.round(ms) })),
    longTasks: probe.longTasks
      .filter(({ start, ms }) => start + ms > click)
      .map(({ start, ms }) => ({ atMs: Math.round(start - click), ms: Math.round(ms) })),
    frames: probe.frames,
  });
  return {
    target: target.kind,
    room,
    playing,
    setupMs: playing ? Math.max(a.marks.firstFrame, b.marks.firstFrame) - click : null,
    first: relative(a),
    second: relative(b),
  };
}

/** Medians of each step's time (ms after the click) over the calls of a target, for one side. */
function stepMedians(calls, side) {
  const names = new Set(calls.flatMap((call) => Object.keys(call[side].marks)));
  const steps = [...names].map((name) => {
    const times = calls.map((call) => call[side].marks[name]).filter((t) => t !== undefined);
    return { name, median: median(times), seen: times.length };
  });
  return steps.sort((x, y) => x.median - y.median);
}

function report(results) {
  const by = (kind) => results.filter((r) => r.target === kind && !r.warmup);
  const summary = {};
  console.log(`\nCall setup: 2 people, from the second person's Join click until both see the other's video play (${CONFIG.calls} calls each)`);
  const rows = [['target', 'played', 'median', 'p90', 'min', 'max']];
  for (const kind of CONFIG.targets) {
    const times = by(kind)
      .map((r) => r.setupMs)
      .filter((t) => t !== null);
    summary[kind] = { played: times.length, calls: by(kind).length, medianMs: median(times), p90Ms: percentile(times, 90), times };
    const s = summary[kind];
    const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '-');
    rows.push([kind, `${s.played}/${s.calls}`, ms(s.medianMs), ms(s.p90Ms), ms(Math.min(...times)), ms(Math.max(...times))]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));

  const ratios = {};
  for (const kind of ['parley', 'base']) {
    if (summary[kind] && summary.reference) ratios[kind] = summary[kind].medianMs / summary.reference.medianMs;
  }
  if (ratios.parley !== undefined) {
    console.log(
      `\nParley / reference (medians): ${fmt(ratios.parley, 2)}× (target ≤ 1.15×: ${ratios.parley <= 1.15 ? 'met' : 'missed'})` +
        (ratios.base !== undefined ? `; base / reference: ${fmt(ratios.base, 2)}×` : ''),
    );
  }

  // Where the time goes: the median time of each step after the click, on each side.
  for (const kind of CONFIG.targets) {
    if (!by(kind).length) continue;
    for (const side of ['second', 'first']) {
      const steps = stepMedians(by(kind), side).filter((step) => step.name !== 'click');
      // How long the page's main thread was blocked (tasks of 50 ms or more) from the click to the video.
      const busy = by(kind).map((call) =>
        call[side].longTasks.reduce((sum, { atMs, ms }) => sum + Math.max(0, Math.min(atMs + ms, call.setupMs) - Math.max(atMs, 0)), 0),
      );
      console.log(
        `\n${kind}, ${side === 'second' ? 'the second person (who clicked)' : 'the first person (in the call)'}: ms after the click (median)`,
      );
      console.log(
        steps
          .map(
            ({ name, median: at, seen }) =>
              `  ${String(Math.round(at)).padStart(6)}  ${name}${seen < by(kind).length ? ` (${seen}/${by(kind).length})` : ''}`,
          )
          .join('\n'),
      );
      console.log(`  main thread in long tasks from the click to the video: ${Math.round(median(busy))} ms (median)`);
      // What the browser took for each call into WebRTC (summed per call), as the page waited for it.
      const methods = ['new RTCPeerConnection', 'setLocalDescription', 'setRemoteDescription'];
      const took = methods.map((method) => {
        const sums = by(kind).map((call) => call[side].applies.filter((a) => a.method === method).reduce((sum, a) => sum + a.ms, 0));
        return `${method} ${Math.round(median(sums))} ms`;
      });
      console.log(`  ${took.join(', ')} (median per call)`);
    }
  }
  return { summary, ratios };
}

async function main() {
  if (CONFIG.targets.some((t) => t !== 'reference') && !parleyBuilt()) throw new Error('apps/api/dist/main.js is missing: run `npm run build` first');
  if (CONFIG.targets.includes('base') && !PARLEY_BASE) throw new Error('the base target needs BENCH_PARLEY_BASE');
  log(
    `2 Chromium browsers (${CHROMIUM_BIN}); targets ${CONFIG.targets.join(', ')}; ${CONFIG.warmup} warm-up and ${CONFIG.calls} measured calls each`,
  );
  const reference = await serveReference();
  const targets = [];
  const people = [];
  const results = [];
  try {
    for (const kind of CONFIG.targets) targets.push(await startSetupTarget(kind, reference));
    for (const name of ['Ada', 'Grace']) people.push(await launchPerson(name, { probe: setupProbe }));
    const rounds = CONFIG.warmup + CONFIG.calls;
    for (let round = 0; round < rounds; round++) {
      // ABBA: each target goes first as often as last, so a drift in the machine's load falls on all alike.
      const order = round % 2 ? [...targets].reverse() : targets;
      for (const target of order) {
        const result = { round, warmup: round < CONFIG.warmup, ...(await runCall(target, people)) };
        results.push(result);
        log(
          `${result.warmup ? 'warm-up' : `call ${round - CONFIG.warmup + 1}/${CONFIG.calls}`} ${target.kind}: ` +
            (result.playing ? `${Math.round(result.setupMs)} ms` : 'the videos did not both play'),
        );
      }
    }
  } finally {
    await Promise.all(people.map(closePerson));
    for (const target of targets) {
      const said = target.logTail?.();
      if (said && said !== '(no output)') log(`${target.kind} said: ${said}`);
      await target.stop();
    }
    reference.close();
  }
  const { summary, ratios } = report(results);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = resolve(ROOT, 'bench/results', `call-setup-${stamp}${args.quick ? '-quick' : ''}.json`);
  mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(file, JSON.stringify({ config: CONFIG, cpus: os.cpus().length, load: os.loadavg(), summary, ratios, results }, null, 2));
  log(`wrote ${file}`);
  // Times are reported, never judged: only a call whose videos did not both play fails the run.
  return results.every((r) => r.playing) ? 0 : 1;
}

runBounded(main, { label: 'bench:setup', deadlineMs: 20 * 60_000 });
