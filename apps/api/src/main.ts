import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp, WEB_ROOT } from './app.factory.js';
import { loadConfig } from './config.js';

try {
  const config = loadConfig(process.env, WEB_ROOT);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  Logger.log(`Parley is running on http://localhost:${config.port}`, 'Parley');
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
