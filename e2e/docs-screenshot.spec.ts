import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/**
 * Renders docs/call.png, the three-person call shown in the README, and 360 px views for review:
 * `DOCS_SCREENSHOT=1 npx playwright test e2e/docs-screenshot.spec.ts`. Skipped otherwise.
 */
const OUT = fileURLToPath(new URL('../docs/call.png', import.meta.url));

test.skip(!process.env.DOCS_SCREENSHOT, 'set DOCS_SCREENSHOT=1 to render docs/call.png');

async function say(page: Page, text: string) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

test('a three-person call, as Chromium renders it', async ({ people, room }) => {
  // Three callers and the review views take longer than one test's usual budget on a small machine.
  test.setTimeout(300_000);
  const trio = await people.addAll(['Ada Lovelace', 'Brian Kernighan', 'Chidi Okafor']);
  const [ada, brian, chidi] = trio;
  for (const person of trio) await joinRoom(person, room);
  for (const person of trio) await expectRemoteVideosPlaying(person.page, 2);

  await brian.page.getByRole('button', { name: /^Chat/ }).click();
  await say(brian.page, 'Morning! Notes are in the usual doc.');
  await chidi.page.getByRole('button', { name: /^Chat/ }).click();
  await say(chidi.page, 'Sharing the release board in a sec');
  await chidi.page.getByRole('button', { name: 'Mute microphone' }).click();

  await ada.page.setViewportSize({ width: 1280, height: 760 });
  // The README shows the dark theme (the light one is a prefers-color-scheme or switch away).
  await ada.page.emulateMedia({ colorScheme: 'dark' });
  await ada.page.getByRole('button', { name: /^Chat/ }).click();
  await expect(ada.page.getByTestId('chat-message')).toHaveCount(2);
  const brianTile = ada.page.locator('[data-testid="remote-tile"][data-peer-name="Brian Kernighan"]');
  await expect(brianTile.getByTestId('quality')).toHaveAttribute('data-level', /good|fair/);
  await brianTile.getByRole('button', { name: /^Connection to Brian/ }).click();
  await expect(brianTile.getByTestId('quality-rtt')).toHaveText(/\d+ ms/);
  await ada.page.waitForTimeout(2500);
  await ada.page.screenshot({ path: OUT });
  await brianTile.getByRole('button', { name: /^Connection to Brian/ }).click();

  // For review only: a phone-sized view of the call and of the open chat.
  // Brian's chat is still open from sending: on a phone it covers the call.
  await brian.page.setViewportSize({ width: 360, height: 740 });
  await brian.page.waitForTimeout(1000);
  await brian.page.screenshot({ path: test.info().outputPath('chat-360.png') });
  await brian.page.getByRole('button', { name: 'Close chat' }).click();
  await brian.page.screenshot({ path: test.info().outputPath('call-360.png'), fullPage: true });
  await chidi.page.getByRole('button', { name: 'Share screen' }).click();
  await ada.page.getByRole('button', { name: /^Chat/ }).click();
  await expect(ada.page.getByTestId('screen-tile')).toBeVisible();
  await ada.page.waitForTimeout(1500);
  await ada.page.screenshot({ path: test.info().outputPath('presenting-1280.png') });
  await brian.page.waitForTimeout(1500);
  await brian.page.screenshot({ path: test.info().outputPath('presenting-360.png') });
  const lobby = await people.add('Dora');
  await lobby.page.setViewportSize({ width: 360, height: 740 });
  await lobby.page.goto(`/r/${room}`);
  await lobby.page.getByRole('button', { name: 'Check my connection' }).click();
  await expect(lobby.page.getByTestId('doctor-verdict')).toBeVisible();
  await lobby.page.screenshot({ path: test.info().outputPath('lobby-360.png'), fullPage: true });
});
