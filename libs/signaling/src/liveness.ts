import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@parley/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { PeerSession } from './peer-session.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/**
 * Finds dead sockets. One timer for the whole server pings every socket with protocol-level
 * pings; a socket that has answered neither of its last two pings is terminated, so a socket
 * that goes silent is dropped within three intervals (15 s by default). A socket that never
 * joins is closed after `joinTimeoutMs`.
 */
@Injectable()
export class Liveness implements OnModuleDestroy {
  readonly #unanswered = new WeakMap<WebSocket, number>();
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
    socket.on('message', alive);
    const joinDeadline = setTimeout(() => {
      if (!session.peerId && !session.joining) socket.close(CloseCode.PolicyViolation, 'No join in time');
    }, this.options.joinTimeoutMs);
    joinDeadline.unref();
    socket.once('close', () => clearTimeout(joinDeadline));
  }

  onModuleDestroy(): void {
    clearInterval(this.#timer);
  }

  #sweep(server: WebSocketServer): void {
    for (const socket of server.clients) {
      const unanswered = this.#unanswered.get(socket) ?? 0;
      if (unanswered >= 2) {
        socket.terminate();
        continue;
      }
      this.#unanswered.set(socket, unanswered + 1);
      socket.ping();
    }
  }
}
