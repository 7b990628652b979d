import {
  fetchIceServers,
  probeSignaling,
  relayTransports,
  runDoctor,
  serversFor,
  turnTransport,
  verdict,
  type CheckResult,
  type PathResult,
  type RelayTransport,
} from './connectivity-check';

const ICE = [
  { urls: ['stun:stun.example.org:3478'] },
  {
    urls: ['turn:turn.example.org:3478?transport=udp', 'turn:turn.example.org:3478?transport=tcp', 'turns:turn.example.org:5349'],
    username: '1700000000:parley',
    credential: 'secret',
  },
];

const direct = (fields: Partial<PathResult> = {}): PathResult => ({
  connected: true,
  gathered: ['host', 'srflx'],
  ms: 40,
  path: { kind: 'direct', transport: 'udp', localType: 'host', remoteType: 'host' },
  ...fields,
});
const relay = (transport: RelayTransport): PathResult => ({
  connected: true,
  gathered: ['relay'],
  ms: 90,
  path: { kind: 'relay', transport, localType: 'relay', remoteType: 'relay' },
});
const failed: PathResult = { connected: false, gathered: [], ms: 10_000 };

/** A fake network: which transports get through. */
function network(works: { direct?: PathResult; udp?: boolean; tcp?: boolean; tls?: boolean }) {
  const tried: RTCConfiguration[] = [];
  const tryPath = async (configuration: RTCConfiguration): Promise<PathResult> => {
    tried.push(configuration);
    if (configuration.iceTransportPolicy !== 'relay') return works.direct ?? direct();
    const transport = turnTransport([configuration.iceServers![0]!.urls].flat()[0]!)!;
    return works[transport] ? relay(transport) : { ...failed, gathered: transport === 'udp' ? [] : ['relay'] };
  };
  return { tryPath, tried };
}

const deps = (fields: Partial<Parameters<typeof runDoctor>[0]> = {}) => ({
  iceServers: ICE,
  devices: async () => ({ camera: true, microphone: true }),
  signaling: async () => true,
  ...fields,
});

describe('turn URLs', () => {
  it('knows how each URL is reached', () => {
    expect(turnTransport('turn:h:3478')).toBe('udp');
    expect(turnTransport('turn:h:3478?transport=udp')).toBe('udp');
    expect(turnTransport('TURN:h:3478?transport=tcp')).toBe('tcp');
    expect(turnTransport('turns:h:5349?transport=tcp')).toBe('tls');
    expect(turnTransport('stun:h')).toBeNull();
  });

  it('picks the servers for each check, keeping the credentials', () => {
    expect(serversFor(ICE, 'direct')).toEqual([{ urls: ['stun:stun.example.org:3478'] }]);
    expect(serversFor(ICE, 'tcp')).toEqual([{ ...ICE[1], urls: ['turn:turn.example.org:3478?transport=tcp'] }]);
    expect(relayTransports(ICE)).toEqual(['udp', 'tcp', 'tls']);
    expect(relayTransports([{ urls: 'stun:x' }])).toEqual([]);
  });
});

describe('runDoctor', () => {
  it('says calls work directly when everything does', async () => {
    const { tryPath, tried } = network({ udp: true, tcp: true, tls: true });
    const progress: CheckResult[][] = [];
    const report = await runDoctor(deps({ tryPath }), (checks) => progress.push(checks));
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['devices', 'ok'],
      ['signaling', 'ok'],
      ['direct', 'ok'],
      ['relay-udp', 'ok'],
      ['relay-tcp', 'ok'],
      ['relay-tls', 'ok'],
    ]);
    expect(report.verdict).toEqual({ level: 'ok', text: 'Calls will work, directly between browsers, with a relay (TURN) as a fallback.' });
    expect(progress[0]!.every((c) => c.status === 'running')).toBe(true);
    // Relay checks are forced through TURN, one transport each.
    expect(tried.filter((c) => c.iceTransportPolicy === 'relay').map((c) => [c.iceServers![0]!.urls].flat())).toEqual([
      ['turn:turn.example.org:3478?transport=udp'],
      ['turn:turn.example.org:3478?transport=tcp'],
      ['turns:turn.example.org:5349'],
    ]);
  });

  it('says calls are relayed when only TURN works', async () => {
    const { tryPath } = network({ direct: direct({ gathered: ['host'] }), udp: true, tcp: true });
    const report = await runDoctor(deps({ tryPath }));
    expect(report.checks.find((c) => c.id === 'direct')?.status).toBe('warn');
    expect(report.verdict).toEqual({ level: 'ok', text: 'Calls will work, relayed through TURN.' });
  });

  it('says UDP is blocked when only TURN over TCP works', async () => {
    const { tryPath } = network({ direct: direct({ gathered: ['host'] }), tcp: true });
    const report = await runDoctor(deps({ tryPath }));
    expect(report.verdict.text).toBe('Your network blocks UDP; only TURN over TCP works. Calls will work, relayed, with a little more delay.');
    expect(report.checks.find((c) => c.id === 'relay-udp')).toMatchObject({ status: 'fail', detail: 'Does not work: the relay did not answer.' });
  });

  it('says calls fail when the server is unreachable', async () => {
    const { tryPath } = network({ udp: true });
    const report = await runDoctor(deps({ tryPath, signaling: async () => false }));
    expect(report.verdict.level).toBe('fail');
    expect(report.checks.find((c) => c.id === 'signaling')?.status).toBe('fail');
  });

  it('tests only the direct path without ICE servers, and says there is no relay', async () => {
    const { tryPath, tried } = network({});
    const report = await runDoctor(deps({ tryPath, iceServers: [], devices: async () => ({ camera: false, microphone: true }) }));
    expect(tried).toEqual([{ iceServers: [] }]);
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['devices', 'warn'],
      ['signaling', 'ok'],
      ['direct', 'ok'],
      ['relay-udp', 'skipped'],
    ]);
    expect(report.verdict).toEqual({ level: 'ok', text: 'Calls will work, directly between browsers.' });
  });

  it('says the relay was not checked when the server refused its details', async () => {
    const { tryPath, tried } = network({});
    const report = await runDoctor(deps({ tryPath, iceServers: 'refused' }));
    expect(tried).toEqual([{ iceServers: [] }]);
    const relay = report.checks.find((c) => c.id === 'relay-udp');
    expect(relay?.status).toBe('skipped');
    expect(relay?.detail).toMatch(/would not hand out its relay details/);
    expect(report.verdict.level).toBe('warn');
    expect(report.verdict.text).toMatch(/relay \(TURN\) could not be checked/);
  });

  it('survives checks that throw', async () => {
    const report = await runDoctor(
      deps({
        tryPath: () => Promise.reject(new Error('no WebRTC')),
        devices: () => Promise.reject(new Error('no devices')),
        signaling: () => Promise.reject(new Error('no socket')),
      }),
    );
    expect(report.checks.map((c) => c.status)).toEqual(['warn', 'fail', 'fail', 'fail', 'fail', 'fail']);
    expect(report.verdict.level).toBe('fail');
  });
});

describe('verdict', () => {
  const base = { signaling: true, relaysOffered: ['udp', 'tcp'] as RelayTransport[] };
  it('warns when the relay is broken but direct works', () => {
    expect(verdict({ ...base, direct: true, relaysWorking: new Set() }).level).toBe('warn');
  });
  it('fails when nothing connects', () => {
    expect(verdict({ ...base, direct: false, relaysWorking: new Set() }).level).toBe('fail');
  });
  it('warns when only this network works', () => {
    expect(verdict({ ...base, direct: false, directLocalOnly: true, relaysWorking: new Set() }).text).toMatch(
      /only work with people on this network/,
    );
  });
});

describe('probeSignaling', () => {
  class FakeSocket {
    closed = false;
    onopen: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onclose: (() => void) | null = null;
    close() {
      this.closed = true;
    }
  }

  it('is reachable when the socket opens, and closes it', async () => {
    const socket = new FakeSocket();
    const probe = probeSignaling('ws://x/ws', { createSocket: () => socket as unknown as WebSocket });
    socket.onopen?.();
    expect(await probe).toBe(true);
    expect(socket.closed).toBe(true);
  });

  it('is unreachable when the socket fails or never opens', async () => {
    const refused = new FakeSocket();
    const probe = probeSignaling('ws://x/ws', { createSocket: () => refused as unknown as WebSocket });
    refused.onclose?.();
    expect(await probe).toBe(false);
    const silent = new FakeSocket();
    expect(await probeSignaling('ws://x/ws', { createSocket: () => silent as unknown as WebSocket, timeoutMs: 10 })).toBe(false);
  });
});

describe('fetchIceServers', () => {
  const respond = (status: number, body: unknown) => (async () => ({ ok: status < 300, status, json: async () => body })) as unknown as typeof fetch;

  it('asks the server for the ICE servers of the room, showing the ticket and the room token', async () => {
    let asked = '';
    let headers: Record<string, string> = {};
    const fetcher = (async (url: string, init: RequestInit) => {
      asked = url;
      headers = init.headers as Record<string, string>;
      return { ok: true, status: 200, json: async () => ({ iceServers: ICE }) };
    }) as unknown as typeof fetch;
    expect(await fetchIceServers('stand-up', { ticket: 't1', token: 'tok' }, fetcher)).toEqual(ICE);
    expect(asked).toBe('/api/ice-servers?room=stand-up');
    expect(headers['x-parley-ticket']).toBe('t1');
    expect(headers.authorization).toBe('Bearer tok');
  });

  it('sends no ticket or token header when it has none', async () => {
    let headers: Record<string, string> = {};
    const fetcher = (async (_url: string, init: RequestInit) => {
      headers = init.headers as Record<string, string>;
      return { ok: true, status: 200, json: async () => ({ iceServers: ICE }) };
    }) as unknown as typeof fetch;
    await fetchIceServers('r', {}, fetcher);
    expect(Object.keys(headers)).toEqual(['accept']);
  });

  it('says whether the server refused or could not say', async () => {
    expect(await fetchIceServers('r', {}, respond(403, {}))).toBe('refused');
    expect(await fetchIceServers('r', {}, respond(401, {}))).toBe('refused');
    expect(await fetchIceServers('r', {}, respond(500, {}))).toBe('unavailable');
    expect(await fetchIceServers('r', {}, respond(200, '<html>'))).toBe('unavailable');
    expect(await fetchIceServers('r', {}, (() => Promise.reject(new Error('offline'))) as unknown as typeof fetch)).toBe('unavailable');
  });
});
