#!/bin/sh
# coturn's entrypoint in docker-compose.yml. turnserver cannot read its static-auth-secret from a
# file, and a command-line flag shows in `ps` on the host, so the secret from TURN_SECRET_FILE is
# appended to a private copy of the configuration. Arguments pass through to turnserver.
set -eu
secret=$(cat "${TURN_SECRET_FILE:?set TURN_SECRET_FILE}")
[ -n "$secret" ] || { echo "start-turnserver: $TURN_SECRET_FILE is empty" >&2; exit 1; }
umask 077
conf=$(mktemp)
cat /etc/coturn/turnserver.conf > "$conf"
printf 'static-auth-secret=%s\n' "$secret" >> "$conf"
exec turnserver -c "$conf" "$@"
