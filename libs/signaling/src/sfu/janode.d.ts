// The slice of janode 1.8 (plain JavaScript, no types of its own) that the SFU adapter uses.
// Everything janode hands back came from Janus, a network peer: typed `unknown` where the
// adapter must check it (sfu-input.ts) before use.

declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeServerAddress {
    url: string;
    apisecret?: string;
  }

  export interface JanodeConfig {
    address: JanodeServerAddress | JanodeServerAddress[];
    retry_time_secs?: number;
    max_retries?: number;
    is_admin?: boolean;
    ws_options?: Record<string, unknown>;
  }

  export interface JanodeConnection extends EventEmitter {
    readonly id: number;
    create(kaIntervalSecs?: number): Promise<JanodeSession>;
    getInfo(): Promise<unknown>;
    close(): Promise<void>;
  }

  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    attach<H>(plugin: { id: string; Handle: new (...args: any[]) => H }): Promise<H>;
    sendRequest(request: Record<string, unknown>): Promise<unknown>;
    destroy(): Promise<void>;
  }

  export interface JanodeHandle extends EventEmitter {
    readonly id: number;
    trickle(candidate: Record<string, unknown> | null): Promise<unknown>;
    hangup(): Promise<unknown>;
    detach(): Promise<void>;
    message(body: Record<string, unknown>, jsep?: Record<string, unknown>): Promise<unknown>;
  }

  export interface JanodeLogger {
    setLevel(level: 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug'): string;
  }

  const Janode: {
    connect(config: JanodeConfig, key?: number | string | null): Promise<JanodeConnection>;
    Logger: JanodeLogger;
    EVENT: {
      CONNECTION_CLOSED: 'connection_closed';
      SESSION_DESTROYED: 'session_destroyed';
      HANDLE_DETACHED: 'handle_detached';
      HANDLE_ICE_FAILED: 'handle_ice_failed';
      HANDLE_HANGUP: 'handle_hangup';
      HANDLE_MEDIA: 'handle_media';
      HANDLE_WEBRTCUP: 'handle_webrtcup';
      HANDLE_SLOWLINK: 'handle_slowlink';
      HANDLE_TRICKLE: 'handle_trickle';
      CONNECTION_ERROR: 'connection_error';
    };
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle } from 'janode';

  /** Janus's answer to a VideoRoom request, as janode reshapes it; every field unchecked. */
  export type VideoRoomResult = Record<string, unknown>;

  export interface VideoRoomHandle extends JanodeHandle {
    joinConfigurePublisher(params: Record<string, unknown>): Promise<VideoRoomResult>;
    configure(params: Record<string, unknown>): Promise<VideoRoomResult>;
    joinSubscriber(params: Record<string, unknown>): Promise<VideoRoomResult>;
    start(params: { jsep: Record<string, unknown> }): Promise<VideoRoomResult>;
    update(params: { subscribe?: unknown[]; unsubscribe?: unknown[] }): Promise<VideoRoomResult>;
    leave(): Promise<VideoRoomResult>;
    create(params: Record<string, unknown>): Promise<VideoRoomResult>;
    destroy(params: { room: string; secret?: string; permanent?: boolean }): Promise<VideoRoomResult>;
    exists(params: { room: string }): Promise<VideoRoomResult>;
    list(params?: { admin_key?: string }): Promise<VideoRoomResult>;
    listParticipants(params: { room: string; secret?: string }): Promise<VideoRoomResult>;
    /** janode's entry point for every message Janus addresses to this handle. */
    _handleMessage(message: unknown): void;
    /** janode's VideoRoom parser: the event it made of a plugin message, or null. */
    handleMessage(message: unknown): unknown;
  }

  const VideoRoomPlugin: {
    id: 'janus.plugin.videoroom';
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    Handle: new (...args: any[]) => VideoRoomHandle;
    EVENT: Record<
      | 'VIDEOROOM_PUB_PEER_JOINED'
      | 'VIDEOROOM_PUB_LIST'
      | 'VIDEOROOM_UNPUBLISHED'
      | 'VIDEOROOM_LEAVING'
      | 'VIDEOROOM_UPDATED'
      | 'VIDEOROOM_KICKED'
      | 'VIDEOROOM_TALKING'
      | 'VIDEOROOM_DESTROYED'
      | 'VIDEOROOM_ERROR'
      | 'VIDEOROOM_SLOWLINK'
      | 'VIDEOROOM_CONFIGURED'
      | 'VIDEOROOM_DISPLAY'
      | 'VIDEOROOM_SC_SUBSTREAM_LAYER'
      | 'VIDEOROOM_SC_TEMPORAL_LAYERS',
      string
    >;
  };
  export default VideoRoomPlugin;
}
