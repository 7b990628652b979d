import { Injectable } from '@nestjs/common';

/**
 * Whether this instance is draining before it shuts down: a load balancer is taking it out
 * (readiness fails), new joins and new sockets are refused so clients land on another instance,
 * and the sockets already here keep being served until the shutdown closes them with 1012.
 */
@Injectable()
export class SignalingDrain {
  #since?: number;

  /** True from `start()` on. */
  get draining(): boolean {
    return this.#since !== undefined;
  }

  /** When the drain started (ms since the epoch), or undefined. */
  get since(): number | undefined {
    return this.#since;
  }

  /** Starts draining; it lasts until the process exits. Calling it again changes nothing. */
  start(): void {
    this.#since ??= Date.now();
  }
}
