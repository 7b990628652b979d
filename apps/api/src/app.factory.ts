import { fileURLToPath } from 'node:url';
import { ConsoleLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SignalingAdapter } from '@parley/nest-signaling';
import { AppModule } from './app.module.js';
import { enabledLogLevels, type AppConfig } from './config.js';
import { securityHeaders } from './security-headers.js';

/** Keys whose values never reach a log line, at any depth. */
export const LOG_REDACTED_KEYS = ['secret', 'token', 'resume', 'password', 'authorization', 'cookie', 'credential', 'sdp'];

/** apps/web/dist, from either apps/api/src (tests) or apps/api/dist (the build). */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    logger: new ConsoleLogger({
      json: config.logJson,
      logLevels: enabledLogLevels(config.logLevel),
      // The fields of the signaling lines (room, peer, instance, reason) on the JSON line itself.
      flattenParams: true,
      // A second line of defence: no code logs these, and if some did, the value stays out.
      redact: LOG_REDACTED_KEYS,
    }),
    // On shutdown the HTTP server otherwise waits for every open connection, and a browser's
    // spare pre-connection that never sends a request keeps it alive until headersTimeout (60 s):
    // the clients' retry budget runs out before the process exits. The sockets have been told
    // to come back (1012) by then.
    forceCloseConnections: true,
    // A provider that fails at startup (janode missing with JANUS_URLS set) rejects here, so main.ts
    // prints its message and exits 1, instead of Nest's default process.abort() and a core dump.
    abortOnError: false,
  });
  app.use(...securityHeaders());
  app.useWebSocketAdapter(new SignalingAdapter(app));
  return app;
}
