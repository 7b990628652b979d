import { planCaps } from '../apps/web/src/lib/rtc/governor';
import { cameraCaps } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/** The camera cap for `receivers` on an uplink that is not the limit (loopback). */
const capFor = (receivers: number) =>
  planCaps({ receivers, estimates: Array.from({ length: receivers }, () => 1e9), screen: false }).camera.maxBitrate;

test('with four people each camera is capped for three receivers, and the caps rise when one leaves', async ({ people, room }) => {
  test.setTimeout(180_000);
  const four = await people.addAll(['Ada', 'Brian', 'Chidi', 'Dora']);
  for (const person of four) await joinRoom(person, room);
  for (const person of four) await expectRemoteVideosPlaying(person.page, 3);

  for (const person of four) {
    // Every link carries a cap, and none is above a third of the uplink budget.
    await expect
      .poll(async () => (await cameraCaps(person.page)).map((c) => c.maxBitrate !== undefined && c.maxBitrate <= capFor(3)), {
        timeout: 30_000,
      })
      .toEqual([true, true, true]);
  }
  const [ada, brian, chidi, dora] = four;
  // On loopback the estimate is ample, so the caps are exactly the budget over three.
  await expect
    .poll(async () => (await cameraCaps(ada.page)).map((c) => c.maxBitrate), { timeout: 30_000 })
    .toEqual([capFor(3), capFor(3), capFor(3)]);

  await dora.page.getByRole('button', { name: 'Leave', exact: true }).click();
  for (const person of [ada, brian, chidi]) {
    await expect
      .poll(async () => (await cameraCaps(person.page)).map((c) => (c.maxBitrate ?? 0) > capFor(3)), { timeout: 30_000 })
      .toEqual([true, true]);
    await expectRemoteVideosPlaying(person.page, 2);
  }
});
