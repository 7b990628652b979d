import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { tileOf } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom, newPerson, selfId, type Person } from './helpers';
import { expectRemoteVideosPlaying, expectScreenPlaying, expectTileVideoPlaying } from './peer-media';

/**
 * Speaker view, pinning, full screen and picture in picture. Chromium's fake microphone beeps the
 * same for everyone, so the loud and the quiet person each get a browser of their own, whose fake
 * microphone plays a WAV written here: the same speech-like syllables, loud or nearly silent.
 */

const STAGE = '[data-testid="stage"]';
const RATE = 48_000;

/** 16-bit mono PCM: syllables of a voice-like tone (a fundamental and two overtones) at `amplitude` (0 to 1). */
function voiceWav(amplitude: number, seconds = 4): Buffer {
  const samples = seconds * RATE;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(RATE, 24);
  wav.writeUInt32LE(RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36);
  wav.writeUInt32LE(samples * 2, 40);
  let phase = 0;
  for (let i = 0; i < samples; i++) {
    const t = i / RATE;
    // A syllable every 250 ms: 200 ms of voice, rising and falling, at one of five pitches.
    const syllable = Math.floor(t / 0.25);
    const within = t - syllable * 0.25;
    const envelope = within < 0.2 ? Math.sin((Math.PI * within) / 0.2) : 0;
    phase += (2 * Math.PI * (140 + 40 * ((syllable * 3) % 5))) / RATE;
    const voice = 0.6 * Math.sin(phase) + 0.3 * Math.sin(2 * phase) + 0.1 * Math.sin(3 * phase);
    wav.writeInt16LE(Math.round(32767 * amplitude * envelope * voice), 44 + i * 2);
  }
  return wav;
}

let dir: string;
let loud: Browser;
let quiet: Browser;

test.beforeAll(async ({ playwright, launchOptions }) => {
  dir = mkdtempSync(join(tmpdir(), 'parley-voices-'));
  const launch = (amplitude: number, name: string) => {
    const file = join(dir, `${name}.wav`);
    writeFileSync(file, voiceWav(amplitude));
    return playwright.chromium.launch({ ...launchOptions, args: [...(launchOptions.args ?? []), `--use-file-for-fake-audio-capture=${file}`] });
  };
  [loud, quiet] = await Promise.all([launch(0.7, 'loud'), launch(0.002, 'quiet')]);
});

test.afterAll(async () => {
  await Promise.all([loud?.close(), quiet?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Ada and Brian speak quietly, Chidi loudly; they join in that order, so Brian and Ada come first. */
async function quietQuietLoud(room: string): Promise<[Person, Person, Person]> {
  const people = [await newPerson(quiet, 'Ada'), await newPerson(quiet, 'Brian'), await newPerson(loud, 'Chidi')] as const;
  for (const person of people) await joinRoom(person, room);
  return [...people];
}

async function closeAll(people: readonly Person[]) {
  await Promise.all(people.map((person) => person.context.close()));
}

function speakerView(page: Page) {
  return page.getByRole('button', { name: 'Speaker view' });
}

// Three callers in three browsers on a small, shared machine take longer than one test's usual budget.
test.describe.configure({ timeout: 240_000 });

test('speaker view gives the large tile to the louder person, whose video plays there', async ({ room }) => {
  const people = await quietQuietLoud(room);
  try {
    const [ada, brian, chidi] = people;
    const chidiId = await selfId(chidi.page);
    for (const { page } of [ada, brian]) {
      await speakerView(page).click();
      await expect(speakerView(page)).toHaveAttribute('aria-pressed', 'true');
    }
    for (const { page } of [ada, brian]) {
      // The first to arrive held the large tile until someone spoke up: now it is Chidi's.
      await expectTileVideoPlaying(page, STAGE, chidiId);
      // The quiet one is a small tile below, playing too.
      await expectRemoteVideosPlaying(page, 2);
    }
    await expectNoAxeViolations(ada.page, 'speaker view');
  } finally {
    await closeAll(people);
  }
});

/** The video track id that the `<video>` in `selector` plays, or null. */
function videoTrackIn(page: Page, selector: string): Promise<string | null> {
  return page.evaluate((selector) => {
    const stream = document.querySelector<HTMLVideoElement>(`${selector} video`)?.srcObject;
    return stream instanceof MediaStream ? (stream.getVideoTracks()[0]?.id ?? null) : null;
  }, selector);
}

/** The video track id in the browser's picture in picture window, or null when none is open. */
function pictureInPictureTrack(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const stream = (document.pictureInPictureElement as HTMLVideoElement | null)?.srcObject;
    return stream instanceof MediaStream ? (stream.getVideoTracks()[0]?.id ?? null) : null;
  });
}

test('pinning the quiet person gives them the large tile, unpinning gives it back to the speaker; picture in picture follows', async ({ room }) => {
  const people = await quietQuietLoud(room);
  try {
    const [ada, brian, chidi] = people;
    const [brianId, chidiId] = [await selfId(brian.page), await selfId(chidi.page)];
    const { page } = ada;
    await speakerView(page).click();
    await expectTileVideoPlaying(page, STAGE, chidiId);

    const pin = page.getByRole('button', { name: 'Pin Brian' });
    await expect(pin).toHaveAttribute('aria-pressed', 'false');
    await pin.click();
    await expect(pin).toHaveAttribute('aria-pressed', 'true');
    await expectTileVideoPlaying(page, STAGE, brianId);
    await expect(tileOf(page, 'Chidi')).toBeVisible();

    // Picture in picture shows whoever has the large tile, and follows when that changes.
    const pip = page.getByRole('button', { name: 'Picture in picture' });
    await pip.click();
    await expect(pip).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => pictureInPictureTrack(page)).toBe(await videoTrackIn(page, STAGE));

    await pin.click();
    await expect(pin).toHaveAttribute('aria-pressed', 'false');
    await expectTileVideoPlaying(page, STAGE, chidiId);
    await expect.poll(() => pictureInPictureTrack(page)).toBe(await videoTrackIn(page, STAGE));
    await pip.click();
    await expect(pip).toHaveAttribute('aria-pressed', 'false');
    expect(await pictureInPictureTrack(page)).toBeNull();
  } finally {
    await closeAll(people);
  }
});

test('the layout switch goes back to the grid, where pinned people lead, and is remembered; a shared screen goes full screen', async ({
  people,
  room,
}) => {
  const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
  const [ada, , chidi] = trio;
  for (const person of trio) await joinRoom(person, room);
  const { page } = ada;
  await expectRemoteVideosPlaying(page, 2);
  const order = () => page.getByTestId('remote-tile').evaluateAll((tiles) => tiles.map((tile) => tile.getAttribute('data-peer-name')));

  await speakerView(page).click();
  await expect(page.locator(STAGE)).toBeVisible();
  await speakerView(page).click();
  await expect(speakerView(page)).toHaveAttribute('aria-pressed', 'false');
  await expect(page.locator(STAGE)).toHaveCount(0);
  expect(await order()).toEqual(['Brian', 'Chidi']);
  await tileOf(page, 'Chidi').getByRole('button', { name: 'Pin Chidi' }).click();
  await expect.poll(order).toEqual(['Chidi', 'Brian']);
  await expectRemoteVideosPlaying(page, 2);

  // Remembered in this browser: back in the call after a reload, speaker view is still on.
  await speakerView(page).click();
  await page.reload();
  await joinRoom(ada, room);
  await expect(speakerView(page)).toHaveAttribute('aria-pressed', 'true');
  await expect(page.locator(STAGE)).toBeVisible();

  await chidi.page.getByRole('button', { name: 'Share screen' }).click();
  const screen = page.getByTestId('screen-tile');
  await expect(screen).toBeVisible();
  await screen.getByRole('button', { name: 'Full screen' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute('data-testid'))).toBe('screen-tile');
  await expect(screen.getByRole('button', { name: 'Exit full screen' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
  await screen.getByRole('button', { name: 'Full screen' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute('data-testid'))).toBe('screen-tile');
  await screen.getByRole('button', { name: 'Exit full screen' }).click();
  await expect.poll(() => page.evaluate(() => document.fullscreenElement)).toBeNull();
  await expectScreenPlaying(page, await selfId(chidi.page));
});
