import { expect, test } from './fixtures';
import { remoteTiles } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/** The other language: German from the browser's settings, and the switch on the page, remembered. */

test('a browser set to German gets Parley in German, through the lobby and into the call', async ({ people, room }) => {
  const [anna, ben] = await people.addAll(['Anna', 'Ben'], { locale: 'de-DE' });
  await anna.page.goto('/');
  await expect(anna.page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(anna.page.getByRole('button', { name: 'Raum starten' })).toBeVisible();
  await expect(anna.page.getByLabel('Sprache')).toHaveValue('de');

  for (const person of [anna, ben]) {
    await person.page.goto(`/r/${room}`);
    await expect(person.page.getByRole('heading', { name: 'Bereit zum Beitreten?' })).toBeVisible();
    await person.page.getByRole('button', { name: 'Beitreten', exact: true }).click();
    // An empty name is refused in German too.
    await expect(person.page.getByRole('alert')).toHaveText('Gib deinen Namen ein, damit die anderen wissen, wer du bist.');
    await person.page.getByLabel('Dein Name', { exact: true }).fill(person.name);
    await person.page.getByRole('button', { name: 'Beitreten', exact: true }).click();
    await expect(person.page.getByTestId('local-tile')).toBeVisible();
  }
  await expectRemoteVideosPlaying(anna.page, 1);

  const { page } = anna;
  await expect(page.getByText('2 Personen')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Anrufsteuerung' })).toBeVisible();
  await page.getByRole('button', { name: 'Mikrofon stummschalten' }).click();
  await expect(page.getByRole('button', { name: 'Mikrofon einschalten' })).toBeVisible();
  await expect(remoteTiles(ben.page).getByRole('img', { name: 'Anna ist stummgeschaltet' })).toBeVisible();
  await page.getByRole('button', { name: 'Chat', exact: true }).click();
  await expect(page.getByRole('complementary', { name: 'Chat' })).toContainText('Noch keine Nachrichten. Sag hallo!');
  await page.getByRole('button', { name: 'Verlassen', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Du hast den Anruf verlassen' })).toBeVisible();
});

test('the language switch changes the page at once and is remembered', async ({ people, room }) => {
  const { page } = await people.add('Grace');
  await page.goto(`/r/${room}`);
  await expect(page.getByRole('heading', { name: 'Ready to join?' })).toBeVisible();
  await page.getByLabel('Language').selectOption('de');
  await expect(page.getByRole('heading', { name: 'Bereit zum Beitreten?' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Kamera ausschalten' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');

  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Raum starten' })).toBeVisible();
  await page.getByLabel('Sprache').selectOption('en');
  await expect(page.getByRole('button', { name: 'Start a room' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Start a room' })).toBeVisible();
});
