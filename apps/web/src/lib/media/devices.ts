/**
 * Cameras, microphones and speakers: listing them, remembering the person's choice, and noticing
 * when one is plugged in or out. Opening a device is `LocalTracks`' job (one path for turning it on,
 * picking another and recovering from an unplug); the transport then sends the new track with
 * `RTCRtpSender.replaceTrack`, so nothing renegotiates.
 */

export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';
export const DEVICE_KINDS: readonly DeviceKind[] = ['videoinput', 'audioinput', 'audiooutput'];

export interface Device {
  deviceId: string;
  /** The browser's name for it; empty before permission, when the picker names it by `number`. */
  label: string;
  groupId: string;
  /** Its place in the list of its kind, from 1. */
  number: number;
}

export type DeviceLists = Record<DeviceKind, Device[]>;

/** A remembered choice: the label finds the device again when its id changed. */
export interface DeviceChoice {
  deviceId: string;
  label: string;
}

export type DeviceChoices = Partial<Record<DeviceKind, DeviceChoice>>;

export const DEVICES_KEY = 'parley.devices';

type Storage = Pick<globalThis.Storage, 'getItem' | 'setItem'>;

function defaultStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function loadChoices(storage: Storage | null = defaultStorage()): DeviceChoices {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(DEVICES_KEY) ?? '{}');
    if (!parsed || typeof parsed !== 'object') return {};
    const choices: DeviceChoices = {};
    for (const kind of DEVICE_KINDS) {
      const choice = (parsed as Record<string, unknown>)[kind] as Partial<DeviceChoice> | undefined;
      if (typeof choice?.deviceId === 'string' && typeof choice.label === 'string') {
        choices[kind] = { deviceId: choice.deviceId, label: choice.label };
      }
    }
    return choices;
  } catch {
    return {};
  }
}

export function saveChoice(kind: DeviceKind, device: DeviceChoice, storage: Storage | null = defaultStorage()): void {
  try {
    storage?.setItem(DEVICES_KEY, JSON.stringify({ ...loadChoices(storage), [kind]: { deviceId: device.deviceId, label: device.label } }));
  } catch {
    // Private mode may refuse storage; the choice then lasts only for this page.
  }
}

/**
 * Sorts `enumerateDevices()` by kind, numbering each kind's devices: before permission, labels are
 * empty, and the picker shows "Camera 2" in the person's language. An empty device id (no
 * permission yet in some browsers) is kept as the default.
 */
export function groupDevices(infos: readonly Pick<MediaDeviceInfo, 'kind' | 'deviceId' | 'label' | 'groupId'>[]): DeviceLists {
  const lists: DeviceLists = { videoinput: [], audioinput: [], audiooutput: [] };
  for (const info of infos) {
    const list = lists[info.kind as DeviceKind];
    if (!list || list.some((d) => d.deviceId === info.deviceId)) continue;
    list.push({ deviceId: info.deviceId, label: info.label, groupId: info.groupId, number: list.length + 1 });
  }
  return lists;
}

/**
 * The device to use: the remembered one (by id, then by label), else none (the browser's default).
 * An empty label names no device in particular.
 */
export function pickDevice(devices: readonly Device[], choice: DeviceChoice | undefined): Device | undefined {
  if (!choice) return undefined;
  return devices.find((d) => d.deviceId === choice.deviceId) ?? (choice.label ? devices.find((d) => d.label === choice.label) : undefined);
}

/**
 * Constraints for one input device: `strict` asks for exactly that device (a remembered one, or
 * one picked just now), and the caller falls back to any device when it is gone (see
 * `acquireRemembered`); otherwise the id is only a preference.
 */
export function deviceConstraints(
  base: MediaTrackConstraints | boolean,
  deviceId: string | undefined,
  strict = false,
): MediaTrackConstraints | boolean {
  if (!deviceId) return base;
  return { ...(typeof base === 'object' ? base : {}), deviceId: strict ? { exact: deviceId } : { ideal: deviceId } };
}

/** Whether this browser can send audio to a chosen speaker (`setSinkId`). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** Plays `element` through the chosen speaker, where the browser can; `false` when it could not. */
export async function applySpeaker(element: HTMLMediaElement, deviceId: string | undefined): Promise<boolean> {
  const withSink = element as HTMLMediaElement & { setSinkId?(id: string): Promise<void>; sinkId?: string };
  if (!withSink.setSinkId || deviceId === undefined || withSink.sinkId === deviceId) return false;
  try {
    await withSink.setSinkId(deviceId);
    return true;
  } catch (error) {
    console.warn('[devices] could not switch the speaker', error);
    return false;
  }
}

/** Lists the devices, or none where the browser cannot (no secure context). */
export async function listDevices(): Promise<DeviceLists> {
  if (!navigator.mediaDevices?.enumerateDevices) return groupDevices([]);
  try {
    return groupDevices(await navigator.mediaDevices.enumerateDevices());
  } catch {
    return groupDevices([]);
  }
}

/** Calls `onchange` when a device is plugged in or out; returns the function that stops watching. */
export function watchDevices(onchange: () => void): () => void {
  const devices = navigator.mediaDevices;
  if (!devices?.addEventListener) return () => {};
  devices.addEventListener('devicechange', onchange);
  return () => devices.removeEventListener('devicechange', onchange);
}

/** The id of the device a live track comes from. */
export function trackDeviceId(track: MediaStreamTrack | null | undefined): string | undefined {
  return track?.getSettings?.().deviceId;
}

/**
 * After a hot-plug: whether the device in use is gone, so the caller should move to another. A track
 * whose device was unplugged usually ends by itself too.
 */
export function lostDevice(devices: readonly Device[], track: MediaStreamTrack | null | undefined): boolean {
  if (!track) return false;
  if (track.readyState === 'ended') return true;
  const id = trackDeviceId(track);
  return id !== undefined && devices.length > 0 && !devices.some((d) => d.deviceId === id);
}
