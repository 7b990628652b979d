import { fileURLToPath } from 'node:url';
import type { Browser } from '@playwright/test';
import { expect, test } from './fixtures';
import { joinRoom, newPerson, selfId } from './helpers';
import { expectRemoteVideosPlaying, expectTileVideoPlaying } from './peer-media';
import { Voices } from './voices';

/**
 * Renders docs/speaker-view.png, speaker view as shown in the README, with the one speaker (the
 * others' microphones play silence) on the large tile: `DOCS_SCREENSHOT=1 npx playwright test e2e/docs-screenshot-speaker.spec.ts`. Skipped otherwise.
 */
const OUT = fileURLToPath(new URL('../docs/speaker-view.png', import.meta.url));

test.skip(!process.env.DOCS_SCREENSHOT, 'set DOCS_SCREENSHOT=1 to render docs/speaker-view.png');

let voices: Voices;
let browsers: Browser[] = [];

test.afterAll(async () => {
  await Promise.all(browsers.map((browser) => browser.close()));
  voices?.remove();
});

test('speaker view with Brian speaking, as Chromium renders it', async ({ playwright, launchOptions, room }) => {
  test.setTimeout(300_000);
  voices = new Voices();
  const [loud, silent] = (browsers = await Promise.all([voices.launch(playwright, launchOptions, 0.7), voices.launch(playwright, launchOptions, 0)]));
  const people = [
    await newPerson(silent, 'Ada Lovelace'),
    await newPerson(silent, 'Chidi Okafor'),
    await newPerson(loud, 'Brian Kernighan'),
    await newPerson(silent, 'Dora Diaz'),
  ];
  for (const person of people) await joinRoom(person, room);
  const [ada, , brian, dora] = people;
  await dora.page.getByRole('button', { name: 'Mute microphone' }).click();

  const { page } = ada;
  await page.setViewportSize({ width: 1280, height: 760 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('button', { name: 'Speaker view' }).click();
  await expectTileVideoPlaying(page, '[data-testid="stage"]', await selfId(brian.page));
  await expectRemoteVideosPlaying(page, 3);
  await expect(page.getByRole('button', { name: 'Speaker view' })).toHaveAttribute('aria-pressed', 'true');
  for (const name of ['Brian Kernighan', 'Chidi Okafor', 'Dora Diaz']) {
    await expect(page.locator(`[data-testid="remote-tile"][data-peer-name="${name}"]`).getByTestId('quality')).toHaveAttribute(
      'data-level',
      /good|fair/,
      {
        timeout: 60_000,
      },
    );
  }
  await page.mouse.move(0, 0);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: OUT });
  // For review only: the same on a phone.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: test.info().outputPath('speaker-view-390.png'), fullPage: true });
});
