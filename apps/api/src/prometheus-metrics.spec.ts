import { PrometheusMetrics } from './prometheus-metrics.js';

describe('PrometheusMetrics', () => {
  it('exports the relay latencies counted outside prom-client as a histogram, cumulative per bound', async () => {
    const metrics = new PrometheusMetrics();
    for (const ms of [0.2, 0.5, 0.7, 3, 40, 5_000]) metrics.relayed(ms);
    const text = await metrics.registry.getSingleMetricAsString('parley_relay_latency_seconds');
    const value = (series: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`parley_relay_latency_seconds_${series} `))
          ?.split(' ')[1],
      );
    expect(value('bucket{le="0.0005"}')).toBe(2);
    expect(value('bucket{le="0.001"}')).toBe(3);
    expect(value('bucket{le="0.005"}')).toBe(4);
    expect(value('bucket{le="0.05"}')).toBe(5);
    expect(value('bucket{le="1"}')).toBe(5);
    expect(value('bucket{le="+Inf"}')).toBe(6);
    expect(value('count')).toBe(6);
    expect(value('sum')).toBeCloseTo(5.0444, 6);

    // A second scrape shows the totals so far, not the change since the first.
    metrics.relayed(0.1);
    const again = await metrics.registry.getSingleMetricAsString('parley_relay_latency_seconds');
    expect(again).toMatch(/^parley_relay_latency_seconds_bucket\{le="0.0005"\} 3$/m);
    expect(again).toMatch(/^parley_relay_latency_seconds_count 7$/m);
  });
});
