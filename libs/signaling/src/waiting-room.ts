import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, LIMITS, type DeniedReason, type Waiter } from '@parley/protocol';
import type { JoinDto } from './dto/index.js';
import type { PeerSession } from './peer-session.js';
import { randomId } from './random-id.js';
import { RoomRelay } from './room-relay.js';
import { ROOM_STORE, type RoomStore, type WaiterRecord } from './room-store.js';
import { SignalingException } from './signaling.exception.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions, SignalingIdentity } from './signaling-options.interface.js';

/**
 * The store forgets a wait this long after its timer here should have ended it: only the wait of
 * an instance that died meanwhile lasts that long.
 */
const STORE_SLACK_MS = 30_000;

/** Someone waiting at a locked room's door whose socket is on this instance. */
export interface LocalWaiter {
  session: PeerSession;
  /** Their `join`, carried out as it was when a host admits them. */
  dto: JoinDto;
  identity: SignalingIdentity;
  record: WaiterRecord;
  timer: NodeJS.Timeout;
}

/**
 * The waiting room of locked rooms: who waits (in the store, capped per room, so a flood of
 * knocks cannot grow memory), their sockets and timeouts here, and the `knocking` list the hosts
 * see. A waiting socket gets nothing of the room: it is not a member, so no broadcast reaches it.
 */
@Injectable()
export class WaitingRoom implements OnModuleDestroy {
  readonly #local = new Map<string, LocalWaiter>();
  readonly #logger = new Logger('Signaling');

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    private readonly relay: RoomRelay,
  ) {}

  onModuleDestroy(): void {
    for (const waiter of this.#local.values()) clearTimeout(waiter.timer);
  }

  /** A `join` of a locked room: the joiner waits, and its hosts hear the knock. */
  async knock(session: PeerSession, dto: JoinDto, identity: SignalingIdentity, name: string): Promise<void> {
    const now = Date.now();
    const { room } = dto;
    const timeoutMs = this.options.waitingTimeoutMs;
    const expiresAt = now + timeoutMs + STORE_SLACK_MS;
    const record: WaiterRecord = { room, id: randomId(12), name, since: now, instance: this.relay.instanceId, expiresAt };
    if (!(await this.store.addWaiter(record, LIMITS.maxWaiting))) {
      throw new SignalingException(ErrorCode.RoomFull, `Room ${room} is locked and too many people are waiting to be let in: try again later`);
    }
    const timer = setTimeout(() => this.#background(this.#timedOut(record)), timeoutMs);
    timer.unref();
    this.#local.set(record.id, { session, dto, identity, record, timer });
    session.waiting = { room, id: record.id };
    session.send('waiting', { room, ...(dto.ref !== undefined && { ref: dto.ref }) });
    await this.tellHosts(room);
  }

  /** Takes a waiter held here out of the waiting room (a host decided): the caller lets them in or turns them away. */
  take(id: string): LocalWaiter | undefined {
    const waiter = this.#local.get(id);
    if (!waiter) return undefined;
    clearTimeout(waiter.timer);
    this.#local.delete(id);
    waiter.session.waiting = undefined;
    return waiter;
  }

  /** Turns away a waiter held here. */
  turnAway(id: string, reason: DeniedReason): void {
    this.take(id)?.session.send('denied', { reason });
  }

  /** The waiter gave up: their socket closed, or they sent `leave`. */
  async withdraw(session: PeerSession): Promise<void> {
    const waiter = session.waiting && this.take(session.waiting.id);
    if (waiter && (await this.store.takeWaiter(waiter.record.room, waiter.record.id))) await this.tellHosts(waiter.record.room);
  }

  /** Everyone waiting for `room` now, longest first, as hosts see them. */
  async list(room: string): Promise<Waiter[]> {
    return (await this.store.waiters(room)).map(({ id, name, since }) => ({ id, name, since }));
  }

  /** Sends the hosts of the room the list of who waits. */
  async tellHosts(room: string): Promise<void> {
    await this.relay.broadcastTo(room, 'knocking', { waiting: await this.list(room) }, (peer) => !!peer.host);
  }

  /** Sends a host who just became one (or joined) who waits, if anyone does. */
  async tellHost(session: PeerSession, room: string): Promise<void> {
    const waiting = await this.list(room);
    if (waiting.length) session.send('knocking', { waiting });
  }

  /** The room emptied: nobody is left to let the waiting in. */
  async endAll(room: string): Promise<void> {
    for (const { id } of await this.store.waiters(room)) {
      const waiter = await this.store.takeWaiter(room, id);
      if (waiter) await this.relay.order(waiter.instance, id, 'room-ended');
    }
  }

  async #timedOut(record: WaiterRecord): Promise<void> {
    // Gone already: a host decided meanwhile, and that order is on its way.
    if (!(await this.store.takeWaiter(record.room, record.id))) return;
    this.turnAway(record.id, 'timeout');
    await this.tellHosts(record.room);
  }

  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger.warn(`${error instanceof Error ? error.message : error}`));
  }
}
