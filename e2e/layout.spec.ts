import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { tileOf } from './call-helpers';
import { joinRoom, selfId } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/**
 * Layout checks by measurement: each element's box within sane bounds at a desktop and a phone
 * size, so a layout regression (a card stretched to the preview's height, text against the edge)
 * fails a test without comparing screenshots.
 */
export const SIZES = {
  desktop: { width: 1280, height: 760 },
  phone: { width: 390, height: 844 },
} as const;

/** `locator` is on screen, whole, at the page's current scroll: a finger can reach it as it is. */
async function expectInView(page: Page, locator: Locator) {
  const b = await box(locator);
  const viewport = page.viewportSize()!;
  expect(b.x, `${locator} left edge`).toBeGreaterThanOrEqual(0);
  expect(b.y, `${locator} top edge`).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width, `${locator} right edge`).toBeLessThanOrEqual(viewport.width);
  expect(b.y + b.height, `${locator} bottom edge`).toBeLessThanOrEqual(viewport.height);
}

/** Checks that the control is reachable where it is, then presses it. */
async function press(page: Page, locator: Locator) {
  await expectInView(page, locator);
  await locator.click();
}

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  expect(found, `${locator} has a box`).not.toBeNull();
  return found!;
}

/** Nothing reaches past the right edge: no sideways scrolling. */
export async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll).toBeLessThanOrEqual(width);
}

/** `inner` sits inside `outer` with at least `padding` px on the left and right. */
async function expectInset(outer: Locator, inner: Locator, padding: number) {
  const [o, i] = [await box(outer), await box(inner)];
  expect(i.x - o.x, `left padding of ${inner}`).toBeGreaterThanOrEqual(padding);
  expect(o.x + o.width - (i.x + i.width), `right padding of ${inner}`).toBeGreaterThanOrEqual(padding);
}

for (const [size, viewport] of Object.entries(SIZES)) {
  test(`the lobby at ${size} size (${viewport.width}×${viewport.height}): a compact card, padded, in view`, async ({ people, room }) => {
    const { page } = await people.add('Ada');
    await page.setViewportSize(viewport);
    await page.goto(`/r/${room}`);
    const heading = page.getByRole('heading', { name: 'Ready to join?' });
    const card = page.locator('form', { has: heading });
    const name = page.getByLabel('Your name', { exact: true });
    const join = page.getByRole('button', { name: 'Join', exact: true });
    // Measured once the devices are on: the "Starting your camera…" line is gone.
    await expect(page.getByRole('button', { name: 'Mute microphone' })).toBeEnabled();

    const [nameBox, joinBox, cardBox] = [await box(name), await box(join), await box(card)];
    expect(nameBox.height).toBeGreaterThanOrEqual(32);
    expect(nameBox.height).toBeLessThanOrEqual(56);
    expect(joinBox.height).toBeGreaterThanOrEqual(32);
    expect(joinBox.height).toBeLessThanOrEqual(64);
    // The name field and the button belong together.
    expect(joinBox.y - (nameBox.y + nameBox.height)).toBeLessThanOrEqual(32);
    // The card holds a heading, a field and a few buttons: it has no reason to be taller than this.
    expect(cardBox.height).toBeLessThanOrEqual(480);
    for (const inner of [heading, name, join]) await expectInset(card, inner, 12);
    // Ready to press without scrolling.
    expect(joinBox.y + joinBox.height).toBeLessThanOrEqual(viewport.height);
    await expectNoSidewaysScroll(page);
  });
}

test('the call on a phone (390×844): it fits, and every control is in reach and works', async ({ people, room }) => {
  const [ada, brian] = await people.addAll(['Ada', 'Brian']);
  for (const person of [ada, brian]) {
    await person.page.setViewportSize(SIZES.phone);
    await joinRoom(person, room);
  }
  await expectRemoteVideosPlaying(ada.page, 1);
  const { page } = ada;
  const button = (name: string | RegExp) => page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name, exact: true });
  await expectNoSidewaysScroll(page);
  for (const tile of [page.getByTestId('local-tile'), page.getByTestId('remote-tile')]) await expectInView(page, tile);

  await press(page, button('Mute microphone'));
  await press(page, button('Unmute microphone'));
  await press(page, button('Turn camera off'));
  await press(page, button('Turn camera on'));
  await press(page, button('Share screen'));
  await expect(page.getByTestId('screen-tile')).toBeVisible();
  await expectNoSidewaysScroll(page);
  await press(page, button('Stop sharing'));
  await expect(page.getByTestId('screen-tile')).toHaveCount(0);

  await press(page, button('Chat'));
  const message = page.getByRole('textbox', { name: 'Message' });
  await expectInView(page, message);
  await message.fill('Hello from a phone');
  await press(page, page.getByRole('button', { name: 'Send message' }));
  await expect(brian.page.getByTestId('unread')).toHaveText('1');
  await expect(page.getByTestId('chat-message')).toHaveText(/Hello from a phone/);
  await press(page, page.getByRole('button', { name: 'Close chat' }));

  await press(page, button('People'));
  await expect(page.getByTestId('participant')).toHaveCount(2);
  await press(page, page.getByRole('button', { name: 'Close people' }));

  await press(page, button('Devices'));
  const menu = page.getByRole('dialog', { name: 'Devices' });
  await expectInView(page, menu);
  await expectInView(page, menu.getByLabel('Camera'));
  await menu.getByLabel('Camera').selectOption({ label: 'fake_device_1' });
  await press(page, page.getByRole('button', { name: 'Close devices' }));

  const quality = page.getByRole('button', { name: /^Connection to Brian/ });
  await press(page, quality);
  await expectInView(page, page.getByTestId('quality-details'));
  await press(page, quality);

  await press(page, button('Copy invite link'));
  await expect(page.getByRole('status').filter({ hasText: /Invite link copied|Copy this link/ })).toBeVisible();

  await press(page, button('Leave'));
  await expect(page.getByRole('heading', { name: 'You left the call' })).toBeVisible();
});

test('the meeting’s own controls on a phone (390×844): hand, reactions, lock and door, record, speaker view, pin, picture in picture and the host’s actions are in reach and work', async ({
  people,
  room,
}) => {
  const [ada, brian] = await people.addAll(['Ada', 'Brian']);
  // The third is let in through the door and removed again: no camera or microphone keeps the load down.
  const chidi = await people.add('Chidi', { denyMedia: true });
  for (const person of [ada, brian, chidi]) await person.page.setViewportSize(SIZES.phone);
  await joinRoom(ada, room);
  await joinRoom(brian, room);
  await expectRemoteVideosPlaying(ada.page, 1);
  const { page } = ada;
  const button = (name: string | RegExp) => page.getByRole('navigation', { name: 'Call controls' }).getByRole('button', { name, exact: true });

  await press(page, button('Raise hand'));
  await expect(button('Raise hand')).toHaveAttribute('aria-pressed', 'true');
  await expect(tileOf(brian.page, 'Ada').getByTestId('tile-hand')).toHaveText('1');
  await press(page, button('Raise hand'));
  await expect(button('Raise hand')).toHaveAttribute('aria-pressed', 'false');

  await press(page, button('Reactions'));
  const picker = page.getByRole('group', { name: 'Reactions' });
  await expectInView(page, picker);
  for (const emoji of await picker.getByRole('button').all()) await expectInView(page, emoji);
  await press(page, picker.getByRole('button', { name: 'React 🎉' }));
  await expect(tileOf(brian.page, 'Ada').getByTestId('tile-reaction')).toHaveText('🎉');
  await press(page, button('Reactions'));
  await expect(picker).toHaveCount(0);

  // The lock, and the door: the knocking panel's buttons are in reach too.
  await press(page, button('Lock room'));
  await expect(button('Lock room')).toHaveAttribute('aria-pressed', 'true');
  await chidi.page.goto(`/r/${room}`);
  await chidi.page.getByLabel('Your name', { exact: true }).fill('Chidi');
  // Below the blocked-devices warning, a scroll away in the lobby.
  await chidi.page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(chidi.page.getByRole('heading', { name: 'Waiting for the host to let you in' })).toBeVisible();
  await expectNoSidewaysScroll(chidi.page);
  await expectInView(page, page.getByRole('button', { name: 'Deny Chidi' }));
  // The panel leaves the header readable: the room's name and how many are in it.
  const knocking = await box(page.getByTestId('knocking'));
  const header = await box(page.locator('header', { has: page.getByRole('heading', { name: room }) }));
  expect(knocking.y, 'the knocking panel starts below the header').toBeGreaterThanOrEqual(header.y + header.height);
  // With the people list over the call, the panel stays on top, and neither hides the other's buttons.
  await press(page, button('People'));
  await expectInView(page, page.getByRole('button', { name: 'Admit Chidi' }));
  // A trial click: Playwright checks that nothing covers the button, without pressing it.
  await page.getByRole('button', { name: 'Admit Chidi' }).click({ trial: true });
  await press(page, page.getByRole('button', { name: 'Close people' }));
  await press(page, page.getByRole('button', { name: 'Admit Chidi' }));
  await expect(chidi.page.getByTestId('local-tile')).toBeVisible();
  await press(page, button('Lock room'));
  await expect(button('Lock room')).toHaveAttribute('aria-pressed', 'false');

  await press(page, button('Record'));
  const stop = button('Stop recording');
  await expect(stop).toBeEnabled();
  await expect(page.getByTestId('recording-banner')).toHaveText('You are recording');
  const download = page.waitForEvent('download');
  await press(page, stop);
  await download;
  await expect(button('Record')).toBeEnabled();

  await press(page, button('Speaker view'));
  await expect(button('Speaker view')).toHaveAttribute('aria-pressed', 'true');
  const stage = page.getByTestId('stage');
  await expectInView(page, stage);
  await expectNoSidewaysScroll(page);
  // Before anyone is heard the large tile is Brian's, who came first; Chidi, who has no microphone,
  // is a small tile below it, until pinned.
  await expect(stage.getByTestId('remote-tile')).toHaveAttribute('data-peer-id', await selfId(brian.page));
  const pin = tileOf(page, 'Chidi').getByRole('button', { name: 'Pin Chidi' });
  await press(page, pin);
  await expect(stage.getByTestId('remote-tile')).toHaveAttribute('data-peer-id', await selfId(chidi.page));
  await expect(pin).toHaveAttribute('aria-pressed', 'true');
  await press(page, pin);
  await expect(pin).toHaveAttribute('aria-pressed', 'false');

  const pip = button('Picture in picture');
  await press(page, pip);
  await expect(pip).toHaveAttribute('aria-pressed', 'true');
  await press(page, pip);
  await expect(pip).toHaveAttribute('aria-pressed', 'false');
  await press(page, button('Speaker view'));
  await expect(stage).toHaveCount(0);

  // The host's actions in the people list, which covers the call on a phone.
  await press(page, button('People'));
  await press(page, page.getByRole('button', { name: 'Mute Brian' }));
  await expect(brian.page.getByRole('status').filter({ hasText: 'Ada muted your microphone' })).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Remove Chidi' }));
  await expect(chidi.page.getByRole('heading', { name: 'You were removed from the call' })).toBeVisible();
  await expectInView(page, page.getByRole('button', { name: 'Remove Brian' }));
  await press(page, page.getByRole('button', { name: 'Make Brian host' }));
  await expect(page.getByRole('button', { name: 'Remove Brian' })).toHaveCount(0);
  await expect(brian.page.getByRole('button', { name: 'Lock room' })).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Close people' }));
  await expect(button('Lock room')).toHaveCount(0);
});
