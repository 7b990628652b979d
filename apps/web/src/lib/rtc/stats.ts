/**
 * Reading `getStats()`: the one place that knows which candidate pair a connection uses and how
 * the inbound and outbound RTP figures are laid out. Quality, the bandwidth governor and the
 * connectivity check all read stats through here.
 */

/** One stats object; every field but these is optional in practice. */
export interface Stat {
  type: string;
  id: string;
  timestamp?: number;
  kind?: string;
  [field: string]: unknown;
}

/** An `RTCStatsReport`, or anything else that lists stats (a `Map` in tests). */
export interface StatsLike {
  forEach(callback: (value: Stat) => void): void;
}

/** How the media travels: straight between the browsers, or through a TURN relay. */
export interface MediaPath {
  kind: 'direct' | 'relay';
  /** The transport of this browser's leg: UDP, TCP, or TLS to a `turns:` server. */
  transport: 'udp' | 'tcp' | 'tls';
  localType: string;
  remoteType: string;
}

export const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
export const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The report as a list. */
export function collect(report: StatsLike): Stat[] {
  const stats: Stat[] = [];
  report.forEach((value) => stats.push(value));
  return stats;
}

/** The candidate pair the link sends on: the transport's choice, else the selected or nominated one. */
export function selectedPair(stats: readonly Stat[]): Stat | undefined {
  const byId = new Map(stats.map((s) => [s.id, s]));
  for (const s of stats) {
    if (s.type !== 'transport') continue;
    const pair = byId.get(str(s.selectedCandidatePairId) ?? '');
    if (pair) return pair;
  }
  const pairs = stats.filter((s) => s.type === 'candidate-pair');
  return (
    pairs.find((p) => p.selected === true) ??
    pairs.find((p) => p.nominated === true && p.state === 'succeeded') ??
    pairs.find((p) => p.state === 'succeeded')
  );
}

/** Which way the selected pair goes: direct or relayed, and over which transport. */
export function describePath(stats: readonly Stat[], pair = selectedPair(stats)): MediaPath | undefined {
  if (!pair) return undefined;
  const byId = new Map(stats.map((s) => [s.id, s]));
  const local = byId.get(str(pair.localCandidateId) ?? '');
  const remote = byId.get(str(pair.remoteCandidateId) ?? '');
  if (!local) return undefined;
  const localType = str(local.candidateType) ?? 'unknown';
  const remoteType = str(remote?.candidateType) ?? 'unknown';
  const relayed = localType === 'relay' || remoteType === 'relay';
  // For a relay candidate, `protocol` is the relay's side; `relayProtocol` is how we reach the relay.
  const leg = (localType === 'relay' ? str(local.relayProtocol) : undefined) ?? str(local.protocol) ?? 'udp';
  const transport = leg === 'tcp' || leg === 'tls' ? leg : 'udp';
  return { kind: relayed ? 'relay' : 'direct', transport, localType, remoteType };
}

/** The selected pair's `availableOutgoingBitrate` (the browser's send-side estimate), when reported. */
export function outgoingEstimate(stats: readonly Stat[]): number | undefined {
  return num(selectedPair(stats)?.availableOutgoingBitrate);
}

/** The `inbound-rtp` entries, of one kind or all. */
export function inbound(stats: readonly Stat[], kind?: 'audio' | 'video'): Stat[] {
  return stats.filter((s) => s.type === 'inbound-rtp' && (!kind || s.kind === kind));
}

/** The `outbound-rtp` entries, of one kind or all. */
export function outbound(stats: readonly Stat[], kind?: 'audio' | 'video'): Stat[] {
  return stats.filter((s) => s.type === 'outbound-rtp' && (!kind || s.kind === kind));
}

export function sum(stats: readonly Stat[], field: string): number {
  return stats.reduce((total, s) => total + (num(s[field]) ?? 0), 0);
}

export function max(stats: readonly Stat[], field: string): number | undefined {
  const values = stats.map((s) => num(s[field])).filter((v): v is number => v !== undefined);
  return values.length ? Math.max(...values) : undefined;
}
