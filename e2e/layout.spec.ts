import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * Layout checks by measurement: each element's box within sane bounds at a desktop and a phone
 * size, so a layout regression (a card stretched to the preview's height, text against the edge)
 * fails a test without comparing screenshots.
 */
export const SIZES = {
  desktop: { width: 1280, height: 760 },
  phone: { width: 390, height: 844 },
} as const;

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
