/**
 * Reads a WebM file's tracks and how far each runs, from the blocks' own timestamps and
 * independently of any player: what a test needs to tell that a recording holds video and audio,
 * and that its stated duration is its length.
 */
import { readElement, readUint, readVint, WEBM_ID } from '../apps/web/src/lib/media/recorder-webm';

export interface WebmTrack {
  number: number;
  codec: string;
  blocks: number;
  /** The last block's timestamp, in seconds. */
  lastSeconds: number;
}

/** Elements whose children are read; a live recording gives Segment and Cluster an unknown size. */
const PARENTS = new Set<number>([WEBM_ID.Segment, WEBM_ID.Info, WEBM_ID.Tracks, WEBM_ID.TrackEntry, WEBM_ID.Cluster, WEBM_ID.BlockGroup]);

export function webmTracks(file: Uint8Array): WebmTrack[] {
  const tracks = new Map<number, WebmTrack>();
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let entry: Partial<WebmTrack> = {};
  let timecodeScale = 1_000_000;
  let clusterTime = 0;
  const walk = (from: number, to: number) => {
    for (let at = from; at < to;) {
      const element = readElement(file, at);
      if (!element) throw new Error(`not EBML at byte ${at}`);
      // An element of unknown size (a live cluster) runs to the end of its parent.
      const end = element.size === null ? to : Math.min(to, element.dataStart + element.size);
      const { id, dataStart } = element;
      if (id === WEBM_ID.TrackNumber) entry.number = readUint(file, element);
      else if (id === WEBM_ID.CodecID) entry.codec = new TextDecoder('latin1').decode(file.subarray(dataStart, end));
      else if (id === WEBM_ID.TimecodeScale) timecodeScale = readUint(file, element);
      else if (id === WEBM_ID.Timecode) clusterTime = readUint(file, element);
      else if (id === WEBM_ID.SimpleBlock || id === WEBM_ID.Block) {
        const number = readVint(file, dataStart, 8, false)!;
        const track = tracks.get(number.value!);
        if (track) {
          track.blocks++;
          track.lastSeconds = ((clusterTime + view.getInt16(dataStart + number.length)) * timecodeScale) / 1e9;
        }
      } else if (PARENTS.has(id)) {
        walk(dataStart, end);
        if (id === WEBM_ID.TrackEntry) {
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
