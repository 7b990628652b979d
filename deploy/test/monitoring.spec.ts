/**
 * The monitoring files against the app they watch: every metric that the Grafana dashboard
 * (deploy/grafana/parley.json) and the alert rules (deploy/prometheus/alerts.yml) query is one
 * that a real app's /metrics exposes, and Debian's `promtool` accepts the rules, their unit tests
 * (alerts.test.yml) and prometheus.yml. promtool is required in CI (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { parse } from 'yaml';
import { createApp } from '../../apps/api/src/app.factory.js';
import { loadConfig } from '../../apps/api/src/config.js';

const file = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const dashboard = JSON.parse(readFileSync(file('grafana/parley.json'), 'utf8')) as Dashboard;
const rules = parse(readFileSync(file('prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] };

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; query: string | { query: string } }[] };
}

// Series that Prometheus makes itself for every scrape target.
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
// PromQL words that look like metric names: aggregations, keywords and functions used bare.
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names a PromQL expression reads (selectors), without labels, functions or keywords. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values, which may hold anything
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // ranges
    .replace(/\$\{?\w+\}?/g, '1') // Grafana variables
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ''); // grouping labels
  const names = new Set<string>();
  for (const match of bare.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*(\(?))/g)) {
    const [name, paren] = [match[0], match[1]];
    if (paren === '(' || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

const queries = (): { where: string; expr: string }[] => [
  ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr }))),
  ...dashboard.templating.list.flatMap((variable) =>
    typeof variable.query === 'object'
      ? [{ where: `variable $${variable.name}`, expr: variable.query.query.replace(/^label_values\((.*),\s*\w+\)$/, '$1') }]
      : [],
  ),
  ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
];

/** Every sample name /metrics can carry: the family names, with a histogram's and a summary's suffixes. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

function promtool(...args: string[]): string {
  return execFileSync('promtool', args, { cwd: file('prometheus'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const hasPromtool = (() => {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('metricNames', () => {
  it.each([
    ['sum by (instance, le) (rate(parley_relay_latency_seconds_bucket{instance=~"$instance"}[5m]))', ['parley_relay_latency_seconds_bucket']],
    ['up{job="parley"} == 0', ['up']],
    ['a / b > 0.05 and sum(rate(c[5m])) > 1e3', ['a', 'b', 'c']],
    ['histogram_quantile(0.99, sum by (le) (rate(x_bucket{code="by(y)"}[$__rate_interval])))', ['x_bucket']],
    ['nodejs_eventloop_lag_p99_seconds{job="parley"} > 0.1', ['nodejs_eventloop_lag_p99_seconds']],
  ])('%s reads %j', (expr, names) => {
    expect(metricNames(expr).sort()).toEqual([...names].sort());
  });
});

describe('the dashboard and the alert rules', () => {
  let app: INestApplication;
  let exposed: Set<string>;

  beforeAll(async () => {
    // With Redis, so that its series exist too; the same app the image runs.
    const root = mkdtempSync(join(tmpdir(), 'parley-web-'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Parley</title>');
    app = await createApp(
      loadConfig(
        {
          LOG_LEVEL: 'error',
          STUN_URLS: '',
          REDIS_URL: 'redis://127.0.0.1:6379',
          RESUME_SECRET: 'metrics-test-resume-secret',
          REDIS_KEY_PREFIX: `monitoring-${process.pid}:`,
        },
        root,
      ),
    );
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as AddressInfo).port;
    exposed = exposedNames(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  });

  afterAll(async () => {
    await app?.close();
  });

  it('query only metrics that /metrics exposes', () => {
    const all = queries();
    expect(all.length).toBeGreaterThan(20);
    const missing = all.flatMap(({ where, expr }) =>
      metricNames(expr)
        .filter((name) => !exposed.has(name) && !SYNTHETIC.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(missing).toEqual([]);
  });

  it('cover what operators watch: sockets, rooms, joins, resumes, relay latency, errors, refusals, Redis, the bus, CPU, memory, event loop', () => {
    const read = new Set(dashboard.panels.flatMap((panel) => (panel.targets ?? []).flatMap((target) => metricNames(target.expr))));
    for (const name of [
      'parley_open_sockets',
      'parley_rooms',
      'parley_peers',
      'parley_joins_total',
      'parley_resumes_total',
      'parley_relay_latency_seconds_bucket',
      'parley_errors_total',
      'parley_upgrades_refused_total',
      'parley_redis_errors_total',
      'parley_bus_errors_total',
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(read).toContain(name);
    }
    expect(rules.groups[0].rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining(['ParleyInstanceDown', 'ParleyRedisDown', 'ParleyErrorRate', 'ParleyRefusedUpgradesSpike', 'ParleyRelayLatencyHigh']),
    );
  });

  it('is a dashboard Grafana can import: unique panel ids, a datasource variable, every panel on it', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(dashboard.uid).toBe('parley');
    expect(dashboard.templating.list.map((variable) => variable.name)).toEqual(expect.arrayContaining(['datasource', 'instance']));
    const raw = readFileSync(file('grafana/parley.json'), 'utf8');
    // A hard-coded datasource uid would break the import on any other Grafana.
    expect([...raw.matchAll(/"uid": "([^"]*)"/g)].map((m) => m[1]).filter((uid) => uid !== 'parley' && uid !== '${datasource}')).toEqual([]);
  });
});

describe('promtool', () => {
  const run = hasPromtool || process.env.CI ? it : it.skip;

  run('accepts the alert rules', () => {
    expect(promtool('check', 'rules', 'alerts.yml')).toContain('SUCCESS');
  });

  run('passes the rules unit tests (alerts.test.yml)', () => {
    expect(promtool('test', 'rules', 'alerts.test.yml')).toContain('SUCCESS');
  });

  run('accepts prometheus.yml, which loads the rules', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
  });
});
