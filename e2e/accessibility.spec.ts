import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/**
 * axe-core (WCAG 2.1 AA and best practices) on every screen a person meets, in both themes:
 * home, lobby, the call with someone else in it, the open chat with messages. The waiting room
 * (host controls) calls expectNoAxeViolations from its own spec once it exists.
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
  });
}
