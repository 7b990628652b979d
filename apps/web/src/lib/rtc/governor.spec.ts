import { jest } from '@jest/globals';
import {
  applyCaps,
  AUDIO_MAX_BITRATE,
  AUDIO_RESERVE,
  cameraScale,
  capsChanged,
  Governor,
  MAX_CAMERA_BITRATE,
  MIN_VIDEO_BITRATE,
  planCaps,
  PROBE_HEADROOM,
  UPLINK_CAP,
  uplinkBudget,
  type CapsPlan,
  type GovernedLink,
  type GovernedSender,
  type SenderRole,
} from './governor';

class FakeSender implements GovernedSender {
  encodings: RTCRtpEncodingParameters[] = [{ active: true }];
  degradationPreference: string | undefined;
  sets = 0;
  track = { getSettings: () => ({ height: 360 }) } as unknown as MediaStreamTrack;

  getParameters(): RTCRtpSendParameters {
    // Like the browser: a fresh copy every time.
    return { transactionId: 't', encodings: this.encodings.map((e) => ({ ...e })), codecs: [], headerExtensions: [], rtcp: {} };
  }

  async setParameters(parameters: RTCRtpSendParameters): Promise<void> {
    this.sets++;
    this.encodings = parameters.encodings;
    this.degradationPreference = (parameters as { degradationPreference?: string }).degradationPreference;
  }
}

function link(estimate: number | undefined, roles: SenderRole[] = ['audio', 'camera']) {
  const senders = roles.map((role) => ({ role, sender: new FakeSender() }));
  const governed: GovernedLink & { senders(): typeof senders } = {
    estimate: async () => estimate,
    senders: () => senders,
  };
  return governed;
}

const plenty = (n: number) => Array.from({ length: n }, () => 5_000_000);

describe('planCaps', () => {
  it('divides the uplink budget by the number of receivers, after reserving their audio', () => {
    for (const receivers of [2, 3, 4, 5]) {
      const plan = planCaps({ receivers, estimates: plenty(receivers), screen: false });
      expect(plan.budget).toBe(UPLINK_CAP);
      expect(plan.camera.maxBitrate).toBe(Math.round(Math.min(MAX_CAMERA_BITRATE, UPLINK_CAP / receivers - AUDIO_RESERVE)));
    }
  });

  it('gives each receiver more when someone leaves', () => {
    const four = planCaps({ receivers: 3, estimates: plenty(3), screen: false });
    const three = planCaps({ receivers: 2, estimates: plenty(2), screen: false });
    expect(three.camera.maxBitrate).toBeGreaterThan(four.camera.maxBitrate);
  });

  it('never lets one receiver take more than a 360p camera needs', () => {
    expect(planCaps({ receivers: 1, estimates: plenty(1), screen: false }).camera.maxBitrate).toBe(MAX_CAMERA_BITRATE);
  });

  it('takes the budget from the estimates, with probing headroom, within the cap', () => {
    expect(uplinkBudget([400_000, 600_000])).toBe(1_000_000 * PROBE_HEADROOM);
    expect(uplinkBudget([9e6, 9e6])).toBe(UPLINK_CAP);
    expect(uplinkBudget([])).toBe(UPLINK_CAP);
    expect(uplinkBudget([undefined, undefined])).toBe(UPLINK_CAP);
    // A link without an estimate yet counts like the average of the others.
    expect(uplinkBudget([500_000, undefined])).toBe(1_000_000 * PROBE_HEADROOM);
    expect(uplinkBudget([NaN, 0, 800_000])).toBe(UPLINK_CAP);
  });

  it('scales the camera down as the budget shrinks', () => {
    const scales = [2_000_000, 900_000, 250_000, 120_000, 50_000].map(
      (estimate) => planCaps({ receivers: 2, estimates: [estimate, estimate], screen: false }).camera.scaleResolutionDownBy,
    );
    expect(scales).toEqual([1, 1, 2, 4, 4]);
    for (let i = 1; i < scales.length; i++) expect(scales[i]).toBeGreaterThanOrEqual(scales[i - 1]!);
  });

  it('keeps audio at full rate however low the budget goes', () => {
    const plan = planCaps({ receivers: 5, estimates: [50_000, 50_000, 50_000, 50_000, 50_000], screen: true });
    expect(plan.audio.maxBitrate).toBe(AUDIO_MAX_BITRATE);
    expect(plan.camera.maxBitrate).toBe(MIN_VIDEO_BITRATE);
    expect(plan.camera.scaleResolutionDownBy).toBe(4);
  });

  it('gives a screen share most of the video budget, at full resolution', () => {
    const plan = planCaps({ receivers: 2, estimates: plenty(2), screen: true });
    expect(plan.screen.maxBitrate).toBeGreaterThan(plan.camera.maxBitrate);
    expect(plan.screen.scaleResolutionDownBy).toBe(1);
    const screenOnly = planCaps({ receivers: 2, estimates: plenty(2), screen: true, camera: false });
    expect(screenOnly.screen.maxBitrate).toBeGreaterThan(plan.screen.maxBitrate);
  });

  it('scales relative to the camera’s own height', () => {
    expect(cameraScale(1_200_000, 720)).toBe(1);
    expect(cameraScale(500_000, 720)).toBe(2);
    expect(cameraScale(500_000, 360)).toBe(1);
    expect(cameraScale(100_000, 180)).toBe(2);
    expect(cameraScale(100_000, 60)).toBe(1);
  });

  it('does not scale back up until the budget is clearly above the threshold', () => {
    expect(cameraScale(360_000, 360, 2)).toBe(2);
    expect(cameraScale(420_000, 360, 2)).toBe(1);
    expect(cameraScale(140_000, 360, 2)).toBe(4);
  });
});

describe('capsChanged', () => {
  it('ignores small changes of bitrate but not of resolution', () => {
    expect(capsChanged({ maxBitrate: 1_000_000, scaleResolutionDownBy: 1 }, { maxBitrate: 1_030_000, scaleResolutionDownBy: 1 })).toBe(false);
    expect(capsChanged({ maxBitrate: 1_000_000, scaleResolutionDownBy: 1 }, { maxBitrate: 1_100_000, scaleResolutionDownBy: 1 })).toBe(true);
    expect(capsChanged({ maxBitrate: 1_000_000, scaleResolutionDownBy: 1 }, { maxBitrate: 1_000_000, scaleResolutionDownBy: 2 })).toBe(true);
    expect(capsChanged({}, { maxBitrate: 1 })).toBe(true);
    expect(capsChanged(undefined, { maxBitrate: 1 })).toBe(true);
  });
});

describe('applyCaps', () => {
  const plan: CapsPlan = planCaps({ receivers: 3, estimates: plenty(3), screen: true });

  it('caps video, keeps audio high priority, and keeps a screen share sharp', async () => {
    const audio = new FakeSender();
    const camera = new FakeSender();
    const screen = new FakeSender();
    await applyCaps(audio, 'audio', plan);
    await applyCaps(camera, 'camera', plan);
    await applyCaps(screen, 'screen', plan);
    expect(audio.encodings[0]).toMatchObject({ maxBitrate: AUDIO_MAX_BITRATE, priority: 'high', networkPriority: 'high' });
    expect(camera.encodings[0]).toMatchObject({ ...plan.camera, priority: 'low' });
    expect(screen.encodings[0]).toMatchObject({ ...plan.screen, priority: 'low' });
    expect(screen.degradationPreference).toBe('maintain-resolution');
  });

  it('does nothing before negotiation, or when nothing changed', async () => {
    const early = new FakeSender();
    early.encodings = [];
    expect(await applyCaps(early, 'camera', plan)).toBe(false);
    const sender = new FakeSender();
    expect(await applyCaps(sender, 'camera', plan)).toBe(true);
    expect(await applyCaps(sender, 'camera', plan)).toBe(false);
    expect(sender.sets).toBe(1);
  });

  it('survives a failing setParameters', async () => {
    const sender = new FakeSender();
    sender.setParameters = () => Promise.reject(new Error('InvalidModificationError'));
    const warn = console.warn;
    console.warn = () => {};
    try {
      expect(await applyCaps(sender, 'camera', plan)).toBe(false);
    } finally {
      console.warn = warn;
    }
  });
});

describe(Governor.name, () => {
  const cameraCap = (l: ReturnType<typeof link>) => (l.senders().find((s) => s.role === 'camera')!.sender as FakeSender).encodings[0]!.maxBitrate;

  it('recomputes on join and leave: three receivers get a third each, two get a half', async () => {
    let links = [link(5e6), link(5e6), link(5e6)];
    const sut = new Governor({ links: () => links, sharing: () => false });
    await sut.update();
    const forThree = planCaps({ receivers: 3, estimates: plenty(3), screen: false }).camera.maxBitrate;
    for (const l of links) expect(cameraCap(l)).toBe(forThree);

    links = links.slice(0, 2);
    await sut.update();
    const forTwo = planCaps({ receivers: 2, estimates: plenty(2), screen: false }).camera.maxBitrate;
    expect(forTwo).toBeGreaterThan(forThree);
    for (const l of links) expect(cameraCap(l)).toBe(forTwo);
  });

  it('follows a falling estimate', async () => {
    let estimate = 5e6;
    const l = link(undefined);
    l.estimate = async () => estimate;
    const sut = new Governor({ links: () => [l], sharing: () => false });
    await sut.update();
    expect(cameraCap(l)).toBe(MAX_CAMERA_BITRATE);
    estimate = 200_000;
    await sut.update();
    expect(cameraCap(l)).toBe(Math.round(200_000 * PROBE_HEADROOM - AUDIO_RESERVE));
    expect(sut.plan?.camera.scaleResolutionDownBy).toBe(2);
  });

  it('folds overlapping updates into one more round', async () => {
    let rounds = 0;
    const l = link(5e6);
    const estimate = l.estimate;
    l.estimate = () => {
      rounds++;
      return estimate();
    };
    const sut = new Governor({ links: () => [l], sharing: () => false });
    await Promise.all([sut.update(), sut.update(), sut.update()]);
    expect(rounds).toBe(2);
  });

  it('runs every interval until stopped', async () => {
    jest.useFakeTimers();
    try {
      const l = link(5e6);
      let rounds = 0;
      const sut = new Governor({ links: () => [l], sharing: () => false, intervalMs: 1000, onplan: () => rounds++ });
      sut.start();
      await jest.advanceTimersByTimeAsync(3100);
      expect(rounds).toBe(4);
      sut.stop();
      await jest.advanceTimersByTimeAsync(3000);
      expect(rounds).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
