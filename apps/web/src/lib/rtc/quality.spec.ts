import { classify, formatBitrate, formatPath, readQuality, type QualitySample } from './quality';

type Stat = { id: string; type: string; [field: string]: unknown };

/** A Chromium-shaped report: transport, selected pair, its candidates, inbound audio and video, a codec. */
function report(overrides: { at: number; bytesIn: number; bytesOut: number; received: number; lost: number }, extra: Stat[] = []) {
  const stats: Stat[] = [
    { id: 'T01', type: 'transport', timestamp: overrides.at, selectedCandidatePairId: 'CP1' },
    {
      id: 'CP1',
      type: 'candidate-pair',
      timestamp: overrides.at,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: 0.042,
      bytesReceived: overrides.bytesIn,
      bytesSent: overrides.bytesOut,
      availableOutgoingBitrate: 1_500_000,
    },
    { id: 'CP2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', state: 'failed' },
    { id: 'L1', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' },
    { id: 'R1', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp' },
    { id: 'COV', type: 'codec', mimeType: 'video/VP8' },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      codecId: 'COV',
      frameWidth: 640,
      frameHeight: 360,
      framesPerSecond: 23.7,
      jitter: 0.012,
      bytesReceived: overrides.bytesIn - 1000,
      packetsReceived: overrides.received,
      packetsLost: overrides.lost,
    },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', jitter: 0.004, packetsReceived: 0, packetsLost: 0 },
    ...extra,
  ];
  return new Map(stats.map((s) => [s.id, s]));
}

describe('readQuality', () => {
  const first = readQuality(report({ at: 10_000, bytesIn: 100_000, bytesOut: 50_000, received: 1000, lost: 0 }));
  const second = readQuality(report({ at: 12_000, bytesIn: 350_000, bytesOut: 175_000, received: 1196, lost: 4 }), first);

  it('reads RTT, jitter, resolution, fps, codec and path from one report', () => {
    expect(first).toMatchObject({
      rtt: 42,
      jitter: 12,
      width: 640,
      height: 360,
      fps: 24,
      codec: 'VP8',
      path: { kind: 'direct', transport: 'udp', localType: 'host', remoteType: 'srflx' },
    });
    expect(first.bitrateIn).toBeUndefined();
    expect(first.lossPercent).toBeUndefined();
  });

  it('computes rates and loss from two reports', () => {
    expect(second.bitrateIn).toBe(1_000_000);
    expect(second.bitrateOut).toBe(500_000);
    expect(second.lossPercent).toBe(2);
  });

  it('counts what the other side lost of ours', () => {
    const withRemote = readQuality(
      report({ at: 12_000, bytesIn: 350_000, bytesOut: 175_000, received: 1196, lost: 0 }, [
        { id: 'RIV', type: 'remote-inbound-rtp', kind: 'video', fractionLost: 0.1, roundTripTime: 0.3 },
      ]),
      first,
    );
    expect(withRemote.lossPercent).toBe(10);
    // The candidate pair's RTT wins over RTCP's.
    expect(withRemote.rtt).toBe(42);
  });

  it('never reports negative rates after counters reset', () => {
    const reset = readQuality(report({ at: 14_000, bytesIn: 10, bytesOut: 10, received: 1, lost: 0 }), second);
    expect(reset.bitrateIn).toBe(0);
    expect(reset.bitrateOut).toBe(0);
    expect(reset.lossPercent).toBe(0);
  });

  it('copes with an empty report', () => {
    const empty = readQuality(new Map());
    expect(empty.rtt).toBeUndefined();
    expect(empty.path).toBeUndefined();
    expect(classify(empty)).toBe('unknown');
  });
});

describe('classify', () => {
  const sample = (fields: Partial<QualitySample>): QualitySample => ({
    at: 0,
    counters: { at: 0, bytesIn: 0, bytesOut: 0, received: 0, lost: 0 },
    ...fields,
  });

  it('says good for a healthy link', () => {
    expect(classify(sample({ rtt: 40, lossPercent: 0, jitter: 5, bitrateIn: 800_000 }), { expectVideo: true })).toBe('good');
  });

  it('takes the worst of the numbers', () => {
    expect(classify(sample({ rtt: 300, lossPercent: 0, jitter: 5 }))).toBe('fair');
    expect(classify(sample({ rtt: 40, lossPercent: 4 }))).toBe('fair');
    expect(classify(sample({ rtt: 40, lossPercent: 12 }))).toBe('poor');
    expect(classify(sample({ rtt: 40, jitter: 100 }))).toBe('poor');
    expect(classify(sample({ rtt: 600 }))).toBe('poor');
  });

  it('counts a starved video stream only when video is expected', () => {
    expect(classify(sample({ rtt: 40, bitrateIn: 30_000 }), { expectVideo: true })).toBe('poor');
    expect(classify(sample({ rtt: 40, bitrateIn: 100_000 }), { expectVideo: true })).toBe('fair');
    expect(classify(sample({ rtt: 40, bitrateIn: 30_000 }))).toBe('good');
  });

  it('says unknown before anything was measured', () => {
    expect(classify(null)).toBe('unknown');
    expect(classify(sample({}))).toBe('unknown');
  });
});

describe('formatting', () => {
  it('formats bitrates and paths for people', () => {
    expect(formatBitrate(1_234_000)).toBe('1.2 Mbps');
    expect(formatBitrate(640_400)).toBe('640 kbps');
    expect(formatBitrate(undefined)).toBe('–');
    expect(formatPath({ kind: 'relay', transport: 'tcp', localType: 'relay', remoteType: 'host' })).toBe('Relayed through TURN (TCP)');
    expect(formatPath({ kind: 'direct', transport: 'udp', localType: 'host', remoteType: 'host' })).toBe('Direct (UDP)');
  });
});
