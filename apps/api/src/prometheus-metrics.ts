import { readFileSync } from 'node:fs';
import { CLIENT_EVENTS, ErrorCode, ICE_PATHS, SERVER_EVENTS, type IcePath } from '@parley/protocol';
import type { RefusedUpgrade, ResumeResult, SignalingMetrics } from '@parley/nest-signaling';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const ERROR_CODES = Object.values(ErrorCode);
const REFUSED_UPGRADES: readonly RefusedUpgrade[] = ['origin', 'caps'];
const RESUME_RESULTS: readonly ResumeResult[] = ['session', 'token', ...ERROR_CODES];
export const REDIS_CONNECTIONS = ['commands', 'publisher', 'subscriber'] as const;

/**
 * A counter with one label, counted in a plain Map and handed to prom-client at scrape time:
 * prom-client hashes and validates the labels on every inc(), even through labels(), and these
 * run once per frame.
 */
class LabelledCounter<L extends string> {
  readonly #counts = new Map<string, { total: number; exported: number }>();

  constructor(registry: Registry, name: string, help: string, label: string, known: readonly L[]) {
    const counts = this.#counts;
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        for (const [value, count] of counts) {
          this.inc({ [label]: value }, count.total - count.exported);
          count.exported = count.total;
        }
      },
    });
    // Known values start at 0, so rate() and the alert rules see the series before the first event.
    for (const value of known) counts.set(value, { total: 0, exported: 0 });
  }

  // Values come from code (event names, error codes, problems), never from a client: the set is bounded.
  inc(value: L): void {
    const count = this.#counts.get(value);
    if (count) count.total++;
    else this.#counts.set(value, { total: 1, exported: 0 });
  }
}

/** prom-client's record of a histogram's observations (its `hashMap` entry for no labels). */
interface HistogramValues {
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * A histogram without labels, counted in a typed array and handed to prom-client at scrape time:
 * prom-client's observe() builds a closure and a labels object and hashes them on every call,
 * and this one runs once per relayed signal (1.4% of the server's CPU in the benchmark).
 */
class LocalHistogram {
  readonly #bounds: number[];
  /** Observations per bucket (not cumulative); the last is above every bound. */
  readonly #counts: Float64Array;
  #sum = 0;

  constructor(registry: Registry, name: string, help: string, buckets: number[]) {
    const bounds = (this.#bounds = [...buckets].sort((a, b) => a - b));
    const counts = (this.#counts = new Float64Array(bounds.length + 1));
    const totals = () => this.#sum;
    new Histogram({
      name,
      help,
      buckets: bounds,
      registers: [registry],
      // The one entry of a histogram without labels, keyed ''; written whole before each export.
      collect() {
        const values = (this as unknown as { hashMap: Record<string, HistogramValues> }).hashMap[''];
        bounds.forEach((bound, i) => (values.bucketValues[bound] = counts[i]));
        values.sum = totals();
        values.count = counts.reduce((a, b) => a + b, 0);
      },
    });
  }

  observe(value: number): void {
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]) i++;
    this.#counts[i]++;
    this.#sum += value;
  }
}

/** What /metrics exports; the signaling module reports into it through `SignalingMetrics`. */
export class PrometheusMetrics implements SignalingMetrics {
  readonly registry = new Registry();
  readonly #received = new LabelledCounter<string>(this.registry, 'parley_messages_received_total', 'Client frames received, by event', 'event', [
    ...CLIENT_EVENTS,
    'invalid',
  ]);
  readonly #sent = new LabelledCounter<string>(
    this.registry,
    'parley_messages_sent_total',
    'Frames sent to sockets, by event',
    'event',
    SERVER_EVENTS,
  );
  readonly #errors = new LabelledCounter<ErrorCode>(this.registry, 'parley_errors_total', 'error events sent, by code', 'code', ERROR_CODES);
  readonly #refused = new LabelledCounter<RefusedUpgrade>(
    this.registry,
    'parley_upgrades_refused_total',
    'WebSocket upgrades refused: origin (403) or per-IP caps (429)',
    'reason',
    REFUSED_UPGRADES,
  );
  readonly #joins = new LabelledCounter<'ok' | ErrorCode>(
    this.registry,
    'parley_joins_total',
    'join requests, by result: ok or the error code',
    'result',
    ['ok', ...ERROR_CODES],
  );
  readonly #resumes = new LabelledCounter<ResumeResult>(
    this.registry,
    'parley_resumes_total',
    'joins with a resume token, by result: session, token or the error code',
    'result',
    RESUME_RESULTS,
  );
  readonly #redisErrors = new LabelledCounter<string>(
    this.registry,
    'parley_redis_errors_total',
    'Errors reported by a Redis connection (each failed reconnect counts)',
    'connection',
    REDIS_CONNECTIONS,
  );
  readonly #busErrors = new LabelledCounter<string>(
    this.registry,
    'parley_bus_errors_total',
    'Messages from other instances dropped (malformed, unknown kind, or failed), by problem',
    'problem',
    [],
  );
  readonly #icePaths = new LabelledCounter<IcePath>(
    this.registry,
    'parley_ice_paths_total',
    "Mesh links by the path their media took (the browsers' selected ICE pair): direct or relay",
    'path',
    ICE_PATHS,
  );
  readonly #turnCredentials = new Counter({ name: 'parley_turn_credentials_total', help: 'TURN credentials handed out', registers: [this.registry] });
  readonly #relay = new LocalHistogram(
    this.registry,
    'parley_relay_latency_seconds',
    'From a signal frame arriving to its relay reaching the target socket',
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );

  constructor() {
    // No prefix: process_* and nodejs_* keep the names stock dashboards and alerts query.
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'parley_build_info', help: 'Always 1; the labels say what runs', labelNames: ['version', 'node'], registers: [this.registry] })
      .labels(appVersion(), process.version)
      .set(1);
  }

  /** Gauges read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  received(event: string): void {
    this.#received.inc(event);
  }
  sent(event: string): void {
    this.#sent.inc(event);
  }
  error(code: ErrorCode): void {
    this.#errors.inc(code);
  }
  relayed(latencyMs: number): void {
    this.#relay.observe(latencyMs / 1000);
  }
  upgradeRefused(reason: RefusedUpgrade): void {
    this.#refused.inc(reason);
  }
  joined(result: 'ok' | ErrorCode): void {
    this.#joins.inc(result);
  }
  resumed(result: ResumeResult): void {
    this.#resumes.inc(result);
  }
  turnCredentialIssued(): void {
    this.#turnCredentials.inc();
  }
  icePath(path: IcePath): void {
    this.#icePaths.inc(path);
  }
  /** A message from another instance was dropped. */
  busRejected(problem: string): void {
    this.#busErrors.inc(problem);
  }
  /** A Redis connection reported an error. */
  redisError(connection: (typeof REDIS_CONNECTIONS)[number]): void {
    this.#redisErrors.inc(connection);
  }
}

// apps/api/package.json, from either apps/api/src (tests) or apps/api/dist (the build and the image).
function appVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
