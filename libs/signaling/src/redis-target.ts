import type { RedisOptions } from 'ioredis';

const SENTINEL = 'redis+sentinel:';

/**
 * Where to connect for a Redis URL: the URL itself, or, for
 * `redis+sentinel://[:password@]host:port[,host:port…]/master[/db]`, the master that those
 * Sentinels name, so a failover moves every instance to the new master without a restart.
 */
export function redisTarget(url: string): string | RedisOptions {
  if (!url.startsWith(SENTINEL)) return url;
  // URL cannot parse a list of hosts; read it as `credentials@hosts/path`.
  const rest = url.slice(`${SENTINEL}//`.length);
  const at = rest.lastIndexOf('@', rest.indexOf('/') === -1 ? undefined : rest.indexOf('/'));
  const credentials = at === -1 ? '' : rest.slice(0, at);
  const [hosts = '', name = '', db] = rest.slice(at + 1).split('/');
  const sentinels = hosts
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const { hostname, port } = new URL(`redis://${entry}`);
      return { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 26379) };
    });
  if (!sentinels.length || !name) throw new Error(`A Sentinel URL needs hosts and a master name: ${SENTINEL}//host:26379/mymaster`);
  const password = credentials.includes(':') ? decodeURIComponent(credentials.slice(credentials.indexOf(':') + 1)) : undefined;
  return { sentinels, name, ...(password && { password }), ...(db && { db: Number(db) }) };
}
