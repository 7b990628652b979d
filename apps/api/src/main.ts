import './gc-tuning.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, WEB_ROOT } from './app.factory.js';
import { effectiveConfig, loadConfig } from './config.js';
import { closeOnSignals } from './shutdown.js';

try {
  const config = loadConfig(process.env, WEB_ROOT);
  const app = await createApp(config);
  // process.exit once closed rather than re-raising the signal: as PID 1 in a container, a
  // re-raised SIGTERM is ignored and the process lingers until the event loop drains.
  closeOnSignals(app, config.shutdownDrainMs);
  await app.listen(config.port, config.host);
  Logger.log(`Parley is running on http://localhost:${config.port}`, { event: 'start', config: effectiveConfig(config) }, 'Parley');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
