// Small numeric helpers shared by the benchmark: percentiles, medians, /proc readers.
import { readdirSync, readFileSync } from 'node:fs';

/** Percentile (0..100) of an array of numbers, nearest-rank; NaN when empty. */
export function percentile(values, p) {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** p50, p99 and max of a list of numbers. */
export function summary(values) {
  if (!values.length) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] };
}

export const median = (values) =>
  percentile(
    values.filter((v) => Number.isFinite(v)),
    50,
  );

const CLK_TCK = 100; // getconf CLK_TCK on Linux x86_64/arm64

/** utime + stime of a process (all its threads), in milliseconds. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

/** Resident set size of a process, in kB. */
export function rssKb(pid) {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** Formats a number for the table: fixed decimals, or "-" when missing. */
export function fmt(value, digits = 1) {
  return Number.isFinite(value) ? value.toFixed(digits) : '-';
}

/** a / b, or NaN when either is missing. */
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

/** Busy and total jiffies of the whole machine (all cores), from /proc/stat. */
export function machineJiffies() {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const idle = values[3] + (values[4] ?? 0); // idle + iowait
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0); // user..steal
  return { busy: total - idle, total };
}

/** `pid` and every process below it (from each process's parent in /proc/<pid>/stat). */
export function processTree(pid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(Number(entry));
  }
  const tree = [];
  for (const queue = [pid]; queue.length;) {
    const next = queue.pop();
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}

/**
 * CPU (ms) of each thread of `pid`, keyed `pid/tid`, with the thread's name (Linux keeps 15
 * characters of it; Chromium names its threads: AudioOutputDevice, VizCompositorThread, …).
 */
export function threadCpuMs(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(`${pid}/${tid}`, {
      // A pool's threads differ by a number at the end: one name for all of them.
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, ''),
      ms: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK,
    });
  }
  return threads;
}
