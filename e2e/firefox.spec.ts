/**
 * One Chromium (Playwright's page) and one Firefox (Debian's firefox-esr through puppeteer-core,
 * see e2e/firefox.ts) in one call: straight between the two in a mesh, and through a real Janus
 * once the room is past the mesh. Both directions must play, judged by the same checks as the
 * Chromium-only specs, run inside each browser.
 */
import { expect, test } from './fixtures';
import { firefoxMissing, joinRoomInFirefox, newFirefoxPerson, type FirefoxPerson } from './firefox';
import { joinRoom, selfId } from './helpers';
import { janusAppForBlock } from './janus-app';
import { expectRemoteAudioHeard, expectRemoteVideosPlaying } from './peer-media';
import { expectTilesPlaying, instrumentSfu, openConnections } from './sfu-media';

test.skip(!!firefoxMissing, firefoxMissing ?? '');

let firefox: FirefoxPerson | null = null;

test.afterEach(async () => {
  await firefox?.browser.close();
  firefox = null;
});

test('a mesh call between Chromium and Firefox: each plays and hears the other', async ({ people, room, baseURL }) => {
  const ada = await people.add('Ada');
  await joinRoom(ada, room);
  firefox = await newFirefoxPerson('Fenna');
  const fennaId = await joinRoomInFirefox(firefox, `${baseURL}/r/${room}`);
  const adaId = await selfId(ada.page);

  // Each plays the other, on the tile of the other's peer id, over the one link between them.
  await expectRemoteVideosPlaying(ada.page, 1);
  await expectRemoteVideosPlaying(firefox.media, 1);
  await expect(ada.page.locator(`[data-testid="remote-tile"][data-peer-id="${fennaId}"]`)).toHaveCount(1);
  expect(await firefox.page.$$(`[data-testid="remote-tile"][data-peer-id="${adaId}"]`)).toHaveLength(1);
  // Both browsers' fake microphones make a sound (Chromium beeps, Firefox plays a tone).
  await expectRemoteAudioHeard(ada.page, 1);
  await expectRemoteAudioHeard(firefox.media, 1);
});

/** The simulcast layers (rids) whose frames Firefox's camera sender encodes and sends, sorted. */
async function layersSent(person: FirefoxPerson): Promise<string[]> {
  const sample = () =>
    person.page.evaluate(async () => {
      const sent: Record<string, number> = {};
      for (const pc of window.__pcs.filter((pc) => pc.connectionState !== 'closed')) {
        (await pc.getStats()).forEach((report: { type: string; kind?: string; rid?: string; framesEncoded?: number; bytesSent?: number }) => {
          if (report.type === 'outbound-rtp' && report.kind === 'video' && report.rid && report.bytesSent)
            sent[report.rid] = report.framesEncoded ?? 0;
        });
      }
      return sent;
    });
  const first = await sample();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const second = await sample();
  return Object.keys(second)
    .filter((rid) => second[rid]! > (first[rid] ?? Infinity))
    .sort();
}

test.describe('through Janus', () => {
  // A room for one in the mesh: the second person moves it to Janus.
  const app = janusAppForBlock(3175, 1);

  test('Chromium and Firefox in a room on Janus: each plays the other on its subscriber, publishing simulcast', async ({ people, room }) => {
    const ada = await people.add('Ada', { baseURL: app.url });
    await ada.context.addInitScript(instrumentSfu);
    await joinRoom(ada, room);
    firefox = await newFirefoxPerson('Fenna', [instrumentSfu]);
    const fennaId = await joinRoomInFirefox(firefox, `${app.url}/r/${room}`);
    const adaId = await selfId(ada.page);

    await expectTilesPlaying(ada.page, [fennaId], { heard: true, timeout: 60_000 });
    await expectTilesPlaying(firefox.media, [adaId], { heard: true, timeout: 60_000 });
    // Once the SFU plays, the mesh link is gone: a publisher and a subscriber each.
    await expect.poll(() => openConnections(ada.page), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => openConnections(firefox!.media), { timeout: 10_000 }).toBe(2);
    // Janus took Firefox's simulcast: all three layers are encoded and sent.
    await expect.poll(() => layersSent(firefox!), { timeout: 10_000 }).toEqual(['h', 'l', 'm']);
  });
});
