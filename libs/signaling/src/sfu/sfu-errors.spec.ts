import { SfuError, SfuErrorKind, toSfuError } from './sfu-errors.js';
import { parseJanusServers } from './janus-pool.js';

describe(toSfuError.name, () => {
  it.each([
    ['a VideoRoom "no such feed"', Object.assign(new Error('428 No such feed (x)'), { _code: 428 }), SfuErrorKind.UnknownPeer, 428],
    [
      'a VideoRoom "publishers full"',
      Object.assign(new Error('432 Maximum number of publishers (1) already reached'), { _code: 432 }),
      SfuErrorKind.Full,
      432,
    ],
    ['a VideoRoom "invalid SDP"', Object.assign(new Error('437 Invalid SDP'), { _code: 437 }), SfuErrorKind.Rejected, 437],
    ['a core "invalid SDP"', new Error('465 JSEP error: invalid SDP'), SfuErrorKind.Rejected, 465],
    [
      'a core "unauthorized" (wrong api_secret)',
      new Error('403 Unauthorized request (wrong or missing secret/token)'),
      SfuErrorKind.Unavailable,
      403,
    ],
    ['a core "no such session"', new Error('458 No such session 1'), SfuErrorKind.Unavailable, 458],
    ['a VideoRoom internal error', Object.assign(new Error('499 Unknown error'), { _code: 499 }), SfuErrorKind.Unavailable, 499],
    ['a closed connection', new Error('connection closed'), SfuErrorKind.Unavailable, undefined],
    ['a ws ErrorEvent', { message: 'connect ECONNREFUSED 127.0.0.1:1' }, SfuErrorKind.Unavailable, undefined],
    ['a string', 'boom', SfuErrorKind.Unavailable, undefined],
    ['null', null, SfuErrorKind.Unavailable, undefined],
  ])('maps %s', (_name, error, kind, janusCode) => {
    const sut = toSfuError(error, 'publish');
    expect(sut).toBeInstanceOf(SfuError);
    expect(sut.kind).toBe(kind);
    expect(sut.janusCode).toBe(janusCode);
    expect(sut.message.startsWith('publish: ')).toBe(true);
  });

  it('keeps an SfuError as it is', () => {
    const error = new SfuError(SfuErrorKind.Full, 'full');
    expect(toSfuError(error, 'x')).toBe(error);
  });
});

describe(parseJanusServers.name, () => {
  it('reads comma-separated ws and wss URLs sharing one secret', () => {
    expect(parseJanusServers(' ws://127.0.0.1:8188 , wss://janus.internal/ws,', 'secret')).toEqual([
      { url: 'ws://127.0.0.1:8188', apiSecret: 'secret' },
      { url: 'wss://janus.internal/ws', apiSecret: 'secret' },
    ]);
    expect(parseJanusServers(undefined, undefined)).toEqual([]);
    expect(parseJanusServers('', 'secret')).toEqual([]);
  });

  it.each([
    ['http://127.0.0.1:8188', 'secret'],
    ['127.0.0.1:8188', 'secret'],
    ['ws://', 'secret'],
    ['ws://127.0.0.1:8188', undefined],
    ['ws://127.0.0.1:8188', ''],
  ])('refuses %j with secret %j', (urls, secret) => {
    expect(() => parseJanusServers(urls, secret)).toThrow();
  });
});
