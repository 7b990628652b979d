/**
 * What each remote tile plays in an SFU room, checked per peer id. All remote media arrives on one
 * subscriber connection to Janus, so a tile is tied to a peer through the server's own map: the
 * tile's video track is the receiver track of a transceiver whose `mid` the last `sfu-offer` listed
 * as that peer's. A tile showing someone else's video, or a frozen track, fails.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { expect, type Page } from '@playwright/test';
import type { MediaPage } from './peer-media';

declare global {
  interface Window {
    /** mid -> peer id, from the last `sfu-offer` the page received. */
    __sfuStreams: Record<string, string>;
  }
}

/** Init script: learns the subscriber's mid -> peer map from the signaling socket. */
export function instrumentSfu() {
  window.__sfuStreams = {};
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data !== 'string' || !event.data.includes('"sfu-offer"')) return;
        try {
          const frame = JSON.parse(event.data) as { event?: string; data?: { streams?: { mid: string; peer: string }[] } };
          if (frame.event !== 'sfu-offer') return;
          window.__sfuStreams = Object.fromEntries((frame.data?.streams ?? []).map((s) => [s.mid, s.peer]));
        } catch {
          // not JSON: not ours to judge here
        }
      });
    }
  };
}

export interface SfuTile {
  peerId: string;
  width: number;
  time: number;
  /** Whether the tile's `<video>` is muted (its sound not played). */
  muted: boolean;
  /** framesDecoded of the inbound stream carrying the tile's video track, on any open connection. */
  frames: number | null;
  /** Whose track it is by the server's map (null: not received on an SFU subscriber). */
  from: string | null;
  /** The tile's audio track: its id, inbound packets and energy (null: none received), and whose it is by the map. */
  audio: { id: string; packets: number; energy: number; from: string | null } | null;
}

/** The remote camera tiles, or with `selector` other tiles (the screen tiles). */
export async function sfuTiles(page: MediaPage, selector = '[data-testid="remote-tile"]'): Promise<SfuTile[]> {
  return page.evaluate(async (selector) => {
    type Inbound = { type: string; trackIdentifier?: string; framesDecoded?: number; packetsReceived?: number; totalAudioEnergy?: number };
    const tracks = new Map<string, { inbound: Inbound | null; mid: string | null }>();
    for (const pc of window.__pcs.filter((pc) => pc.connectionState !== 'closed')) {
      const inbound = new Map<string, Inbound>();
      (await pc.getStats()).forEach((report: Inbound) => {
        if (report.type === 'inbound-rtp' && report.trackIdentifier) inbound.set(report.trackIdentifier, report);
      });
      for (const transceiver of pc.getTransceivers()) {
        const id = transceiver.receiver.track.id;
        tracks.set(id, { inbound: inbound.get(id) ?? null, mid: transceiver.mid });
      }
    }
    const fromOf = (mid: string | null | undefined) => (mid != null ? (window.__sfuStreams[mid] ?? null) : null);
    return [...document.querySelectorAll(selector)].map((tile) => {
      // The picture plays in the tile's <video>, the sound in its <audio>.
      const video = tile.querySelector('video');
      const sound = tile.querySelector('audio');
      const camera = (video?.srcObject as MediaStream | null)?.getVideoTracks()[0];
      const microphone = (sound?.srcObject as MediaStream | null)?.getAudioTracks()[0];
      const seen = camera ? tracks.get(camera.id) : undefined;
      const heard = microphone ? tracks.get(microphone.id) : undefined;
      return {
        peerId: tile.getAttribute('data-peer-id') ?? '',
        width: video?.videoWidth ?? 0,
        time: video?.currentTime ?? 0,
        muted: sound?.muted ?? true,
        frames: seen?.inbound ? (seen.inbound.framesDecoded ?? 0) : null,
        from: fromOf(seen?.mid),
        audio:
          heard?.inbound && microphone
            ? { id: microphone.id, packets: heard.inbound.packetsReceived ?? 0, energy: heard.inbound.totalAudioEnergy ?? 0, from: fromOf(heard.mid) }
            : null,
      };
    });
  }, selector);
}

/** The page's peer connections that are not closed. */
export async function openConnections(page: MediaPage): Promise<number> {
  return page.evaluate(() => window.__pcs.filter((pc) => pc.connectionState !== 'closed').length);
}

/**
 * Passes once the tiles (other than those of `besides`, left out) are exactly
 * `peerIds` and each plays: a size, a moving clock, and more
 * frames decoded on that very track from one sample to the next; with `sfu`, each tile's track is
 * the one the SFU's map gives its peer; with `heard`, its audio track is that peer's too, and its
 * packets and audio energy rise.
 */
export async function expectTilesPlaying(
  page: MediaPage,
  peerIds: string[],
  { sfu = true, heard = false, timeout = 30_000, besides = [] as string[] } = {},
): Promise<void> {
  const checked = async () => (await sfuTiles(page)).filter((tile) => !besides.includes(tile.peerId));
  await expect
    .poll(
      async () => {
        const first = await checked();
        await delay(1000);
        const second = await checked();
        const problems: string[] = [];
        const shown = second.map((v) => v.peerId).sort();
        if (shown.join() !== [...peerIds].sort().join()) problems.push(`tiles ${shown.join()}`);
        for (const tile of second) {
          const before = first.find((v) => v.peerId === tile.peerId);
          if (sfu && tile.from !== tile.peerId) problems.push(`${tile.peerId}: shows ${tile.from ?? 'no SFU track'}`);
          if (tile.width === 0) problems.push(`${tile.peerId}: videoWidth 0`);
          if (!(tile.time > (before?.time ?? Infinity))) problems.push(`${tile.peerId}: currentTime stuck`);
          if (tile.frames === null) problems.push(`${tile.peerId}: no inbound stream for its track`);
          else if (!(tile.frames > (before?.frames ?? Infinity))) problems.push(`${tile.peerId}: framesDecoded ${tile.frames} not rising`);
          if (heard) problems.push(...audioProblems(tile.peerId, before?.audio ?? null, tile.audio));
        }
        return problems;
      },
      { timeout, intervals: [250] },
    )
    .toEqual([]);
}

/**
 * What is wrong with the sound of the tile at `selector`, sampled twice: an audio track that the
 * SFU's map gives `peerId`, with packets and energy rising, in an unmuted `<audio>`.
 */
async function soundProblems(page: MediaPage, selector: string, peerId: string): Promise<{ problems: string[]; audio: SfuTile['audio'] }> {
  const [first] = await sfuTiles(page, selector);
  await delay(1000);
  const [second] = await sfuTiles(page, selector);
  if (!second) return { problems: [`no tile ${selector}`], audio: null };
  const problems = audioProblems(peerId, first?.audio ?? null, second.audio);
  if (second.muted) problems.push(`${selector} is muted`);
  return { problems, audio: second.audio };
}

/** Passes once `peerId`'s camera tile plays their voice through the SFU (whether or not it shows video). */
export async function expectHeardThroughSfu(page: MediaPage, peerId: string, { timeout = 30_000 } = {}): Promise<void> {
  const tile = `[data-testid="remote-tile"][data-peer-id="${peerId}"]`;
  await expect.poll(async () => (await soundProblems(page, tile, peerId)).problems, { timeout, intervals: [250] }).toEqual([]);
}

/**
 * Passes once `peerId`'s screen tile plays the shared tab's sound: its own audio track, which the
 * SFU's map gives that peer, not the microphone track of their camera tile.
 */
export async function expectScreenSoundThroughSfu(page: MediaPage, peerId: string, { timeout = 30_000 } = {}): Promise<void> {
  const screen = `[data-testid="screen-tile"][data-peer-id="${peerId}"]`;
  await expect
    .poll(
      async () => {
        const { problems, audio } = await soundProblems(page, screen, peerId);
        const voice = (await sfuTiles(page)).find((tile) => tile.peerId === peerId)?.audio;
        if (!voice) problems.push('no microphone track in the camera tile');
        if (audio && audio.id === voice?.id) problems.push('the screen tile plays the microphone track');
        return problems;
      },
      { timeout, intervals: [250] },
    )
    .toEqual([]);
}

/** What is wrong with a tile's audio between two samples: not that peer's track by the map, or not flowing, or silent. */
function audioProblems(peerId: string, first: SfuTile['audio'], second: SfuTile['audio']): string[] {
  if (!second) return [`${peerId}: no inbound audio for its tile`];
  const problems: string[] = [];
  if (second.from !== peerId) problems.push(`${peerId}: hears ${second.from ?? 'no SFU track'}`);
  if (!(second.packets > (first?.packets ?? Infinity))) problems.push(`${peerId}: audio packetsReceived ${second.packets} not rising`);
  if (!(second.energy > (first?.energy ?? Infinity))) problems.push(`${peerId}: totalAudioEnergy ${second.energy} not rising (silent)`);
  return problems;
}

/**
 * Logs, inside the page, when each remote tile presents a video frame (requestVideoFrameCallback),
 * by peer id, whichever stream the tile's element plays at the time: a stall across a change of
 * connection shows up, however the media gets there.
 */
export async function startTileFrameLog(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: Record<string, number[]> = {};
    const watched = new WeakSet<HTMLVideoElement>();
    const watch = () => {
      for (const tile of document.querySelectorAll('[data-testid="remote-tile"]')) {
        const video = tile.querySelector('video');
        if (!video || watched.has(video)) continue;
        watched.add(video);
        const onFrame = (now: number) => {
          const id = video.closest('[data-testid="remote-tile"]')?.getAttribute('data-peer-id');
          // On the wall clock, so pages (each with its own time origin) compare.
          if (id) (log[id] ??= []).push(performance.timeOrigin + now);
          if (video.isConnected) video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
      }
    };
    const timer = setInterval(watch, 50);
    watch();
    Object.assign(window, { __tileFrames: log, __stopTileFrameLog: () => clearInterval(timer), __tileLogStart: Date.now() });
  });
}

/** When each remote tile first presented a frame since `startTileFrameLog` (wall clock, ms), by peer id. */
export async function firstTileFrames(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const log = (window as unknown as { __tileFrames: Record<string, number[]> }).__tileFrames;
    return Object.fromEntries(Object.entries(log).map(([peerId, times]) => [peerId, Math.min(...times)]));
  });
}

/** Stops the tile log: per peer id, the longest time (ms) without a new frame from the start to now. */
export async function stopTileFrameLog(page: Page): Promise<Record<string, { longestStallMs: number; frames: number }>> {
  return page.evaluate(() => {
    const w = window as unknown as { __tileFrames: Record<string, number[]>; __stopTileFrameLog: () => void; __tileLogStart: number };
    w.__stopTileFrameLog();
    const end = Date.now();
    const result: Record<string, { longestStallMs: number; frames: number }> = {};
    for (const [peerId, times] of Object.entries(w.__tileFrames)) {
      const points = [w.__tileLogStart, ...times.sort((a, b) => a - b), end];
      let longest = 0;
      for (let i = 1; i < points.length; i++) longest = Math.max(longest, points[i]! - points[i - 1]!);
      result[peerId] = { longestStallMs: Math.round(longest), frames: times.length };
    }
    return result;
  });
}

/** Per peer, by the SFU's map: frames decoded of its video and packets of its audio received now. */
export async function inboundByPeer(page: Page): Promise<Record<string, { videoFrames: number; audioPackets: number }>> {
  return page.evaluate(async () => {
    const byPeer: Record<string, { videoFrames: number; audioPackets: number }> = {};
    for (const pc of window.__pcs.filter((pc) => pc.connectionState !== 'closed')) {
      (await pc.getStats()).forEach((report: { type: string; kind?: string; mid?: string; framesDecoded?: number; packetsReceived?: number }) => {
        const peer = report.type === 'inbound-rtp' && report.mid != null ? window.__sfuStreams[report.mid] : undefined;
        if (!peer) return;
        const entry = (byPeer[peer] ??= { videoFrames: 0, audioPackets: 0 });
        if (report.kind === 'video') entry.videoFrames += report.framesDecoded ?? 0;
        else entry.audioPackets += report.packetsReceived ?? 0;
      });
    }
    return byPeer;
  });
}

/**
 * Passes once, over one second, the video of each of `paused` decodes no new frame while its audio
 * keeps arriving, and the video of each of `playing` decodes more.
 */
export async function expectVideoPaused(page: Page, paused: string[], playing: string[], { timeout = 20_000 } = {}): Promise<void> {
  await expect
    .poll(
      async () => {
        const before = await inboundByPeer(page);
        await page.waitForTimeout(1000);
        const after = await inboundByPeer(page);
        const problems: string[] = [];
        for (const id of paused) {
          if (!after[id]) problems.push(`${id}: nothing received`);
          else if (after[id].videoFrames > (before[id]?.videoFrames ?? 0)) problems.push(`${id}: video still decoding`);
          if (!(after[id]?.audioPackets ?? 0) || after[id]!.audioPackets <= (before[id]?.audioPackets ?? 0))
            problems.push(`${id}: audio not arriving`);
        }
        for (const id of playing) {
          if (!((after[id]?.videoFrames ?? 0) > (before[id]?.videoFrames ?? Infinity))) problems.push(`${id}: video not decoding`);
        }
        return problems;
      },
      { timeout, intervals: [250] },
    )
    .toEqual([]);
}
