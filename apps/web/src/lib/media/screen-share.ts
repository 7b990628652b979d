/**
 * Screen sharing: `getDisplayMedia` gives one more video track, and the shared tab's sound where
 * the browser offers it, each sent beside the camera and the microphone on a transceiver of its
 * own. The camera and the microphone are sent without a stream (`msid:-`), the screen and its
 * sound inside one, which is how the receiving side tells them apart.
 */

/** Why no share started: the person chose not to, the browser cannot, or it failed. */
export type ShareProblem = 'cancelled' | 'unsupported' | 'failed';

export interface ScreenShare {
  track: MediaStreamTrack;
  /** The shared tab's (or screen's) sound, when the browser gave one and the person left it on. */
  audio?: MediaStreamTrack | null;
  /** The stream the tracks are sent in: being in a stream marks them as the screen's. */
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

/**
 * What the picker is asked for: a screen at a modest frame rate, and sound. Chromium offers a tab's
 * sound (and, on some systems, the whole system's); the system's would carry the call's own voices
 * back to everyone, so it is left out. The tab keeps playing for the presenter too. Browsers that
 * cannot capture sound ignore the request and give video only.
 */
export const DISPLAY_MEDIA_OPTIONS = {
  video: { frameRate: { ideal: 15, max: 30 } },
  audio: true,
  systemAudio: 'exclude',
  suppressLocalAudioPlayback: false,
} as DisplayMediaStreamOptions;

/** Asks the browser for a screen, a window or a tab; the person may say no. */
export async function startScreenShare(options: ShareOptions): Promise<ScreenShare | { problem: ShareProblem }> {
  const getDisplayMedia =
    options.getDisplayMedia ?? (canShareScreen() ? (o: DisplayMediaStreamOptions) => navigator.mediaDevices.getDisplayMedia(o) : null);
  if (!getDisplayMedia) return { problem: 'unsupported' };
  let captured: MediaStream;
  try {
    captured = await getDisplayMedia(DISPLAY_MEDIA_OPTIONS);
  } catch (error) {
    const name = error instanceof Error || error instanceof DOMException ? error.name : '';
    return { problem: name === 'NotAllowedError' || name === 'AbortError' ? 'cancelled' : 'failed' };
  }
  const track = captured.getVideoTracks()[0];
  if (!track) {
    for (const t of captured.getTracks()) t.stop();
    return { problem: 'failed' };
  }
  const audio = captured.getAudioTracks?.()[0] ?? null;
  // Text and slides: keep the detail and let the frame rate give.
  if ('contentHint' in track) track.contentHint = 'detail';
  const stream = (options.createStream ?? ((tracks) => new MediaStream(tracks)))(audio ? [track, audio] : [track]);
  let stopped = false;
  track.addEventListener('ended', () => {
    if (stopped) return;
    stopped = true;
    // The browser's "Stop sharing" ends the video; the sound goes with it.
    audio?.stop();
    options.onended();
  });
  return {
    track,
    audio,
    stream,
    stop() {
      if (stopped) return;
      stopped = true;
      track.stop();
      audio?.stop();
    },
  };
}
