import type { Page } from '@playwright/test';
import { expect, test, type People } from './fixtures';
import { joinRoom, remoteTiles, uniqueRoom } from './helpers';
import { expectRemoteAudioHeard, expectRemoteVideosPlaying } from './peer-media';

async function threeInOneRoom(people: People, room: string) {
  const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
  for (const person of trio) await joinRoom(person, room);
  return trio;
}

const tileOf = (page: Page, name: string) => page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`);

test.describe('a call', () => {
  test('everyone sees the two others playing, and another room sees nobody', async ({ people, room }) => {
    const trio = await threeInOneRoom(people, room);
    const [ada] = trio;
    const dora = await people.add('Dora');

    for (const person of trio) {
      await expectRemoteVideosPlaying(person.page, 2);
      for (const other of trio.filter((p) => p !== person)) await expect(tileOf(person.page, other.name).locator('video')).toHaveCount(1);
    }

    await joinRoom(dora, uniqueRoom('elsewhere'));
    await expect(dora.page.getByText('Waiting for others to join… share the link')).toBeVisible();
    await dora.page.waitForTimeout(1500);
    await expect(remoteTiles(dora.page)).toHaveCount(0);
    await expect(ada.page.locator('[data-peer-name="Dora"]')).toHaveCount(0);
  });

  test('when one leaves, the other two keep one playing remote video each', async ({ people, room }) => {
    const [ada, brian, chidi] = await threeInOneRoom(people, room);
    for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);

    await chidi.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(chidi.page.getByText('You left the call')).toBeVisible();

    for (const person of [ada, brian]) {
      await expect(tileOf(person.page, 'Chidi')).toHaveCount(0);
      await expectRemoteVideosPlaying(person.page, 1);
    }
  });

  test('someone whose camera is off from the start is heard, and their video plays once they turn it on', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await ada.page.goto(`/r/${room}`);
    await ada.page.getByRole('button', { name: 'Turn camera off' }).click();
    await ada.page.getByLabel('Your name', { exact: true }).fill('Ada');
    await ada.page.getByRole('button', { name: 'Join', exact: true }).click();
    await joinRoom(brian, room);
    await expect(tileOf(brian.page, 'Ada').getByRole('img', { name: 'Ada’s camera is off' })).toBeVisible();
    // A tile whose video never had a frame must still play its sound.
    await expectRemoteAudioHeard(brian.page, 1);

    await ada.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectRemoteVideosPlaying(brian.page, 1);
  });

  test('muting the microphone shows as muted on the others’ tiles', async ({ people, room }) => {
    const [ada, brian, chidi] = await threeInOneRoom(people, room);
    for (const other of [brian, chidi]) {
      await expect(tileOf(other.page, 'Ada')).toBeVisible();
      await expect(tileOf(other.page, 'Ada').getByTestId('mic-off')).toHaveCount(0);
    }

    await ada.page.getByRole('button', { name: 'Mute microphone' }).click();

    for (const other of [brian, chidi]) {
      await expect(tileOf(other.page, 'Ada').getByTestId('mic-off')).toBeVisible();
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'Ada is muted' })).toBeVisible();
      await expect(other.page.locator('[data-testid="remote-tile"] [data-testid="mic-off"]')).toHaveCount(1);
    }

    await ada.page.getByRole('button', { name: 'Unmute microphone' }).click();
    for (const other of [brian, chidi]) await expect(tileOf(other.page, 'Ada').getByTestId('mic-off')).toHaveCount(0);
  });

  test('turning the camera off and on again shows on the other side and video resumes', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    for (const person of [ada, brian]) await joinRoom(person, room);
    await expectRemoteVideosPlaying(brian.page, 1);
    const adaOnBrian = tileOf(brian.page, 'Ada');

    await ada.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expect(adaOnBrian.getByTestId('cam-off')).toBeVisible();
    await expect(ada.page.getByTestId('local-tile').getByTestId('cam-off')).toBeVisible();

    await ada.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expect(adaOnBrian.getByTestId('cam-off')).toHaveCount(0);
    await expectRemoteVideosPlaying(brian.page, 1);
  });
});
