/**
 * The mesh bandwidth governor. In a mesh every person uploads their video once per receiver, so
 * the uplink, not the downlink, runs out first. The governor splits an uplink budget between the
 * receivers, lowers the resolution before the picture turns to mush, and keeps audio untouched.
 *
 * `planCaps` is the pure rule; `Governor` measures, applies the plan to the senders and repeats.
 */
import { collect, outgoingEstimate } from './stats';

/** What one link sends, by role: the camera and a screen share are both video. */
export type SenderRole = 'audio' | 'camera' | 'screen';

/** The most a home uplink is trusted with, whatever the estimate says (bits per second). */
export const UPLINK_CAP = 2_500_000;
/** Kept aside for each receiver's audio before video gets anything: audio keeps priority. */
export const AUDIO_RESERVE = 48_000;
/** Opus at this rate is clear speech with room for music; never lowered. */
export const AUDIO_MAX_BITRATE = 40_000;
/** Below this a video stream is not worth much, so it is the floor. */
export const MIN_VIDEO_BITRATE = 60_000;
/** A 360p camera gains nothing above this. */
export const MAX_CAMERA_BITRATE = 1_200_000;
/** A screen share may use more: text needs sharp frames. */
export const MAX_SCREEN_BITRATE = 2_000_000;
/** The share of the video budget that a screen share gets while the camera is also on. */
export const SCREEN_SHARE = 0.7;
/**
 * The estimate only grows about as far as what is sent, so the budget may exceed it by this much;
 * otherwise a passing dip would lower the caps for good.
 */
export const PROBE_HEADROOM = 1.25;
/** How often the caps are recomputed, besides on every join and leave. */
export const GOVERNOR_INTERVAL_MS = 4000;
/** Changes smaller than this are not worth a `setParameters`. */
const MIN_CHANGE = 0.05;

export interface PlanInput {
  /** How many people receive this browser's media: N−1. */
  receivers: number;
  /** Each link's `availableOutgoingBitrate` (bps), or `undefined` while it is not known. */
  estimates: readonly (number | undefined)[];
  /** Whether a screen share is being sent. */
  screen: boolean;
  /** Whether the camera is being sent. */
  camera?: boolean;
  /** The camera's frame height, for the resolution ladder. */
  cameraHeight?: number;
  /** The last plan, so the resolution does not flap around a threshold. */
  previous?: CapsPlan | null;
}

export interface EncodingCaps {
  maxBitrate: number;
  scaleResolutionDownBy: number;
}

/** What every link's senders are set to. */
export interface CapsPlan {
  /** The whole uplink budget the plan spends (bps). */
  budget: number;
  /** Per link: its audio never shrinks. */
  audio: { maxBitrate: number };
  camera: EncodingCaps;
  screen: EncodingCaps;
}

/** The uplink budget: the links' estimates together, with probing headroom, within the cap. */
export function uplinkBudget(estimates: readonly (number | undefined)[]): number {
  const known = estimates.filter((e): e is number => typeof e === 'number' && Number.isFinite(e) && e > 0);
  if (known.length === 0) return UPLINK_CAP;
  const total = known.reduce((sum, e) => sum + e, 0);
  // Links that have no estimate yet are counted at the average of those that do.
  const scaled = (total / known.length) * estimates.length;
  return Math.round(Math.min(UPLINK_CAP, scaled * PROBE_HEADROOM));
}

/** The tallest frame worth sending at `bitrate`. */
export function maxHeightFor(bitrate: number): number {
  if (bitrate >= 1_000_000) return 720;
  if (bitrate >= 350_000) return 360;
  if (bitrate >= 150_000) return 180;
  return 90;
}

/**
 * How much to scale the camera down at `bitrate`. Going back up needs 15 % more than the threshold,
 * so the picture does not jump between sizes when the budget hovers around one.
 */
export function cameraScale(bitrate: number, sourceHeight = 360, previousScale?: number): number {
  const scale = (rate: number) => Math.max(1, sourceHeight / maxHeightFor(rate));
  const next = scale(bitrate);
  if (previousScale !== undefined && next < previousScale && scale(bitrate / 1.15) >= previousScale) return previousScale;
  return next;
}

const clamp = (value: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, value)));

/** The caps for every link's senders: the uplink budget divided by N−1, audio first. */
export function planCaps(input: PlanInput): CapsPlan {
  const receivers = Math.max(1, input.receivers);
  const budget = uplinkBudget(input.estimates);
  const perReceiver = Math.max(0, budget / receivers - AUDIO_RESERVE);
  const camera = input.camera ?? true;
  const screenShare = input.screen ? (camera ? perReceiver * SCREEN_SHARE : perReceiver) : 0;
  const cameraShare = perReceiver - screenShare;
  const cameraBitrate = clamp(cameraShare, MIN_VIDEO_BITRATE, MAX_CAMERA_BITRATE);
  return {
    budget,
    audio: { maxBitrate: AUDIO_MAX_BITRATE },
    camera: {
      maxBitrate: cameraBitrate,
      scaleResolutionDownBy: cameraScale(cameraBitrate, input.cameraHeight, input.previous?.camera.scaleResolutionDownBy),
    },
    // A shared screen keeps its resolution and gives up frame rate instead (see `degradationPreference`).
    screen: { maxBitrate: clamp(screenShare, MIN_VIDEO_BITRATE * 2, MAX_SCREEN_BITRATE), scaleResolutionDownBy: 1 },
  };
}

/** Whether `next` differs from `current` enough to be worth applying. */
export function capsChanged(current: Partial<EncodingCaps> | undefined, next: Partial<EncodingCaps>): boolean {
  if (!current) return true;
  if ((current.scaleResolutionDownBy ?? 1) !== (next.scaleResolutionDownBy ?? 1)) return true;
  if (next.maxBitrate === undefined) return false;
  if (current.maxBitrate === undefined) return true;
  return Math.abs(next.maxBitrate - current.maxBitrate) / current.maxBitrate > MIN_CHANGE;
}

/** The parts of a sender the governor touches; a real `RTCRtpSender` fits. */
export interface GovernedSender {
  readonly track: MediaStreamTrack | null;
  getParameters(): RTCRtpSendParameters;
  setParameters(parameters: RTCRtpSendParameters): Promise<void>;
}

/** One link as the governor sees it. */
export interface GovernedLink {
  /** The selected candidate pair's `availableOutgoingBitrate`, when the browser reports one. */
  estimate(): Promise<number | undefined>;
  senders(): { role: SenderRole; sender: GovernedSender }[];
}

export interface GovernorOptions {
  links(): GovernedLink[];
  /** Whether a screen share is being sent right now. */
  sharing(): boolean;
  /** Whether the camera is being sent right now. */
  cameraOn?(): boolean;
  intervalMs?: number;
  onplan?(plan: CapsPlan): void;
}

/** Reads `availableOutgoingBitrate` from a connection's selected candidate pair. */
export async function readOutgoingEstimate(pc: RTCPeerConnection): Promise<number | undefined> {
  return outgoingEstimate(collect(await pc.getStats()));
}

/**
 * Applies `planCaps` to every link: on `update()` (a join or a leave, a share starting or
 * stopping) and every few seconds while running.
 */
export class Governor {
  #timer: ReturnType<typeof setInterval> | undefined;
  #plan: CapsPlan | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  readonly #options: GovernorOptions;

  constructor(options: GovernorOptions) {
    this.#options = options;
  }

  get plan(): CapsPlan | null {
    return this.#plan;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.update(), this.#options.intervalMs ?? GOVERNOR_INTERVAL_MS);
    void this.update();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Recomputes and applies the caps; calls that arrive meanwhile are folded into one more round. */
  update(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#round();
      } while (this.#again);
    })().finally(() => (this.#running = null));
    return this.#running;
  }

  async #round(): Promise<void> {
    const links = this.#options.links();
    if (links.length === 0) return;
    const estimates = await Promise.all(links.map((link) => link.estimate().catch(() => undefined)));
    const cameraHeight = links
      .flatMap((link) => link.senders())
      .find((s) => s.role === 'camera' && s.sender.track)
      ?.sender.track?.getSettings?.().height;
    const plan = planCaps({
      receivers: links.length,
      estimates,
      screen: this.#options.sharing(),
      camera: this.#options.cameraOn?.() ?? true,
      cameraHeight,
      previous: this.#plan,
    });
    this.#plan = plan;
    await Promise.all(links.flatMap((link) => link.senders().map(({ role, sender }) => applyCaps(sender, role, plan))));
    this.#options.onplan?.(plan);
  }
}

/** Sets one sender's first encoding to the plan, when it changed enough. */
export async function applyCaps(sender: GovernedSender, role: SenderRole, plan: CapsPlan): Promise<boolean> {
  const parameters = sender.getParameters();
  const encoding = parameters.encodings?.[0];
  // Before negotiation there are no encodings to set.
  if (!encoding) return false;
  const next: Partial<EncodingCaps> & { priority: RTCPriorityType } =
    role === 'audio' ? { maxBitrate: plan.audio.maxBitrate, priority: 'high' } : { ...plan[role], priority: 'low' };
  const current = encoding as Partial<EncodingCaps> & { priority?: RTCPriorityType; networkPriority?: RTCPriorityType };
  if (!capsChanged(current, next) && current.priority === next.priority) return false;
  Object.assign(encoding, next, { networkPriority: next.priority });
  if (role === 'audio') delete (encoding as { scaleResolutionDownBy?: number }).scaleResolutionDownBy;
  if (role === 'screen') parameters.degradationPreference = 'maintain-resolution';
  try {
    await sender.setParameters(parameters);
    return true;
  } catch (error) {
    // A renegotiation between get and set invalidates the parameters; the next round retries.
    console.warn(`[governor] could not cap the ${role} sender`, error);
    return false;
  }
}
