/**
 * Checks on what Janus sends (through janode). Janus is a network peer: a field of the wrong type
 * or size is dropped with a warning, never trusted and never thrown past the adapter.
 */
import { SfuError, SfuErrorKind } from './sfu-errors.js';
import type { SfuCandidate, SfuPublishedStream, SfuPublisher, SfuSubscribedStream } from './sfu.types.js';

/** Janus's SDPs for a browser are a few kB; anything past this is not one. */
export const MAX_SDP_LENGTH = 128 * 1024;
const MAX_ID_LENGTH = 128;
const MAX_LIST = 512;

type Record_ = Record<string, unknown>;

export function isRecord(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
}

function isKind(value: unknown): value is 'audio' | 'video' | 'data' {
  return value === 'audio' || value === 'video' || value === 'data';
}

/** The SDP of a JSEP of the given type in a Janus result, or an sfu-unavailable error. */
export function readJsep(result: unknown, type: 'offer' | 'answer', context: string): string {
  const jsep = isRecord(result) ? result.jsep : undefined;
  if (!isRecord(jsep) || jsep.type !== type || typeof jsep.sdp !== 'string' || !jsep.sdp.startsWith('v=0')) {
    throw new SfuError(SfuErrorKind.Unavailable, `${context}: Janus sent no valid ${type}`);
  }
  if (jsep.sdp.length > MAX_SDP_LENGTH) {
    throw new SfuError(SfuErrorKind.Unavailable, `${context}: Janus's ${type} is too large`);
  }
  return jsep.sdp;
}

/** The JSEP offer in a Janus result if there is one (an update may need no renegotiation). */
export function readOptionalOffer(result: unknown, context: string): string | null {
  return isRecord(result) && result.jsep !== undefined ? readJsep(result, 'offer', context) : null;
}

/** A subscriber's stream list (attached/updated): one entry per transceiver that carries a feed. */
export function readSubscribedStreams(value: unknown, warn: (message: string) => void): SfuSubscribedStream[] {
  if (!Array.isArray(value)) {
    warn(`Janus stream list is not an array (${typeof value})`);
    return [];
  }
  const streams: SfuSubscribedStream[] = [];
  for (const entry of value.slice(0, MAX_LIST)) {
    if (!isRecord(entry)) continue;
    // Janus's bundled data channel and placeholders for removed streams carry no feed.
    if (entry.feed_display === undefined && entry.feed_id === undefined) continue;
    const { mid, type, feed_display, feed_mid, active } = entry;
    if (!isId(mid) || !isKind(type) || !isId(feed_display) || !isId(feed_mid)) {
      warn(`dropped a malformed subscriber stream from Janus: ${JSON.stringify(entry).slice(0, 200)}`);
      continue;
    }
    streams.push({ mid, kind: type, peer: feed_display, peerMid: feed_mid, active: active !== false });
  }
  return streams;
}

/** A publisher list (joined, or the publishers event) as feed → publisher. */
export function readPublishers(value: unknown, warn: (message: string) => void): Map<string, SfuPublisher> {
  const publishers = new Map<string, SfuPublisher>();
  if (!Array.isArray(value)) {
    warn(`Janus publisher list is not an array (${typeof value})`);
    return publishers;
  }
  for (const entry of value.slice(0, MAX_LIST)) {
    if (!isRecord(entry) || !isId(entry.feed) || !isId(entry.display)) {
      warn(`dropped a malformed publisher from Janus: ${JSON.stringify(entry).slice(0, 200)}`);
      continue;
    }
    const streams: SfuPublishedStream[] = [];
    for (const stream of Array.isArray(entry.streams) ? entry.streams.slice(0, MAX_LIST) : []) {
      if (!isRecord(stream) || !isId(stream.mid) || !isKind(stream.type) || stream.disabled === true) continue;
      streams.push({
        mid: stream.mid,
        kind: stream.type,
        ...(isId(stream.codec) ? { codec: stream.codec } : {}),
        simulcast: stream.simulcast === true || Array.isArray(stream.simulcast),
      });
    }
    publishers.set(entry.feed, { peer: entry.display, streams });
  }
  return publishers;
}

/** A participant list (listparticipants) as display (peer) → feed, publishers only. */
export function readParticipants(value: unknown, warn: (message: string) => void): Map<string, string> {
  const participants = isRecord(value) ? value.participants : undefined;
  const feeds = new Map<string, string>();
  if (!Array.isArray(participants)) {
    warn('Janus participant list is not an array');
    return feeds;
  }
  for (const entry of participants.slice(0, MAX_LIST)) {
    if (isRecord(entry) && isId(entry.feed) && isId(entry.display) && entry.publisher === true) {
      feeds.set(entry.display, entry.feed);
    }
  }
  return feeds;
}

/** A trickled candidate from Janus (janode's shape), `null` for end-of-candidates, or undefined if bad. */
export function readCandidate(value: unknown): SfuCandidate | null | undefined {
  if (!isRecord(value)) return undefined;
  if (value.completed === true) return null;
  if (typeof value.candidate !== 'string' || value.candidate.length > 1024) return undefined;
  return {
    candidate: value.candidate,
    sdpMid: typeof value.sdpMid === 'string' && value.sdpMid.length <= 64 ? value.sdpMid : null,
    sdpMLineIndex: Number.isInteger(value.sdpMLineIndex) ? (value.sdpMLineIndex as number) : null,
  };
}

/** Parley's own view of what a publisher offer sends: one stream per sending m-line. */
export function streamsOfOffer(sdp: string): SfuPublishedStream[] {
  const streams: SfuPublishedStream[] = [];
  for (const section of sdp.split(/\r?\nm=/).slice(1)) {
    const kind = section.slice(0, section.indexOf(' '));
    const mid = /\r?\na=mid:([^\r\n]+)/.exec(section)?.[1];
    if (!isKind(kind) || !isId(mid) || /\r?\na=(recvonly|inactive)/.test(section)) continue;
    if (/^\S+ 0 /.test(section)) continue; // a rejected (port 0) m-line
    streams.push({ mid, kind, simulcast: /\r?\na=simulcast:/.test(section) });
  }
  return streams;
}
