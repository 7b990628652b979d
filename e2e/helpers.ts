import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { BASE_URL } from '../playwright.config';

export interface PersonOptions {
  baseURL?: string;
  /** Make getUserMedia fail as if the person had blocked the camera and microphone. */
  denyMedia?: boolean;
}

export interface Person {
  name: string;
  context: BrowserContext;
  page: Page;
}

declare global {
  interface Window {
    __pcs: RTCPeerConnection[];
  }
}

/** Records every RTCPeerConnection the page creates in `window.__pcs`, without touching app code. */
function trackPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

function denyUserMedia() {
  navigator.mediaDevices.getUserMedia = () =>
    Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
}

/** One person: a separate browser context, as if on a separate computer. */
export async function newPerson(browser: Browser, name: string, options: PersonOptions = {}): Promise<Person> {
  const context = await browser.newContext({
    baseURL: options.baseURL ?? BASE_URL,
    permissions: options.denyMedia ? [] : ['camera', 'microphone'],
    viewport: { width: 960, height: 640 },
  });
  await context.addInitScript(trackPeerConnections);
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

export async function closeAll(people: Person[]): Promise<void> {
  await Promise.all(people.map((p) => p.context.close()));
}

export function remoteTiles(page: Page) {
  return page.getByTestId('remote-tile');
}

export function uniqueRoom(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6)}`;
}

interface VideoSample {
  videos: { name: string | null; width: number; time: number }[];
  /** framesDecoded of inbound video, one entry per open peer connection. */
  decoded: number[];
}

async function sample(page: Page): Promise<VideoSample> {
  const videos = await page.$$eval('[data-testid="remote-tile"]', (tiles) =>
    tiles.map((tile) => {
      const video = tile.querySelector('video');
      return { name: tile.getAttribute('data-peer-name'), width: video?.videoWidth ?? 0, time: video?.currentTime ?? 0 };
    }),
  );
  const decoded = await page.evaluate(async () => {
    const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
    return Promise.all(
      open.map(async (pc) => {
        let frames = 0;
        (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
        });
        return frames;
      }),
    );
  });
  return { videos, decoded };
}

/**
 * Passes once exactly `count` remote videos really play: each has a size, its clock moves, and
 * every open peer connection decodes more video frames from one sample to the next.
 */
export async function expectRemoteVideosPlaying(page: Page, count: number): Promise<void> {
  await expect(remoteTiles(page)).toHaveCount(count);
  await expect
    .poll(
      async () => {
        const first = await sample(page);
        await page.waitForTimeout(1000);
        const second = await sample(page);
        const problems: string[] = [];
        if (second.videos.length !== count) problems.push(`${second.videos.length} remote tiles`);
        if (second.decoded.length !== count) problems.push(`${second.decoded.length} open peer connections`);
        second.videos.forEach((video, i) => {
          if (video.width === 0) problems.push(`${video.name}: videoWidth 0`);
          if (!(video.time > (first.videos[i]?.time ?? Infinity))) problems.push(`${video.name}: currentTime stuck`);
        });
        second.decoded.forEach((frames, i) => {
          if (!(frames > (first.decoded[i] ?? Infinity))) problems.push(`pc ${i}: framesDecoded ${frames} not rising`);
        });
        return problems;
      },
      { timeout: 30_000, intervals: [250] },
    )
    .toEqual([]);
}
