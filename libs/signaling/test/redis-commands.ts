import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** The commands Redis runs on keys and channels of `keyPrefix` while `during` runs, by name (MONITOR). */
export async function commandsDuring(url: string, keyPrefix: string, during: () => Promise<void>): Promise<Map<string, number>> {
  const redis = new Redis(url);
  const monitor = await redis.monitor();
  const counts = new Map<string, number>();
  // The feed is in order: once it shows this key, it has shown every command before it.
  const marker = `${keyPrefix}marker:${randomBytes(4).toString('hex')}`;
  let sawMarker: () => void = () => {};
  const markerSeen = new Promise<void>((resolve) => (sawMarker = resolve));
  monitor.on('monitor', (_time: string, args: string[]) => {
    if (args.includes(marker)) return sawMarker();
    if (!args.slice(1).some((arg) => arg.startsWith(keyPrefix))) return;
    const name = args[0].toLowerCase();
    counts.set(name, (counts.get(name) ?? 0) + 1);
  });
  try {
    await during();
    await redis.exists(marker);
    await markerSeen;
  } finally {
    monitor.disconnect();
    redis.disconnect();
  }
  return counts;
}
