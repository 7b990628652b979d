/**
 * MediaRecorder writes WebM as a live stream: the segment's Info has no Duration, so players show
 * the file as endless and cannot seek in it. `withDuration` writes the Duration element into the
 * Info of a finished recording's first bytes (where Info always is), which is all players need.
 */

/** The ids of the WebM elements a recording's readers need (e2e/webm.ts reads its tracks too). */
export const WEBM_ID = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  CodecID: 0x86,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
} as const;

/** How much of the file's start is read: Info comes before the first cluster, a few hundred bytes in. */
export const WEBM_HEAD_BYTES = 64 * 1024;

export interface EbmlElement {
  id: number;
  /** Where the element (its id) starts. */
  start: number;
  /** Where its content starts. */
  dataStart: number;
  /** Content size in bytes; null for "unknown" (a live stream's Segment and Clusters). */
  size: number | null;
  /** How many bytes its size field takes. */
  sizeLength: number;
}

/** Reads an element header at `offset`, or null when the bytes end or are not EBML. */
export function readElement(bytes: Uint8Array, offset: number): EbmlElement | null {
  const id = readVint(bytes, offset, 4, true);
  if (id?.value == null) return null;
  const size = readVint(bytes, offset + id.length, 8, false);
  if (!size) return null;
  return { id: id.value, start: offset, dataStart: offset + id.length + size.length, size: size.value, sizeLength: size.length };
}

/** An EBML variable-length integer: ids keep their length marker, sizes drop it; all ones is "unknown". */
export function readVint(bytes: Uint8Array, offset: number, maxLength: number, keepMarker: boolean): { value: number | null; length: number } | null {
  const first = bytes[offset];
  if (first === undefined || first === 0) return null;
  const length = Math.clz32(first) - 23;
  if (length > maxLength || offset + length > bytes.length) return null;
  let value = keepMarker ? first : first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const byte = bytes[offset + i]!;
    value = value * 256 + byte;
    allOnes &&= byte === 0xff;
  }
  return { value: !keepMarker && allOnes ? null : value, length };
}

/** A size field of exactly `length` bytes (1 to 8), or null when the size does not fit in it. */
function encodeSize(size: number, length: number): Uint8Array | null {
  if (size >= 2 ** (7 * length) - 1) return null;
  const out = new Uint8Array(length);
  let rest = size;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0]! |= 0x80 >> (length - 1);
  return out;
}

/** An unsigned integer element's value. */
export function readUint(bytes: Uint8Array, element: EbmlElement): number {
  let value = 0;
  for (let i = 0; i < element.size!; i++) value = value * 256 + bytes[element.dataStart + i]!;
  return value;
}

/** The Duration element: an 8-byte float in the segment's timecode units. */
function durationElement(durationMs: number, timecodeScale: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(11);
  out.set([0x44, 0x89, 0x88]);
  new DataView(out.buffer).setFloat64(3, (durationMs * 1e6) / timecodeScale);
  return out;
}

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

/**
 * The start of a WebM file with its Info's Duration set to `durationMs` (an existing one is
 * replaced), and the Segment's size grown to match when it is known; null when the bytes are not
 * WebM or hold no complete Info before the first cluster. Pass at least the bytes up to the first
 * Cluster; whatever follows them is kept as it is. (A SeekHead's offsets are not moved: browsers'
 * recorders write none before their clusters.)
 */
export function withDuration(head: Uint8Array, durationMs: number): Uint8Array<ArrayBuffer> | null {
  const header = readElement(head, 0);
  if (header?.id !== WEBM_ID.EBML || header.size === null) return null;
  const segment = readElement(head, header.dataStart + header.size);
  if (segment?.id !== WEBM_ID.Segment) return null;
  const segmentEnd = segment.size === null ? head.length : Math.min(head.length, segment.dataStart + segment.size);
  for (let offset = segment.dataStart; offset < segmentEnd;) {
    const child = readElement(head, offset);
    if (!child || child.size === null || child.id === WEBM_ID.Cluster) return null;
    const end = child.dataStart + child.size;
    if (end > head.length) return null;
    if (child.id === WEBM_ID.Info) return patchInfo(head, segment, child, durationMs);
    offset = end;
  }
  return null;
}

function patchInfo(bytes: Uint8Array, segment: EbmlElement, info: EbmlElement, durationMs: number): Uint8Array<ArrayBuffer> | null {
  const infoEnd = info.dataStart + info.size!;
  const kept: Uint8Array[] = [];
  let timecodeScale = 1_000_000;
  for (let offset = info.dataStart; offset < infoEnd;) {
    const field = readElement(bytes, offset);
    if (!field || field.size === null) return null;
    const end = field.dataStart + field.size;
    if (field.id === WEBM_ID.TimecodeScale) timecodeScale = readUint(bytes, field) || timecodeScale;
    if (field.id !== WEBM_ID.Duration) kept.push(bytes.subarray(offset, end));
    offset = end;
  }
  const content = concat(...kept, durationElement(durationMs, timecodeScale));
  const infoSize = encodeSize(content.length, Math.max(info.sizeLength, 2));
  if (!infoSize) return null;
  const newInfo = concat(bytes.subarray(info.start, info.dataStart - info.sizeLength), infoSize, content);
  let segmentSize = bytes.subarray(segment.dataStart - segment.sizeLength, segment.dataStart);
  if (segment.size !== null) {
    const grown = encodeSize(segment.size + newInfo.length - (infoEnd - info.start), segment.sizeLength);
    if (!grown) return null;
    segmentSize = grown;
  }
  return concat(
    bytes.subarray(0, segment.dataStart - segment.sizeLength),
    segmentSize,
    bytes.subarray(segment.dataStart, info.start),
    newInfo,
    bytes.subarray(infoEnd),
  );
}

/** The recording with its real duration written in; unchanged when it is not WebM as expected. */
export async function fixWebmDuration(recording: Blob, durationMs: number): Promise<Blob> {
  const headLength = Math.min(recording.size, WEBM_HEAD_BYTES);
  const patched = withDuration(new Uint8Array(await recording.slice(0, headLength).arrayBuffer()), durationMs);
  if (!patched) return recording;
  return new Blob([patched, recording.slice(headLength)], { type: recording.type });
}
