/**
 * What only a running call needs: the call engine with its media transport, quality and speaking
 * stats, the bandwidth governor, screen sharing, moderation and chat. CallState loads it on "Join", so the lobby's
 * first download stays small.
 */
import { CallSession } from '../call/call-session';
import type { LocalTracks } from '../media/local-tracks';
import { startScreenShare } from '../media/screen-share';
import { Governor, readOutgoingEstimate } from '../rtc/governor';
import { ChatState } from './chat.svelte';
import { LinkStats } from './link-stats.svelte';
import { ModerationState, type ModerationContext } from './moderation.svelte';

export interface CallKitOptions {
  room: string;
  token?: string;
  tracks: LocalTracks;
  signalingUrl(): Promise<string>;
  /** Who is who, for the moderation view: the call's state. */
  people: ModerationContext;
}

export interface CallKit {
  session: CallSession;
  stats: LinkStats;
  startScreenShare: typeof startScreenShare;
  moderation: ModerationState;
  /** The room's chat: loaded with the call, so the lobby's first download does not carry it. */
  chat: ChatState;
  /** Ends the call for good: the session, the stats and the governor. */
  close(): void;
}

export function createCallKit({ room, token, tracks, signalingUrl, people }: CallKitOptions): CallKit {
  const session = new CallSession({ room, token, tracks, signalingUrl });
  const moderation = new ModerationState(people);
  const chat = new ChatState(
    (text, ref) => !!session.sendChat(text, ref),
    () => session.selfId ?? null,
  );
  session.events.on('chat-history', (messages) => chat.history(messages));
  session.events.on('chat', (message) => chat.receive(message));
  session.events.on('chat-rejected', (error) => chat.rejected(error));
  moderation.connect(session.moderation);
  const stats = new LinkStats({
    connections: () => session.transport?.connections() ?? new Map(),
    // A video off the page is paused by the SFU on purpose: that is not a starved link.
    expectsVideo: (id) => !!session.participants.find((p) => p.peer.id === id)?.peer.media.video && session.showsVideoOf(id),
    micOn: () => tracks.micOn,
    pathSeen: (id, path) => session.reportPath(id, path.kind),
    notVoices: () =>
      new Set([tracks.screen?.audio, ...session.participants.flatMap((p) => p.screen?.getAudioTracks() ?? [])].flatMap((t) => (t ? [t.id] : []))),
  });
  const governor = new Governor({
    // Only connected links: before, there is no estimate to plan with, and reading a sender's
    // parameters waits for WebRTC's thread, busy with the first offer and answer (up to 30 ms of a
    // call's first 300). A link that connects is a change of senders, planned at once.
    links: () =>
      (session.transport?.sending() ?? [])
        .filter(({ pc }) => pc.connectionState === 'connected')
        .map(({ pc, senders }) => ({ estimate: () => readOutgoingEstimate(pc), senders })),
    sharing: () => !!tracks.screen,
    cameraOn: () => tracks.camOn,
  });
  // Stats and the bandwidth plan run while in the call, through reconnects.
  session.events.on('status', () => {
    if (session.phase === 'in-call') {
      stats.start();
      governor.start();
    } else {
      governor.stop();
      stats.stop();
    }
  });
  session.events.on('peer-removed', (id) => stats.forget(id));
  session.events.on('senders', () => void governor.update());
  return {
    session,
    stats,
    startScreenShare,
    moderation,
    chat,
    close() {
      session.close();
      moderation.destroy();
      chat.destroy();
      governor.stop();
      stats.stop();
    },
  };
}
