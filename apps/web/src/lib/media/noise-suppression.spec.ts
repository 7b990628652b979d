import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { noiseSuppressionOn, setNoiseSuppression } from './noise-suppression';

/** A microphone whose processing is fixed once opened, as in Chromium. */
function fakeMic(noiseSuppression: boolean, { applies = false } = {}) {
  const settings = { deviceId: 'mic-2', noiseSuppression };
  return {
    stopped: false,
    stop() {
      this.stopped = true;
    },
    getSettings: () => settings,
    async applyConstraints(constraints: MediaTrackConstraints) {
      if (applies) settings.noiseSuppression = constraints.noiseSuppression as boolean;
    },
  };
}
const asTrack = (mic: ReturnType<typeof fakeMic>) => mic as unknown as MediaStreamTrack;

const storage = new Map<string, string>();
beforeEach(() => {
  storage.clear();
  Object.defineProperty(globalThis, 'localStorage', {
    value: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
    configurable: true,
  });
});
afterEach(() => {
  Reflect.deleteProperty(globalThis, 'localStorage');
});

describe('setNoiseSuppression', () => {
  it('opens the same microphone again when the browser does not apply the change, and remembers it', async () => {
    const mic = fakeMic(true);
    const reopened: (string | undefined)[] = [];
    const ok = await setNoiseSuppression(false, asTrack(mic), async (deviceId) => {
      reopened.push(deviceId);
      // Opened only after the old one stopped, so the new processing takes.
      return asTrack(fakeMic(!mic.stopped));
    });
    expect([ok, mic.stopped, reopened]).toEqual([true, true, ['mic-2']]);
    expect(noiseSuppressionOn()).toBe(false);
  });

  it('keeps the microphone where the browser applies the change to it', async () => {
    const mic = fakeMic(false, { applies: true });
    const reopen = jest.fn(async () => null);
    expect(await setNoiseSuppression(true, asTrack(mic), reopen)).toBe(true);
    expect([mic.stopped, reopen.mock.calls.length, noiseSuppressionOn()]).toEqual([false, 0, true]);
  });

  it('only remembers the choice while no microphone is open', async () => {
    expect(
      await setNoiseSuppression(
        false,
        null,
        jest.fn(async () => null),
      ),
    ).toBe(true);
    expect(noiseSuppressionOn()).toBe(false);
  });
});
