import type { ErrorCode } from '@parley/protocol';
import type { SignalingMetrics } from '@parley/nest-signaling';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** What /metrics exports; the signaling module reports into it through `SignalingMetrics`. */
export class PrometheusMetrics implements SignalingMetrics {
  readonly registry = new Registry();
  readonly #received = new Counter({ name: 'parley_messages_received_total', help: 'Client frames received, by event', labelNames: ['event'], registers: [this.registry] });
  readonly #sent = new Counter({ name: 'parley_messages_sent_total', help: 'Frames sent to sockets, by event', labelNames: ['event'], registers: [this.registry] });
  readonly #errors = new Counter({ name: 'parley_errors_total', help: 'error events sent, by code', labelNames: ['code'], registers: [this.registry] });
  readonly #relay = new Histogram({
    name: 'parley_relay_latency_seconds',
    help: 'From a signal frame arriving to its relay reaching the target socket',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'parley_' });
  }

  /** Gauges read at scrape time. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({ name, help, registers: [this.registry], collect() { this.set(read()); } });
  }

  received(event: string): void {
    this.#received.inc({ event });
  }
  sent(event: string): void {
    this.#sent.inc({ event });
  }
  error(code: ErrorCode): void {
    this.#errors.inc({ code });
  }
  relayed(latencyMs: number): void {
    this.#relay.observe(latencyMs / 1000);
  }
}
