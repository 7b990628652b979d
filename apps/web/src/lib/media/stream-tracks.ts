/**
 * A peer's camera and microphone arrive as one stream that gains and loses tracks, and a tile
 * plays it in two players: the picture in a muted `<video>`, the sound in an `<audio>`. Each
 * player gets only its own kind: with the whole stream, the muted `<video>` played the
 * microphone's track too, and loading a player was one of the longest tasks of a call's first
 * moments (9 to 58 ms each in traces of the call-setup benchmark, while the connection's checks
 * ran; 3 to 22 ms with one kind each).
 */

/** What a stream tells when a script changed its tracks (the browser fires nothing for that). */
const TRACKS_CHANGED = 'parley-tracks-changed';

/** Gives `stream` exactly the `wanted` tracks, in place, and tells the players that follow it. */
export function setStreamTracks(stream: MediaStream, wanted: MediaStreamTrack[]): void {
  const old = stream.getTracks().filter((track) => !wanted.includes(track));
  const added = wanted.filter((track) => !stream.getTracks().includes(track));
  for (const track of old) stream.removeTrack(track);
  for (const track of added) stream.addTrack(track);
  if (old.length || added.length) stream.dispatchEvent(new Event(TRACKS_CHANGED));
}

/** Calls `changed` whenever `stream`'s tracks change; returns the way to stop. */
export function onTracksChanged(stream: MediaStream, changed: () => void): () => void {
  const events = [TRACKS_CHANGED, 'addtrack', 'removetrack'];
  for (const event of events) stream.addEventListener(event, changed);
  return () => events.forEach((event) => stream.removeEventListener(event, changed));
}

/**
 * The `kind` tracks of `source`, as a player's stream: the player's `current` stream when it
 * already holds exactly those tracks (a player given another stream starts over, and the other
 * kind's track often comes a moment after the first), a new stream otherwise, and `null` when
 * there are none.
 */
export function tracksOfKind(source: MediaStream | null, kind: 'audio' | 'video', current: unknown): MediaStream | null {
  const tracks = (kind === 'audio' ? source?.getAudioTracks() : source?.getVideoTracks()) ?? [];
  if (tracks.length === 0) return null;
  if (current instanceof MediaStream && sameTracks(current.getTracks(), tracks)) return current;
  return new MediaStream(tracks);
}

function sameTracks(a: MediaStreamTrack[], b: MediaStreamTrack[]): boolean {
  return a.length === b.length && a.every((track) => b.includes(track));
}
