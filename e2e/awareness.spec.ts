import type { Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteAudioHeard } from './peer-media';

/**
 * Knowing what happens without watching the tiles: who joined and left (the live region and a
 * chime), unread chat in the tab's title, links in chat; and before joining, the microphone meter,
 * the speaker test; in the call, the noise-suppression switch.
 */

/** Init script: counts the notes Web Audio plays (each chime note is one oscillator), and keeps every microphone opened. */
function countTones() {
  const w = window as unknown as { __notes: number; __mics: MediaStreamTrack[] };
  w.__notes = 0;
  w.__mics = [];
  const createOscillator = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function (this: AudioContext) {
    w.__notes++;
    return createOscillator.call(this);
  };
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    const stream = await getUserMedia(constraints);
    w.__mics.push(...stream.getAudioTracks());
    return stream;
  };
}

const notes = (page: Page) => page.evaluate(() => (window as unknown as { __notes: number }).__notes);
const announcement = (page: Page) => page.getByTestId('announcement');
const chatButton = (page: Page) => page.getByRole('button', { name: /^Chat/ });

test('a join and a leave are announced to the others and chimed, and unread chat shows in the tab title', async ({ people, room }) => {
  const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
  await ada.context.addInitScript(countTones);
  await joinRoom(ada, room);
  await joinRoom(brian, room);
  await expect(announcement(ada.page)).toHaveText('Brian joined');
  // Brian's chime (the rising pair of notes) comes a moment after the words.
  await expect.poll(() => notes(ada.page)).toBe(2);
  const beforeChidi = await notes(ada.page);

  await joinRoom(chidi, room);
  await expect(announcement(ada.page)).toHaveText('Chidi joined');
  await expect(announcement(brian.page)).toHaveText('Chidi joined');
  // Someone already here when you join is not news.
  await expect(announcement(chidi.page)).toHaveText('');
  // A small room: the rising pair of notes.
  await expect.poll(() => notes(ada.page)).toBe(beforeChidi + 2);

  // Sounds off in the device menu: Brian's leaving is announced, in silence.
  await ada.page.getByRole('button', { name: 'Devices' }).click();
  const sounds = ada.page.getByRole('checkbox', { name: 'Join and leave sounds' });
  await expect(sounds).toBeChecked();
  await sounds.uncheck();
  await expectNoAxeViolations(ada.page, 'the device menu with the sound settings');
  await ada.page.keyboard.press('Escape');
  const beforeBrianLeft = await notes(ada.page);
  await brian.page.getByRole('button', { name: 'Leave', exact: true }).click();
  await expect(announcement(ada.page)).toHaveText('Brian left');
  await expect(announcement(chidi.page)).toHaveText('Brian left');
  // The chime would come 400 ms after the words: silence is silence only after that.
  await ada.page.waitForTimeout(1000);
  expect(await notes(ada.page)).toBe(beforeBrianLeft);

  // Unread chat in the title, until read.
  await expect(ada.page).toHaveTitle(`${room} · Parley`);
  await chatButton(chidi.page).click();
  for (const text of ['one', 'two']) {
    await chidi.page.getByRole('textbox', { name: 'Message' }).fill(text);
    await chidi.page.getByRole('textbox', { name: 'Message' }).press('Enter');
  }
  await expect(ada.page).toHaveTitle(`(2) ${room} · Parley`);
  await chatButton(ada.page).click();
  await expect(ada.page).toHaveTitle(`${room} · Parley`);
});

test('a chat link is a link that opens apart from the call, and a javascript: text is not', async ({ people, room }) => {
  const [ada, brian] = await people.addAll(['Ada', 'Brian']);
  await joinRoom(ada, room);
  await joinRoom(brian, room);
  await chatButton(ada.page).click();
  const box = ada.page.getByRole('textbox', { name: 'Message' });
  await box.fill('Notes (https://example.org/notes?a=1). Not this: javascript:alert(1) nor data:text/html,<b>x</b>');
  await box.press('Enter');

  await chatButton(brian.page).click();
  const message = brian.page.getByTestId('chat-message');
  await expect(message.locator('.text')).toHaveText(
    'Notes (https://example.org/notes?a=1). Not this: javascript:alert(1) nor data:text/html,<b>x</b>',
  );
  const links = message.getByRole('link');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveText('https://example.org/notes?a=1');
  await expect(links).toHaveAttribute('href', 'https://example.org/notes?a=1');
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(message.locator('b')).toHaveCount(0);
  await expectNoAxeViolations(brian.page, 'the chat with a link');
});

test('the lobby’s microphone meter moves with the (beeping) fake microphone, and the speaker test plays', async ({ people, room }) => {
  const { page } = await people.add('Ada');
  await page.goto(`/r/${room}`);
  const meter = page.getByRole('meter', { name: 'Microphone level' });
  // A native <meter>, whose value is its aria-valuenow.
  await expect(meter).toHaveAttribute('min', '0');
  await expect(meter).toHaveAttribute('max', '100');
  // Chromium's fake microphone beeps once a second: the level goes up and down.
  const seen = new Set<number>();
  await expect
    .poll(async () => {
      seen.add(await meter.evaluate((element: HTMLMeterElement) => element.value));
      return seen.size >= 3 && Math.max(...seen) > 20;
    })
    .toBe(true);
  await expectNoAxeViolations(page, 'the lobby with the meter');

  const test = page.getByRole('button', { name: 'Test speakers' });
  await expect(test).toHaveAttribute('data-played', '0');
  await test.click();
  // The test sound's audio element really played (its clock advanced) before it was stopped.
  await expect.poll(async () => Number(await test.getAttribute('data-played'))).toBeGreaterThan(0.3);
  await expect(test).toBeEnabled();

  // Joining stops the meter with the lobby.
  await page.getByLabel('Your name', { exact: true }).fill('Ada');
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByTestId('local-tile')).toBeVisible();
  await expect(meter).toHaveCount(0);
});

test('the noise-suppression switch changes the microphone being sent, and the next one opened', async ({ people, room }) => {
  const [ada, brian] = await people.addAll(['Ada', 'Brian']);
  await ada.context.addInitScript(countTones);
  await joinRoom(ada, room);
  await joinRoom(brian, room);
  await expectRemoteAudioHeard(brian.page, 1);
  const sent = () =>
    ada.page.evaluate(() => {
      const track = window.__pcs
        .flatMap((pc) => (pc.connectionState === 'closed' ? [] : pc.getSenders()))
        .find((s) => s.track?.kind === 'audio')?.track;
      return (
        track && {
          noiseSuppression: track.getSettings().noiseSuppression,
          echoCancellation: track.getSettings().echoCancellation,
          state: track.readyState,
        }
      );
    });
  await expect.poll(sent).toEqual({ noiseSuppression: true, echoCancellation: true, state: 'live' });

  await ada.page.getByRole('button', { name: 'Devices' }).click();
  const noise = ada.page.getByRole('checkbox', { name: 'Noise suppression' });
  await expect(noise).toBeChecked();
  await noise.uncheck();
  await expect.poll(sent).toEqual({ noiseSuppression: false, echoCancellation: true, state: 'live' });
  await expectRemoteAudioHeard(brian.page, 1);

  // Remembered: the lobby opens the microphone without it next time.
  await ada.page.reload();
  await expect(ada.page.getByRole('meter', { name: 'Microphone level' })).toBeVisible();
  await expect
    .poll(() =>
      ada.page.evaluate(
        () => (window as unknown as { __mics: MediaStreamTrack[] }).__mics.find((t) => t.readyState === 'live')?.getSettings().noiseSuppression,
      ),
    )
    .toBe(false);
});
