import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEVICES_KEY } from '../media/devices';
import { DeviceState, type InputKind } from './devices.svelte';

type Info = { kind: MediaDeviceKind; deviceId: string; label: string; groupId: string };
const info = (kind: MediaDeviceKind, deviceId: string): Info => ({ kind, deviceId, label: deviceId.toUpperCase(), groupId: 'g' });

let plugged: Info[] = [];
let onchange: () => void = () => {};
const storage = new Map<string, string>();

beforeAll(() => {
  const globals = {
    navigator: {
      mediaDevices: {
        enumerateDevices: async () => plugged,
        addEventListener: (_type: string, listener: () => void) => (onchange = listener),
        removeEventListener: () => (onchange = () => {}),
      },
    },
    localStorage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
  };
  for (const [name, value] of Object.entries(globals)) Object.defineProperty(globalThis, name, { value, configurable: true });
});

afterAll(() => {
  Reflect.deleteProperty(globalThis, 'navigator');
  Reflect.deleteProperty(globalThis, 'localStorage');
});

const track = (deviceId: string, readyState = 'live') => ({ readyState, getSettings: () => ({ deviceId }) }) as unknown as MediaStreamTrack;

function setup(inUse: Partial<Record<InputKind, string>>, { switchWorks = true } = {}) {
  const switched: [InputKind, string | undefined][] = [];
  const tracks: Partial<Record<InputKind, MediaStreamTrack>> = Object.fromEntries(Object.entries(inUse).map(([kind, id]) => [kind, track(id)]));
  const sut = new DeviceState({
    switchInput: async (kind, deviceId) => {
      switched.push([kind, deviceId]);
      if (switchWorks && deviceId) tracks[kind] = track(deviceId);
      return switchWorks;
    },
    track: (kind) => tracks[kind] ?? null,
  });
  return { sut, switched, tracks };
}

describe(DeviceState.name, () => {
  it('lists the devices and shows the ones in use as chosen', async () => {
    storage.clear();
    plugged = [info('audioinput', 'mic-1'), info('audioinput', 'mic-2'), info('videoinput', 'cam-1'), info('audiooutput', 'spk-1')];
    const { sut } = setup({ audio: 'mic-2', video: 'cam-1' });
    await sut.refresh();
    expect(sut.lists.audioinput.map((d) => d.deviceId)).toEqual(['mic-1', 'mic-2']);
    expect([sut.audioinput, sut.videoinput]).toEqual(['mic-2', 'cam-1']);
    sut.destroy();
  });

  it('switches to a picked device and remembers it for next time', async () => {
    storage.clear();
    plugged = [info('audioinput', 'mic-1'), info('audioinput', 'mic-2'), info('videoinput', 'cam-1')];
    const { sut, switched } = setup({ audio: 'mic-1', video: 'cam-1' });
    await sut.refresh();
    await sut.choose('audioinput', 'mic-2');
    expect(switched).toEqual([['audio', 'mic-2']]);
    expect(sut.audioinput).toBe('mic-2');
    expect(sut.preferred('audio')).toBe('mic-2');
    expect(JSON.parse(storage.get(DEVICES_KEY)!).audioinput).toEqual({ deviceId: 'mic-2', label: 'MIC-2' });
  });

  it('keeps the previous choice, unremembered, when the switch fails', async () => {
    storage.clear();
    plugged = [info('videoinput', 'cam-1'), info('videoinput', 'cam-2')];
    const { sut } = setup({ video: 'cam-1' }, { switchWorks: false });
    await sut.refresh();
    await sut.choose('videoinput', 'cam-2');
    expect(sut.videoinput).toBe('cam-1');
    expect(storage.has(DEVICES_KEY)).toBe(false);
  });

  it('picks a speaker without touching the inputs', async () => {
    storage.clear();
    plugged = [info('audiooutput', 'spk-1'), info('audiooutput', 'spk-2')];
    const { sut, switched } = setup({});
    await sut.refresh();
    await sut.choose('audiooutput', 'spk-2');
    expect(sut.audiooutput).toBe('spk-2');
    expect(switched).toEqual([]);
  });

  it('moves to whatever the browser picks when the device in use is unplugged', async () => {
    storage.clear();
    plugged = [info('audioinput', 'mic-1'), info('audioinput', 'headset'), info('videoinput', 'cam-1')];
    const { sut, switched } = setup({ audio: 'headset', video: 'cam-1' });
    sut.watch();
    await new Promise((resolve) => setTimeout(resolve, 0));
    plugged = plugged.filter((d) => d.deviceId !== 'headset');
    onchange();
    for (let i = 0; i < 20 && switched.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(switched).toEqual([['audio', undefined]]);
    sut.destroy();
  });
});
