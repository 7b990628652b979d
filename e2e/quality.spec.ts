import type { Page } from '@playwright/test';
import { tileOf } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom } from './helpers';
import { expectRemoteVideosPlaying } from './peer-media';

/** Per peer connection: each audio receiver's sources and levels, and inbound audio packets. */
function audioReceivers(page: Page) {
  return page.evaluate(async () =>
    Promise.all(
      window.__pcs.map(async (pc) => {
        let packets = 0;
        (await pc.getStats()).forEach((r: { type: string; kind?: string; packetsReceived?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') packets += r.packetsReceived ?? 0;
        });
        const receivers = pc
          .getReceivers()
          .filter((r) => r.track.kind === 'audio')
          .map((r) => ({ muted: r.track.muted, sources: r.getSynchronizationSources().map((s) => s.audioLevel) }));
        return { state: pc.connectionState, packets, receivers };
      }),
    ),
  );
}

test.describe('indicators', () => {
  test('quality details show live numbers and the path', async ({ people, room }) => {
    const pair = await people.addAll(['Ada', 'Brian']);
    const [ada] = pair;
    for (const person of pair) await joinRoom(person, room);
    await expectRemoteVideosPlaying(ada.page, 1);

    const brian = tileOf(ada.page, 'Brian');
    await expect(brian.getByTestId('quality')).toHaveAttribute('data-level', /good|fair/);
    await brian.getByRole('button', { name: /^Connection to Brian: (Good|Fair)/ }).click();
    const details = brian.getByTestId('quality-details');
    await expect(details.getByTestId('quality-path')).toHaveText('Direct (UDP)');
    await expect(details.getByTestId('quality-rtt')).toHaveText(/^\d+ ms$/);
    await expect(details.getByTestId('quality-bitrate')).toHaveText(/^\d[\d.]* (kbps|Mbps) \/ \d[\d.]* (kbps|Mbps)$/);
    await expect(details.getByTestId('quality-video')).toHaveText(/^\d+×\d+ · \d+ fps · (VP8|VP9|H264|AV1)$/);
    // Live: the figures change from one reading to the next.
    const first = await details.getByTestId('quality-bitrate').textContent();
    await expect.poll(() => details.getByTestId('quality-bitrate').textContent(), { timeout: 15_000 }).not.toBe(first);
  });

  test('mute, camera and speaking show at the others', async ({ people, room }) => {
    const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
    const [ada, brian, chidi] = trio;
    for (const person of trio) await joinRoom(person, room);
    for (const person of trio) await expectRemoteVideosPlaying(person.page, 2);

    // Chromium's fake microphone beeps: a ring shows on whoever is heard. This has failed on a
    // first try in full CI runs (never alone); on failure, say what Brian's audio looked like.
    await expect(tileOf(brian.page, 'Ada'))
      .toHaveAttribute('data-speaking', 'true', { timeout: 20_000 })
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nBrian's audio receivers: ${JSON.stringify(await audioReceivers(brian.page))}`);
      });

    await ada.page.keyboard.press('m');
    await expect(ada.page.getByRole('button', { name: 'Unmute microphone' })).toHaveAttribute('title', 'Unmute microphone (M)');
    for (const other of [brian, chidi]) {
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'Ada is muted' })).toBeVisible();
      await other.page.getByRole('button', { name: 'People' }).click();
      await expect(other.page.getByTestId('participant').filter({ hasText: 'Ada' }).getByRole('img', { name: 'muted' })).toBeVisible();
    }
    // Muted, Ada no longer counts as speaking.
    await expect(tileOf(brian.page, 'Ada')).toHaveAttribute('data-speaking', 'false', { timeout: 10_000 });

    await ada.page.keyboard.press('v');
    for (const other of [brian, chidi]) {
      await expect(tileOf(other.page, 'Ada').getByTestId('cam-off')).toBeVisible();
      await expect(other.page.getByTestId('participant').filter({ hasText: 'Ada' }).getByRole('img', { name: 'camera off' })).toBeVisible();
    }

    await ada.page.keyboard.press('m');
    await ada.page.keyboard.press('v');
    for (const other of [brian, chidi]) {
      await expect(tileOf(other.page, 'Ada').getByTestId('mic-off')).toHaveCount(0);
      await expect(tileOf(other.page, 'Ada').getByTestId('cam-off')).toHaveCount(0);
    }
  });
});
