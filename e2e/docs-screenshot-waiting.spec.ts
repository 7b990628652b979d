import { fileURLToPath } from 'node:url';
import { tileOf } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/**
 * Renders docs/waiting-room.png, the host's view of a locked room shown in the README:
 * `DOCS_SCREENSHOT=1 npx playwright test e2e/docs-screenshot-waiting.spec.ts`. Skipped otherwise.
 */
const OUT = fileURLToPath(new URL('../docs/waiting-room.png', import.meta.url));

test.skip(!process.env.DOCS_SCREENSHOT, 'set DOCS_SCREENSHOT=1 to render docs/waiting-room.png');

test('a host with someone knocking, hands up and a reaction, as Chromium renders it', async ({ people, room }) => {
  const [ada, brian, chidi] = await people.addAll(['Ada Lovelace', 'Brian Kernighan', 'Chidi Okafor']);
  for (const person of [ada, brian, chidi]) await joinRoom(person, room);
  await expectRemoteVideosPlaying(ada.page, 2);
  await ada.page.getByRole('button', { name: 'Lock room' }).click();
  await chidi.page.getByRole('button', { name: 'Raise hand' }).click();
  await brian.page.getByRole('button', { name: 'Raise hand' }).click();

  const dora = await people.add('Dora Diaz');
  await dora.page.goto(`/r/${room}`);
  await dora.page.getByLabel('Your name', { exact: true }).fill(dora.name);
  await dora.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(dora.page.getByRole('heading', { name: 'Waiting for the host to let you in' })).toBeVisible();

  await ada.page.setViewportSize({ width: 1280, height: 760 });
  // Dark, as the README's other screenshots.
  await ada.page.emulateMedia({ colorScheme: 'dark' });
  await ada.page.getByRole('button', { name: 'People', exact: true }).click();
  await expect(ada.page.getByRole('button', { name: 'Admit Dora Diaz' })).toBeVisible();
  await brian.page.getByRole('button', { name: 'Reactions' }).click();
  await brian.page.getByRole('button', { name: 'React 👏' }).click();
  await expect(tileOf(ada.page, 'Brian Kernighan').getByTestId('tile-reaction')).toBeVisible();
  await ada.page.waitForTimeout(500);
  await ada.page.screenshot({ path: OUT });
  await dora.page.screenshot({ path: test.info().outputPath('waiting-guest.png') });
});
