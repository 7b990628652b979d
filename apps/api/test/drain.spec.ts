/**
 * The drain before shutdown, on a real app. Jest's sandboxed `process` never hears real signals,
 * so the signal comes from an emitter here; e2e/drain.spec.ts sends a real SIGTERM to the built
 * app's process.
 */
import { EventEmitter } from 'node:events';
import { CloseCode, ErrorCode } from '@parley/protocol';
import { TestClient } from '../../../libs/signaling/test/test-client.js';
import { closeOnSignals } from '../src/shutdown.js';
import { get, start } from './test-app.js';

async function until(condition: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('drain on a shutdown signal', () => {
  it('turns readiness 503, refuses new sockets (503) and joins, serves the calls in progress, then closes them with 1012 and exits 0', async () => {
    const { app, base } = await start({});
    const signals = new EventEmitter();
    let exitCode: number | undefined;
    const exited = new Promise<number>((resolve) => {
      const off = closeOnSignals(app, 2_000, {
        signals: ['SIGTERM'],
        source: signals,
        exit: (code) => {
          off();
          exitCode = code;
          resolve(code);
        },
      });
    });
    const ada = await TestClient.connect(`ws://${base}/ws`);
    await ada.join('drain');
    // Connected before the drain, joins during it.
    const bobEarly = await TestClient.connect(`ws://${base}/ws`);
    expect((await get(base, '/readyz')).status).toBe(200);

    signals.emit('SIGTERM', 'SIGTERM');
    await until(async () => (await get(base, '/readyz')).status === 503, 'readyz to turn 503');
    expect(JSON.parse((await get(base, '/readyz')).body).error.signaling).toMatchObject({ status: 'down', draining: true });
    // Liveness stays up: an orchestrator must not restart a pod that is draining.
    expect((await get(base, '/healthz')).status).toBe(200);

    // A new socket is refused before the upgrade, so the client tries again (elsewhere).
    await expect(TestClient.connect(`ws://${base}/ws`)).rejects.toThrow(/503/);
    const bob = bobEarly;
    bob.send('join', { room: 'drain', name: 'Bob', protocol: 1 });
    const refused = await bob.next('error');
    expect(refused.code).toBe(ErrorCode.Internal);
    expect(refused.message).toMatch(/^Unavailable: this server is shutting down/);

    // Ada's call goes on during the drain.
    await ada.roundTrip();
    expect(exitCode).toBeUndefined();

    expect((await ada.closed).code).toBe(CloseCode.ServiceRestart);
    expect(await exited).toBe(0);
    bob.close();
  });

  it('a second signal cuts the drain short', async () => {
    const { app, base } = await start({});
    const signals = new EventEmitter();
    const startedAt = Date.now();
    const exited = new Promise<number>((resolve) => {
      const off = closeOnSignals(app, 60_000, {
        signals: ['SIGTERM'],
        source: signals,
        exit: (code) => {
          off();
          resolve(code);
        },
      });
    });
    const ada = await TestClient.connect(`ws://${base}/ws`);
    await ada.join('drain');
    signals.emit('SIGTERM', 'SIGTERM');
    await until(async () => (await get(base, '/readyz')).status === 503, 'readyz to turn 503');
    signals.emit('SIGTERM', 'SIGTERM');
    expect((await ada.closed).code).toBe(CloseCode.ServiceRestart);
    expect(await exited).toBe(0);
    // Far below the 60 s drain it was given.
    expect(Date.now() - startedAt).toBeLessThan(30_000);
  });
});
