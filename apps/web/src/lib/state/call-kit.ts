/**
 * What only a running call needs: quality and speaking stats, the bandwidth governor and screen
 * sharing. CallState loads it while joining, so the lobby's first download stays small.
 */
import { startScreenShare } from '../media/screen-share';
import { Governor, readOutgoingEstimate } from '../rtc/governor';
import type { MediaTransport } from '../rtc/media-transport';
import { LinkStats, type LinkStatsSource } from './link-stats.svelte';

export { startScreenShare };

export interface CallKitSource extends LinkStatsSource {
  transport(): MediaTransport | null;
  sharing(): boolean;
  cameraOn(): boolean;
}

export function createCallKit(source: CallKitSource): { stats: LinkStats; governor: Governor } {
  const stats = new LinkStats(source);
  const governor = new Governor({
    links: () =>
      (source.transport()?.sending() ?? []).map(({ pc, senders }) => ({ estimate: () => readOutgoingEstimate(pc), senders })),
    sharing: source.sharing,
    cameraOn: source.cameraOn,
  });
  return { stats, governor };
}
