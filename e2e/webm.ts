/**
 * Reads a WebM file's tracks and the timestamps of their blocks, independently of any player: what
 * a test needs to tell that a recording holds video and audio, and how far each of them runs.
 */

export interface WebmTrack {
  number: number;
  codec: string;
  blocks: number;
  /** The last block's timestamp, in seconds. */
  lastSeconds: number;
}

const SEGMENT = 0x18538067;
const INFO = 0x1549a966;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const TRACK_NUMBER = 0xd7;
const CODEC_ID = 0x86;
const TIMECODE_SCALE = 0x2ad7b1;
const CLUSTER = 0x1f43b675;
const CLUSTER_TIMECODE = 0xe7;
const SIMPLE_BLOCK = 0xa3;
const BLOCK_GROUP = 0xa0;
const BLOCK = 0xa1;
/** Elements whose children are read; a live recording gives Segment and Cluster an unknown size. */
const PARENTS = new Set([SEGMENT, INFO, TRACKS, TRACK_ENTRY, CLUSTER, BLOCK_GROUP]);

/** An EBML variable-length integer: ids keep their marker bit, sizes do not; all ones is "unknown". */
function vint(file: Buffer, at: number, id: boolean): { value: number | null; length: number } {
  const length = Math.clz32(file[at]!) - 23;
  let value = id ? file[at]! : file[at]! & (0xff >> length);
  let unknown = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    value = value * 256 + file[at + i]!;
    unknown &&= file[at + i] === 0xff;
  }
  return { value: !id && unknown ? null : value, length };
}

export function webmTracks(file: Buffer): WebmTrack[] {
  const tracks = new Map<number, WebmTrack>();
  let entry: Partial<WebmTrack> = {};
  let scale = 1_000_000;
  let clusterTime = 0;
  const uint = (at: number, size: number) => file.readUIntBE(at, size);
  const walk = (from: number, to: number) => {
    for (let at = from; at < to;) {
      const id = vint(file, at, true);
      const size = vint(file, at + id.length, false);
      const data = at + id.length + size.length;
      const end = size.value === null ? to : Math.min(to, data + size.value);
      if (id.value === TRACK_NUMBER) entry.number = uint(data, size.value!);
      else if (id.value === CODEC_ID) entry.codec = file.toString('latin1', data, end);
      else if (id.value === TIMECODE_SCALE) scale = uint(data, size.value!);
      else if (id.value === CLUSTER_TIMECODE) clusterTime = uint(data, size.value!);
      else if (id.value === SIMPLE_BLOCK || id.value === BLOCK) {
        const track = tracks.get(vint(file, data, false).value!);
        if (track) {
          track.blocks++;
          track.lastSeconds = ((clusterTime + file.readInt16BE(data + vint(file, data, false).length)) * scale) / 1e9;
        }
      } else if (PARENTS.has(id.value!)) {
        // A cluster of unknown size ends where the next one starts: walk its children to the end.
        walk(data, end);
        if (id.value === TRACK_ENTRY) {
          tracks.set(entry.number!, { number: entry.number!, codec: entry.codec!, blocks: 0, lastSeconds: 0 });
          entry = {};
        }
      }
      at = end;
    }
  };
  walk(0, file.length);
  return [...tracks.values()];
}
