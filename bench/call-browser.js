/* global document, window -- logTileFrames and the evaluated functions run in the page */
// One person of the call benchmark: a Chromium process of their own (fake camera and microphone,
// so every browser encodes and decodes real video), driven by puppeteer-core. The page logs, by
// peer id, every frame each remote tile presents (requestVideoFrameCallback), on the wall clock, so
// the benchmark reads when each remote video first played and whether it still plays, without
// touching the app or asking the page anything while CPU is measured.
import puppeteer from 'puppeteer-core';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

// The browser tests' flags (playwright.config.ts), less the second fake camera and screen picking.
const ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Runs in the page before the app: per remote tile's peer id, when the tile appeared, its first
 * frame's time and a frame count; when each SFU offer arrived and its answer left (the
 * subscriber's renegotiations); each peer connection's states and how long each of its
 * descriptions took to apply, with their times.
 */
function logTileFrames() {
  const first = {};
  const frames = {};
  const appeared = {};
  const offers = [];
  const answers = [];
  const connections = [];
  const watched = new WeakSet();
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) {
      super(...args);
      const states = [{ at: Date.now(), state: 'new' }];
      connections.push(states);
      this.addEventListener('connectionstatechange', () =>
        states.push({ at: Date.now(), state: this.connectionState, role: this.localDescription?.type }),
      );
      // How long each description took to apply: a slow one holds up the renegotiation after it.
      for (const method of ['setRemoteDescription', 'setLocalDescription']) {
        const native = this[method].bind(this);
        this[method] = async (...callArgs) => {
          const start = Date.now();
          try {
            return await native(...callArgs);
          } finally {
            states.push({ at: start, state: `${method === 'setRemoteDescription' ? 'SRD' : 'SLD'} ${Date.now() - start} ms` });
          }
        };
      }
    }
  };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.startsWith('{"event":"sfu-offer"')) offers.push(Date.now());
      });
    }
    send(data) {
      if (typeof data === 'string' && data.startsWith('{"event":"sfu-answer"')) answers.push(Date.now());
      super.send(data);
    }
  };
  const watch = () => {
    for (const tile of document.querySelectorAll('[data-testid="remote-tile"]')) {
      const id = tile.getAttribute('data-peer-id');
      if (id) appeared[id] ??= Date.now();
      const video = tile.querySelector('video');
      if (!video || watched.has(video)) continue;
      watched.add(video);
      const onFrame = (now) => {
        const id = video.closest('[data-testid="remote-tile"]')?.getAttribute('data-peer-id');
        if (id) {
          first[id] ??= performance.timeOrigin + now;
          frames[id] = (frames[id] ?? 0) + 1;
        }
        if (video.isConnected) video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    }
  };
  setInterval(watch, 100);
  window.__benchFrames = { first, frames, appeared, offers, answers, connections };
}

/**
 * Opens Chromium for `name`; resolves to the person (its browser's pid is the root of its process
 * tree). `probe` is the function that watches each page (bench/call-setup.js brings its own).
 */
export async function launchPerson(name, { probe = logTileFrames } = {}) {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: ARGS,
    defaultViewport: { width: 960, height: 640 },
  });
  const [page] = await browser.pages();
  await page.evaluateOnNewDocument(probe);
  return { name, browser, page, pid: browser.process().pid, id: null };
}

/** Goes to the room's lobby and types the name, so that joining is one click. */
export async function openLobby(person, url) {
  await person.page.goto(url);
  await person.page.locator('#your-name').fill(person.name);
}

/** Clicks Join; resolves to the time of the click (wall clock, ms) once the call view has the peer id. */
export async function clickJoin(person) {
  const at = Date.now();
  await person.page.locator('form button[type="submit"]').click();
  const call = await person.page.waitForSelector('main[data-self-id]:not([data-self-id=""])', { timeout: 30_000 });
  person.id = await call.evaluate((main) => main.getAttribute('data-self-id'));
  return at;
}

/** Per remote peer id: when its tile first presented a frame (wall clock, ms). */
export function firstFrames(person) {
  return person.page.evaluate(() => ({ ...window.__benchFrames.first }));
}

/** When each remote tile appeared (by peer id), each SFU offer arrived and each connection changed state (wall clock, ms). */
export function timeline(person) {
  return person.page.evaluate(() => {
    const { appeared, offers, answers, connections } = window.__benchFrames;
    return { appeared: { ...appeared }, offers: [...offers], answers: [...answers], connections: connections.map((states) => [...states]) };
  });
}

/** Per remote peer id: how many frames its tile presented so far. */
export function frameCounts(person) {
  return person.page.evaluate(() => ({ ...window.__benchFrames.frames }));
}

export async function closePerson(person) {
  await person.browser.close().catch(() => person.browser.process()?.kill('SIGKILL'));
}
