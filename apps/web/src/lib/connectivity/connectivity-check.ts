/**
 * The connectivity doctor: before joining, it finds out whether a call can work from here, and
 * says so in plain words. It checks the camera and microphone, the signaling server, a direct path
 * and a relayed path. The paths are tried with a loopback pair of peer connections in this page,
 * using the ICE servers the Parley server hands out: a pair forced through TURN
 * (`iceTransportPolicy: 'relay'`) proves the relay works over that transport. The ICE servers come
 * from `GET /api/ice-servers`, which hands out the same servers a peer gets in `joined`, to a page
 * that shows the server's ticket (from `GET /api/config`) and, where rooms need one, a room token.
 */
import type { IceServer } from '@parley/protocol';
import { collect, describePath, type MediaPath } from '../rtc/stats';

export type CheckId = 'devices' | 'signaling' | 'direct' | 'relay-udp' | 'relay-tcp' | 'relay-tls';
export type CheckStatus = 'running' | 'ok' | 'warn' | 'fail' | 'skipped';

export interface CheckResult {
  id: CheckId;
  /** What was checked, for the list. */
  label: string;
  status: CheckStatus;
  /** One short sentence about the outcome. */
  detail: string;
}

export interface Verdict {
  level: 'ok' | 'warn' | 'fail';
  text: string;
}

export interface DoctorReport {
  checks: CheckResult[];
  verdict: Verdict;
}

/** How one loopback attempt went. */
export interface PathResult {
  connected: boolean;
  path?: MediaPath;
  /** Candidate types this side gathered: `host`, `srflx`, `relay`… */
  gathered: string[];
  ms: number;
}

export type RelayTransport = 'udp' | 'tcp' | 'tls';

/** Why the server did not hand out its ICE servers: it refused (403/401), or did not answer usefully. */
export type IceServersProblem = 'refused' | 'unavailable';

export interface DoctorDeps {
  /** The ICE servers to test, or why they could not be had (then only the direct path is tried). */
  iceServers: IceServer[] | IceServersProblem;
  /** Whether a camera and a microphone exist. */
  devices(): Promise<{ camera: boolean; microphone: boolean }>;
  /** Whether the signaling server answers. */
  signaling(): Promise<boolean>;
  /** Tries one loopback pair; replaced in tests. */
  tryPath?(configuration: RTCConfiguration, timeoutMs: number): Promise<PathResult>;
  timeoutMs?: number;
}

const LABELS: Record<CheckId, string> = {
  devices: 'Camera and microphone',
  signaling: 'Parley server',
  direct: 'Direct connection',
  'relay-udp': 'Relay (TURN) over UDP',
  'relay-tcp': 'Relay (TURN) over TCP',
  'relay-tls': 'Relay (TURN) over TLS',
};

/** How a TURN URL is reached: `turns:` is TLS; `?transport=tcp` is TCP; anything else UDP. */
export function turnTransport(url: string): RelayTransport | null {
  if (/^turns:/i.test(url)) return 'tls';
  if (!/^turn:/i.test(url)) return null;
  return /[?&]transport=tcp\b/i.test(url) ? 'tcp' : 'udp';
}

/** The servers to use for one check: STUN only for the direct path, one TURN transport for a relay. */
export function serversFor(iceServers: readonly IceServer[], check: 'direct' | RelayTransport): IceServer[] {
  const result: IceServer[] = [];
  for (const server of iceServers) {
    const urls = [server.urls].flat().filter((url) => (check === 'direct' ? /^stun:/i.test(url) : turnTransport(url) === check));
    if (urls.length) result.push({ ...server, urls });
  }
  return result;
}

/** The relay transports the servers offer, in the order they are listed in the verdict. */
export function relayTransports(iceServers: readonly IceServer[]): RelayTransport[] {
  const offered = new Set(iceServers.flatMap((s) => [s.urls].flat()).map(turnTransport));
  return (['udp', 'tcp', 'tls'] as const).filter((t) => offered.has(t));
}

/** Runs every check, reporting each as it finishes; resolves with all of them and the verdict. */
export async function runDoctor(deps: DoctorDeps, onprogress: (checks: CheckResult[]) => void = () => {}): Promise<DoctorReport> {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const tryPath = deps.tryPath ?? loopbackPath;
  const iceServers = Array.isArray(deps.iceServers) ? deps.iceServers : [];
  const iceProblem = Array.isArray(deps.iceServers) ? null : deps.iceServers;
  const relays = relayTransports(iceServers);
  const stun = serversFor(iceServers, 'direct').length > 0;

  const checks = new Map<CheckId, CheckResult>();
  const order: CheckId[] = ['devices', 'signaling', 'direct', ...relays.map((t) => `relay-${t}` as CheckId)];
  if (relays.length === 0) order.push('relay-udp');
  const set = (id: CheckId, status: CheckStatus, detail: string) => {
    checks.set(id, { id, label: LABELS[id], status, detail });
    onprogress(order.flatMap((key) => checks.get(key) ?? []));
  };
  for (const id of order) set(id, 'running', 'Checking…');

  const devices = deps
    .devices()
    .catch(() => ({ camera: false, microphone: false }))
    .then(({ camera, microphone }) => {
      if (camera && microphone) set('devices', 'ok', 'Found a camera and a microphone.');
      else if (camera || microphone) set('devices', 'warn', `No ${camera ? 'microphone' : 'camera'} found.`);
      else set('devices', 'warn', 'No camera or microphone found. You can still watch and listen.');
    });

  const signaling = deps
    .signaling()
    .catch(() => false)
    .then((ok) => {
      set('signaling', ok ? 'ok' : 'fail', ok ? 'The server answers.' : 'The server cannot be reached.');
      return ok;
    });

  const direct = tryPath({ iceServers: serversFor(iceServers, 'direct') }, timeoutMs)
    .catch((): PathResult => ({ connected: false, gathered: [], ms: 0 }))
    .then((result) => {
      const reachesStun = result.gathered.includes('srflx');
      if (!result.connected) set('direct', 'fail', 'Browsers could not connect directly.');
      else if (stun && !reachesStun) set('direct', 'warn', 'Works on this network, but UDP to the internet seems blocked (STUN did not answer).');
      else set('direct', 'ok', `Works (${result.path?.transport.toUpperCase() ?? 'UDP'}, ${result.ms} ms).`);
      return { ...result, reachesStun };
    });

  const relayed = relays.map((transport) =>
    tryPath({ iceServers: serversFor(iceServers, transport), iceTransportPolicy: 'relay' }, timeoutMs)
      .catch((): PathResult => ({ connected: false, gathered: [], ms: 0 }))
      .then((result) => {
        const ok = result.connected && result.path?.kind === 'relay';
        const why = result.gathered.includes('relay') ? 'the relay could not carry media' : 'the relay did not answer';
        set(`relay-${transport}`, ok ? 'ok' : 'fail', ok ? `Works (${result.ms} ms).` : `Does not work: ${why}.`);
        return [transport, ok] as const;
      }),
  );
  if (relays.length === 0) {
    set('relay-udp', 'skipped', iceProblem ? RELAY_UNKNOWN[iceProblem] : 'This server has no relay (TURN) set up.');
  }

  const [, signalingOk, directResult, relayResults] = await Promise.all([devices, signaling, direct, Promise.all(relayed)]);
  const relayOk = new Set(relayResults.filter(([, ok]) => ok).map(([t]) => t));
  return {
    checks: order.map((id) => checks.get(id)!),
    verdict: verdict({
      signaling: signalingOk,
      direct: directResult.connected && (!stun || directResult.reachesStun),
      directLocalOnly: directResult.connected && stun && !directResult.reachesStun,
      relaysOffered: relays,
      relaysWorking: relayOk,
      iceServersKnown: iceProblem === null,
    }),
  };
}

export interface VerdictInput {
  signaling: boolean;
  /** A direct path works (and, with STUN configured, UDP reaches the internet). */
  direct: boolean;
  /** A direct path works on this machine, but STUN did not answer. */
  directLocalOnly?: boolean;
  relaysOffered: readonly RelayTransport[];
  relaysWorking: ReadonlySet<RelayTransport>;
  /** Whether the server handed out its ICE servers; when not, the relay could not be checked. */
  iceServersKnown?: boolean;
}

const RELAY_UNKNOWN: Record<IceServersProblem, string> = {
  refused: 'Not checked: the server would not hand out its relay details to this page (the room may need a link with a token).',
  unavailable: 'Not checked: could not get the relay details from the server.',
};

/** The answer in one or two sentences. */
export function verdict(input: VerdictInput): Verdict {
  const { signaling, direct, relaysOffered, relaysWorking } = input;
  if (!signaling) {
    return { level: 'fail', text: 'Calls can’t start: Parley’s server can’t be reached from this network.' };
  }
  const udpRelay = relaysWorking.has('udp');
  const streamRelay = relaysWorking.has('tcp') || relaysWorking.has('tls');
  if (direct) {
    if (relaysWorking.size > 0) return { level: 'ok', text: 'Calls will work, directly between browsers, with a relay (TURN) as a fallback.' };
    if (relaysOffered.length > 0) {
      return { level: 'warn', text: 'Calls will work directly. The relay (TURN) did not work, so people on strict networks may not reach you.' };
    }
    if (input.iceServersKnown === false) {
      return {
        level: 'warn',
        text: 'Calls will work directly. The relay (TURN) could not be checked, because the server did not hand out its details.',
      };
    }
    return { level: 'ok', text: 'Calls will work, directly between browsers.' };
  }
  if (udpRelay) return { level: 'ok', text: 'Calls will work, relayed through TURN.' };
  if (streamRelay) {
    const over = relaysWorking.has('tcp') ? 'TCP' : 'TLS';
    return { level: 'warn', text: `Your network blocks UDP; only TURN over ${over} works. Calls will work, relayed, with a little more delay.` };
  }
  if (input.directLocalOnly) {
    return {
      level: 'warn',
      text:
        relaysOffered.length > 0
          ? 'Your network seems to block UDP and the relay (TURN) did not work, so calls may only work with people on this network.'
          : 'Your network seems to block UDP and this server has no relay (TURN), so calls may only work with people on this network.',
    };
  }
  return { level: 'fail', text: 'Calls will probably fail: browsers cannot connect from this network, directly or through a relay.' };
}

/** Connects two peer connections in this page to each other and reports the path they chose. */
export async function loopbackPath(configuration: RTCConfiguration, timeoutMs: number): Promise<PathResult> {
  const started = performance.now();
  const a = new RTCPeerConnection(configuration);
  const b = new RTCPeerConnection(configuration);
  const gathered: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const bReady = deferred();
    const aReady = deferred();
    a.onicecandidate = ({ candidate }) => {
      if (!candidate) return;
      gathered.push(candidate.type ?? /typ (\w+)/.exec(candidate.candidate)?.[1] ?? 'unknown');
      void bReady.promise.then(() => b.addIceCandidate(candidate)).catch(() => {});
    };
    b.onicecandidate = ({ candidate }) => {
      if (candidate) void aReady.promise.then(() => a.addIceCandidate(candidate)).catch(() => {});
    };
    const channel = a.createDataChannel('parley-doctor');
    const open = new Promise<boolean>((resolve) => {
      channel.onopen = () => resolve(true);
      a.onconnectionstatechange = () => a.connectionState === 'failed' && resolve(false);
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription!);
    bReady.resolve();
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription!);
    aReady.resolve();
    const connected = await open;
    const ms = Math.round(performance.now() - started);
    let path: MediaPath | undefined;
    if (connected) {
      path = describePath(collect(await a.getStats()));
    }
    return { connected, path, gathered, ms };
  } finally {
    clearTimeout(timer);
    a.close();
    b.close();
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether a camera and a microphone exist (labels or not). */
export async function findDevices(): Promise<{ camera: boolean; microphone: boolean }> {
  const list = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return { camera: list.some((d) => d.kind === 'videoinput'), microphone: list.some((d) => d.kind === 'audioinput') };
}

/** Whether the signaling server accepts a WebSocket: open one, then close it at once. */
export function probeSignaling(
  url: string,
  { timeoutMs = 6000, createSocket = (u: string) => new WebSocket(u) }: { timeoutMs?: number; createSocket?: (url: string) => WebSocket } = {},
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(url);
    const finish = (reachable: boolean) => {
      clearTimeout(timer);
      socket.onopen = socket.onerror = socket.onclose = null;
      socket.close(1000);
      resolve(reachable);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.onopen = () => finish(true);
    socket.onerror = socket.onclose = () => finish(false);
  });
}

/** What the page shows the server when it asks for ICE servers. */
export interface IceServersCredentials {
  /** The opaque ticket from `GET /api/config`. */
  ticket?: string | null;
  /** The room token the link carried, for servers that require one. */
  token?: string | null;
}

/**
 * The ICE servers a peer of `room` would get, with a short-lived TURN credential of their own
 * (`GET /api/ice-servers`), or why the server would not say.
 */
export async function fetchIceServers(
  room: string,
  { ticket, token }: IceServersCredentials = {},
  fetcher: typeof fetch = fetch,
): Promise<IceServer[] | IceServersProblem> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (ticket) headers['x-parley-ticket'] = ticket;
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const response = await fetcher(`/api/ice-servers?room=${encodeURIComponent(room)}`, { headers });
    if (response.status === 401 || response.status === 403) return 'refused';
    if (!response.ok) return 'unavailable';
    const body = (await response.json()) as { iceServers?: unknown };
    return Array.isArray(body.iceServers) ? (body.iceServers as IceServer[]) : 'unavailable';
  } catch {
    return 'unavailable';
  }
}
