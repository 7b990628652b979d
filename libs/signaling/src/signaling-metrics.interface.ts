import type { ErrorCode, IcePath } from '@parley/protocol';

/** Why an upgrade was refused before it became a WebSocket: a foreign origin (403) or the per-IP caps (429). */
export type RefusedUpgrade = 'origin' | 'caps';
/** How a `join` that carried a resume token ended: the same session taken over, the peer re-admitted by its token, or refused. */
export type ResumeResult = 'session' | 'token' | ErrorCode;

/**
 * Hooks a host app can give to count traffic (the Parley app feeds Prometheus with them).
 * The optional ones are newer: callers use `?.()`, so a host's older object keeps working.
 */
export interface SignalingMetrics {
  /** An upgrade to the signaling path was refused, by reason. */
  upgradeRefused?(reason: RefusedUpgrade): void;
  /** A `join` ended: `ok`, or the error code it was refused with (resumes included). */
  joined?(result: 'ok' | ErrorCode): void;
  /** A `join` with a resume token ended, by result. */
  resumed?(result: ResumeResult): void;
  /** A TURN credential was handed out (in `joined`, or to the lobby's connectivity check). */
  turnCredentialIssued?(): void;
  /** A mesh link's media took this path (a browser's `path` report); once per link and path. */
  icePath?(path: IcePath): void;

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

export const NO_METRICS: SignalingMetrics = {
  upgradeRefused() {},
  joined() {},
  resumed() {},
  turnCredentialIssued() {},
  icePath() {},
  received() {},
  sent() {},
  error() {},
  relayed() {},
};
