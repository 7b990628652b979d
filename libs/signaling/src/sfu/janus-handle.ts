/**
 * janode's VideoRoom handle with a gate in front: every message Janus addresses to one of
 * Parley's handles is checked for shape first, and one the adapter does not know is logged and
 * dropped instead of reaching janode's parser (which assumes well-formed Janus output).
 */
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import { isRecord } from './sfu-input.js';

// The Janus API's handle-level message kinds (janus.h); janode handles each of them.
const KNOWN_JANUS_MESSAGES = new Set([
  'ack',
  'success',
  'error',
  'event',
  'detached',
  'hangup',
  'ice-failed',
  'media',
  'webrtcup',
  'slowlink',
  'trickle',
]);

export type UnexpectedMessageListener = (what: string, message: unknown) => void;

/** Attach-able plugin descriptor whose handles report what they drop to `onUnexpected`. */
export function guardedVideoRoom(onUnexpected: UnexpectedMessageListener) {
  class GuardedVideoRoomHandle extends VideoRoomPlugin.Handle {
    override _handleMessage(message: unknown): void {
      const problem = checkMessage(message);
      if (problem) {
        onUnexpected(problem, message);
        return;
      }
      try {
        super._handleMessage(message);
      } catch (error) {
        onUnexpected(`janode failed on it (${error instanceof Error ? error.message : String(error)})`, message);
      }
    }

    override handleMessage(message: unknown): unknown {
      const handled = super.handleMessage(message);
      if (!handled) onUnexpected('a VideoRoom message janode does not know', message);
      return handled;
    }
  }
  return { id: VideoRoomPlugin.id, Handle: GuardedVideoRoomHandle as new (...args: unknown[]) => VideoRoomHandle };
}

function checkMessage(message: unknown): string | null {
  if (!isRecord(message) || typeof message.janus !== 'string') return 'a message that is not a Janus message';
  if (!KNOWN_JANUS_MESSAGES.has(message.janus)) return `an unknown Janus message "${message.janus.slice(0, 40)}"`;
  if (message.janus === 'trickle' && !isRecord(message.candidate)) return 'a trickle without a candidate';
  if (message.janus === 'event') {
    const data = isRecord(message.plugindata) ? message.plugindata.data : undefined;
    if (!isRecord(data) || typeof data.videoroom !== 'string') return 'an event that is not from the VideoRoom plugin';
    if (message.jsep !== undefined && (!isRecord(message.jsep) || typeof message.jsep.sdp !== 'string')) {
      return 'an event with a malformed jsep';
    }
    for (const list of ['publishers', 'participants', 'streams'] as const) {
      if (data[list] !== undefined && !Array.isArray(data[list])) return `an event whose ${list} is not a list`;
    }
  }
  return null;
}
