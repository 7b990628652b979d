/**
 * Link quality from `getStats()`: the numbers a person can read in a tile's details, and one word
 * for the badge. Rates need two reports, so each sample keeps the counters the next one needs.
 */
import { m } from '../../paraglide/messages.js';
import { collect, describePath, inbound, max, num, outbound, selectedPair, str, sum, type MediaPath, type StatsLike } from './stats';

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

export interface QualitySample {
  /** When the report was taken (ms, the stats' own clock). */
  at: number;
  /** Round trip time (ms). */
  rtt?: number;
  /** Packets lost, in either direction, over the last interval (%). */
  lossPercent?: number;
  /** Jitter of the incoming media (ms). */
  jitter?: number;
  /** Bits per second received and sent on the link. */
  bitrateIn?: number;
  bitrateOut?: number;
  /** The incoming video. */
  width?: number;
  height?: number;
  fps?: number;
  codec?: string;
  path?: MediaPath;
  /** Counters for the next sample's rates. */
  counters: Counters;
}

interface Counters {
  at: number;
  bytesIn: number;
  bytesOut: number;
  received: number;
  lost: number;
}

/** Reads one stats report into a sample; `previous` (the last sample of the same link) gives rates. */
export function readQuality(report: StatsLike, previous?: QualitySample | null): QualitySample {
  const stats = collect(report);
  const byId = new Map(stats.map((s) => [s.id, s]));
  const pair = selectedPair(stats);
  const timestamps = stats.map((s) => num(s.timestamp)).filter((t): t is number => t !== undefined);
  const at = num(pair?.timestamp) ?? (timestamps.length ? Math.max(...timestamps) : Date.now());

  const incoming = inbound(stats);
  const remoteInbound = stats.filter((s) => s.type === 'remote-inbound-rtp');
  const video = inbound(stats, 'video').sort((a, b) => (num(b.bytesReceived) ?? 0) - (num(a.bytesReceived) ?? 0))[0];

  const counters: Counters = {
    at,
    bytesIn: num(pair?.bytesReceived) ?? sum(incoming, 'bytesReceived'),
    bytesOut: num(pair?.bytesSent) ?? sum(outbound(stats), 'bytesSent'),
    received: sum(incoming, 'packetsReceived'),
    lost: sum(incoming, 'packetsLost'),
  };

  const sample: QualitySample = { at, counters };
  const rttSeconds = num(pair?.currentRoundTripTime) ?? max(remoteInbound, 'roundTripTime');
  if (rttSeconds !== undefined) sample.rtt = Math.round(rttSeconds * 1000);
  const jitter = max(incoming, 'jitter');
  if (jitter !== undefined) sample.jitter = Math.round(jitter * 1000);

  if (video) {
    sample.width = num(video.frameWidth);
    sample.height = num(video.frameHeight);
    const fps = num(video.framesPerSecond);
    if (fps !== undefined) sample.fps = Math.round(fps);
    const codec = str(byId.get(str(video.codecId) ?? '')?.mimeType);
    if (codec) sample.codec = codec.replace(/^video\//i, '');
  }
  sample.path = describePath(stats, pair);

  // What the others report about our outgoing media, as a fraction of the last report interval.
  const outgoingLoss = max(remoteInbound, 'fractionLost');
  const prev = previous?.counters;
  const elapsed = prev ? (at - prev.at) / 1000 : 0;
  if (prev && elapsed > 0) {
    sample.bitrateIn = Math.max(0, Math.round(((counters.bytesIn - prev.bytesIn) * 8) / elapsed));
    sample.bitrateOut = Math.max(0, Math.round(((counters.bytesOut - prev.bytesOut) * 8) / elapsed));
    const lost = Math.max(0, counters.lost - prev.lost);
    const received = Math.max(0, counters.received - prev.received);
    const incomingLoss = lost + received > 0 ? (lost / (lost + received)) * 100 : 0;
    sample.lossPercent = round1(Math.max(incomingLoss, (outgoingLoss ?? 0) * 100));
  } else if (outgoingLoss !== undefined) {
    sample.lossPercent = round1(outgoingLoss * 100);
  }
  return sample;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

/** Where each number turns a link from good to fair, and from fair to poor. */
export const THRESHOLDS = {
  rtt: [250, 500],
  lossPercent: [2, 8],
  jitter: [30, 80],
  /** Incoming video below these rates looks soft, then breaks up (bps). */
  videoBitrate: [150_000, 50_000],
} as const;

export interface ClassifyOptions {
  /** Whether video should be arriving (the other person's camera is on). */
  expectVideo?: boolean;
}

/** One word for the badge: the worst of RTT, loss, jitter and, when video is expected, its bitrate. */
export function classify(sample: QualitySample | null | undefined, { expectVideo = false }: ClassifyOptions = {}): QualityLevel {
  if (!sample || (sample.rtt === undefined && sample.bitrateIn === undefined && sample.lossPercent === undefined)) return 'unknown';
  let level = 0;
  const above = (value: number | undefined, [fair, poor]: readonly [number, number]) => {
    if (value === undefined) return;
    level = Math.max(level, value > poor ? 2 : value > fair ? 1 : 0);
  };
  above(sample.rtt, THRESHOLDS.rtt);
  above(sample.lossPercent, THRESHOLDS.lossPercent);
  above(sample.jitter, THRESHOLDS.jitter);
  if (expectVideo && sample.bitrateIn !== undefined) {
    const [fair, poor] = THRESHOLDS.videoBitrate;
    level = Math.max(level, sample.bitrateIn < poor ? 2 : sample.bitrateIn < fair ? 1 : 0);
  }
  return (['good', 'fair', 'poor'] as const)[level]!;
}

/** "1.2 Mbps", "640 kbps". */
export function formatBitrate(bps: number | undefined): string {
  if (bps === undefined) return '–';
  if (bps >= 1_000_000) return `${(bps / 1_000_000).toFixed(1)} Mbps`;
  return `${Math.round(bps / 1000)} kbps`;
}

/** "Direct (UDP)", "Relayed through TURN (TCP)". */
export function formatPath(path: MediaPath | undefined): string {
  if (!path) return '–';
  const transport = path.transport.toUpperCase();
  return path.kind === 'relay' ? m.path_relay({ transport }) : m.path_direct({ transport });
}
