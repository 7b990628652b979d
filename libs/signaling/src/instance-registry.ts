import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from './message-bus.js';
import { ROOM_STORE, type PeerRecord, type RoomStore } from './room-store.js';

/** How often an instance says it is alive, and how long that lasts without renewal. */
const INSTANCE_HEARTBEAT_MS = 5_000;
const INSTANCE_TTL_MS = 15_000;

/** What the registry reports to the room service. */
export interface InstanceEvents {
  /** Another instance stopped its heartbeat; these are the peers it held, already removed. */
  dead(instance: string, records: PeerRecord[]): Promise<void>;
  /** The bus reconnected: messages may have been lost, and Redis may have restarted empty. */
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
  #events: InstanceEvents = { dead: async () => {}, resync: async () => {} };

  constructor(
    @Inject(ROOM_STORE) private readonly store: RoomStore,
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
  ) {}

  /** Sets who handles dead instances and resyncs (the room service). */
  serve(events: InstanceEvents): void {
    this.#events = events;
  }

  onModuleInit(): void {
    this.bus.onResync(() => this.#background(this.#resync()));
    const every = (ms: number, task: () => Promise<unknown>) => {
      const timer = setInterval(() => this.#background(task()), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(INSTANCE_HEARTBEAT_MS, () => this.heartbeat());
    every(INSTANCE_HEARTBEAT_MS, () => this.#reapDeadInstances());
    this.#background(this.heartbeat());
  }

  /** Stops the heartbeat: the instance is going away. */
  onModuleDestroy(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  heartbeat(): Promise<void> {
    return this.store.heartbeat(this.bus.instanceId, INSTANCE_TTL_MS);
  }

  /** Work no client waits for: a failure (Redis down) is logged, never an unhandled rejection. */
  #background(work: Promise<unknown>): void {
    work.catch((error: unknown) => this.#logger.warn(`${error instanceof Error ? error.message : error}`));
  }

  async #reapDeadInstances(): Promise<void> {
    for (const dead of await this.store.claimDeadInstances(this.bus.instanceId)) {
      const records = await this.store.takeInstancePeers(dead);
      this.#logger.log(`Instance ${dead} is gone; removing its ${records.length} peers`);
      await this.#events.dead(dead, records);
    }
  }

  async #resync(): Promise<void> {
    await this.heartbeat();
    await this.#events.resync();
  }
}
