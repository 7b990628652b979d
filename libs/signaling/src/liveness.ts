import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CloseCode } from '@parley/protocol';
import type { WebSocket, WebSocketServer } from 'ws';
import { Deadlines } from './deadlines.js';
import { PeerSession } from './peer-session.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/**
 * Finds dead sockets. One timer for the whole server pings every socket with protocol-level
 * pings; a socket that has answered neither of its last two pings is terminated, so a socket
 * that goes silent is dropped within three intervals (15 s by default). Only a pong counts:
 * a client that keeps sending but stops reading is not alive. A socket that never joins is
 * closed after `joinTimeoutMs` (on one timer for all sockets), and so is one that has been out of
 * a room (after `leave`) that long, within one more interval.
 *
 * A sweep does not write its pings at once: each goes out with the socket's next frame, in the
 * same write (`PeerSession.ping`), or alone when no frame went out within `PING_WITH_FRAME_MS`.
 * Under load many sockets get a frame within that time, and each such ping costs no syscall of its
 * own; an idle socket's ping goes alone, and a rotated resume token rides it (see `afterSweep`).
 */
@Injectable()
export class Liveness implements OnModuleDestroy {
  #timer?: NodeJS.Timeout;
  #flush?: NodeJS.Timeout;
  /** The sessions whose ping of the last sweep may not have gone out yet. */
  #owed: PeerSession[] = [];
  readonly #afterSweep: (() => void)[] = [];
  /** Closes a socket that has not joined `joinTimeoutMs` after it connected. */
  readonly #joinDeadlines: Deadlines<PeerSession>;

  constructor(@InjectSignalingOptions() private readonly options: ResolvedSignalingOptions) {
    this.#joinDeadlines = new Deadlines(options.joinTimeoutMs, (session) => {
      if (!session.placed()) session.close(CloseCode.PolicyViolation, 'No join in time');
    });
  }

  watch(server: WebSocketServer): void {
    const { heartbeatMs } = this.options;
    this.#timer = setInterval(() => this.#sweep(server), heartbeatMs);
    this.#timer.unref();
  }

  /**
   * Runs `work` after each sweep, while the sweep's pings still wait for a frame: what it sends to
   * a socket then carries that socket's ping in the same write.
   */
  afterSweep(work: () => void): void {
    this.#afterSweep.push(work);
  }

  track(socket: WebSocket, session: PeerSession): void {
    socket.on('pong', answered);
    this.#joinDeadlines.add(session);
  }

  /** The socket closed: its deadline no longer holds its session. */
  forget(session: PeerSession): void {
    this.#joinDeadlines.delete(session);
  }

  // The first deadline is the one set in track(), to the millisecond; this one, counted from the
  // first sweep that finds the socket out of a room, is what a leave re-arms.
  #outOfRoomTooLong(session: PeerSession, now: number): boolean {
    if (session.placed()) {
      session.roomlessSince = undefined;
      return false;
    }
    session.roomlessSince ??= now;
    return now - session.roomlessSince >= this.options.joinTimeoutMs;
  }

  onModuleDestroy(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#flush);
    this.#joinDeadlines.clear();
  }

  #sweep(server: WebSocketServer, now = Date.now()): void {
    this.#pingOwed();
    for (const socket of server.clients) {
      const session = PeerSession.of(socket);
      if (session.unanswered >= 2) {
        socket.terminate();
        continue;
      }
      if (this.#outOfRoomTooLong(session, now)) {
        socket.close(CloseCode.PolicyViolation, 'No join in time');
        continue;
      }
      session.unanswered++;
      session.pingOwed = true;
      this.#owed.push(session);
    }
    this.#flush = setTimeout(() => this.#pingOwed(), Math.min(PING_WITH_FRAME_MS, this.options.heartbeatMs / 5));
    this.#flush.unref();
    for (const work of this.#afterSweep) work();
  }

  /**
   * Sends alone the pings that found no frame to go with, a slice per turn of the event loop: a
   * write each, and thousands of them in one turn would hold up every signal that arrived meanwhile.
   */
  #pingOwed(): void {
    clearTimeout(this.#flush);
    const owed = this.#owed;
    this.#owed = [];
    const slice = (from: number): void => {
      const to = Math.min(from + PINGS_PER_TURN, owed.length);
      for (let i = from; i < to; i++) if (owed[i]!.pingOwed) owed[i]!.ping();
      if (to < owed.length) setImmediate(slice, to);
    };
    slice(0);
  }
}

/** Lone pings written in one turn of the event loop (see `#pingOwed`). */
const PINGS_PER_TURN = 100;

/** How long a sweep's ping waits for a frame to go out with. */
const PING_WITH_FRAME_MS = 1_000;

/** A socket's 'pong' listener, shared by all: `this` is the socket. */
function answered(this: WebSocket): void {
  PeerSession.of(this).unanswered = 0;
}
