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
    /** Calls of `restartIce()` on any of the page's peer connections. */
    __iceRestarts: number;
    /** `framesDecoded` of each peer connection's inbound video, sampled by `startFrameLog`. */
    __frameLog: { at: number; frames: number[] }[];
  }
}

/**
 * Records every RTCPeerConnection the page creates in `window.__pcs`, and counts ICE restarts,
 * without touching app code.
 */
function trackPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.__iceRestarts = 0;
  window.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      window.__pcs.push(this);
    }
    override restartIce() {
      window.__iceRestarts++;
      super.restartIce();
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

/** Samples `framesDecoded` of every peer connection in the page every `everyMs`, inside the page. */
export async function startFrameLog(page: Page, everyMs = 500): Promise<void> {
  await page.evaluate((everyMs) => {
    window.__frameLog = [];
    const timer = setInterval(async () => {
      const at = performance.now();
      const frames = await Promise.all(
        window.__pcs.map(async (pc) => {
          if (pc.connectionState === 'closed') return -1;
          let total = 0;
          (await pc.getStats()).forEach((report: { type: string; kind?: string; framesDecoded?: number }) => {
            if (report.type === 'inbound-rtp' && report.kind === 'video') total += report.framesDecoded ?? 0;
          });
          return total;
        }),
      );
      window.__frameLog.push({ at, frames });
    }, everyMs);
    (window as unknown as { __stopFrameLog: () => void }).__stopFrameLog = () => clearInterval(timer);
  }, everyMs);
}

/**
 * Stops the sampling and returns, for each peer connection that was open throughout, the longest
 * time (ms) in which its `framesDecoded` did not rise, and how many samples were taken.
 */
export async function stopFrameLog(page: Page): Promise<{ longestStallMs: number[]; samples: number }> {
  const log = await page.evaluate(() => {
    (window as unknown as { __stopFrameLog: () => void }).__stopFrameLog();
    return window.__frameLog;
  });
  const width = Math.max(0, ...log.map((entry) => entry.frames.length));
  const longestStallMs: number[] = [];
  for (let i = 0; i < width; i++) {
    const series = log.filter((entry) => (entry.frames[i] ?? -1) >= 0);
    if (series.length < log.length) continue; // created or closed during the sampling
    let longest = 0;
    let lastRise = series[0]!.at;
    for (let j = 1; j < series.length; j++) {
      if (series[j]!.frames[i]! > series[j - 1]!.frames[i]!) lastRise = series[j]!.at;
      longest = Math.max(longest, series[j]!.at - lastRise);
    }
    longestStallMs.push(Math.round(longest));
  }
  return { longestStallMs, samples: log.length };
}
