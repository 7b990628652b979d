import { tileOf, watchRinging } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom, selfId } from './helpers';
import { expectRemoteVideosPlaying, expectScreenPlaying, expectScreenSoundHeard } from './peer-media';

test.describe('screen share', () => {
  test('the others see a third tile playing, presenting, in the large spot; stopping removes it', async ({ people, room }) => {
    const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
    const [ada, brian, chidi] = trio;
    for (const person of trio) await joinRoom(person, room);
    for (const person of trio) await expectRemoteVideosPlaying(person.page, 2);
    const adaId = await selfId(ada.page);

    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(ada.page.getByRole('button', { name: 'Stop sharing' })).toHaveAttribute('aria-pressed', 'true');

    for (const other of [brian, chidi]) {
      const screen = other.page.locator(`[data-testid="screen-tile"][data-peer-id="${adaId}"]`);
      await expectScreenPlaying(other.page, adaId);
      await expect(screen).toContainText('Ada is presenting');
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'presenting' })).toBeVisible();
      // The presenter's screen takes the large spot: wider than any camera tile.
      const screenBox = (await screen.boundingBox())!;
      for (const box of await other.page.getByTestId('remote-tile').evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().width))) {
        expect(screenBox.width).toBeGreaterThan(box * 1.5);
      }
      // The cameras keep playing beside it, Ada's included (counted on her camera's own track).
      await expectRemoteVideosPlaying(other.page, 2);
    }

    await ada.page.getByRole('button', { name: 'Stop sharing' }).click();
    for (const other of [brian, chidi]) {
      await expect(other.page.getByTestId('screen-tile')).toHaveCount(0);
      await expect(tileOf(other.page, 'Ada').getByRole('img', { name: 'presenting' })).toHaveCount(0);
    }
  });

  // Chromium's fake capture (--use-fake-device-for-media-stream) answers getDisplayMedia's `audio`
  // with a beeping track, as a real one does for a tab with sound.
  test('the shared tab’s sound plays in the screen tile, apart from the voice, and is not counted as speaking', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    for (const person of [ada, brian]) await joinRoom(person, room);
    await expectRemoteVideosPlaying(brian.page, 1);
    const adaId = await selfId(ada.page);
    // Ada's microphone beeps too: muted, anything Brian hears from her is the screen's sound.
    await ada.page.getByRole('button', { name: 'Mute microphone' }).click();
    await expect(tileOf(brian.page, 'Ada').getByRole('img', { name: 'Ada is muted' })).toBeVisible();
    await expect(tileOf(brian.page, 'Ada')).toHaveAttribute('data-speaking', 'false');

    const rang = await watchRinging(brian.page, adaId);

    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expectScreenPlaying(brian.page, adaId);
    await expectScreenSoundHeard(brian.page, adaId);
    const sounding = await ada.page.evaluate(
      () => window.__pcs.flatMap((pc) => pc.getSenders()).filter((s) => s.track?.kind === 'audio' && s.track.enabled).length,
    );
    expect(sounding).toBe(1); // the screen's sound; the muted microphone is sent disabled
    // All the while the beeping sound was heard, it never rang Ada's tile as her voice.
    expect(await rang()).toBe(false);

    // Stopped, the sound goes with the screen.
    await ada.page.getByRole('button', { name: 'Stop sharing' }).click();
    await expect(brian.page.getByTestId('screen-tile')).toHaveCount(0);
    const ended = await ada.page.evaluate(
      () => window.__pcs.flatMap((pc) => pc.getSenders()).filter((s) => s.track?.kind === 'audio' && s.track.readyState === 'live').length,
    );
    expect(ended).toBe(1); // the microphone only
  });

  test('the browser’s own “Stop sharing” ends the share for everyone', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    for (const person of [ada, brian]) await joinRoom(person, room);

    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expectScreenPlaying(brian.page, await selfId(ada.page));

    // What Chromium does when its "Stop sharing" bar is pressed: the capture track ends.
    await ada.page.evaluate(() => {
      const track = window.__pcs
        .flatMap((pc) => pc.getSenders())
        .map((s) => s.track)
        .find((t) => t?.kind === 'video' && t.getSettings().displaySurface);
      if (!track) throw new Error('no screen track');
      track.stop();
      track.dispatchEvent(new Event('ended'));
    });
    await expect(ada.page.getByRole('button', { name: 'Share screen' })).toHaveAttribute('aria-pressed', 'false');
    await expect(brian.page.getByTestId('screen-tile')).toHaveCount(0);
  });

  test('someone who joins during a share sees it too', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    await joinRoom(ada, room);
    await ada.page.getByRole('button', { name: 'Share screen' }).click();
    await expect(ada.page.getByRole('button', { name: 'Stop sharing' })).toBeVisible();
    await joinRoom(brian, room);
    await expectScreenPlaying(brian.page, await selfId(ada.page));
    await expectRemoteVideosPlaying(brian.page, 1);
  });
});
