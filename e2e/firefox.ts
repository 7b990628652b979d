/**
 * A person in Firefox: Debian's `firefox-esr`, which Playwright cannot drive, driven by
 * puppeteer-core over WebDriver BiDi. Each person gets a browser process of their own, so their
 * page is the front tab of its own window (a background tab stops rendering video), with
 * Firefox's fake camera and microphone and no permission prompt.
 */
import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { instrumentPage, type MediaPage } from './peer-media';

export const FIREFOX_BIN = process.env.FIREFOX_BIN ?? '/usr/bin/firefox-esr';
/** Why the Firefox specs skip, or null when they run (CI installs firefox-esr, so it never skips there). */
export const firefoxMissing = existsSync(FIREFOX_BIN)
  ? null
  : `${FIREFOX_BIN} is missing: apt-get install firefox-esr (the Firefox specs are skipped)`;

export interface FirefoxPerson {
  name: string;
  browser: Browser;
  page: Page;
  /** The page for the media checks of e2e/peer-media.ts and e2e/sfu-media.ts. */
  media: MediaPage;
}

/**
 * Opens Firefox for `name`, with `instrumentPage` and any further `initScripts` run in every
 * document before the app (as Playwright's `addInitScript`).
 */
export async function newFirefoxPerson(name: string, initScripts: (() => void)[] = []): Promise<FirefoxPerson> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_BIN,
    headless: true,
    defaultViewport: { width: 960, height: 640 },
    extraPrefsFirefox: {
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
    },
  });
  const [page] = await browser.pages();
  if (!page) throw new Error('Firefox opened no tab');
  for (const script of [instrumentPage, ...initScripts]) await page.evaluateOnNewDocument(script);
  page.on('pageerror', (error) => console.error(`[${name} in Firefox] page error:`, error));
  // puppeteer's evaluate takes the same function and argument; only its typing differs.
  const media = { evaluate: (pageFunction: (arg: unknown) => unknown, arg?: unknown) => page.evaluate(pageFunction, arg) } as MediaPage;
  return { name, browser, page, media };
}

/** Goes to the room, types the name into the lobby and clicks Join; resolves with the peer id. */
export async function joinRoomInFirefox(person: FirefoxPerson, url: string): Promise<string> {
  const { page } = person;
  await page.goto(url);
  await page.locator('#your-name').fill(person.name);
  await page.locator('form button[type="submit"]').click();
  const call = await page.waitForSelector('main[data-self-id]', { timeout: 20_000 });
  const id = await call!.evaluate((main) => main.getAttribute('data-self-id'));
  if (!id) throw new Error(`${person.name} in Firefox has no peer id`);
  return id;
}
