import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisConnections } from '../src/redis-connections.js';
import { redisTarget } from '../src/redis-target.js';

describe(redisTarget.name, () => {
  it('passes a plain Redis URL through', () => {
    expect(redisTarget('redis://127.0.0.1:6379/2')).toBe('redis://127.0.0.1:6379/2');
  });

  it('reads Sentinels, the master name, a password and a database from a redis+sentinel URL', () => {
    expect(redisTarget('redis+sentinel://:s3cr%40t@10.0.0.1:26379,10.0.0.2,[::1]:26380/parley/3')).toEqual({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'parley',
      password: 's3cr@t',
      db: 3,
    });
  });

  it.each(['redis+sentinel://', 'redis+sentinel://10.0.0.1:26379', 'redis+sentinel:///parley'])('refuses %s', (url) => {
    expect(() => redisTarget(url)).toThrow(/Sentinel URL/);
  });
});

/** A free TCP port on loopback. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('Redis through Sentinel', () => {
  let sentinel: ChildProcess;
  let dir: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'parley-sentinel-'));
    // Sentinel rewrites its configuration file, so it gets one of its own.
    writeFileSync(join(dir, 'sentinel.conf'), `port ${port}\nbind 127.0.0.1\nsentinel monitor parley 127.0.0.1 6379 1\n`);
    sentinel = spawn('redis-server', [join(dir, 'sentinel.conf'), '--sentinel'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const answered = await new Promise<boolean>((resolve) => {
        const probe = createServer();
        probe.once('error', () => resolve(true)).listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
      });
      if (answered) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('Sentinel did not start');
  });

  afterAll(() => {
    sentinel?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master the Sentinel names and talks to it, on both connections', async () => {
    const sut = new RedisConnections(`redis+sentinel://127.0.0.1:${port}/parley`);
    try {
      expect(await sut.ping()).toBe(true);
      const key = `parley-sentinel-test:${process.pid}`;
      await sut.commands.set(key, 'ok', 'PX', 5_000);
      expect(await sut.commands.get(key)).toBe('ok');
      expect(await sut.subscriber.ping()).toBe('PONG');
    } finally {
      await sut.onApplicationShutdown();
    }
  });

  it('does not fall back to a default Redis when the Sentinels name no such master', async () => {
    const sut = new RedisConnections(`redis+sentinel://127.0.0.1:${port}/no-such-master`);
    try {
      expect(await sut.ping()).toBe(false);
    } finally {
      await sut.onApplicationShutdown();
    }
  });
});
