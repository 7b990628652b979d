import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@parley/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { PeerSession } from './peer-session.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/**
 * Finds dead sockets. One timer for the whole server pings every socket with protocol-level
 * pings; a socket that has answered neither of its last two pings is terminated, so a socket
 * that goes silent is dropped within three intervals (15 s by default). Only a pong counts:
 * a client that keeps sending but stops reading is not alive. A socket that never joins is
 * closed after `joinTimeoutMs`, and so is one that has been out of a room (after `leave`) that
 * long, within one more interval.
 */
@Injectable()
export class Liveness implements OnModuleDestroy {
  readonly #unanswered = new WeakMap<WebSocket, number>();
  /** Since when a socket has been out of a room, as the sweeps saw it. */
  readonly #roomlessSince = new WeakMap<WebSocket, number>();
  #timer?: NodeJS.Timeout;

  constructor(@InjectSignalingOptions() private readonly options: ResolvedSignalingOptions) {}

  watch(server: WebSocketServer): void {
    const { heartbeatMs } = this.options;
    this.#timer = setInterval(() => this.#sweep(server), heartbeatMs);
    this.#timer.unref();
  }

  track(socket: WebSocket, session: PeerSession): void {
    const alive = () => this.#unanswered.set(socket, 0);
    alive();
    socket.on('pong', alive);
    const joinDeadline = setTimeout(() => {
      if (!session.placed()) socket.close(CloseCode.PolicyViolation, 'No join in time');
    }, this.options.joinTimeoutMs);
    joinDeadline.unref();
    socket.once('close', () => clearTimeout(joinDeadline));
  }

  // The first deadline is the timer in track(), to the millisecond; this one, counted from the
  // first sweep that finds the socket out of a room, is what a leave re-arms.
  #outOfRoomTooLong(socket: WebSocket, now: number): boolean {
    const session = PeerSession.of(socket);
    if (session.placed()) {
      this.#roomlessSince.delete(socket);
      return false;
    }
    const since = this.#roomlessSince.get(socket) ?? now;
    this.#roomlessSince.set(socket, since);
    return now - since >= this.options.joinTimeoutMs;
  }

  onModuleDestroy(): void {
    clearInterval(this.#timer);
  }

  #sweep(server: WebSocketServer, now = Date.now()): void {
    for (const socket of server.clients) {
      const unanswered = this.#unanswered.get(socket) ?? 0;
      if (unanswered >= 2) {
        socket.terminate();
        continue;
      }
      if (this.#outOfRoomTooLong(socket, now)) {
        socket.close(CloseCode.PolicyViolation, 'No join in time');
        continue;
      }
      this.#unanswered.set(socket, unanswered + 1);
      socket.ping();
    }
  }
}
