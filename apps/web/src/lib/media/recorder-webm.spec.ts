import { fixWebmDuration, withDuration } from './recorder-webm';

const bytes = (...values: number[]) => Uint8Array.from(values);
const join = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

/** An EBML size field of `length` bytes; `null` is "unknown" (all ones). */
function size(value: number | null, length = 1): Uint8Array {
  const out = new Uint8Array(length);
  if (value === null) {
    out.fill(0xff);
    out[0] = 0xff >> (length - 1);
    return out;
  }
  for (let i = length - 1, rest = value; i >= 0; i--, rest = Math.floor(rest / 256)) out[i] = rest % 256;
  out[0]! |= 0x80 >> (length - 1);
  return out;
}

const element = (id: Uint8Array, content: Uint8Array, sizeLength = 1) => join(id, size(content.length, sizeLength), content);

const ID = {
  ebml: bytes(0x1a, 0x45, 0xdf, 0xa3),
  docType: bytes(0x42, 0x82),
  segment: bytes(0x18, 0x53, 0x80, 0x67),
  info: bytes(0x15, 0x49, 0xa9, 0x66),
  timecodeScale: bytes(0x2a, 0xd7, 0xb1),
  muxingApp: bytes(0x4d, 0x80),
  duration: bytes(0x44, 0x89),
  tracks: bytes(0x16, 0x54, 0xae, 0x6b),
  cluster: bytes(0x1f, 0x43, 0xb6, 0x75),
};

const text = (value: string) => new TextEncoder().encode(value);
const header = element(ID.ebml, element(ID.docType, text('webm')));
const info = (...fields: Uint8Array[]) => element(ID.info, join(...fields), 8);
const scale = (value: number) => element(ID.timecodeScale, bytes(value >> 16, (value >> 8) & 0xff, value & 0xff));
const tracks = element(ID.tracks, bytes(0xae, 0x80));
// A live stream's cluster: unknown size, then a timecode.
const cluster = join(ID.cluster, size(null, 8), bytes(0xe7, 0x81, 0x00));

/** Chrome's layout: the header, a Segment of unknown size, Info, Tracks, clusters. */
const liveWebm = (infoElement = info(scale(1_000_000), element(ID.muxingApp, text('Chrome')))) =>
  join(header, ID.segment, size(null, 8), infoElement, tracks, cluster);

/** The Duration the patched bytes carry, in the segment's timecode units. */
function durationIn(file: Uint8Array): number | undefined {
  for (let i = 0; i + 11 <= file.length; i++) {
    if (file[i] === 0x44 && file[i + 1] === 0x89 && file[i + 2] === 0x88) return new DataView(file.buffer, file.byteOffset + i + 3, 8).getFloat64(0);
  }
  return undefined;
}

describe(withDuration.name, () => {
  it('writes the duration into the Info of a live recording, and keeps everything else', () => {
    const file = liveWebm();
    const patched = withDuration(file, 4321)!;

    expect(durationIn(patched)).toBe(4321);
    expect(patched.length).toBe(file.length + 11);
    // Info grew by the 11 bytes of Duration; what follows it is untouched.
    const infoAt = header.length + 12;
    expect([...patched.subarray(infoAt, infoAt + 4)]).toEqual([...ID.info]);
    expect([...patched.subarray(infoAt + 4, infoAt + 12)]).toEqual([
      ...size(info(scale(1_000_000), element(ID.muxingApp, text('Chrome'))).length - 12 + 11, 8),
    ]);
    expect([...patched.subarray(-(tracks.length + cluster.length))]).toEqual([...tracks, ...cluster]);
  });

  it('counts in the segment’s own timecode units', () => {
    const patched = withDuration(liveWebm(info(scale(1000))), 2500)!;
    // 2500 ms in microseconds.
    expect(durationIn(patched)).toBe(2_500_000);
  });

  it('replaces a duration already there, so patching twice gives the same file', () => {
    const once = withDuration(liveWebm(), 1000)!;
    const twice = withDuration(once, 1000)!;
    expect([...twice]).toEqual([...once]);
    expect(durationIn(withDuration(once, 7000)!)).toBe(7000);
  });

  it('grows a known Segment size with its Info', () => {
    const body = join(info(scale(1_000_000)), tracks);
    const file = join(header, element(ID.segment, body, 8));
    const patched = withDuration(file, 1500)!;
    const segmentSize = patched.subarray(header.length + 4, header.length + 12);
    expect([...segmentSize]).toEqual([...size(body.length + 11, 8)]);
    expect(durationIn(patched)).toBe(1500);
  });

  it('widens an Info size field that no longer fits in one byte', () => {
    const long = join(header, ID.segment, size(null, 8), element(ID.info, element(ID.muxingApp, text('x'.repeat(118)))), tracks);
    const patched = withDuration(long, 900)!;
    const at = header.length + 12 + 4;
    // 121 + 11 bytes need a two-byte size.
    expect([...patched.subarray(at, at + 2)]).toEqual([...size(132, 2)]);
    expect(durationIn(patched)).toBe(900);
  });

  it('leaves alone what is not WebM, or a head that ends before its Info does', () => {
    expect(withDuration(text('not a webm file at all'), 1000)).toBeNull();
    expect(withDuration(new Uint8Array(), 1000)).toBeNull();
    const file = liveWebm();
    expect(withDuration(file.subarray(0, header.length + 20), 1000)).toBeNull();
    // No Info before the first cluster.
    expect(withDuration(join(header, ID.segment, size(null, 8), cluster), 1000)).toBeNull();
  });
});

describe(fixWebmDuration.name, () => {
  it('patches the start of a large recording and keeps the rest of it as it is', async () => {
    const tail = new Uint8Array(200_000).map((_, i) => i % 251);
    const recording = new Blob([liveWebm(), tail], { type: 'video/webm' });
    const fixed = await fixWebmDuration(recording, 3000);
    const out = new Uint8Array(await fixed.arrayBuffer());
    expect(fixed.type).toBe('video/webm');
    expect(fixed.size).toBe(recording.size + 11);
    expect(durationIn(out)).toBe(3000);
    expect([...out.subarray(-1000)]).toEqual([...tail.subarray(-1000)]);
  });

  it('returns a recording it cannot read unchanged', async () => {
    const recording = new Blob([text('mp4?')], { type: 'video/mp4' });
    expect(await fixWebmDuration(recording, 3000)).toBe(recording);
  });
});
