import type { ErrorCode } from '@parley/protocol';

/** Hooks a host app can give to count traffic (the Parley app feeds Prometheus with them). */
export interface SignalingMetrics {
  /** A frame arrived; `event` is the client event, or `invalid` when it named none. */
  received(event: string): void;
  /** A frame went out to one socket. */
  sent(event: string): void;
  /** An `error` was sent. */
  error(code: ErrorCode): void;
  /** A signal reached its target's socket this long after the sender's frame arrived. */
  relayed(latencyMs: number): void;
  /** A message from another instance was malformed, of an unknown kind, or failed; it was dropped. */
  busRejected?(problem: string): void;
}

export const NO_METRICS: SignalingMetrics = { received() {}, sent() {}, error() {}, relayed() {} };
