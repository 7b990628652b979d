/**
 * The few ways an SFU request can fail, in Parley's terms. Janus's own codes stay inside the
 * adapter: callers map these kinds to protocol error codes (see docs/sfu.md).
 */
export const SfuErrorKind = {
  /** No live Janus, a lost connection, a timeout, or a session/handle Janus no longer knows. */
  Unavailable: 'sfu-unavailable',
  /** Janus refused the request: a bad SDP, a state that does not allow it, missing auth. */
  Rejected: 'sfu-rejected',
  /** The Janus room has no room for another publisher. */
  Full: 'sfu-full',
  /** The peer (or feed) asked for does not publish in this room. */
  UnknownPeer: 'sfu-unknown-peer',
} as const;
export type SfuErrorKind = (typeof SfuErrorKind)[keyof typeof SfuErrorKind];

/** An SFU request failed; `kind` says how, `janusCode` keeps Janus's number for the logs. */
export class SfuError extends Error {
  constructor(
    readonly kind: SfuErrorKind,
    message: string,
    readonly janusCode?: number,
  ) {
    super(message);
    this.name = 'SfuError';
  }
}

// Janus core (403-490) and VideoRoom plugin (421-437, 499) error codes, by what they mean to us: a
// wrong api_secret, a session or handle Janus dropped, a Janus not accepting sessions, or its own
// internal errors are the server's trouble, not the request's.
const UNAVAILABLE_CODES = new Set([403, 405, 458, 459, 460, 461, 462, 463, 472, 490, 499]);
const FULL_CODES = new Set([432]);
const UNKNOWN_PEER_CODES = new Set([428]);

/**
 * Maps whatever janode rejected with to an SfuError. janode errors read "<code> <reason>" (with
 * `_code` on VideoRoom errors); anything without a code is a transport problem.
 */
export function toSfuError(error: unknown, context: string): SfuError {
  if (error instanceof SfuError) return error;
  // ws rejects a failed connect with an ErrorEvent, not an Error.
  const raw = (error as { message?: unknown } | null)?.message;
  const message = typeof raw === 'string' ? raw : String(error);
  const rawCode = (error as { _code?: unknown } | null)?._code;
  const code = typeof rawCode === 'number' ? rawCode : /^(\d{3}) /.test(message) ? Number(message.slice(0, 3)) : undefined;
  const text = `${context}: ${message.slice(0, 200)}`;
  if (code === undefined) return new SfuError(SfuErrorKind.Unavailable, text);
  if (UNAVAILABLE_CODES.has(code)) return new SfuError(SfuErrorKind.Unavailable, text, code);
  if (FULL_CODES.has(code)) return new SfuError(SfuErrorKind.Full, text, code);
  if (UNKNOWN_PEER_CODES.has(code)) return new SfuError(SfuErrorKind.UnknownPeer, text, code);
  return new SfuError(SfuErrorKind.Rejected, text, code);
}
