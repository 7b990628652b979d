import type { INestApplication } from '@nestjs/common';
import { WebSocket } from 'ws';
import { PrometheusMetrics } from '../src/prometheus-metrics.js';
import { start } from './test-app.js';

const scrape = async (base: string) => (await fetch(`http://${base}/metrics`)).text();

/** The value of one sample line (`name{labels} value`), or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function until(condition: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function joinRoom(base: string, room: string): Promise<{ socket: WebSocket; joined: { iceServers: unknown[] } }> {
  const socket = new WebSocket(`ws://${base}/ws`);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
  socket.send(JSON.stringify({ event: 'join', data: { room, name: 'Ada', protocol: 1 } }));
  const frame = JSON.parse(await reply) as { event: string; data: { iceServers: unknown[] } };
  expect(frame.event).toBe('joined');
  return { socket, joined: frame.data };
}

describe('GET /metrics', () => {
  let sut: INestApplication;
  let base: string;

  beforeAll(async () => {
    ({ app: sut, base } = await start({}));
  });

  afterAll(async () => {
    await sut.close();
  });

  it('keeps the standard process_* and nodejs_* names that stock dashboards query', async () => {
    const text = await scrape(base);
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'process_start_time_seconds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).not.toMatch(/^parley_(process|nodejs)_/m);
  });

  it('says which version runs on which Node', async () => {
    expect(sample(await scrape(base), `parley_build_info{version="0.1.0",node="${process.version}"}`)).toBe(1);
  });

  it('exports every known label value from 0, so rates and alerts see the series before the first event', async () => {
    const text = await scrape(base);
    expect(sample(text, 'parley_errors_total{code="room-full"}')).toBe(0);
    expect(sample(text, 'parley_upgrades_refused_total{reason="origin"}')).toBe(0);
    expect(sample(text, 'parley_upgrades_refused_total{reason="caps"}')).toBe(0);
    expect(sample(text, 'parley_joins_total{result="unauthorized"}')).toBe(0);
    expect(sample(text, 'parley_resumes_total{result="session"}')).toBe(0);
    expect(sample(text, 'parley_messages_received_total{event="invalid"}')).toBe(0);
    expect(sample(text, 'parley_turn_credentials_total')).toBe(0);
    // Without Redis there is no Redis to be up or down.
    expect(text).not.toContain('parley_redis_up');
  });

  it('counts what the signaling hooks report, by label', async () => {
    const metrics = sut.get(PrometheusMetrics);
    const before = await scrape(base);
    metrics.upgradeRefused('caps');
    metrics.upgradeRefused('caps');
    metrics.joined('room-full');
    metrics.resumed('token');
    metrics.busRejected('not-json');
    const after = await scrape(base);
    const delta = (series: string) => (sample(after, series) ?? 0) - (sample(before, series) ?? 0);
    expect(delta('parley_upgrades_refused_total{reason="caps"}')).toBe(2);
    expect(delta('parley_upgrades_refused_total{reason="origin"}')).toBe(0);
    expect(delta('parley_joins_total{result="room-full"}')).toBe(1);
    expect(delta('parley_resumes_total{result="token"}')).toBe(1);
    expect(sample(after, 'parley_bus_errors_total{problem="not-json"}')).toBe(1);
  });

  it('counts the errors the gateway sends, by code', async () => {
    const { socket } = await joinRoom(base, 'metrics-errors');
    try {
      const before = sample(await scrape(base), 'parley_errors_total{code="unknown-peer"}') ?? 0;
      const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
      socket.send(JSON.stringify({ event: 'signal', data: { to: 'nobody', candidate: null } }));
      expect(JSON.parse(await reply)).toMatchObject({ event: 'error', data: { code: 'unknown-peer' } });
      expect(sample(await scrape(base), 'parley_errors_total{code="unknown-peer"}')).toBe(before + 1);
    } finally {
      socket.close();
    }
  });
});

describe('GET /metrics with TURN', () => {
  it('counts the TURN credentials handed out in joined', async () => {
    const { app, base } = await start({ TURN_URLS: 'turn:127.0.0.1:3478', TURN_SECRET: 'metrics-secret' });
    try {
      const { socket, joined } = await joinRoom(base, 'metrics-turn');
      expect(joined.iceServers).toHaveLength(1);
      socket.close();
      expect(sample(await scrape(base), 'parley_turn_credentials_total')).toBe(1);
    } finally {
      await app.close();
    }
  });
});

describe('GET /metrics with Redis', () => {
  it('says Redis is up when it answers', async () => {
    const { app, base } = await start({
      REDIS_URL: 'redis://127.0.0.1:6379',
      RESUME_SECRET: 'metrics-test-resume-secret',
      REDIS_KEY_PREFIX: `metrics-${process.pid}:`,
    });
    try {
      await until(async () => sample(await scrape(base), 'parley_redis_up') === 1, 'parley_redis_up 1');
      const text = await scrape(base);
      expect(sample(text, 'parley_redis_errors_total{connection="commands"}')).toBe(0);
    } finally {
      await app.close();
    }
  });

  it('says Redis is down, and counts the connection errors, when it does not answer', async () => {
    const { app, base } = await start({ REDIS_URL: 'redis://127.0.0.1:1', RESUME_SECRET: 'metrics-test-resume-secret' });
    try {
      await until(async () => (sample(await scrape(base), 'parley_redis_errors_total{connection="commands"}') ?? 0) > 0, 'a commands error');
      for (const connection of ['subscriber', 'publisher']) {
        await until(
          async () => (sample(await scrape(base), `parley_redis_errors_total{connection="${connection}"}`) ?? 0) > 0,
          `a ${connection} error`,
        );
      }
      expect(sample(await scrape(base), 'parley_redis_up')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
