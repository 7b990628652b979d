/**
 * Screen sharing: `getDisplayMedia` gives one more video track, sent beside the camera on a
 * transceiver of its own. The camera and the microphone are sent without a stream (`msid:-`), the
 * screen inside one, which is how the receiving side tells the two video tracks apart.
 */

/** Why no share started: the person chose not to, the browser cannot, or it failed. */
export type ShareProblem = 'cancelled' | 'unsupported' | 'failed';

export interface ScreenShare {
  track: MediaStreamTrack;
  /** The stream the track is sent in: being in a stream marks it as the screen. */
  stream: MediaStream;
  /** Stops sharing; `onended` is not called for a stop asked for here. */
  stop(): void;
}

export interface ShareOptions {
  /** The browser's own "Stop sharing" button, or the shared window closing. */
  onended(): void;
  getDisplayMedia?: (options: DisplayMediaStreamOptions) => Promise<MediaStream>;
  createStream?: (tracks: MediaStreamTrack[]) => MediaStream;
}

export function canShareScreen(): boolean {
  return typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** Asks the browser for a screen, a window or a tab; the person may say no. */
export async function startScreenShare(options: ShareOptions): Promise<ScreenShare | { problem: ShareProblem }> {
  const getDisplayMedia =
    options.getDisplayMedia ?? (canShareScreen() ? (o: DisplayMediaStreamOptions) => navigator.mediaDevices.getDisplayMedia(o) : null);
  if (!getDisplayMedia) return { problem: 'unsupported' };
  let captured: MediaStream;
  try {
    captured = await getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
  } catch (error) {
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    return { problem: name === 'NotAllowedError' || name === 'AbortError' ? 'cancelled' : 'failed' };
  }
  const track = captured.getVideoTracks()[0];
  if (!track) {
    for (const t of captured.getTracks()) t.stop();
    return { problem: 'failed' };
  }
  // Text and slides: keep the detail and let the frame rate give.
  if ('contentHint' in track) track.contentHint = 'detail';
  const stream = (options.createStream ?? ((tracks) => new MediaStream(tracks)))([track]);
  let stopped = false;
  track.addEventListener('ended', () => {
    if (stopped) return;
    stopped = true;
    options.onended();
  });
  return {
    track,
    stream,
    stop() {
      if (stopped) return;
      stopped = true;
      track.stop();
    },
  };
}
