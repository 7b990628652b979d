/**
 * What the page needs to know about its server before it talks to it: where the signaling socket
 * lives (`SIGNALING_PATH` on the server) and a ticket that lets this page ask for ICE servers.
 * Fetched once per page from `GET /api/config`; a server without that route (or one that cannot
 * be reached yet) gets the defaults, so the call still works and fails, if it must, on the socket.
 */

export interface ServerConfig {
  /** The gateway's WebSocket path, `/ws` unless the server says otherwise. */
  signalingPath: string;
  /** The opaque ticket for `GET /api/ice-servers` (`X-Parley-Ticket`), when the server gave one. */
  iceTicket: string | null;
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = { signalingPath: '/ws', iceTicket: null };

const CONFIG_TIMEOUT_MS = 4000;

/** Reads `GET /api/config`; anything unexpected falls back to the defaults, field by field. */
export async function fetchServerConfig(fetcher: typeof fetch = fetch, timeoutMs = CONFIG_TIMEOUT_MS): Promise<ServerConfig> {
  const controller = typeof AbortController === 'undefined' ? null : new AbortController();
  const timer = setTimeout(() => controller?.abort(), timeoutMs);
  try {
    const response = await fetcher('/api/config', { headers: { accept: 'application/json' }, signal: controller?.signal });
    if (!response.ok) return DEFAULT_SERVER_CONFIG;
    const body = (await response.json()) as { signalingPath?: unknown; iceTicket?: unknown } | null;
    const path = body?.signalingPath;
    return {
      // Only a path on this origin: the socket must not be pointed at another host by a body.
      signalingPath: typeof path === 'string' && /^\/(?!\/)[\w\-./~]*$/.test(path) ? path : DEFAULT_SERVER_CONFIG.signalingPath,
      iceTicket: typeof body?.iceTicket === 'string' && body.iceTicket ? body.iceTicket : null,
    };
  } catch {
    return DEFAULT_SERVER_CONFIG;
  } finally {
    clearTimeout(timer);
  }
}

let pending: Promise<ServerConfig> | null = null;

/** The page's server config, fetched on the first call; start it early so joining does not wait for it. */
export function serverConfig(): Promise<ServerConfig> {
  pending ??= fetchServerConfig();
  return pending;
}

/** The WebSocket URL of the gateway at `path` on the page's own origin. */
export function signalingUrl(path: string = DEFAULT_SERVER_CONFIG.signalingPath, loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}${path}`;
}

/** The gateway's socket URL, at the path the server's config names. */
export async function serverSignalingUrl(): Promise<string> {
  return signalingUrl((await serverConfig()).signalingPath);
}
