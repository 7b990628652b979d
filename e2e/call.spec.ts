import { expect, test, type Browser } from '@playwright/test';
import { closeAll, expectRemoteVideosPlaying, joinRoom, newPerson, remoteTiles, uniqueRoom, type Person } from './helpers';

test.describe('a call', () => {
  let people: Person[] = [];

  test.afterEach(async () => {
    await closeAll(people);
    people = [];
  });

  async function threeInOneRoom(browser: Browser, room: string) {
    people = await Promise.all(['Ada', 'Brian', 'Chidi'].map((name) => newPerson(browser, name)));
    for (const person of people) await joinRoom(person, room);
    return people as [Person, Person, Person];
  }

  test('everyone sees the two others playing, and another room sees nobody', async ({ browser }) => {
    const [ada, brian, chidi] = await threeInOneRoom(browser, uniqueRoom('three'));
    const dora = await newPerson(browser, 'Dora');
    people.push(dora);

    for (const person of [ada, brian, chidi]) {
      await expectRemoteVideosPlaying(person.page, 2);
      const others = people.filter((p) => p !== person && p !== dora).map((p) => p.name);
      for (const name of others) {
        await expect(person.page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"] video`)).toHaveCount(1);
      }
    }

    await joinRoom(dora, uniqueRoom('elsewhere'));
    await expect(dora.page.getByText('Waiting for others to join… share the link')).toBeVisible();
    await dora.page.waitForTimeout(1500);
    await expect(remoteTiles(dora.page)).toHaveCount(0);
    await expect(ada.page.locator('[data-peer-name="Dora"]')).toHaveCount(0);
  });

  test('when one leaves, the other two keep one playing remote video each', async ({ browser }) => {
    const [ada, brian, chidi] = await threeInOneRoom(browser, uniqueRoom('leave'));
    for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);

    await chidi.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await expect(chidi.page.getByText('You left the call')).toBeVisible();

    for (const person of [ada, brian]) {
      await expect(person.page.locator('[data-testid="remote-tile"][data-peer-name="Chidi"]')).toHaveCount(0);
      await expectRemoteVideosPlaying(person.page, 1);
    }
  });

  test('muting the microphone shows as muted on the others’ tiles', async ({ browser }) => {
    const [ada, brian, chidi] = await threeInOneRoom(browser, uniqueRoom('mute'));
    const adaTileOn = (page: Person['page']) => page.locator('[data-testid="remote-tile"][data-peer-name="Ada"]');
    for (const other of [brian, chidi]) {
      await expect(adaTileOn(other.page)).toBeVisible();
      await expect(adaTileOn(other.page).getByTestId('mic-off')).toHaveCount(0);
    }

    await ada.page.getByRole('button', { name: 'Mute microphone' }).click();

    for (const other of [brian, chidi]) {
      await expect(adaTileOn(other.page).getByTestId('mic-off')).toBeVisible();
      await expect(adaTileOn(other.page).getByRole('img', { name: 'Ada is muted' })).toBeVisible();
      await expect(other.page.locator('[data-testid="remote-tile"] [data-testid="mic-off"]')).toHaveCount(1);
    }

    await ada.page.getByRole('button', { name: 'Unmute microphone' }).click();
    for (const other of [brian, chidi]) await expect(adaTileOn(other.page).getByTestId('mic-off')).toHaveCount(0);
  });

  test('turning the camera off and on again shows on the other side and video resumes', async ({ browser }) => {
    const room = uniqueRoom('camera');
    people = await Promise.all(['Ada', 'Brian'].map((name) => newPerson(browser, name)));
    const [ada, brian] = people as [Person, Person];
    for (const person of people) await joinRoom(person, room);
    await expectRemoteVideosPlaying(brian.page, 1);
    const adaOnBrian = brian.page.locator('[data-testid="remote-tile"][data-peer-name="Ada"]');

    await ada.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expect(adaOnBrian.getByTestId('cam-off')).toBeVisible();
    await expect(ada.page.getByTestId('local-tile').getByTestId('cam-off')).toBeVisible();

    await ada.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expect(adaOnBrian.getByTestId('cam-off')).toHaveCount(0);
    await expectRemoteVideosPlaying(brian.page, 1);
  });
});
