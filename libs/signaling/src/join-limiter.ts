import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { TokenBucket, type BucketSpec } from './rate-limiter.js';
import { InjectSignalingOptions } from './signaling.decorators.js';
import type { ResolvedSignalingOptions } from './signaling-options.interface.js';

/** How long a room joined from an address stays free to join again from it. */
const KNOWN_ROOM_MS = 60 * 60_000;
/** Rooms remembered per address; past that the oldest is forgotten (and costs a token again). */
const KNOWN_ROOMS_PER_IP = 256;

interface PerIp {
  newRooms: TokenBucket;
  /** Room name to when it stops being known; in insertion order, oldest first. */
  known: Map<string, number>;
}

/**
 * Stops an address from probing rooms: a `join` to a room not joined from that address in the
 * last hour takes a token from its bucket (default bursts of 20, then 20 a minute), and none
 * left answers `rate-limited`. Coming back to a room (a reload, a rejoin, a colleague behind the
 * same NAT) is free, and a resume with a valid token never asks. Enumerating 36,000 room names
 * from one address takes more than a day. Per instance, like the connection caps.
 */
@Injectable()
export class JoinLimiter implements OnModuleDestroy {
  readonly #byIp = new Map<string, PerIp>();
  readonly #sweeper: NodeJS.Timeout;
  /** One spec for every address's bucket. */
  readonly #newRooms: BucketSpec;

  constructor(@InjectSignalingOptions() options: ResolvedSignalingOptions) {
    const { burst, perMinute } = options.newRoomJoinsPerIp;
    this.#newRooms = { burst, perSecond: perMinute / 60 };
    this.#sweeper = setInterval(() => this.sweep(), 60_000);
    this.#sweeper.unref();
  }

  /** Whether a join to `room` from `ip` may go ahead; takes a token if the room is new to it. */
  allow(ip: string, room: string, now = Date.now()): boolean {
    const entry = this.#entry(ip, now);
    if ((entry.known.get(room) ?? 0) > now) return true;
    return entry.newRooms.take(now);
  }

  /** `ip` is in `room` now: joining it again is free for a while. */
  joined(ip: string, room: string, now = Date.now()): void {
    const { known } = this.#entry(ip, now);
    known.delete(room);
    known.set(room, now + KNOWN_ROOM_MS);
    if (known.size > KNOWN_ROOMS_PER_IP) known.delete(known.keys().next().value!);
  }

  /** Forgets addresses with nothing left to remember. */
  sweep(now = Date.now()): void {
    for (const [ip, entry] of this.#byIp) {
      for (const [room, until] of entry.known) if (until <= now) entry.known.delete(room);
      if (entry.known.size === 0 && entry.newRooms.fullAt(now)) this.#byIp.delete(ip);
    }
  }

  /** Addresses tracked, for tests and metrics. */
  get size(): number {
    return this.#byIp.size;
  }

  onModuleDestroy(): void {
    clearInterval(this.#sweeper);
  }

  #entry(ip: string, now: number): PerIp {
    let entry = this.#byIp.get(ip);
    if (!entry) {
      entry = { newRooms: new TokenBucket(this.#newRooms, now), known: new Map() };
      this.#byIp.set(ip, entry);
    }
    return entry;
  }
}
