import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { MemoryRoomStore } from '../src/memory-room-store.js';
import { RedisRoomStore } from '../src/redis-room-store.js';
import { roomStoreContract } from './room-store.contract.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

roomStoreContract(MemoryRoomStore.name, async () => ({ store: new MemoryRoomStore(), instances: false }));

roomStoreContract(RedisRoomStore.name, async () => {
  const redis = new Redis(REDIS_URL);
  // Each test has its own keys, and removes only those.
  const prefix = `parley-test:${randomBytes(4).toString('hex')}:`;
  return {
    store: new RedisRoomStore(redis, prefix),
    instances: true,
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    },
  };
});
