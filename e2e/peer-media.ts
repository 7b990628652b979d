/**
 * What each remote person's tile really plays, checked per peer id against that peer's own
 * RTCPeerConnection, without touching app code.
 *
 * A tile is tied to a peer connection by its tracks: the camera and microphone tracks in the tile's
 * `<video>` must be receiver tracks of one open peer connection. That connection is tied to a peer
 * id by the signaling it came from: each `signal` frame carrying a description names its sender
 * (`from`, set by the server) and its ICE username (`a=ice-ufrag`), and a peer connection's remote
 * description carries the same ufrag. So a tile that shows someone else's video, a stream from a
 * stale connection, or one frozen track hidden behind a moving one, all fail.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { expect, type Page } from '@playwright/test';

/**
 * What these checks need of a page: Playwright's `Page`, or a Firefox page driven through
 * puppeteer (e2e/firefox.ts), so one set of checks judges both browsers.
 */
export interface MediaPage {
  evaluate<R>(pageFunction: () => R | Promise<R>): Promise<R>;
  evaluate<R, Arg>(pageFunction: (arg: Arg) => R | Promise<R>, arg: Arg): Promise<R>;
}

declare global {
  interface Window {
    __pcs: RTCPeerConnection[];
    /** Calls of `restartIce()` on any of the page's peer connections. */
    __iceRestarts: number;
    /** ICE username of each received description -> the peer id that sent it. */
    __peerOfUfrag: Record<string, string>;
    /** Per tile: what plays in it and what its peer connection receives. See `TileMedia`. */
    __tileMedia: (selector: string) => Promise<TileMedia[]>;
    __frameLog: FrameLogEntry[];
    __stopFrameLog: () => void;
  }
}

/** One inbound track of a tile, from the tile's `<video>` and the receiving peer connection. */
export interface TrackMedia {
  /** The track's id, or null when the tile holds no such track. */
  id: string | null;
  /** The peer id of the open peer connection that receives this track, or null if none does. */
  from: string | null;
  /** `inbound-rtp` of this track: video `framesDecoded`; audio `packetsReceived`, `totalAudioEnergy`. */
  framesDecoded: number;
  packetsReceived: number;
  totalAudioEnergy: number;
  audioLevel: number;
}

export interface TileMedia {
  peerId: string | null;
  name: string | null;
  width: number;
  time: number;
  /** Whether the tile's `<video>` is muted (its sound not played). */
  muted: boolean;
  video: TrackMedia;
  audio: TrackMedia;
  /** Open (not closed) peer connections in the page. */
  openConnections: number;
}

interface FrameLogEntry {
  at: number;
  /** peer id -> camera track id and its `framesDecoded`. */
  frames: Record<string, { track: string | null; frames: number }>;
}

/**
 * Init script (runs in the page before the app): records every RTCPeerConnection in `__pcs`,
 * counts ICE restarts, learns which peer sent which ICE username from the signaling socket, and
 * installs `__tileMedia`.
 */
export function instrumentPage() {
  const ufragOf = (sdp: string | undefined) => /a=ice-ufrag:(\S+)/.exec(sdp ?? '')?.[1];
  const NativePeerConnection = window.RTCPeerConnection;
  window.__pcs = [];
  window.__iceRestarts = 0;
  window.__peerOfUfrag = {};
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      window.__pcs.push(this);
    }
    override restartIce() {
      window.__iceRestarts++;
      super.restartIce();
    }
  };

  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data !== 'string' || !event.data.includes('"signal"')) return;
        try {
          const frame = JSON.parse(event.data) as { event?: string; data?: { from?: string; description?: { sdp?: string } } };
          const ufrag = ufragOf(frame.data?.description?.sdp);
          if (frame.event === 'signal' && ufrag && frame.data?.from) window.__peerOfUfrag[ufrag] = frame.data.from;
        } catch {
          // not JSON: not ours to judge here
        }
      });
    }
  };

  window.__tileMedia = async (selector) => {
    type Inbound = {
      type: string;
      trackIdentifier?: string;
      framesDecoded?: number;
      packetsReceived?: number;
      totalAudioEnergy?: number;
      audioLevel?: number;
    };
    const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
    const byTrack = new Map<string, { from: string | null; inbound?: Inbound }>();
    for (const pc of open) {
      const from = window.__peerOfUfrag[ufragOf(pc.remoteDescription?.sdp) ?? ''] ?? null;
      const inbound = new Map<string, Inbound>();
      (await pc.getStats()).forEach((report: Inbound) => {
        if (report.type === 'inbound-rtp' && report.trackIdentifier) inbound.set(report.trackIdentifier, report);
      });
      for (const receiver of pc.getReceivers()) byTrack.set(receiver.track.id, { from, inbound: inbound.get(receiver.track.id) });
    }
    const track = (stream: MediaStream | null, kind: 'audio' | 'video') => {
      const id = (kind === 'video' ? stream?.getVideoTracks() : stream?.getAudioTracks())?.[0]?.id ?? null;
      const seen = id === null ? undefined : byTrack.get(id);
      return {
        id,
        from: seen?.from ?? null,
        framesDecoded: seen?.inbound?.framesDecoded ?? 0,
        packetsReceived: seen?.inbound?.packetsReceived ?? 0,
        totalAudioEnergy: seen?.inbound?.totalAudioEnergy ?? 0,
        audioLevel: seen?.inbound?.audioLevel ?? 0,
      };
    };
    return [...document.querySelectorAll(selector)].map((tile) => {
      // The picture plays in the tile's <video>, the sound in its <audio>.
      const video = tile.querySelector('video');
      const sound = tile.querySelector('audio');
      const stream = video?.srcObject instanceof MediaStream ? video.srcObject : null;
      const heard = sound?.srcObject instanceof MediaStream ? sound.srcObject : null;
      return {
        peerId: tile.getAttribute('data-peer-id'),
        name: tile.getAttribute('data-peer-name'),
        width: video?.videoWidth ?? 0,
        time: video?.currentTime ?? 0,
        muted: sound?.muted ?? true,
        video: track(stream, 'video'),
        audio: track(heard, 'audio'),
        openConnections: open.length,
      };
    });
  };
}

const REMOTE_TILES = '[data-testid="remote-tile"]';

function tileMedia(page: MediaPage, selector = REMOTE_TILES): Promise<TileMedia[]> {
  return page.evaluate((selector) => window.__tileMedia(selector), selector);
}

/** What is wrong with one kind of track of a tile between two samples, in words; [] when it flows. */
function trackProblems(who: string, kind: 'video' | 'audio', first: TrackMedia | undefined, second: TrackMedia, peerId: string | null): string[] {
  if (second.id === null) return [`${who}: no ${kind} track in the tile`];
  if (second.from === null) return [`${who}: ${kind} track ${second.id} is not received by any open peer connection of a known peer`];
  if (second.from !== peerId) return [`${who}: ${kind} track comes from the peer connection of ${second.from}`];
  const same = first?.id === second.id;
  if (kind === 'video') {
    return same && second.framesDecoded > first.framesDecoded ? [] : [`${who}: framesDecoded ${second.framesDecoded} not rising`];
  }
  const problems: string[] = [];
  if (!(same && second.packetsReceived > first.packetsReceived)) problems.push(`${who}: audio packetsReceived ${second.packetsReceived} not rising`);
  if (!(same && second.totalAudioEnergy > first.totalAudioEnergy))
    problems.push(`${who}: totalAudioEnergy ${second.totalAudioEnergy} not rising (silent)`);
  return problems;
}

/**
 * Samples twice, a second apart, and lists every way in which the page does not show exactly
 * `count` remote people whose tiles play `kinds` from their own peer connections.
 */
async function mediaProblems(page: MediaPage, count: number, kinds: readonly ('video' | 'audio')[]): Promise<string[]> {
  const first = await tileMedia(page);
  await delay(1000);
  const second = await tileMedia(page);
  const problems: string[] = [];
  if (second.length !== count) problems.push(`${second.length} remote tiles, expected ${count}`);
  const ids = second.map((tile) => tile.peerId);
  if (new Set(ids).size !== ids.length || ids.includes(null)) problems.push(`tiles' peer ids not distinct: ${ids.join(', ')}`);
  // Mesh: one peer connection per remote person, no stale ones left open.
  if ((second[0]?.openConnections ?? 0) !== count) problems.push(`${second[0]?.openConnections ?? 0} open peer connections`);
  for (const tile of second) {
    const who = `${tile.name} (${tile.peerId})`;
    const before = first.find((t) => t.peerId === tile.peerId);
    if (kinds.includes('video')) {
      if (tile.width === 0) problems.push(`${who}: videoWidth 0`);
      if (!(tile.time > (before?.time ?? Infinity))) problems.push(`${who}: currentTime stuck`);
      problems.push(...trackProblems(who, 'video', before?.video, tile.video, tile.peerId));
    }
    if (kinds.includes('audio')) problems.push(...trackProblems(who, 'audio', before?.audio, tile.audio, tile.peerId));
  }
  return problems;
}

/**
 * Calls `check` until it finds no problem, or fails after `timeoutMs` listing the last problems found
 * (expect.poll would say only "waiting on the predicate" when a slow page makes the last call overrun).
 */
async function untilNoProblems(what: string, check: () => Promise<string[]>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problems: string[] = [];
  do {
    problems = await check();
    if (!problems.length) return;
  } while (Date.now() < deadline);
  throw new Error(`${what}, still after ${timeoutMs} ms:\n  ${problems.join('\n  ')}`);
}

/** Waits (up to 20 s, as a locator would) until the page shows exactly `count` remote tiles. */
function untilTileCount(page: MediaPage, count: number): Promise<void> {
  return untilNoProblems(
    `${count} remote tiles`,
    async () => {
      const shown = await page.evaluate((selector) => document.querySelectorAll(selector).length, REMOTE_TILES);
      if (shown === count) return [];
      await delay(100);
      return [`${shown} remote tiles`];
    },
    20_000,
  );
}

/**
 * Passes once exactly `count` remote tiles show video that really plays: each has a size and a
 * moving clock, its camera track is received by the peer connection of the tile's own peer id,
 * and that track's `framesDecoded` rises (per track: someone's moving screen share cannot hide
 * their frozen camera).
 */
export async function expectRemoteVideosPlaying(page: MediaPage, count: number): Promise<void> {
  await untilTileCount(page, count);
  await untilNoProblems(`${count} remote videos playing`, () => mediaProblems(page, count, ['video']));
}

/**
 * Passes once the page hears each of exactly `count` remote people: the audio track in each tile
 * is received by that peer's own peer connection, and its inbound packets and audio energy rise.
 */
export async function expectRemoteAudioHeard(page: MediaPage, count: number): Promise<void> {
  await untilTileCount(page, count);
  await untilNoProblems(`${count} remote people heard`, () => mediaProblems(page, count, ['audio']));
}

/**
 * What is wrong with the video of the one tile at `selector`, sampled twice: it must be received by
 * `peerId`'s own peer connection, with `framesDecoded` rising, a size and a moving clock.
 */
async function tileVideoProblems(page: Page, selector: string, peerId: string): Promise<string[]> {
  const [first] = await tileMedia(page, selector);
  await page.waitForTimeout(600);
  const [second] = await tileMedia(page, selector);
  if (!second) return [`no tile ${selector}`];
  const problems = trackProblems(`${second.name} (${selector})`, 'video', first?.video, second.video, peerId);
  if (second.width === 0) problems.push('videoWidth 0');
  if (!(second.time > (first?.time ?? Infinity))) problems.push('currentTime stuck');
  return problems;
}

/**
 * Passes once `peerId`'s shared screen plays in its screen tile: received by that peer's own
 * peer connection, on a track other than their camera's, with `framesDecoded` rising.
 */
export async function expectScreenPlaying(page: Page, peerId: string): Promise<void> {
  const selector = `[data-testid="screen-tile"][data-peer-id="${peerId}"]`;
  await expect(page.locator(selector)).toHaveCount(1);
  await untilNoProblems(`the screen of ${peerId} playing`, async () => {
    const problems = await tileVideoProblems(page, selector, peerId);
    const [screen] = await tileMedia(page, selector);
    const camera = (await tileMedia(page)).find((tile) => tile.peerId === peerId)?.video.id;
    if (screen?.video.id && screen.video.id === camera) problems.push('the screen tile shows the camera track');
    return problems;
  });
}

/**
 * Passes once `peerId`'s screen tile plays the shared tab's sound: an audio track beside the
 * screen, received by that peer's own peer connection with packets and energy rising, not their
 * microphone's track (which stays in their camera tile), and the tile's `<video>` unmuted.
 */
export async function expectScreenSoundHeard(page: Page, peerId: string): Promise<void> {
  const selector = `[data-testid="screen-tile"][data-peer-id="${peerId}"]`;
  await untilNoProblems(`the sound of ${peerId}'s screen heard`, async () => {
    const [first] = await tileMedia(page, selector);
    await delay(1000);
    const [second] = await tileMedia(page, selector);
    if (!second) return ['no screen tile'];
    const voice = (await tileMedia(page)).find((tile) => tile.peerId === peerId)?.audio;
    const problems = trackProblems(`${second.name}'s screen`, 'audio', first?.audio, second.audio, peerId);
    if (second.muted) problems.push('the screen tile is muted');
    if (!voice?.id) problems.push('no microphone track in the camera tile');
    if (second.audio.id !== null && second.audio.id === voice?.id) problems.push('the screen tile plays the microphone track');
    return problems;
  });
}

/**
 * Passes once exactly one remote tile inside `within` (a CSS selector, e.g. speaker view's large
 * tile) is `peerId`'s and plays their camera from their own peer connection.
 */
export async function expectTileVideoPlaying(page: Page, within: string, peerId: string): Promise<void> {
  const selector = `${within} ${REMOTE_TILES}`;
  await expect(page.locator(selector)).toHaveCount(1);
  await expect(page.locator(selector)).toHaveAttribute('data-peer-id', peerId);
  await untilNoProblems(`${peerId}'s video playing in ${within}`, () => tileVideoProblems(page, selector, peerId));
}

/** Samples, inside the page every `everyMs`, the camera `framesDecoded` of each remote tile by peer id. */
export async function startFrameLog(page: Page, everyMs = 500): Promise<void> {
  await page.evaluate(
    ({ everyMs, selector }) => {
      window.__frameLog = [];
      const timer = setInterval(async () => {
        const at = performance.now();
        const frames: FrameLogEntry['frames'] = {};
        for (const tile of await window.__tileMedia(selector)) {
          if (tile.peerId) frames[tile.peerId] = { track: tile.video.id, frames: tile.video.framesDecoded };
        }
        window.__frameLog.push({ at, frames });
      }, everyMs);
      window.__stopFrameLog = () => clearInterval(timer);
    },
    { everyMs, selector: REMOTE_TILES },
  );
}

/**
 * Stops the sampling and returns, for each remote peer id whose tile was there throughout, the
 * longest time (ms) in which its camera's `framesDecoded` did not rise, and how many samples were taken.
 */
export async function stopFrameLog(page: Page): Promise<{ longestStallMs: Record<string, number>; samples: number }> {
  const log = await page.evaluate(() => {
    window.__stopFrameLog();
    return window.__frameLog;
  });
  const peers = new Set(log.flatMap((entry) => Object.keys(entry.frames)));
  const longestStallMs: Record<string, number> = {};
  for (const peer of peers) {
    if (log.some((entry) => !entry.frames[peer])) continue; // joined or left during the sampling
    let longest = 0;
    let lastRise = log[0]!.at;
    for (let j = 1; j < log.length; j++) {
      const [before, now] = [log[j - 1]!.frames[peer]!, log[j]!.frames[peer]!];
      // A new track (a rebuilt connection) counts as rising once it decodes anything.
      const rose = now.track === before.track ? now.frames > before.frames : now.frames > 0;
      if (rose) lastRise = log[j]!.at;
      longest = Math.max(longest, log[j]!.at - lastRise);
    }
    longestStallMs[peer] = Math.round(longest);
  }
  return { longestStallMs, samples: log.length };
}
