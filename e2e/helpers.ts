import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { BASE_URL } from '../playwright.config';
import { instrumentPage } from './peer-media';

export interface PersonOptions {
  baseURL?: string;
  /** Make getUserMedia fail as if the person had blocked the camera and microphone. */
  denyMedia?: boolean;
  /** The browser's language (`navigator.language`), e.g. "de-DE"; Playwright's default is en-US. */
  locale?: string;
}

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

function denyUserMedia() {
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
}

/** One person: a separate browser context, as if on a separate computer. */
export async function newPerson(browser: Browser, name: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    baseURL: options.baseURL ?? BASE_URL,
    permissions: options.denyMedia ? [] : ['camera', 'microphone'],
    viewport: { width: 960, height: 640 },
    locale: options.locale,
  });
  await context.addInitScript(instrumentPage);
  if (options.denyMedia) await context.addInitScript(denyUserMedia);
  const page = await context.newPage();
  page.on('pageerror', (error) => console.error(`[${name}] page error:`, error));
  return { name, context, page };
}

/** Goes to the room, types the name into the lobby and clicks Join, like a person would. */
export async function joinRoom(person: Person, room: string): Promise<void> {
  const { page } = person;
  await page.goto(`/r/${room}`);
  await page.getByLabel('Your name', { exact: true }).fill(person.name);
  await page.getByRole('button', { name: 'Join', exact: true }).click();
  await expect(page.getByTestId('local-tile')).toBeVisible();
}

export function remoteTiles(page: Page) {
  return page.getByTestId('remote-tile');
}

export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
}

/** The page's own peer id, as the call view shows it. */
export async function selfId(page: Page): Promise<string> {
  const id = await page.locator('main[data-self-id]').getAttribute('data-self-id');
  if (!id) throw new Error('no data-self-id');
  return id;
}

/** The peer ids of the remote tiles, sorted. */
export async function remotePeerIds(page: Page): Promise<string[]> {
  const ids = await remoteTiles(page).evaluateAll((tiles) => tiles.map((t) => t.getAttribute('data-peer-id') ?? ''));
  return ids.sort();
}

/** The local and remote ICE usernames (`a=ice-ufrag`) of each open peer connection. */
export async function iceCredentials(page: Page): Promise<{ local: string | null; remote: string | null }[]> {
  return page.evaluate(() => {
    const ufrag = (sdp?: string) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1] ?? null;
    return window.__pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => ({ local: ufrag(pc.localDescription?.sdp), remote: ufrag(pc.remoteDescription?.sdp) }));
  });
}
