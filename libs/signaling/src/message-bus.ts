import type { ServerEvents } from '@parley/protocol';

/** Injection token of the `MessageBus`. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');

/** What one instance asks of another. */
export type BusMessage =
  /** Send a frame to these peers, whose sockets the receiving instance holds; `at` is when the relay began. */
  | { kind: 'deliver'; to: string[]; frame: string; event: keyof ServerEvents; at: number }
  /** A peer resumed elsewhere: drop its old socket and grace timer here. */
  | { kind: 'takeover'; peerId: string };

/** Carries messages between instances. Messages to one instance arrive in the order they were sent. */
export interface MessageBus {
  /** This instance's id, unique per process. */
  readonly instanceId: string;
  publish(instance: string, message: BusMessage): Promise<void>;
  /** Sets the one handler for messages addressed to this instance. */
  onMessage(handler: (message: BusMessage) => void): void;
  /** Called after the connection came back and messages may have been lost. */
  onResync(handler: () => void): void;
}

/** The embedded default: one instance, so every message is for this process. */
export class LocalMessageBus implements MessageBus {
  #handler: (message: BusMessage) => void = () => {};

  constructor(readonly instanceId: string) {}

  async publish(_instance: string, message: BusMessage): Promise<void> {
    this.#handler(message);
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.#handler = handler;
  }

  onResync(): void {}
}
