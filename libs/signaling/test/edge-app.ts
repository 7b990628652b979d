import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SignalingAdapter, SignalingModule, type SignalingModuleOptions } from '../src/index.js';

@Controller()
class HealthzController {
  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }
}

/** Every line the app logged, with its level; stack traces are kept to check that none are logged. */
export class RecordingLogger implements LoggerService {
  readonly lines: { level: string; message: unknown; extra: unknown[] }[] = [];

  #record(level: string) {
    return (message: unknown, ...extra: unknown[]) => void this.lines.push({ level, message, extra });
  }

  log = this.#record('log');
  error = this.#record('error');
  warn = this.#record('warn');
  debug = this.#record('debug');
  verbose = this.#record('verbose');
  fatal = this.#record('fatal');

  at(...levels: string[]) {
    return this.lines.filter((line) => levels.includes(line.level));
  }
}

/**
 * A real Nest app with the signaling module and a `/healthz` route on one HTTP server, for
 * tests of the transport edge: raw HTTP, upgrades, and how the server holds up under attack.
 */
export class EdgeApp {
  private constructor(
    readonly app: INestApplication,
    readonly port: number,
    readonly logger: RecordingLogger,
  ) {}

  static async start(options: SignalingModuleOptions = {}): Promise<EdgeApp> {
    const moduleRef = await Test.createTestingModule({
      imports: [SignalingModule.forRoot(options)],
      controllers: [HealthzController],
    }).compile();
    const logger = new RecordingLogger();
    const app = moduleRef.createNestApplication({ logger });
    app.useWebSocketAdapter(new SignalingAdapter(app));
    await app.listen(0, '127.0.0.1');
    // Tests look at what the app logs while it serves, not at its startup lines.
    logger.lines.length = 0;
    return new EdgeApp(app, (app.getHttpServer().address() as AddressInfo).port, logger);
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** GET /healthz on a fresh connection: the status and how long the answer took, in ms. */
  healthz(timeoutMs = 5_000): Promise<{ status: number; ms: number }> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: this.port, path: '/healthz', agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
      });
      req.on('timeout', () => req.destroy(new Error(`/healthz did not answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }

  close(): Promise<void> {
    return this.app.close();
  }
}
