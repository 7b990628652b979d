import { CloseCode } from '@parley/protocol';
import type { ClientEvents, ServerEvents } from '@parley/protocol';
import { BackoffReconnectPolicy, type ReconnectPolicy } from './reconnect-policy';

/**
 * `connecting`: first attempt; `open`: usable; `reconnecting`: lost and retrying;
 * `closed`: closed on purpose, or given up (see `closeReason`).
 */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the socket ended for good. */
export type CloseReason = 'client' | 'unreachable' | 'lost' | 'rejected' | 'replaced';

type Listener<T> = (data: T) => void;

// The readyState of an open WebSocket, without needing a WebSocket global (unit tests run in Node).
const OPEN = 1;

export interface SignalingClientOptions {
  url: string;
  policy?: ReconnectPolicy;
  /** How long one connection attempt may take. */
  connectTimeoutMs?: number;
  createSocket?: (url: string) => WebSocket;
}

/** The WebSocket URL of the gateway on the page's own origin. */
export function defaultSignalingUrl(loc: Location = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

/** The socket to the gateway: typed events, and reconnects with a policy after an unexpected close. */
export class SignalingClient {
  #socket: WebSocket | null = null;
  #status: SignalingStatus = 'idle';
  #closeReason: CloseReason | null = null;
  #listeners = new Map<string, Set<Listener<never>>>();
  #statusListeners = new Set<(status: SignalingStatus) => void>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryCount = 0;
  #lostAt = 0;
  readonly #options: Required<SignalingClientOptions>;

  constructor(options: SignalingClientOptions) {
    this.#options = {
      policy: new BackoffReconnectPolicy(),
      connectTimeoutMs: 8000,
      createSocket: (url) => new WebSocket(url),
      ...options,
    };
  }

  get status(): SignalingStatus {
    return this.#status;
  }

  get closeReason(): CloseReason | null {
    return this.#closeReason;
  }

  /** Opens the socket; rejects when the server cannot be reached. */
  connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#closeReason = null;
    this.#setStatus('connecting');
    return this.#open().catch((error: unknown) => {
      this.#finish('unreachable');
      throw error;
    });
  }

  send<E extends keyof ClientEvents>(event: E, data: ClientEvents[E]): boolean {
    if (this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify({ event, data }));
    return true;
  }

  on<E extends keyof ServerEvents>(event: E, listener: Listener<ServerEvents[E]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  onStatus(listener: (status: SignalingStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  /** Closes for good; no reconnect follows. */
  close(): void {
    this.#finish('client');
  }

  #open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.#options.createSocket(this.#options.url);
      this.#socket = socket;
      let opened = false;
      const timer = setTimeout(() => socket.close(), this.#options.connectTimeoutMs);

      socket.onopen = () => {
        clearTimeout(timer);
        opened = true;
        this.#retryCount = 0;
        this.#setStatus('open');
        resolve();
      };
      socket.onmessage = (message) => this.#dispatch(message.data);
      socket.onclose = (event) => {
        clearTimeout(timer);
        if (this.#socket !== socket) return;
        this.#socket = null;
        if (!opened) reject(new Error(`could not connect to ${this.#options.url}`));
        else this.#onLost(event.code);
      };
    });
  }

  #onLost(code: number): void {
    if (this.#status === 'closed') return;
    if (code === CloseCode.Replaced) {
      this.#finish('replaced');
      return;
    }
    // The server rejected this client on purpose; retrying would only repeat that.
    if (code === CloseCode.PolicyViolation || code === CloseCode.MessageTooBig) {
      this.#finish('rejected');
      return;
    }
    this.#lostAt = Date.now();
    this.#retryCount = 0;
    this.#setStatus('reconnecting');
    this.#scheduleRetry(code === CloseCode.GoingAway ? 0 : undefined);
  }

  #scheduleRetry(delayOverride?: number): void {
    const delay =
      delayOverride ??
      this.#options.policy.nextRetryDelayInMs({ retryCount: this.#retryCount, elapsedMs: Date.now() - this.#lostAt });
    if (delay === null) {
      this.#finish('lost');
      return;
    }
    this.#retryTimer = setTimeout(() => {
      if (this.#status !== 'reconnecting') return;
      this.#open().catch(() => {
        if (this.#status !== 'reconnecting') return;
        this.#retryCount++;
        this.#scheduleRetry();
      });
    }, delay);
  }

  #finish(reason: CloseReason): void {
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket && socket.readyState <= OPEN) socket.close(1000);
    this.#closeReason = reason;
    this.#setStatus('closed');
  }

  #dispatch(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let frame: { event?: unknown; data?: unknown };
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof frame?.event !== 'string') return;
    for (const listener of this.#listeners.get(frame.event) ?? []) {
      try {
        (listener as Listener<unknown>)(frame.data);
      } catch (error) {
        console.error(`[signaling] ${frame.event} listener failed`, error);
      }
    }
  }

  #setStatus(status: SignalingStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}
