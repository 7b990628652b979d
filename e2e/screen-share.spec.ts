import { expect, test } from '@playwright/test';
import { expectVideoPlaying, tileOf } from './call-helpers';
import { closeAll, expectRemoteVideosPlaying, joinRoom, newPerson, uniqueRoom, type Person } from './helpers';

test.describe('screen share', () => {
  let people: Person[] = [];

  test.afterEach(async () => {
    await closeAll(people);
    people = [];
  });

  test('the others see a third tile playing, presenting, in the large spot; stopping removes it', async ({ browser }) => {
    const room = uniqueRoom('share');
    people = await Promise.all(['Ada', 'Brian', 'Chidi'].map((name) => newPerson(browser, name)));
    const [ada, brian, chidi] = people as [Person, Person, Person];
    for (const person of people) await joinRoom(person, room);
    for (const person of people) await expectRemoteVideosPlaying(person.page, 2);

    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(ada.page.getByRole('button', { name: 'Stop sharing' })).toHaveAttribute('aria-pressed', 'true');

    for (const other of [brian, chidi]) {
      const screen = other.page.locator('[data-testid="screen-tile"][data-peer-name="Ada"]');
      await expectVideoPlaying(screen);
      await expect(screen).toContainText('Ada is presenting');
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'presenting' })).toBeVisible();
      // The presenter's screen takes the large spot: wider than any camera tile.
      const screenBox = (await screen.boundingBox())!;
      for (const box of await other.page.getByTestId('remote-tile').evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().width))) {
        expect(screenBox.width).toBeGreaterThan(box * 1.5);
      }
      // The cameras keep playing beside it.
      await expectRemoteVideosPlaying(other.page, 2);
    }

    await ada.page.getByRole('button', { name: 'Stop sharing' }).click();
    for (const other of [brian, chidi]) {
      await expect(other.page.getByTestId('screen-tile')).toHaveCount(0);
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'presenting' })).toHaveCount(0);
    }
  });

  test('the browser’s own “Stop sharing” ends the share for everyone', async ({ browser }) => {
    const room = uniqueRoom('share-stop');
    people = await Promise.all(['Ada', 'Brian'].map((name) => newPerson(browser, name)));
    const [ada, brian] = people as [Person, Person];
    for (const person of people) await joinRoom(person, room);

    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expectVideoPlaying(brian.page.getByTestId('screen-tile'));

    // What Chromium does when its "Stop sharing" bar is pressed: the capture track ends.
    await ada.page.evaluate(() => {
      const track = window.__pcs
        .flatMap((pc) => pc.getSenders())
        .map((s) => s.track)
        .find((t) => t?.kind === 'video' && t.getSettings().displaySurface);
      if (!track) throw new Error('no screen track');
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    await expect(ada.page.getByRole('button', { name: 'Share screen' })).toHaveAttribute('aria-pressed', 'false');
    await expect(brian.page.getByTestId('screen-tile')).toHaveCount(0);
  });

  test('someone who joins during a share sees it too', async ({ browser }) => {
    const room = uniqueRoom('share-late');
    people = await Promise.all(['Ada', 'Brian'].map((name) => newPerson(browser, name)));
    const [ada, brian] = people as [Person, Person];
    await joinRoom(ada, room);
    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(ada.page.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
    await joinRoom(brian, room);
    await expectVideoPlaying(brian.page.getByTestId('screen-tile'));
    await expectRemoteVideosPlaying(brian.page, 1);
  });
});
