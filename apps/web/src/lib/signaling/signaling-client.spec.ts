import { CloseCode } from '@parley/protocol';
import type { ReconnectContext, ReconnectPolicy } from './reconnect-policy';
import { SignalingClient, type SignalingStatus } from './signaling-client';

/** A WebSocket stand-in the test opens, feeds and closes by hand. */
class FakeSocket {
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(code = 1005): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code });
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

class RecordingPolicy implements ReconnectPolicy {
  contexts: ReconnectContext[] = [];
  constructor(private readonly delays: (number | null)[]) {}
  nextRetryDelayInMs(context: ReconnectContext): number | null {
    this.contexts.push(context);
    return this.delays[context.retryCount] ?? null;
  }
}

const wait = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

function setup(policy: ReconnectPolicy = new RecordingPolicy([0, 0, 0])) {
  const sockets: FakeSocket[] = [];
  const statuses: SignalingStatus[] = [];
  const sut = new SignalingClient({
    url: 'ws://parley.test/ws',
    policy,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
  });
  sut.onStatus((status) => statuses.push(status));
  return { sut, sockets, statuses, latest: () => sockets[sockets.length - 1]! };
}

describe(SignalingClient.name, () => {
  it('sends and receives typed frames', async () => {
    const { sut, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;

    const left: unknown[] = [];
    sut.on('peer-left', (data) => left.push(data));
    expect(sut.send('leave', {})).toBe(true);
    latest().receive({ event: 'peer-left', data: { id: 'p2', reason: 'left' } });
    latest().receive({ event: 'peer-joined', data: { peer: {} } });

    expect(latest().sent).toEqual([{ event: 'leave', data: {} }]);
    expect(left).toEqual([{ id: 'p2', reason: 'left' }]);
  });

  it('ignores frames that are not JSON events', async () => {
    const { sut, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;
    const seen: unknown[] = [];
    sut.on('error', (data) => seen.push(data));
    latest().onmessage?.({ data: 'not json' });
    latest().onmessage?.({ data: JSON.stringify({ data: {} }) });
    expect(seen).toEqual([]);
  });

  it('rejects connect when the server cannot be reached', async () => {
    const { sut, latest } = setup();
    const connected = sut.connect();
    latest().close(1006);
    await expect(connected).rejects.toThrow('could not connect');
    expect(sut.status).toBe('closed');
    expect(sut.closeReason).toBe('unreachable');
  });

  it('reconnects after an unexpected close, using the policy', async () => {
    const policy = new RecordingPolicy([0, 0]);
    const { sut, sockets, statuses, latest } = setup(policy);
    const connected = sut.connect();
    latest().open();
    await connected;

    latest().close(1006);
    expect(sut.status).toBe('reconnecting');
    await wait();
    expect(sockets).toHaveLength(2);
    latest().close(1006); // the first retry fails
    await wait();
    expect(sockets).toHaveLength(3);
    latest().open();

    expect(sut.status).toBe('open');
    expect(policy.contexts.map((c) => c.retryCount)).toEqual([0, 1]);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open']);
  });

  it('gives up when the policy says so', async () => {
    const { sut, latest } = setup(new RecordingPolicy([0]));
    const connected = sut.connect();
    latest().open();
    await connected;
    latest().close(1006);
    await wait();
    latest().close(1006);
    await wait();
    expect(sut.status).toBe('closed');
    expect(sut.closeReason).toBe('lost');
  });

  it('does not reconnect when the same peer resumed elsewhere', async () => {
    const { sut, sockets, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;
    latest().close(CloseCode.Replaced);
    await wait();
    expect(sockets).toHaveLength(1);
    expect(sut.closeReason).toBe('replaced');
  });

  it('does not reconnect after close()', async () => {
    const { sut, sockets, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;
    sut.close();
    await wait();
    expect(sockets).toHaveLength(1);
    expect(sut.closeReason).toBe('client');
    expect(sut.send('leave', {})).toBe(false);
  });
});
