import { DEFAULT_SERVER_CONFIG, fetchServerConfig, signalingUrl } from './server-config';

const respond = (status: number, body: unknown) => (async () => ({ ok: status < 300, status, json: async () => body })) as unknown as typeof fetch;

describe('fetchServerConfig', () => {
  it('reads the signaling path and the ICE ticket', async () => {
    let asked = '';
    const fetcher = (async (url: string) => {
      asked = url;
      return { ok: true, status: 200, json: async () => ({ signalingPath: '/signal/ws', iceTicket: 'abc.def' }) };
    }) as unknown as typeof fetch;
    expect(await fetchServerConfig(fetcher)).toEqual({ signalingPath: '/signal/ws', iceTicket: 'abc.def' });
    expect(asked).toBe('/api/config');
  });

  it.each([
    ['a server without the route', respond(404, {})],
    ['a server error', respond(500, {})],
    ['an HTML page', respond(200, '<html>')],
    ['null', respond(200, null)],
    ['a network failure', (() => Promise.reject(new Error('offline'))) as unknown as typeof fetch],
  ])('falls back to /ws and no ticket on %s', async (_case, fetcher) => {
    expect(await fetchServerConfig(fetcher)).toEqual(DEFAULT_SERVER_CONFIG);
  });

  it.each([['ws://evil.example/ws'], ['//evil.example/ws'], ['ws'], [''], [42], ['/ws?x=<script>']])(
    'refuses the signaling path %p and keeps /ws',
    async (signalingPath) => {
      expect((await fetchServerConfig(respond(200, { signalingPath, iceTicket: 't' }))).signalingPath).toBe('/ws');
    },
  );

  it('ignores a ticket that is not a string', async () => {
    expect((await fetchServerConfig(respond(200, { signalingPath: '/ws', iceTicket: 7 }))).iceTicket).toBeNull();
  });

  it('gives up on a server that does not answer', async () => {
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch;
    expect(await fetchServerConfig(hanging, 20)).toEqual(DEFAULT_SERVER_CONFIG);
  });
});

describe('signalingUrl', () => {
  it('builds the socket URL on the page origin', () => {
    expect(signalingUrl('/ws', { protocol: 'http:', host: 'localhost:3000' })).toBe('ws://localhost:3000/ws');
    expect(signalingUrl('/rtc/socket', { protocol: 'https:', host: 'meet.example' })).toBe('wss://meet.example/rtc/socket');
  });
});
