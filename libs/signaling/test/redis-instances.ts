import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { SignalingModuleOptions } from '../src/index.js';
import { TestApp } from './test-app.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two app instances sharing the real Redis, started before each test and closed after it, under
 * a key prefix of this suite's own that is removed at the end. Call inside `describe`.
 */
export function twoInstancesOnRedis(extra: SignalingModuleOptions = {}) {
  const keyPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  const options: SignalingModuleOptions = { redis: { url: REDIS_URL, keyPrefix }, resumeGraceMs: 2_000, resumeSecret: 'shared', ...extra };
  const admin = new Redis(REDIS_URL);
  const apps = { a: undefined as unknown as TestApp, b: undefined as unknown as TestApp, admin, keyPrefix, options };

  beforeEach(async () => {
    [apps.a, apps.b] = await Promise.all([TestApp.start(options), TestApp.start(options)]);
  });

  afterEach(async () => {
    await Promise.all([apps.a.close(), apps.b.close()].map((closing) => closing.catch(() => undefined)));
  });

  afterAll(async () => {
    const keys = await admin.keys(`${keyPrefix}*`);
    if (keys.length) await admin.del(...keys);
    admin.disconnect();
  });

  return apps;
}
