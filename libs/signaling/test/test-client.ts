import { WebSocket } from 'ws';
import type { ClientEvents, ServerEvents, ServerFrame } from '@parley/protocol';

const WAIT_MS = 3000;

/** A real `ws` client that records every frame it receives, so a test can wait for one. */
export class TestClient {
  readonly received: ServerFrame[] = [];
  /** Every frame as it arrived, consumed or not, for checks on everything a client was sent. */
  readonly frames: string[] = [];
  readonly #waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => {
      this.frames.push(raw.toString());
      this.received.push(JSON.parse(raw.toString()) as ServerFrame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** `localAddress`: a loopback address of 127/8 to connect from, for tests past the per-address caps. */
  static async connect(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<TestClient> {
    const socket = new WebSocket(url, { headers, localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new TestClient(socket);
  }

  send<E extends keyof ClientEvents>(event: E, data: ClientEvents[E] | Record<string, unknown>): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  sendRaw(frame: string | Buffer): void {
    this.socket.send(frame);
  }

  /** Resolves with the first not-yet-consumed frame of `event`, and consumes it. */
  next<E extends keyof ServerEvents>(event: E, timeoutMs = WAIT_MS): Promise<ServerEvents[E]> {
    return new Promise((resolve, reject) => {
      const look = () => {
        const index = this.received.findIndex((frame) => frame.event === event);
        if (index < 0) return false;
        const [frame] = this.received.splice(index, 1);
        this.#waiters.delete(look);
        clearTimeout(timer);
        resolve(frame.data as ServerEvents[E]);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(look);
        reject(new Error(`no "${event}" within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((f) => f.event))}`));
      }, timeoutMs);
      if (!look()) this.#waiters.add(look);
    });
  }

  /** Joins and returns the `joined` payload. */
  async join(room: string, name = 'Ada', extra: Partial<ClientEvents['join']> = {}): Promise<ServerEvents['joined']> {
    this.send('join', { room, name, protocol: 1, ...extra });
    return this.next('joined');
  }

  /** Proves the socket still works and that nothing else is pending: a `media` round trip. */
  async roundTrip(): Promise<void> {
    const ref = `ping-${Math.random()}`;
    this.send('media', { audio: true, video: true, screen: false, ref });
    const echo = await this.next('peer-updated');
    if (echo.ref !== ref) throw new Error(`expected the echo of ${ref}, got ${JSON.stringify(echo)}`);
  }

  /** Stops reading from the socket, so pings go unanswered: a client whose network died. */
  goSilent(): void {
    this.socket.pause();
  }

  close(): void {
    this.socket.terminate();
  }
}

/** Waits a little and returns what arrived meanwhile, for "nobody else got anything" checks. */
export async function settle(ms = 150): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it holds; throws after `withinMs`, naming what it waited for. */
export async function waitFor(check: () => boolean, withinMs = 5_000, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
