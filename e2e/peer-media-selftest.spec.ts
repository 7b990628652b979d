import { expect, test } from './fixtures';
import { joinRoom, selfId } from './helpers';
import { expectRemoteAudioHeard, expectRemoteVideosPlaying, expectScreenPlaying } from './peer-media';

/**
 * The checks in peer-media.ts can fail: each breakage below must be caught. Three minutes of
 * browsers for a test of the tests, so on demand only: `E2E_SELFTEST=1 npx playwright test e2e/peer-media-selftest.spec.ts`.
 */
test.skip(!process.env.E2E_SELFTEST, 'set E2E_SELFTEST=1 to check that the media checks catch what they claim to');

test('swapped tiles, a frozen camera behind a moving share, and silence all fail', async ({ people, room }) => {
  test.setTimeout(300_000);
  const [ada, brian, chidi] = await people.addAll(['Ada', 'Brian', 'Chidi']);
  for (const p of [ada, brian, chidi]) await joinRoom(p, room);
  await expectRemoteVideosPlaying(brian.page, 2);
  await expectRemoteAudioHeard(brian.page, 2);

  // 1. Brian's page shows Chidi's stream in Ada's tile and vice versa.
  await brian.page.evaluate(() => {
    const videos = [...document.querySelectorAll('[data-testid="remote-tile"] video')] as HTMLVideoElement[];
    const [a, b] = [videos[0]!.srcObject, videos[1]!.srcObject];
    videos[0]!.srcObject = b;
    videos[1]!.srcObject = a;
  });
  await expect(expectRemoteVideosPlaying(brian.page, 2)).rejects.toThrow(/comes from the peer connection of/);
  await brian.page.reload();
  await joinRoom(brian, room);
  await expectRemoteVideosPlaying(brian.page, 2);

  // 2. Ada shares her screen, then her camera stops sending on every link: the share keeps moving.
  await ada.page.getByRole('button', { name: 'Share screen' }).click();
  const adaId = await selfId(ada.page);
  await expectScreenPlaying(brian.page, adaId);
  await ada.page.evaluate(async () => {
    for (const pc of window.__pcs.filter((p) => p.connectionState !== 'closed')) {
      for (const s of pc.getSenders()) if (s.track?.kind === 'video' && !s.track.getSettings().displaySurface) await s.replaceTrack(null);
    }
  });
  await expectScreenPlaying(brian.page, adaId);
  await expect(expectRemoteVideosPlaying(brian.page, 2)).rejects.toThrow(/framesDecoded \d+ not rising/);

  // 3. Chidi's microphone stops sending: Brian does not hear him.
  await chidi.page.evaluate(async () => {
    for (const pc of window.__pcs.filter((p) => p.connectionState !== 'closed'))
      for (const s of pc.getSenders()) if (s.track?.kind === 'audio') await s.replaceTrack(null);
  });
  await expect(expectRemoteAudioHeard(brian.page, 2)).rejects.toThrow(/Chidi.*not rising/);
});
