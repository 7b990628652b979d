/**
 * A room token for servers that require one (AUTH_SECRET): the host's page links to
 * `/r/<room>#token=<jwt>`. A fragment never reaches a server's logs. It is read once and taken out
 * of the address bar, so an invite link copied later does not hand the token on.
 */
export function takeRoomToken(
  location: Pick<Location, 'hash' | 'pathname' | 'search'> = window.location,
  history: Pick<History, 'replaceState'> = window.history,
): string | undefined {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || undefined;
  if (token) history.replaceState(null, '', location.pathname + location.search);
  return token;
}
