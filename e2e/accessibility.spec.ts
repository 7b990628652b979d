import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/**
 * axe-core (WCAG 2.1 AA and best practices) on every screen a person meets, in both themes:
 * home, lobby, the call with someone else in it, the open chat with messages, the waiting room
 * and the host's call with someone knocking, speaker view with a hand up and the reactions open,
 * and a call being recorded. The specs of those features check some of their screens too, in the
 * default (light) scheme.
 */
for (const colorScheme of ['dark', 'light'] as const) {
  test.describe(`${colorScheme} theme`, () => {
    const themed = async (page: Page) => {
      await page.emulateMedia({ colorScheme });
    };

    test('home and lobby', async ({ people, room }) => {
      const { page } = await people.add('Ada');
      await themed(page);
      await page.goto('/');
      await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      await expect(page.getByRole('button', { name: 'Start a room' })).toBeVisible();
      await expectNoAxeViolations(page, 'home');
      // The home page's error state too.
      await page.getByRole('button', { name: 'Join room' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectNoAxeViolations(page, 'home with an error');

      await page.goto(`/r/${room}`);
      await expect(page.getByRole('button', { name: 'Mute microphone' })).toBeEnabled();
      await expectNoAxeViolations(page, 'lobby');
    });

    test('the call and the open chat', async ({ people, room }) => {
      const [ada, brian] = await people.addAll(['Ada', 'Brian']);
      for (const person of [ada, brian]) {
        await themed(person.page);
        await joinRoom(person, room);
      }
      await expectRemoteVideosPlaying(ada.page, 1);
      const { page } = ada;
      // The controls come a moment after the tiles: the check covers them too.
      await expect(page.getByRole('navigation', { name: 'Call controls' })).toBeVisible();
      await expectNoAxeViolations(page, 'call');

      await page.getByRole('button', { name: 'Mute microphone' }).click();
      await page.getByRole('button', { name: /^Connection to Brian/ }).click();
      await expect(page.getByTestId('quality-details')).toBeVisible();
      await expectNoAxeViolations(page, 'call, muted, with quality details open');
      await page.getByRole('button', { name: /^Connection to Brian/ }).click();

      await page.getByRole('button', { name: 'Chat', exact: true }).click();
      await expectNoAxeViolations(page, 'empty chat');
      for (const [person, text] of [
        [ada, 'Hello Brian'],
        [brian, 'Hi Ada, can you hear me?'],
      ] as const) {
        if (person === brian) await brian.page.getByRole('button', { name: /^Chat/ }).click();
        const box = person.page.getByRole('textbox', { name: 'Message' });
        await box.fill(text);
        await box.press('Enter');
      }
      await expect(page.getByTestId('chat-message')).toHaveCount(2);
      await expectNoAxeViolations(page, 'chat with messages');

      await page.getByRole('button', { name: 'People' }).click();
      await expect(page.getByTestId('participants')).toBeVisible();
      await expectNoAxeViolations(page, 'people');
    });

    test('the waiting room, the host’s call with someone knocking, speaker view and a recording', async ({ people, room }) => {
      const [ada, brian] = await people.addAll(['Ada', 'Brian']);
      for (const person of [ada, brian]) await themed(person.page);
      await joinRoom(ada, room);
      const lock = ada.page.getByRole('button', { name: 'Lock room' });
      await lock.click();
      await expect(lock).toHaveAttribute('aria-pressed', 'true');

      await brian.page.goto(`/r/${room}`);
      await brian.page.getByLabel('Your name', { exact: true }).fill('Brian');
      await brian.page.getByRole('button', { name: 'Join', exact: true }).click();
      await expect(brian.page.getByRole('heading', { name: 'Waiting for the host to let you in' })).toBeVisible();
      await expect(brian.page.locator('html')).toHaveAttribute('data-theme', colorScheme);
      await expectNoAxeViolations(brian.page, 'the waiting room');
      await expect(ada.page.getByRole('button', { name: 'Admit Brian' })).toBeVisible();
      await expectNoAxeViolations(ada.page, 'the call with someone knocking');

      await ada.page.getByRole('button', { name: 'Admit Brian' }).click();
      await expectRemoteVideosPlaying(ada.page, 1);
      const { page } = ada;
      await page.getByRole('button', { name: 'Speaker view' }).click();
      await expect(page.getByTestId('stage')).toBeVisible();
      await page.getByRole('button', { name: 'Raise hand' }).click();
      await expect(brian.page.getByTestId('tile-hand')).toBeVisible();
      await page.getByRole('button', { name: 'Reactions' }).click();
      await page.getByRole('button', { name: 'React 👍' }).click();
      await expect(page.getByTestId('tile-reaction')).toBeVisible();
      await expectNoAxeViolations(page, 'speaker view with a hand up, a reaction and the reactions open');

      await page.getByRole('button', { name: 'Record', exact: true }).click();
      await expect(brian.page.getByTestId('recording-banner')).toHaveText('Ada is recording');
      await expectNoAxeViolations(brian.page, 'the call with someone recording, and a hand up');
      await expectNoAxeViolations(page, 'the call while recording');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Stop recording', exact: true }).click();
      await download;
    });
  });
}
