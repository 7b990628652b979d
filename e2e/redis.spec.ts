import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { appServer } from './app-server';
import { expect, test } from './fixtures';
import { joinRoom, remotePeerIds, selfId } from './helpers';
import { expectRemoteAudioHeard, expectRemoteVideosPlaying } from './peer-media';

// Two instances behind no load balancer: each person talks to a different one, and only Redis
// connects them. The key prefix is this run's own.
const prefix = `parley-e2e:${randomBytes(4).toString('hex')}:`;
const shared = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, RESUME_SECRET: 'e2e-redis-shared-secret' };
const one = appServer(3120, shared);
const two = appServer(3121, shared);

test.beforeAll(async () => {
  await Promise.all([one.start(), two.start()]);
});

test.afterAll(async () => {
  await Promise.all([one.stop('SIGTERM'), two.stop('SIGTERM')]);
  const redis = new Redis(shared.REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

test.afterEach(({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) console.log(one.output(), two.output());
});

test('two people on two instances sharing Redis see and hear each other', async ({ people, room }) => {
  const ada = await people.add('Ada', { baseURL: one.url });
  const bob = await people.add('Bob', { baseURL: two.url });

  await joinRoom(ada, room);
  await joinRoom(bob, room);

  await expectRemoteVideosPlaying(ada.page, 1);
  await expectRemoteVideosPlaying(bob.page, 1);
  await expectRemoteAudioHeard(ada.page, 1);
  await expectRemoteAudioHeard(bob.page, 1);
  expect(await remotePeerIds(ada.page)).toEqual([await selfId(bob.page)]);
  expect(await remotePeerIds(bob.page)).toEqual([await selfId(ada.page)]);
});
