import { Logger, type INestApplication } from '@nestjs/common';
import { SignalingDrain } from '@parley/nest-signaling';

/**
 * SIGTERM (or SIGINT): drain for `drainMs` (readiness 503, new joins and sockets refused, calls
 * in progress served) while a load balancer stops sending here, then Nest's shutdown, which
 * closes every socket with 1012 so the clients resume elsewhere, then exit. A second signal
 * cuts the drain short. Returns what removes the listeners.
 *
 * Nest's own `enableShutdownHooks` cannot do the drain: its first step already stops the
 * instance heartbeat and the room timers, so the wait has to come before it.
 */
export function closeOnSignals(
  app: INestApplication,
  drainMs: number,
  {
    signals = ['SIGTERM', 'SIGINT'] as NodeJS.Signals[],
    exit = (code: number): void => process.exit(code),
    // Tests give their own: Jest's sandboxed `process` never hears the real signals.
    source = process as Pick<NodeJS.EventEmitter, 'on' | 'off'>,
  } = {},
): () => void {
  const logger = new Logger('Shutdown');
  let cutShort: (() => void) | undefined;
  let closing = false;
  const onSignal = async (signal: NodeJS.Signals) => {
    if (closing) return cutShort?.();
    closing = true;
    try {
      app.get(SignalingDrain).start();
      if (drainMs > 0) {
        logger.log('Draining: readiness is 503 and new joins are refused', { event: 'drain', signal, drainMs });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, drainMs);
          cutShort = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      logger.log('Closing: every socket gets 1012', { event: 'close', signal });
      await app.close();
      exit(0);
    } catch (error) {
      logger.error('Shutdown failed', { event: 'close', detail: error instanceof Error ? error.message : String(error) });
      exit(1);
    }
  };
  for (const signal of signals) source.on(signal, onSignal);
  return () => signals.forEach((signal) => source.off(signal, onSignal));
}
