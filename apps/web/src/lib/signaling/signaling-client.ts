import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@parley/protocol';
import type { ClientEvents, ErrorPayload, JoinPayload, ServerEvents } from '@parley/protocol';
import { BackoffReconnectPolicy, type ReconnectPolicy } from './reconnect-policy';

/**
 * `connecting`: first attempt; `open`: usable; `reconnecting`: lost and retrying;
 * `closed`: closed on purpose, or given up (see `closeReason`).
 */
export type SignalingStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the socket ended for good. */
export type CloseReason = 'client' | 'unreachable' | 'lost' | 'rejected' | 'replaced' | 'removed';

/** What the client joins with; the protocol version and the resume token are added by the client. */
export type JoinRequest = Omit<JoinPayload, 'protocol' | 'resume'>;

/** What the browser says about the network and the page, so a lost socket is retried at once. */
export type ConnectivityChange = 'online' | 'offline' | 'visible';

/** A source of connectivity changes; the browser's own by default. */
export type ConnectivitySource = (listener: (change: ConnectivityChange) => void) => () => void;

type Listener<T> = (data: T) => void;

// The readyState of an open WebSocket, without needing a WebSocket global (unit tests run in Node).
const OPEN = 1;

export interface SignalingClientOptions {
  url: string;
  policy?: ReconnectPolicy;
  /** How long one connection attempt may take. */
  connectTimeoutMs?: number;
  /** How many outgoing messages wait while the connection is being restored; the oldest go first. */
  maxQueued?: number;
  createSocket?: (url: string) => WebSocket;
  connectivity?: ConnectivitySource | null;
}

/** `online`/`offline` on the window, and the page becoming visible again. */
export const browserConnectivity: ConnectivitySource = (listener) => {
  const online = () => listener('online');
  const offline = () => listener('offline');
  const visible = () => document.visibilityState === 'visible' && listener('visible');
  addEventListener('online', online);
  addEventListener('offline', offline);
  document.addEventListener('visibilitychange', visible);
  return () => {
    removeEventListener('online', online);
    removeEventListener('offline', offline);
    document.removeEventListener('visibilitychange', visible);
  };
};

/**
 * The socket to the gateway: typed events, the join and its resume, and reconnects with a policy
 * after an unexpected close. While the connection is being restored, outgoing messages wait in a
 * bounded queue and go out once the server has taken the peer back (`joined`).
 */
export class SignalingClient {
  #socket: WebSocket | null = null;
  #status: SignalingStatus = 'idle';
  #closeReason: CloseReason | null = null;
  #listeners = new Map<string, Set<Listener<never>>>();
  #statusListeners = new Set<(status: SignalingStatus) => void>();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryCount = 0;
  #lostAt = 0;
  #join: JoinRequest | null = null;
  #resume: string | null = null;
  #resuming = false;
  /** Whether the server has taken this socket into the room, so messages may go out directly. */
  #joined = false;
  #queue: string[] = [];
  #offlineSinceJoined = false;
  #wentOffline = false;
  #stopWatching: () => void = () => {};
  readonly #options: Required<Omit<SignalingClientOptions, 'connectivity'>>;
  readonly #connectivity: ConnectivitySource | null;

  constructor(options: SignalingClientOptions) {
    const { connectivity, ...rest } = options;
    this.#options = {
      policy: new BackoffReconnectPolicy(),
      connectTimeoutMs: 8000,
      maxQueued: 200,
      createSocket: (url) => new WebSocket(url),
      ...rest,
    };
    this.#connectivity = connectivity !== undefined ? connectivity : typeof window === 'undefined' ? null : browserConnectivity;
  }

  get status(): SignalingStatus {
    return this.#status;
  }

  get closeReason(): CloseReason | null {
    return this.#closeReason;
  }

  /**
   * Whether the browser went offline between the previous `joined` and the latest one: its address
   * may have changed, so every media path is worth looking for again.
   */
  get wentOffline(): boolean {
    return this.#wentOffline;
  }

  /** Messages waiting for the connection to come back. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Opens the socket; rejects when the server cannot be reached. */
  connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    this.#closeReason = null;
    this.#setStatus('connecting');
    this.#stopWatching();
    this.#stopWatching = this.#connectivity?.((change) => this.#onConnectivity(change)) ?? (() => {});
    return this.#open().catch((error: unknown) => {
      this.#finish('unreachable');
      throw error;
    });
  }

  /**
   * Joins a room. After a lost connection the client joins again by itself, with the resume token
   * of the last `joined`; when the server refuses that token it joins afresh as a new peer.
   */
  join(request: JoinRequest): void {
    this.#join = request;
    this.#resume = null;
    this.#queue = [];
    this.#sendJoin();
  }

  /** Sends now, or queues while the connection is being restored; `false` once closed. */
  send<E extends keyof ClientEvents>(event: E, data: ClientEvents[E]): boolean {
    const frame = JSON.stringify({ event, data });
    if (this.#socket?.readyState === OPEN && (this.#joined || !this.#join)) {
      this.#socket.send(frame);
      return true;
    }
    // After giving up, messages still wait for a "Retry"; only a deliberate end drops them.
    if (this.#status === 'idle' || (this.#status === 'closed' && this.#closeReason !== 'lost')) return false;
    this.#queue.push(frame);
    if (this.#queue.length > this.#options.maxQueued) this.#queue.shift();
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

  /**
   * Tries to reconnect now: while retrying, it skips the wait; after giving up, it starts over with
   * a fresh retry budget (the "Retry" button).
   */
  reconnect(): void {
    if (this.#status === 'reconnecting') {
      if (this.#socket) return; // an attempt is already under way
      clearTimeout(this.#retryTimer);
      this.#attempt();
    } else if (this.#status === 'closed' && this.#closeReason === 'lost') {
      this.#closeReason = null;
      this.#lostAt = Date.now();
      this.#retryCount = 0;
      this.#setStatus('reconnecting');
      this.#attempt();
    }
  }

  /** Closes for good; no reconnect follows. */
  close(): void {
    this.#finish('client');
  }

  #onConnectivity(change: ConnectivityChange): void {
    if (change === 'offline') {
      this.#offlineSinceJoined = true;
      // The operating system says the network is gone: the socket is dead even if it does not know
      // yet, so start restoring now instead of waiting for the server's ping to time out.
      if (this.#status === 'open') this.#drop();
    } else if (!this.#socket || this.#status !== 'open') {
      this.reconnect();
    }
  }

  #drop(): void {
    const socket = this.#socket;
    if (!socket) return;
    this.#socket = null;
    socket.onopen = socket.onmessage = socket.onclose = null;
    socket.close(1000);
    this.#onLost(1006);
  }

  #open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.#options.createSocket(this.#options.url);
      this.#socket = socket;
      this.#joined = false;
      let opened = false;
      const timer = setTimeout(() => socket.close(), this.#options.connectTimeoutMs);

      socket.onopen = () => {
        clearTimeout(timer);
        opened = true;
        this.#retryCount = 0;
        this.#setStatus('open');
        if (this.#join) this.#sendJoin();
        resolve();
      };
      socket.onmessage = (message) => {
        if (this.#socket === socket) this.#dispatch(message.data);
      };
      socket.onclose = (event) => {
        clearTimeout(timer);
        if (this.#socket !== socket) return;
        this.#socket = null;
        this.#joined = false;
        if (!opened) reject(new Error(`could not connect to ${this.#options.url}`));
        else this.#onLost(event.code);
      };
    });
  }

  #sendJoin(): void {
    if (!this.#join || this.#socket?.readyState !== OPEN) return;
    this.#resuming = this.#resume !== null;
    const join: JoinPayload = { ...this.#join, protocol: PROTOCOL_VERSION, ...(this.#resume ? { resume: this.#resume } : {}) };
    this.#socket.send(JSON.stringify({ event: 'join', data: join }));
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
    // A server that says it is going away or restarting wants us back at once.
    if (code === CloseCode.GoingAway || code === CloseCode.ServiceRestart) this.#attempt();
    else this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    const delay = this.#options.policy.nextRetryDelayInMs({
      retryCount: this.#retryCount,
      elapsedMs: Date.now() - this.#lostAt,
    });
    if (delay === null) {
      this.#finish('lost');
      return;
    }
    this.#retryTimer = setTimeout(() => this.#attempt(), delay);
  }

  #attempt(): void {
    if (this.#status !== 'reconnecting') return;
    this.#open().catch(() => {
      if (this.#status !== 'reconnecting') return;
      this.#retryCount++;
      this.#scheduleRetry();
    });
  }

  #finish(reason: CloseReason): void {
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = null;
    this.#joined = false;
    if (socket && socket.readyState <= OPEN) socket.close(1000);
    // Giving up still lets the person press "Retry" (or the network come back) with the same token.
    if (reason !== 'lost') {
      this.#stopWatching();
      this.#queue = [];
    }
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
    if (frame.event === 'error' && this.#refusedResume(frame.data as ErrorPayload)) return;
    // A token works once and expires in minutes: the server sends a new one during a long call.
    if (frame.event === 'resume-token') return void (this.#resume = (frame.data as { resume?: string }).resume ?? this.#resume);
    if (frame.event !== 'joined') return this.#emit(frame.event, frame.data);
    this.#resume = (frame.data as { resume?: string }).resume ?? null;
    this.#joined = true;
    this.#wentOffline = this.#offlineSinceJoined;
    this.#offlineSinceJoined = false;
    this.#emit(frame.event, frame.data);
    this.#flush();
  }

  /** An expired, forged or foreign resume token: come back as a new peer instead. */
  #refusedResume(error: ErrorPayload): boolean {
    const refused =
      this.#resuming &&
      error?.event === 'join' &&
      error.code === ErrorCode.Unauthorized &&
      !!error.details?.some((detail) => detail.field === 'resume');
    if (!refused) return false;
    // A host removed us: coming back as someone new would undo that.
    if (error.details!.some((detail) => detail.problems.includes('removed'))) {
      this.#finish('removed');
      return true;
    }
    this.#resume = null;
    // Queued signals were meant for links of the old peer id, which the fresh join does not keep.
    this.#queue = [];
    this.#sendJoin();
    return true;
  }

  #flush(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const frame of queue) this.#socket?.send(frame);
  }

  #emit(event: string, data: unknown): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as Listener<unknown>)(data);
      } catch (error) {
        console.error(`[signaling] ${event} listener failed`, error);
      }
    }
  }

  #setStatus(status: SignalingStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    for (const listener of this.#statusListeners) listener(status);
  }
}
