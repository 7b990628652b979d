import type { IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import type { ServerEvents } from '@parley/protocol';
import { tooSlow } from './backpressure.js';
import type { SignalingMetrics } from './signaling-metrics.interface.js';

/** One frame, serialized once so a broadcast does not stringify per recipient. */
export function encodeFrame<E extends keyof ServerEvents>(event: E, data: ServerEvents[E]): string {
  return JSON.stringify({ event, data });
}

/** One socket and what the server knows about it: set on `join`, cleared on `leave`. */
export class PeerSession {
  static readonly #bySocket = new WeakMap<WebSocket, PeerSession>();

  peerId?: string;
  room?: string;
  /** A `join` is being processed (the authorize hook may be async). */
  joining = false;
  /** Waiting to be let into a locked room, with the id the peer will have. */
  waiting?: { room: string; id: string };
  /** Heartbeat pings sent since the last pong (see `Liveness`). */
  unanswered = 0;
  /** Since when the socket has been out of a room, as the heartbeat's sweeps saw it. */
  roomlessSince?: number;
  /** A heartbeat ping that goes out with this socket's next frame, or alone a moment later (see `Liveness`). */
  pingOwed = false;

  private constructor(
    readonly socket: WebSocket,
    /**
     * The upgrade request, for the host's `authorize` hook; without a hook it is not kept: its
     * headers would be most of what an idle socket holds.
     */
    readonly request: IncomingMessage | undefined,
    /** The client's address, through the trusted proxies (see `clientAddress`). */
    readonly address: string,
    readonly metrics: SignalingMetrics,
  ) {}

  static attach(socket: WebSocket, request: IncomingMessage | undefined, address: string, metrics: SignalingMetrics): PeerSession {
    const session = new PeerSession(socket, request, address, metrics);
    PeerSession.#bySocket.set(socket, session);
    return session;
  }

  static of(socket: WebSocket): PeerSession {
    const session = PeerSession.#bySocket.get(socket);
    if (!session) throw new Error('socket has no session: was handleConnection skipped?');
    return session;
  }

  /** In a room, on the way in, or waiting at its door: not a socket that never joined. */
  placed(): boolean {
    return !!(this.peerId || this.joining || this.waiting);
  }

  send<E extends keyof ServerEvents>(event: E, data: ServerEvents[E]): void {
    this.sendFrame(encodeFrame(event, data), event);
  }

  /** Whether the socket can still carry frames. */
  isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes the socket with a protocol close code. */
  close(code: number, reason: string): void {
    this.socket.close(code, reason);
  }

  /** Sends a frame already encoded with `encodeFrame`. */
  sendFrame(frame: string, event: keyof ServerEvents): void {
    if (this.socket.readyState !== WebSocket.OPEN || tooSlow(this.socket)) return;
    if (this.pingOwed) this.ping(frame);
    else this.socket.send(frame);
    this.metrics.sent(event);
  }

  /**
   * Sends the owed heartbeat ping, and `frame` after it in the same write: the socket's TCP
   * stream is corked around both, so they cost one syscall (and one packet) instead of two.
   */
  ping(frame?: string): void {
    this.pingOwed = false;
    if (this.socket.readyState !== WebSocket.OPEN) return;
    // A lone ping is one write already; corking it only adds the stream's buffering around it.
    if (frame === undefined) return this.socket.ping();
    const tcp = (this.socket as unknown as { _socket?: Writable })._socket;
    tcp?.cork();
    this.socket.ping();
    this.socket.send(frame);
    tcp?.uncork();
  }
}
