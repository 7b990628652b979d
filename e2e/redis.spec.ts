import { randomBytes } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { appServer } from './app-server';
import { closeAll, expectRemoteVideosPlaying, joinRoom, newPerson, remotePeerIds, selfId, uniqueRoom, type Person } from './helpers';

// Two instances behind no load balancer: each person talks to a different one, and only Redis
// connects them. The key prefix is this run's own.
const prefix = `parley-e2e:${randomBytes(4).toString('hex')}:`;
const shared = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, RESUME_SECRET: 'e2e-redis-shared-secret' };
const one = appServer(3120, shared);
const two = appServer(3121, shared);
let people: Person[] = [];

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

test.afterEach(async ({}, testInfo) => {
  await closeAll(people);
  people = [];
  if (testInfo.status !== testInfo.expectedStatus) console.log(one.output(), two.output());
});

test('two people on two instances sharing Redis see and hear each other', async ({ browser }) => {
  const room = uniqueRoom('redis');
  const ada = await newPerson(browser, 'Ada', { baseURL: one.url });
  const bob = await newPerson(browser, 'Bob', { baseURL: two.url });
  people = [ada, bob];

  await joinRoom(ada, room);
  await joinRoom(bob, room);

  await expectRemoteVideosPlaying(ada.page, 1);
  await expectRemoteVideosPlaying(bob.page, 1);
  expect(await remotePeerIds(ada.page)).toEqual([await selfId(bob.page)]);
  expect(await remotePeerIds(bob.page)).toEqual([await selfId(ada.page)]);
});
