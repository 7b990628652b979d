import type { Page } from '@playwright/test';
import config from '../playwright.config';
import { appServer } from './app-server';
import { expect, test } from './fixtures';
import { iceCredentials, joinRoom, newPerson, selfId } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

const tileOf = (page: Page, id: string) => page.locator(`[data-testid="remote-tile"][data-peer-id="${id}"]`);

test('one person offline for 8 s: the others see them reconnecting, ICE restarts, and video plays both ways again', async ({ people, room }) => {
  const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
  for (const person of [ada, brian, chidi]) await joinRoom(person, room);
  for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);
  const adaId = await selfId(ada.page);
  const adaBefore = await iceCredentials(ada.page);
  const restartsBefore = await ada.page.evaluate(() => window.__iceRestarts);

  // In this Chromium, setOffline fails new connections and fires `offline`/`online`, but neither
  // closes the open WebSocket nor touches WebRTC's UDP: media keeps flowing on this machine. The
  // client drops its socket on `offline` (the others see the peer reconnecting), and restarts ICE on
  // every link once it is back, because its network may have changed; that restart is checked below.
  await ada.context.setOffline(true);
  const offlineAt = Date.now();
  await expect(ada.page.getByTestId('reconnecting-banner')).toBeVisible({ timeout: 5000 });
  for (const other of [brian, chidi]) {
    const tile = tileOf(other.page, adaId);
    await expect(tile).toHaveAttribute('data-connection', 'reconnecting', { timeout: 5000 });
    await expect(tile.getByText('Reconnecting…')).toBeVisible();
  }
  await ada.page.waitForTimeout(Math.max(0, 8000 - (Date.now() - offlineAt)));
  await ada.context.setOffline(false);

  await expect(ada.page.locator('main.call')).toHaveAttribute('data-connection', 'online', { timeout: 10_000 });
  await expect(ada.page.locator('main.call')).toHaveAttribute('data-self-id', adaId);
  for (const other of [brian, chidi]) {
    await expect(tileOf(other.page, adaId)).toHaveAttribute('data-connection', 'online', { timeout: 10_000 });
  }

  // Both of Ada's links restarted ICE: her side asked for it, and both ends now use new credentials.
  await expect.poll(() => ada.page.evaluate(() => window.__iceRestarts)).toBeGreaterThanOrEqual(restartsBefore + 2);
  await expect
    .poll(async () => {
      const now = await iceCredentials(ada.page);
      return now.filter((link, i) => link.local !== adaBefore[i]!.local && link.remote !== adaBefore[i]!.remote).length;
    })
    .toBe(2);
  const adaUfrags = new Set((await iceCredentials(ada.page)).map((link) => link.local));
  for (const other of [brian, chidi]) {
    const remotes = (await iceCredentials(other.page)).map((link) => link.remote);
    expect(remotes.filter((ufrag) => adaUfrags.has(ufrag))).toHaveLength(1);
  }

  for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);
});

test('a link that cannot connect at all says so on the tile instead of spinning', async ({ people, room }) => {
  const [ada, brian] = await people.addAll(['Ada', 'Brian']);
  // Relay-only without any TURN server: Ada's links get no candidates, so no path can ever work.
  await ada.context.addInitScript(() => {
    const Tracked = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Tracked {
      constructor(configuration?: RTCConfiguration) {
        super({ ...configuration, iceTransportPolicy: 'relay' });
      }
    };
  });
  await joinRoom(ada, room);
  await joinRoom(brian, room);

  for (const [person, other] of [
    [ada, 'Brian'],
    [brian, 'Ada'],
  ] as const) {
    const failed = person.page.getByTestId('link-failed');
    await expect(failed).toBeVisible({ timeout: 30_000 });
    await expect(failed).toHaveText(`The call to ${other} could not connect — your network may block it.`);
    await expect(failed).toHaveAttribute('role', 'alert');
  }
});

test.describe('a page closed without leaving', () => {
  // A short grace window keeps this test fast; the server's default is 20 s.
  const GRACE_MS = 5000;
  const server = appServer(3111, { RESUME_GRACE_MS: String(GRACE_MS) });
  test.beforeAll(() => server.start());
  test.afterAll(() => server.stop());

  test('the others show it reconnecting, then remove its tile within 15 s plus the grace window', async ({ people, room, playwright }) => {
    // Closing a page runs its `pagehide`, where Parley says goodbye (`leave`), so the others drop the
    // tile at once. To leave without a goodbye, Chidi runs in a browser of his own that is killed.
    const chidiBrowser = await playwright.chromium.launchServer(config.use!.launchOptions);
    try {
      const [ada, brian] = await people.addAll(['Ada', 'Brian'], { baseURL: server.url });
      const chidi = await newPerson(await playwright.chromium.connect(chidiBrowser.wsEndpoint()), 'Chidi', { baseURL: server.url });
      for (const person of [ada, brian, chidi]) await joinRoom(person, room);
      for (const person of [ada, brian, chidi]) await expectRemoteVideosPlaying(person.page, 2);
      const chidiId = await selfId(chidi.page);

      const closedAt = Date.now();
      chidiBrowser.process().kill('SIGKILL');

      for (const other of [ada, brian]) {
        await expect(tileOf(other.page, chidiId)).toHaveAttribute('data-connection', 'reconnecting', { timeout: 15_000 });
      }
      for (const other of [ada, brian]) {
        await expect(tileOf(other.page, chidiId)).toHaveCount(0, { timeout: 15_000 + GRACE_MS - (Date.now() - closedAt) });
      }
      console.log(`Chidi's tile removed ${Date.now() - closedAt} ms after his browser was killed`);
      for (const other of [ada, brian]) await expectRemoteVideosPlaying(other.page, 1);
    } finally {
      await chidiBrowser.kill();
    }
  });
});
