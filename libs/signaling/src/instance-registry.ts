import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from './message-bus.js';
import { ROOM_STORE, type PeerRecord, type RoomStore } from './room-store.js';
import { SignalingLog } from './signaling-log.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/**
 * How often an instance says it is alive, and how long that lasts without renewal. A dead
 * instance's peers show as `reconnecting` within TTL + one interval (8 s); a live instance
 * that misses its heartbeats for longer finds out on the next one and writes its peers back.
 */
export const INSTANCE_HEARTBEAT_MS = 2_000;
export const INSTANCE_TTL_MS = 6_000;

/** What the registry reports to the room service. */
export interface InstanceEvents {
  /** Another instance stopped its heartbeat: its peers, still in their rooms, now wait for a resume. */
  down(records: PeerRecord[]): Promise<void>;
  /** The grace window passed and the instance did not come back: remove what it still holds. */
  gone(instance: string, records: PeerRecord[]): Promise<void>;
  /**
   * Messages to this instance may have been lost: the bus reconnected (Redis may have restarted
   * empty), or this instance's heartbeat lapsed and others may have taken it for dead.
   */
  resync(): Promise<void>;
}

/**
 * The instances sharing rooms: this one's heartbeat, and the reaping of instances that died
 * without cleaning up. One live instance claims each dead one.
 */
@Injectable()
export class InstanceRegistry implements OnModuleInit, OnModuleDestroy {
  readonly #logger = new Logger('Signaling');
  #timers: NodeJS.Timeout[] = [];
  readonly #graceTimers = new Set<NodeJS.Timeout>();
  #events: InstanceEvents = { down: async () => {}, gone: async () => {}, resync: async () => {} };
  #beaten = false;
  /** The last heartbeat found this instance alive: it is not itself just back from an outage. */
  #healthy = false;

  constructor(
    @InjectSignalingOptions() private readonly options: ResolvedSignalingOptions,
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly log: SignalingLog,
  ) {}

  /** Sets who handles dead instances and resyncs (the room service). */
  serve(events: InstanceEvents): void {
    this.#events = events;
  }

  onModuleInit(): void {
    this.bus.onResync(() => this.#background(this.#resync('the bus reconnected')));
    const every = (ms: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => this.#background(task()), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(INSTANCE_HEARTBEAT_MS, () => this.#heartbeat());
    every(INSTANCE_HEARTBEAT_MS, () => this.#reapDeadInstances());
    this.#background(this.#heartbeat());
  }

  /** Stops the heartbeat: the instance is going away. */
  onModuleDestroy(): void {
    for (const timer of [...this.#timers, ...this.#graceTimers]) clearTimeout(timer);
    this.#timers = [];
    this.#graceTimers.clear();
  }

  async #heartbeat(): Promise<void> {
    const wasAlive = await this.store.heartbeat(this.bus.instanceId, INSTANCE_TTL_MS).catch((error: unknown) => {
      this.#healthy = false;
      throw error;
    });
    if (!wasAlive && this.#beaten) await this.#resync('its heartbeat had lapsed');
    this.#beaten = true;
    this.#healthy = wasAlive;
  }

  /** Work no client waits for: a failure (Redis down) is logged, never an unhandled rejection. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger.warn(`${error instanceof Error ? error.message : error}`));
  }

  async #reapDeadInstances(): Promise<void> {
    // After an outage of Redis every heartbeat lapsed: give the others one round to renew theirs.
    if (!this.#healthy) return;
    for (const dead of await this.store.claimDeadInstances(this.bus.instanceId)) {
      const records = await this.store.instancePeers(dead);
      this.log.instanceEvent('instance-down', 'Another instance stopped its heartbeat: its peers are reconnecting', {
        other: dead,
        peers: records.length,
      });
      await this.#events.down(records);
      const timer = setTimeout(() => {
        this.#graceTimers.delete(timer);
        this.#background(this.#graceOver(dead));
      }, this.options.resumeGraceMs);
      timer.unref();
      this.#graceTimers.add(timer);
    }
  }

  async #graceOver(dead: string): Promise<void> {
    // It came back (a long pause, not a death): it writes its peers back itself.
    if (await this.store.isInstanceAlive(dead)) return;
    const records = await this.store.instancePeers(dead);
    await this.#events.gone(dead, records);
    await this.store.forgetInstance(dead);
    this.log.instanceEvent('instance-gone', 'Another instance is gone: its peers were removed', { other: dead, peers: records.length });
  }

  async #resync(why: string): Promise<void> {
    this.log.instanceEvent('resync', 'Resyncing', { reason: why });
    await this.store.heartbeat(this.bus.instanceId, INSTANCE_TTL_MS);
    await this.#events.resync();
  }
}
