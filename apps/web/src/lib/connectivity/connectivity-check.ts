/**
 * The connectivity doctor: before joining, it finds out whether a call can work from here, and
 * says so in plain words. It checks the camera and microphone, the signaling server, a direct path
 * and a relayed path. The paths are tried with a loopback pair of peer connections in this page,
 * using the ICE servers the Parley server hands out: a pair forced through TURN
 * (`iceTransportPolicy: 'relay'`) proves the relay works over that transport. The ICE servers come
 * from `GET /api/ice-servers`, which hands out the same servers a peer gets in `joined`, to a page
 * that shows the server's ticket (from `GET /api/config`) and, where rooms need one, a room token.
 */
import { m } from '../../paraglide/messages.js';
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

const LABELS: Record<CheckId, () => string> = {
  devices: m.check_devices,
  signaling: m.check_signaling,
  direct: m.check_direct,
  'relay-udp': m.check_relay_udp,
  'relay-tcp': m.check_relay_tcp,
  'relay-tls': m.check_relay_tls,
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
    checks.set(id, { id, label: LABELS[id](), status, detail });
    onprogress(order.flatMap((key) => checks.get(key) ?? []));
  };
  for (const id of order) set(id, 'running', m.check_running());

  const devices = deps
    .devices()
    .catch(() => ({ camera: false, microphone: false }))
    .then(({ camera, microphone }) => {
      if (camera && microphone) set('devices', 'ok', m.check_devices_ok());
      else if (camera || microphone) set('devices', 'warn', camera ? m.check_no_microphone() : m.check_no_camera());
      else set('devices', 'warn', m.check_no_devices());
    });

  const signaling = deps
    .signaling()
    .catch(() => false)
    .then((ok) => {
      set('signaling', ok ? 'ok' : 'fail', ok ? m.check_server_ok() : m.check_server_fail());
      return ok;
    });

  const direct = tryPath({ iceServers: serversFor(iceServers, 'direct') }, timeoutMs)
    .catch((): PathResult => ({ connected: false, gathered: [], ms: 0 }))
    .then((result) => {
      const reachesStun = result.gathered.includes('srflx');
      if (!result.connected) set('direct', 'fail', m.check_direct_fail());
      else if (stun && !reachesStun) set('direct', 'warn', m.check_direct_local());
      else set('direct', 'ok', m.check_direct_ok({ transport: result.path?.transport.toUpperCase() ?? 'UDP', ms: result.ms }));
      return { ...result, reachesStun };
    });

  const relayed = relays.map((transport) =>
    tryPath({ iceServers: serversFor(iceServers, transport), iceTransportPolicy: 'relay' }, timeoutMs)
      .catch((): PathResult => ({ connected: false, gathered: [], ms: 0 }))
      .then((result) => {
        const ok = result.connected && result.path?.kind === 'relay';
        const failed = result.gathered.includes('relay') ? m.check_relay_no_media() : m.check_relay_no_answer();
        set(`relay-${transport}`, ok ? 'ok' : 'fail', ok ? m.check_relay_ok({ ms: result.ms }) : failed);
        return [transport, ok] as const;
      }),
  );
  if (relays.length === 0) {
    set('relay-udp', 'skipped', iceProblem ? RELAY_UNKNOWN[iceProblem]() : m.check_no_relay());
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

const RELAY_UNKNOWN: Record<IceServersProblem, () => string> = {
  refused: m.check_relay_refused,
  unavailable: m.check_relay_unavailable,
};

/** The answer in one or two sentences. */
export function verdict(input: VerdictInput): Verdict {
  const { signaling, direct, relaysOffered, relaysWorking } = input;
  if (!signaling) {
    return { level: 'fail', text: m.verdict_no_server() };
  }
  const udpRelay = relaysWorking.has('udp');
  const streamRelay = relaysWorking.has('tcp') || relaysWorking.has('tls');
  if (direct) {
    if (relaysWorking.size > 0) return { level: 'ok', text: m.verdict_direct_and_relay() };
    if (relaysOffered.length > 0) {
      return { level: 'warn', text: m.verdict_direct_relay_failed() };
    }
    if (input.iceServersKnown === false) {
      return { level: 'warn', text: m.verdict_direct_relay_unknown() };
    }
    return { level: 'ok', text: m.verdict_direct() };
  }
  if (udpRelay) return { level: 'ok', text: m.verdict_udp_relay() };
  if (streamRelay) {
    const over = relaysWorking.has('tcp') ? 'TCP' : 'TLS';
    return { level: 'warn', text: m.verdict_stream_relay({ over }) };
  }
  if (input.directLocalOnly) {
    return {
      level: 'warn',
      text: relaysOffered.length > 0 ? m.verdict_local_relay_failed() : m.verdict_local_no_relay(),
    };
  }
  return { level: 'fail', text: m.verdict_fail() };
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
