import { CloseCode, ErrorCode } from '@parley/protocol';
import type { ReconnectContext, ReconnectPolicy } from './reconnect-policy';
import { SignalingClient, type ConnectivityChange, type SignalingStatus } from './signaling-client';
import { FakeSocket } from './socket.fake';

class RecordingPolicy implements ReconnectPolicy {
  contexts: ReconnectContext[] = [];
  constructor(private readonly delays: (number | null)[]) {}
  nextRetryDelayInMs(context: ReconnectContext): number | null {
    this.contexts.push(context);
    return this.delays[context.retryCount] ?? null;
  }
}

const wait = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

const clients: SignalingClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function setup(policy: ReconnectPolicy = new RecordingPolicy([0, 0, 0]), maxQueued?: number) {
  const sockets: FakeSocket[] = [];
  const statuses: SignalingStatus[] = [];
  let connectivity: (change: ConnectivityChange) => void = () => {};
  const sut = new SignalingClient({
    url: 'ws://parley.test/ws',
    policy,
    maxQueued,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    connectivity: (listener) => {
      connectivity = listener;
      return () => (connectivity = () => {});
    },
  });
  sut.onStatus((status) => statuses.push(status));
  clients.push(sut);
  return {
    sut,
    sockets,
    statuses,
    latest: () => sockets[sockets.length - 1]!,
    browser: (change: ConnectivityChange) => connectivity(change),
  };
}

const joined = (id: string, resume: string) => ({
  event: 'joined',
  data: { self: { id }, room: 'standup', peers: [], iceServers: [], resume, chat: [], limits: {} },
});

/** Connects, joins 'standup' and gets `joined` with resume token `t1`. */
async function joinedClient(policy?: ReconnectPolicy, maxQueued?: number) {
  const context = setup(policy, maxQueued);
  const connected = context.sut.connect();
  context.latest().open();
  await connected;
  context.sut.join({ room: 'standup', name: 'Ada' });
  context.latest().receiveFrame(joined('p1', 't1'));
  return context;
}

/** A policy that never retries by itself, so only the test (or the browser) triggers a retry. */
const patient = (): ReconnectPolicy => ({ nextRetryDelayInMs: () => 60_000 });

describe(SignalingClient.name, () => {
  it('sends and receives typed frames', async () => {
    const { sut, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;

    const left: unknown[] = [];
    sut.on('peer-left', (data) => left.push(data));
    expect(sut.send('leave', {})).toBe(true);
    latest().receiveFrame({ event: 'peer-left', data: { id: 'p2', reason: 'left' } });
    latest().receiveFrame({ event: 'peer-joined', data: { peer: {} } });

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

  it('sends join with the protocol version, and after a lost connection resumes with the last token', async () => {
    const { sut, latest, sockets } = await joinedClient();
    expect(sockets[0]!.sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1 } }]);

    latest().close(1006);
    await wait();
    latest().open();
    expect(latest().sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't1' } }]);

    latest().receiveFrame(joined('p1', 't2'));
    latest().close(1006);
    await wait();
    latest().open();
    expect(latest().sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't2' } }]);
    expect(sut.status).toBe('open');
  });

  it('resumes with the token of the last resume-token, which replaces the one from joined', async () => {
    const { latest } = await joinedClient();
    latest().receiveFrame({ event: 'resume-token', data: { resume: 't5' } });
    latest().close(1006);
    await wait();
    latest().open();
    expect(latest().sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't5' } }]);
  });

  it('queues messages while reconnecting and sends them in order once joined again', async () => {
    const { sut, latest } = await joinedClient();
    latest().close(1006);

    expect(sut.send('media', { audio: true, video: false, screen: false })).toBe(true);
    expect(sut.send('signal', { to: 'p2', candidate: null })).toBe(true);
    expect(sut.queued).toBe(2);
    await wait();
    latest().open();
    // Open is not enough: the server must take the peer back first.
    expect(sut.send('chat', { text: 'back?' })).toBe(true);
    expect(latest().sent.map((f) => (f as { event: string }).event)).toEqual(['join']);

    latest().receiveFrame(joined('p1', 't2'));
    expect(latest().sent.map((f) => (f as { event: string }).event)).toEqual(['join', 'media', 'signal', 'chat']);
    expect(sut.queued).toBe(0);
  });

  it('keeps only the newest messages when the queue is full', async () => {
    const { sut, latest } = await joinedClient(undefined, 2);
    latest().close(1006);
    for (const text of ['one', 'two', 'three']) sut.send('chat', { text });
    await wait();
    latest().open();
    latest().receiveFrame(joined('p1', 't2'));
    expect(latest().sent.slice(1)).toEqual([
      { event: 'chat', data: { text: 'two' } },
      { event: 'chat', data: { text: 'three' } },
    ]);
  });

  it('joins afresh when the resume token is refused, without reporting the refusal', async () => {
    const { sut, latest } = await joinedClient();
    const errors: unknown[] = [];
    const joins: string[] = [];
    sut.on('error', (error) => errors.push(error));
    sut.on('joined', (data) => joins.push(data.self.id));
    latest().close(1006);
    sut.send('signal', { to: 'p2', candidate: null });
    await wait();
    latest().open();

    latest().receiveFrame({
      event: 'error',
      data: {
        code: ErrorCode.Unauthorized,
        message: 'The resume token has expired: join afresh',
        event: 'join',
        details: [{ field: 'resume', problems: ['expired'] }],
      },
    });
    expect(latest().sent).toEqual([
      { event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't1' } },
      { event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1 } },
    ]);
    latest().receiveFrame(joined('p9', 't3'));
    expect(errors).toEqual([]);
    expect(joins).toEqual(['p9']);
    // The queued signal belonged to the old peer's links.
    expect(latest().sent).toHaveLength(2);
  });

  it('gives up, without joining afresh, when a host removed the peer', async () => {
    const { sut, latest } = await joinedClient();
    latest().close(1006);
    await wait();
    latest().open();
    latest().receiveFrame({
      event: 'error',
      data: {
        code: ErrorCode.Unauthorized,
        message: 'The resume token was revoked when a host removed the peer: join afresh',
        event: 'join',
        details: [{ field: 'resume', problems: ['removed'] }],
      },
    });
    expect(latest().sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't1' } }]);
    expect([sut.status, sut.closeReason]).toEqual(['closed', 'removed']);
  });

  it('reports a refused join that carried no resume token', async () => {
    const { sut, latest } = setup();
    const connected = sut.connect();
    latest().open();
    await connected;
    const errors: unknown[] = [];
    sut.on('error', (error) => errors.push(error));
    sut.join({ room: 'standup', name: 'Ada' });
    latest().receiveFrame({ event: 'error', data: { code: ErrorCode.Unauthorized, message: 'no', event: 'join' } });
    expect(errors).toHaveLength(1);
    expect(latest().sent).toHaveLength(1);
  });

  it.each([CloseCode.GoingAway, CloseCode.ServiceRestart])('reconnects at once after close code %i', async (code) => {
    const policy = new RecordingPolicy([60_000]);
    const { sockets, latest } = await joinedClient(policy);
    latest().close(code);
    expect(sockets).toHaveLength(2);
    expect(policy.contexts).toEqual([]);
  });

  it.each([CloseCode.PolicyViolation, CloseCode.MessageTooBig])('does not retry after close code %i', async (code) => {
    const { sut, sockets, latest } = await joinedClient();
    latest().close(code);
    await wait();
    expect(sockets).toHaveLength(1);
    expect(sut.closeReason).toBe('rejected');
  });

  it.each(['online', 'visible'] as const)('retries at once when the browser reports %s', async (change) => {
    const { sockets, latest, browser } = await joinedClient(patient());
    latest().close(1006);
    await wait();
    expect(sockets).toHaveLength(1);
    browser(change);
    expect(sockets).toHaveLength(2);
    browser(change); // an attempt is under way: no second socket
    expect(sockets).toHaveLength(2);
  });

  it('drops an open socket when the browser goes offline, and comes back as the same peer', async () => {
    const { sut, sockets, latest, browser } = await joinedClient(patient());
    browser('offline');
    expect(sut.status).toBe('reconnecting');
    expect(sockets[0]!.readyState).toBe(3);
    browser('online');
    latest().open();
    expect(latest().sent).toEqual([{ event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't1' } }]);
  });

  it('tells, for each joined, whether the browser went offline since the one before', async () => {
    const { sut, latest, browser } = await joinedClient(patient());
    expect(sut.wentOffline).toBe(false);
    browser('offline');
    browser('online');
    latest().open();
    latest().receiveFrame(joined('p1', 't2'));
    expect(sut.wentOffline).toBe(true);
    latest().close(1006);
    await wait();
    sut.reconnect();
    latest().open();
    latest().receiveFrame(joined('p1', 't3'));
    expect(sut.wentOffline).toBe(false);
  });

  it('after giving up, Retry starts over with the same token', async () => {
    const { sut, sockets, latest } = await joinedClient(new RecordingPolicy([]));
    latest().close(1006);
    expect(sut.closeReason).toBe('lost');
    sut.send('chat', { text: 'still here' });

    sut.reconnect();
    expect(sut.status).toBe('reconnecting');
    expect(sockets).toHaveLength(2);
    latest().open();
    latest().receiveFrame(joined('p1', 't2'));
    expect(latest().sent).toEqual([
      { event: 'join', data: { room: 'standup', name: 'Ada', protocol: 1, resume: 't1' } },
      { event: 'chat', data: { text: 'still here' } },
    ]);
  });
});
