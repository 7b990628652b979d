import type { Browser, Page } from '@playwright/test';
import { expectNoAxeViolations } from './axe';
import { tileOf } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom, newPerson, selfId, type Person } from './helpers';
import { janusAppForBlock } from './janus-app';
import { expectRemoteVideosPlaying, expectScreenPlaying, expectTileVideoPlaying } from './peer-media';
import { expectTilesPlaying, instrumentSfu } from './sfu-media';
import { Voices } from './voices';

/**
 * Speaker view, pinning, full screen and picture in picture. Chromium's fake microphone beeps the
 * same for everyone, so the loud and the quiet people get a browser each, whose fake microphone
 * plays the same speech-like syllables, loud or quiet (see voices.ts).
 */

const STAGE = '[data-testid="stage"]';
let voices: Voices;
let loud: Browser;
let quiet: Browser;

test.beforeAll(async ({ playwright, launchOptions }) => {
  voices = new Voices();
  [loud, quiet] = await Promise.all([voices.launch(playwright, launchOptions, 0.7), voices.launch(playwright, launchOptions, 0.002)]);
});

test.afterAll(async () => {
  await Promise.all([loud?.close(), quiet?.close()]);
  voices.remove();
});

/**
 * Ada and Brian speak quietly, Chidi loudly. They join in that order: before anyone is heard, the
 * large tile shows whoever arrived first, so only loudness can give it to Chidi.
 */
async function quietQuietLoud(room: string, baseURL?: string, initScripts: (() => void)[] = []): Promise<[Person, Person, Person]> {
  const people = [
    await newPerson(quiet, 'Ada', { baseURL }),
    await newPerson(quiet, 'Brian', { baseURL }),
    await newPerson(loud, 'Chidi', { baseURL }),
  ] as const;
  for (const person of people) {
    for (const script of initScripts) await person.context.addInitScript(script);
    await joinRoom(person, room);
  }
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
    // The quiet voices are heard too (the microphones' gain control lifts them): loudness decides.
    await expect(tileOf(ada.page, 'Brian')).toHaveAttribute('data-speaking', 'true');
    await expect(tileOf(brian.page, 'Ada')).toHaveAttribute('data-speaking', 'true');
    // The first to arrive (Brian for Ada, Ada for Brian) held the large tile until someone spoke up: now it is Chidi's.
    await expect(brian.page.locator(STAGE).getByTestId('remote-tile')).toHaveAttribute('data-peer-id', chidiId);
    await expectTileVideoPlaying(ada.page, STAGE, chidiId);
    // The quiet one is a small tile below, playing too.
    await expectRemoteVideosPlaying(ada.page, 2);
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
    // The small window's own video plays only while the window is open: no second player before.
    const pipVideo = page.getByTestId('pip-video');
    await expect(pipVideo).toHaveJSProperty('srcObject', null);
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
    await expect(pipVideo).toHaveJSProperty('srcObject', null);
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
  // On a phone the large tile and the strip fit the width: nothing to scroll sideways.
  await page.setViewportSize({ width: 390, height: 844 });
  const stageBox = (await page.locator(STAGE).getByTestId('remote-tile').boundingBox())!;
  expect(stageBox.x).toBeGreaterThanOrEqual(0);
  expect(stageBox.x + stageBox.width).toBeLessThanOrEqual(390);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

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

declare global {
  interface Window {
    /** The `peers` of each `sfu-view` the page sent, oldest first. */
    __sfuViews: { peer: string; layer: number }[][];
  }
}

/** Init script: records the `sfu-view` frames the page sends. */
function recordSfuViews() {
  window.__sfuViews = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    if (typeof data === 'string' && data.includes('"sfu-view"')) {
      const frame = JSON.parse(data) as { data?: { peers?: { peer: string; layer: number }[] } };
      window.__sfuViews.push(frame.data?.peers ?? []);
    }
    return send.call(this, data);
  };
}

test.describe('through Janus', () => {
  // Three people outgrow a mesh of two: the room moves to the SFU.
  const app = janusAppForBlock(3162, 2);

  test('speaker view asks for the large tile at the top simulcast layer and the strip at the lowest; both play', async ({ room }) => {
    const people = await quietQuietLoud(room, app.url, [instrumentSfu, recordSfuViews]);
    try {
      const [ada, brian, chidi] = people;
      const [brianId, chidiId] = [await selfId(brian.page), await selfId(chidi.page)];
      const { page } = ada;
      await expectTilesPlaying(page, [brianId, chidiId], { timeout: 60_000 });
      await speakerView(page).click();
      await expect(page.locator(STAGE).getByTestId('remote-tile')).toHaveAttribute('data-peer-id', chidiId);
      await expect
        .poll(() => page.evaluate(() => window.__sfuViews.at(-1)))
        .toEqual([
          { peer: chidiId, layer: 2 },
          { peer: brianId, layer: 0 },
        ]);
      await expectTilesPlaying(page, [brianId, chidiId]);
      // Janus forwards those layers: the large tile's video arrives larger than the strip's.
      const width = (id: string) =>
        page.locator(`[data-testid="remote-tile"][data-peer-id="${id}"] video`).evaluate((video: HTMLVideoElement) => video.videoWidth);
      await expect.poll(async () => (await width(chidiId)) > (await width(brianId))).toBe(true);
    } finally {
      await closeAll(people);
    }
  });
});
