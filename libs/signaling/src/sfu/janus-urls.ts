/**
 * JANUS_URLS, parsed without janode: the app's configuration reads it at startup whether or not
 * the optional janode package is installed (sfu-loader.ts loads the adapter itself).
 */
import type { JanusServerConfig } from './sfu.types.js';

/**
 * Parses JANUS_URLS (comma-separated ws:// or wss:// URLs) with the one JANUS_API_SECRET they
 * share. Throws on a malformed URL so a typo fails at startup, not at the first big room.
 */
export function parseJanusServers(urls: string | undefined, apiSecret: string | undefined): JanusServerConfig[] {
  const list = (urls ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  if (list.length > 0 && !apiSecret) throw new Error('JANUS_URLS is set but JANUS_API_SECRET is not');
  return list.map((url) => {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') throw new Error(`JANUS_URLS: ${url} is not a ws:// or wss:// URL`);
    return { url, apiSecret: apiSecret! };
  });
}
