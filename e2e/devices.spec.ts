import { expect, test, type Page } from '@playwright/test';
import { countNegotiations, negotiations } from './call-helpers';
import { closeAll, expectRemoteVideosPlaying, joinRoom, newPerson, uniqueRoom, type Person } from './helpers';

/** The label of the camera each open link sends. */
function sentCamera(page: Page): Promise<(string | null)[]> {
  return page.evaluate(() =>
    window.__pcs
      .filter((pc) => pc.connectionState !== 'closed')
      .map((pc) => pc.getSenders().find((s) => s.track?.kind === 'video')?.track?.label ?? null),
  );
}

test.describe('devices', () => {
  let people: Person[] = [];

  test.afterEach(async () => {
    await closeAll(people);
    people = [];
  });

  test('switching the camera mid-call keeps video playing at the others without renegotiation', async ({ browser }) => {
    const room = uniqueRoom('devices');
    people = await Promise.all(['Ada', 'Brian', 'Chidi'].map((name) => newPerson(browser, name)));
    for (const person of people) await countNegotiations(person);
    const [ada, brian, chidi] = people as [Person, Person, Person];
    for (const person of people) await joinRoom(person, room);
    for (const person of people) await expectRemoteVideosPlaying(person.page, 2);
    expect(await sentCamera(ada.page)).toEqual(['fake_device_0', 'fake_device_0']);
    // Let the first negotiations settle before counting.
    await ada.page.waitForTimeout(1000);
    const before = await Promise.all(people.map((p) => negotiations(p.page)));

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
    expect(await Promise.all(people.map((p) => negotiations(p.page)))).toEqual(before);
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

  test('the speaker choice goes to every remote video, and the microphone can be switched', async ({ browser }) => {
    const room = uniqueRoom('speaker');
    people = await Promise.all(['Ada', 'Brian'].map((name) => newPerson(browser, name)));
    const [ada] = people as [Person, Person];
    for (const person of people) await joinRoom(person, room);
    await expectRemoteVideosPlaying(ada.page, 1);

    await ada.page.getByRole('button', { name: 'Devices' }).click();
    const speaker = ada.page.getByRole('combobox', { name: 'Speaker' });
    await speaker.selectOption({ label: 'Fake Audio Output 1' });
    const chosen = await speaker.inputValue();
    await expect
      .poll(() =>
        ada.page
          .locator('[data-testid="remote-tile"] video')
          .evaluateAll((videos) => videos.map((v) => (v as HTMLVideoElement & { sinkId: string }).sinkId)),
      )
      .toEqual([chosen]);

    await ada.page.getByRole('combobox', { name: 'Microphone' }).selectOption({ label: 'Fake Audio Input 1' });
    await expect
      .poll(() => ada.page.evaluate(() => window.__pcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === 'audio')?.track?.label))
      .toBe('Fake Audio Input 1');
  });
});
