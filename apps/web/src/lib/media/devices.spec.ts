import { deviceConstraints, DEVICES_KEY, groupDevices, loadChoices, lostDevice, pickDevice, saveChoice } from './devices';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
}

const info = (kind: MediaDeviceKind, deviceId: string, label = '', groupId = 'g') => ({ kind, deviceId, label, groupId });

describe('groupDevices', () => {
  it('sorts devices by kind and numbers them, for naming unlabelled ones', () => {
    const lists = groupDevices([
      info('videoinput', 'c1', 'Front camera'),
      info('videoinput', 'c2'),
      info('audioinput', 'default', 'Default - Headset'),
      info('audioinput', 'default', 'Default - Headset'),
      info('audiooutput', 's1', 'Speakers'),
    ]);
    expect(lists.videoinput.map(({ label, number }) => [label, number])).toEqual([
      ['Front camera', 1],
      ['', 2],
    ]);
    expect(lists.audioinput).toHaveLength(1);
    expect(lists.audiooutput.map((d) => d.deviceId)).toEqual(['s1']);
  });
});

describe('choices', () => {
  it('remembers one choice per kind', () => {
    const storage = new MemoryStorage();
    saveChoice('videoinput', { deviceId: 'c2', label: 'USB camera' }, storage);
    saveChoice('audiooutput', { deviceId: 's1', label: 'Speakers' }, storage);
    expect(loadChoices(storage)).toEqual({
      videoinput: { deviceId: 'c2', label: 'USB camera' },
      audiooutput: { deviceId: 's1', label: 'Speakers' },
    });
  });

  it('ignores what it cannot read', () => {
    const storage = new MemoryStorage();
    storage.setItem(DEVICES_KEY, 'not json');
    expect(loadChoices(storage)).toEqual({});
    storage.setItem(DEVICES_KEY, JSON.stringify({ videoinput: { deviceId: 3 }, audioinput: { deviceId: 'm', label: 'Mic' } }));
    expect(loadChoices(storage)).toEqual({ audioinput: { deviceId: 'm', label: 'Mic' } });
    expect(loadChoices(null)).toEqual({});
  });

  it('finds the remembered device by id, then by label', () => {
    const devices = groupDevices([info('videoinput', 'new-id', 'USB camera'), info('videoinput', 'c1', 'Built-in')]).videoinput;
    expect(pickDevice(devices, { deviceId: 'c1', label: 'whatever' })?.deviceId).toBe('c1');
    expect(pickDevice(devices, { deviceId: 'old-id', label: 'USB camera' })?.deviceId).toBe('new-id');
    expect(pickDevice(devices, { deviceId: 'gone', label: 'Gone' })).toBeUndefined();
    // Chosen before permission: no label to find it by.
    const unlabelled = groupDevices([info('videoinput', 'c1'), info('videoinput', 'c2')]).videoinput;
    expect(pickDevice(unlabelled, { deviceId: 'gone', label: '' })).toBeUndefined();
    expect(pickDevice(devices, undefined)).toBeUndefined();
  });
});

describe('deviceConstraints', () => {
  it('asks for a remembered device softly and a picked one exactly', () => {
    const base = { width: { ideal: 640 } };
    expect(deviceConstraints(base, 'c1')).toEqual({ width: { ideal: 640 }, deviceId: { ideal: 'c1' } });
    expect(deviceConstraints(base, 'c1', true)).toEqual({ width: { ideal: 640 }, deviceId: { exact: 'c1' } });
    expect(deviceConstraints(true, 'm1', true)).toEqual({ deviceId: { exact: 'm1' } });
    expect(deviceConstraints(base, undefined)).toBe(base);
  });
});

describe('lostDevice', () => {
  const track = (deviceId: string, readyState: MediaStreamTrackState = 'live') =>
    ({ readyState, getSettings: () => ({ deviceId }) }) as unknown as MediaStreamTrack;
  const devices = groupDevices([info('videoinput', 'c1', 'Built-in')]).videoinput;

  it('notices an unplugged device', () => {
    expect(lostDevice(devices, track('c2'))).toBe(true);
    expect(lostDevice(devices, track('c1', 'ended'))).toBe(true);
    expect(lostDevice(devices, track('c1'))).toBe(false);
    expect(lostDevice(devices, null)).toBe(false);
    // An empty list means the browser would not say, not that everything is gone.
    expect(lostDevice([], track('c1'))).toBe(false);
  });
});
