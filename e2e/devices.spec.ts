import type { Page } from '@playwright/test';
import { countNegotiations, negotiations } from './call-helpers';
import { expect, test } from './fixtures';
import { joinRoom, uniqueRoom } from './helpers';
import { expectRemoteAudioHeard, expectRemoteVideosPlaying } from './peer-media';

/** The label of the camera each open link sends. */
function sentCamera(page: Page): Promise<(string | null)[]> {
  return page.evaluate(() =>
    window.__pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => pc.getSenders().find((s) => s.track?.kind === 'video')?.track?.label ?? null),
  );
}

test.describe('devices', () => {
  test('switching the camera mid-call keeps video playing at the others without renegotiation', async ({ people, room }) => {
    const trio = await people.addAll(['Ada', 'Brian', 'Chidi']);
    for (const person of trio) await countNegotiations(person);
    const [ada, brian, chidi] = trio;
    for (const person of trio) await joinRoom(person, room);
    for (const person of trio) await expectRemoteVideosPlaying(person.page, 2);
    expect(await sentCamera(ada.page)).toEqual(['fake_device_0', 'fake_device_0']);
    // Let the first negotiations settle before counting.
    await ada.page.waitForTimeout(1000);
    const before = await Promise.all(trio.map((p) => negotiations(p.page)));

    await ada.page.getByRole('button', { name: 'Devices' }).click();
    const camera = ada.page.getByRole('combobox', { name: 'Camera' });
    await expect(camera.locator('option')).toHaveText(['fake_device_0', 'fake_device_1']);
    await camera.selectOption({ label: 'fake_device_1' });

    await expect.poll(() => sentCamera(ada.page)).toEqual(['fake_device_1', 'fake_device_1']);
    await expect(ada.page.getByTestId('local-tile').locator('video')).toHaveJSProperty('videoWidth', 640);
    // Chromium's second fake camera delivers frames in a format its encoder does not take (the
    // preview plays, the encoder gets nothing), so the video going on at the others is checked
    // after switching back to the first camera, again with replaceTrack.
    await camera.selectOption({ label: 'fake_device_0' });
    await expect.poll(() => sentCamera(ada.page)).toEqual(['fake_device_0', 'fake_device_0']);
    for (const other of [brian, chidi]) await expectRemoteVideosPlaying(other.page, 2);
    expect(await Promise.all(trio.map((p) => negotiations(p.page)))).toEqual(before);
    await camera.selectOption({ label: 'fake_device_1' });
    await expect.poll(() => sentCamera(ada.page)).toEqual(['fake_device_1', 'fake_device_1']);

    // The choice is remembered: the lobby of a new visit starts on the same camera.
    await ada.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await ada.page.goto(`/r/${uniqueRoom('devices-again')}`);
    await expect(ada.page.getByRole('combobox', { name: 'Camera' })).toHaveValue(
      await ada.page.evaluate(() => JSON.parse(localStorage.getItem('parley.devices') ?? '{}').videoinput.deviceId),
    );
    await expect
      .poll(() => ada.page.evaluate(() => (document.querySelector('[data-testid="local-tile"] video') as HTMLVideoElement | null)?.srcObject))
      .toBeTruthy();
    const label = await ada.page.evaluate(
      () => ((document.querySelector('[data-testid="local-tile"] video') as HTMLVideoElement).srcObject as MediaStream).getVideoTracks()[0]?.label,
    );
    expect(label).toBe('fake_device_1');
  });

  test('the speaker choice goes to every remote tile’s sound, and the microphone can be switched', async ({ people, room }) => {
    const [ada, brian] = await people.addAll(['Ada', 'Brian']);
    for (const person of [ada, brian]) await joinRoom(person, room);
    await expectRemoteVideosPlaying(ada.page, 1);

    await ada.page.getByRole('button', { name: 'Devices' }).click();
    const speaker = ada.page.getByRole('combobox', { name: 'Speaker' });
    await speaker.selectOption({ label: 'Fake Audio Output 1' });
    const chosen = await speaker.inputValue();
    await expect
      .poll(() =>
        ada.page
          .locator('[data-testid="remote-tile"] audio')
          .evaluateAll((sounds) => sounds.map((a) => (a as HTMLAudioElement & { sinkId: string }).sinkId)),
      )
      .toEqual([chosen]);

    await ada.page.getByRole('combobox', { name: 'Microphone' }).selectOption({ label: 'Fake Audio Input 1' });
    await expect
      .poll(() => ada.page.evaluate(() => window.__pcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'audio')?.track?.label))
      .toBe('Fake Audio Input 1');
    // The switched microphone is heard at the other end.
    await expectRemoteAudioHeard(brian.page, 1);
  });
});
