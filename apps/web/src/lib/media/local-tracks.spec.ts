import { LocalTracks } from './local-tracks';
import type { ScreenShare, ShareOptions } from './screen-share';

/** A camera or microphone as getUserMedia hands it out. */
class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
  ) {}
  stop(): void {
    this.stopped = true;
  }
  getSettings() {
    return { deviceId: this.deviceId };
  }
}

type Constraint = boolean | { deviceId?: { exact?: string; ideal?: string } };

/**
 * A fake `navigator.mediaDevices.getUserMedia` over a set of devices: an exact device id that is
 * not plugged in fails with NotFoundError, as browsers do; `deny` refuses like a blocked permission.
 */
function fakeDevices(devices: { audio: string[]; video: string[] }) {
  const requests: { audio?: Constraint; video?: Constraint }[] = [];
  const opened: FakeTrack[] = [];
  let deny = false;
  let hold: Promise<void> | null = null;
  const error = (name: string) => Object.assign(new Error(name), { name });
  const pick = (kind: 'audio' | 'video', constraint: Constraint | undefined) => {
    if (!constraint) return null;
    const wanted = typeof constraint === 'object' ? (constraint.deviceId?.exact ?? constraint.deviceId?.ideal) : undefined;
    const exact = typeof constraint === 'object' && !!constraint.deviceId?.exact;
    if (exact && !devices[kind].includes(wanted!)) throw error('NotFoundError');
    const id = wanted && devices[kind].includes(wanted) ? wanted : devices[kind][0];
    if (!id) throw error('NotFoundError');
    return new FakeTrack(kind, id);
  };
  const getUserMedia = async (constraints: { audio?: Constraint; video?: Constraint }) => {
    requests.push(constraints);
    if (hold) await hold;
    if (deny) throw error('NotAllowedError');
    const tracks = [pick('audio', constraints.audio), pick('video', constraints.video)].filter((t): t is FakeTrack => !!t);
    opened.push(...tracks);
    return {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
      getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    };
  };
  Object.defineProperty(globalThis, 'navigator', { value: { mediaDevices: { getUserMedia } }, configurable: true });
  return {
    requests,
    opened,
    deny: (value: boolean) => (deny = value),
    /** Keeps the next requests pending until the returned function is called. */
    hold: () => {
      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
  };
}

const id = (track: MediaStreamTrack | null) => (track as unknown as FakeTrack | null)?.deviceId;

afterEach(() => {
  Reflect.deleteProperty(globalThis, 'navigator');
});

describe(LocalTracks.name, () => {
  it('opens the camera and microphone together, on the remembered devices', async () => {
    const devices = fakeDevices({ audio: ['mic-1', 'mic-2'], video: ['cam-1', 'cam-2'] });
    const sut = new LocalTracks();
    await sut.start({ audio: 'mic-2', video: 'cam-2' });
    expect(devices.requests).toHaveLength(1);
    expect([id(sut.track('audio')), id(sut.track('video'))]).toEqual(['mic-2', 'cam-2']);
    expect([sut.micOn, sut.camOn, sut.problem]).toEqual([true, true, null]);
  });

  it('falls back to any device when the remembered one is gone, and says why a device is missing', async () => {
    fakeDevices({ audio: ['mic-1'], video: [] });
    const sut = new LocalTracks();
    await sut.start({ audio: 'unplugged', video: 'unplugged' });
    expect(id(sut.track('audio'))).toBe('mic-1');
    expect(sut.track('video')).toBeNull();
    expect(sut.problem).toMatch(/No camera found/);
  });

  it('mutes and unmutes the microphone without closing it', async () => {
    fakeDevices({ audio: ['mic-1'], video: ['cam-1'] });
    const sut = new LocalTracks();
    await sut.start();
    const mic = sut.track('audio');
    await sut.toggleMic();
    expect([sut.micOn, sut.track('audio')]).toEqual([false, mic]);
    await sut.toggleMic();
    expect(sut.micOn).toBe(true);
  });

  it('stops the camera when turned off (its light goes off) and opens it again when turned on', async () => {
    const devices = fakeDevices({ audio: ['mic-1'], video: ['cam-1'] });
    const sut = new LocalTracks();
    const tracks: (string | undefined)[] = [];
    sut.events.on('track', ({ kind, track }) => kind === 'video' && tracks.push(id(track)));
    await sut.start();
    const camera = sut.track('video') as unknown as FakeTrack;
    await sut.toggleCamera();
    expect(camera.stopped).toBe(true);
    expect(sut.camOn).toBe(false);
    await sut.toggleCamera('cam-1');
    expect(sut.camOn).toBe(true);
    expect(devices.opened.filter((t) => t.kind === 'video')).toHaveLength(2);
    expect(tracks).toEqual(['cam-1', undefined, 'cam-1']);
  });

  it('switches to a chosen device, stopping the old track, keeping a muted microphone muted', async () => {
    fakeDevices({ audio: ['mic-1', 'mic-2'], video: ['cam-1'] });
    const sut = new LocalTracks();
    await sut.start();
    const old = sut.track('audio') as unknown as FakeTrack;
    await sut.toggleMic();
    expect(await sut.use('audio', 'mic-2')).toBe(true);
    expect(id(sut.track('audio'))).toBe('mic-2');
    expect(old.stopped).toBe(true);
    expect(sut.micOn).toBe(false);
  });

  it('does not open a camera that is off when another one is picked', async () => {
    const devices = fakeDevices({ audio: ['mic-1'], video: ['cam-1', 'cam-2'] });
    const sut = new LocalTracks();
    await sut.start();
    await sut.toggleCamera();
    const asked = devices.requests.length;
    expect(await sut.use('video', 'cam-2')).toBe(true);
    expect(devices.requests).toHaveLength(asked);
    expect(sut.camOn).toBe(false);
  });

  it('keeps the current device and says why when the chosen one cannot be opened', async () => {
    const devices = fakeDevices({ audio: ['mic-1'], video: ['cam-1'] });
    const sut = new LocalTracks();
    await sut.start();
    const mic = sut.track('audio');
    expect(await sut.use('audio', 'mic-gone')).toBe(false);
    expect(sut.track('audio')).toBe(mic);
    expect(sut.problem).toMatch(/No microphone found/);
    devices.deny(true);
    expect(await sut.use('audio', 'mic-1')).toBe(false);
    expect(sut.problem).toMatch(/Access to your microphone is blocked/);
    devices.deny(false);
    expect(await sut.use('audio', 'mic-1')).toBe(true);
    expect(sut.problem).toBeNull();
  });

  it('after an unplug, takes whichever device the browser picks', async () => {
    fakeDevices({ audio: ['mic-1', 'mic-2'], video: ['cam-1'] });
    const sut = new LocalTracks();
    await sut.start({ audio: 'mic-2' });
    expect(await sut.use('audio', undefined)).toBe(true);
    expect(id(sut.track('audio'))).toBe('mic-1');
  });

  it('closes a device that finishes opening after stop()', async () => {
    const devices = fakeDevices({ audio: ['mic-1'], video: ['cam-1'] });
    const sut = new LocalTracks();
    await sut.start();
    await sut.toggleCamera();
    const release = devices.hold();
    const opening = sut.toggleCamera();
    sut.stop();
    release();
    await opening;
    expect(sut.track('video')).toBeNull();
    expect(devices.opened.filter((t) => t.kind === 'video').every((t) => t.stopped)).toBe(true);
    expect((devices.opened.find((t) => t.kind === 'audio') as FakeTrack).stopped).toBe(true);
  });

  describe('screen', () => {
    const share = () => {
      let onended = () => {};
      const sharing = {
        stopped: false,
        value: null as unknown as ScreenShare,
        end: () => onended(),
      };
      sharing.value = {
        track: {} as MediaStreamTrack,
        stream: {} as MediaStream,
        stop: () => (sharing.stopped = true),
      };
      const start = async (options: ShareOptions) => {
        onended = options.onended;
        return sharing.value;
      };
      return { sharing, start };
    };

    it('shares, reports it, and stops on request', async () => {
      fakeDevices({ audio: [], video: [] });
      const sut = new LocalTracks();
      const screens: unknown[] = [];
      sut.events.on('screen', (screen) => screens.push(screen));
      const { sharing, start } = share();
      expect(await sut.shareScreen(start)).toBeNull();
      expect(sut.screen).toBe(sharing.value);
      sut.stopScreen();
      expect(sharing.stopped).toBe(true);
      expect(screens).toEqual([sharing.value, null]);
    });

    it('notices the browser ending the share', async () => {
      const sut = new LocalTracks();
      const { sharing, start } = share();
      let ended = 0;
      await sut.shareScreen(start, () => ended++);
      sharing.end();
      expect(sut.screen).toBeNull();
      expect(ended).toBe(1);
    });

    it('says why no share started, and nothing when the person cancelled', async () => {
      const sut = new LocalTracks();
      expect(await sut.shareScreen(async () => ({ problem: 'unsupported' }))).toBe('This browser cannot share the screen.');
      expect(await sut.shareScreen(async () => ({ problem: 'failed' }))).toBe('Your screen could not be shared.');
      expect(await sut.shareScreen(async () => ({ problem: 'cancelled' }))).toBeNull();
      expect(sut.screen).toBeNull();
    });
  });
});
