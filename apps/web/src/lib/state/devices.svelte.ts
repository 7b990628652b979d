import {
  canChooseSpeaker,
  groupDevices,
  listDevices,
  loadChoices,
  lostDevice,
  pickDevice,
  saveChoice,
  trackDeviceId,
  watchDevices,
  type DeviceKind,
  type DeviceLists,
} from '../media/devices';

export type InputKind = 'audio' | 'video';

const inputOf: Record<InputKind, DeviceKind> = { audio: 'audioinput', video: 'videoinput' };

export interface DeviceStateOptions {
  /** Restarts the track of `kind` on `deviceId` (exact) and sends it with `replaceTrack`; `false` on failure. */
  switchInput(kind: InputKind, deviceId: string | undefined): Promise<boolean>;
  /** The live track of `kind`, to tell which device is in use. */
  track(kind: InputKind): MediaStreamTrack | null;
}

/** The devices to choose from and the ones chosen, kept up to date when devices come and go. */
export class DeviceState {
  lists = $state.raw<DeviceLists>(groupDevices([]));
  /** The chosen device of each kind; undefined means the browser's default. */
  audioinput = $state<string | undefined>();
  videoinput = $state<string | undefined>();
  audiooutput = $state<string | undefined>();
  readonly speakerSupported = canChooseSpeaker();

  readonly #options: DeviceStateOptions;
  #stopWatching: () => void = () => {};

  constructor(options: DeviceStateOptions) {
    this.#options = options;
    const choices = loadChoices();
    this.audiooutput = choices.audiooutput?.deviceId;
  }

  /** The remembered input to open first; only a hint, so an unplugged device falls back to another. */
  preferred(kind: InputKind): string | undefined {
    return loadChoices()[inputOf[kind]]?.deviceId;
  }

  /** Starts listening for hot-plug; lists the devices now. */
  watch(): void {
    this.#stopWatching();
    this.#stopWatching = watchDevices(() => void this.#onDeviceChange());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const lists = await listDevices();
    this.lists = lists;
    const choices = loadChoices();
    for (const kind of ['audio', 'video'] as const) {
      this[inputOf[kind]] = trackDeviceId(this.#options.track(kind)) ?? pickDevice(lists[inputOf[kind]], choices[inputOf[kind]])?.deviceId;
    }
    const speaker = pickDevice(lists.audiooutput, choices.audiooutput);
    this.audiooutput = speaker?.deviceId ?? (lists.audiooutput.length ? undefined : this.audiooutput);
  }

  /** The person picked a device: switch to it and remember it. */
  async choose(kind: DeviceKind, deviceId: string): Promise<void> {
    const device = this.lists[kind].find((d) => d.deviceId === deviceId);
    if (kind === 'audiooutput') {
      this.audiooutput = deviceId;
    } else {
      const input: InputKind = kind === 'audioinput' ? 'audio' : 'video';
      const previous = this[kind];
      this[kind] = deviceId;
      if (!(await this.#options.switchInput(input, deviceId))) {
        this[kind] = previous;
        return;
      }
    }
    if (device) saveChoice(kind, device);
  }

  destroy(): void {
    this.#stopWatching();
  }

  async #onDeviceChange(): Promise<void> {
    await this.refresh();
    for (const kind of ['audio', 'video'] as const) {
      const track = this.#options.track(kind);
      // The device in use was unplugged: carry on with whatever the browser picks now.
      if (lostDevice(this.lists[inputOf[kind]], track)) await this.#options.switchInput(kind, undefined);
    }
  }
}
