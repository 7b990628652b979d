#!/usr/bin/env bash
# Janus's health, through its own API: an `info` request on the WebSocket API, which Janus answers
# without the api_secret ("server_info", with the server_name of janus.jcfg). Pure bash (/dev/tcp),
# since the image has no curl, websocat or python: the HTTP upgrade, one masked text frame, and the
# reply read until it names the server. Exit 0 when Janus answers, 1 otherwise.
#
#   deploy/janus/healthcheck.sh [port] [host]     (JANUS_PORT and JANUS_HOST, as start.sh had them;
#                                                 else 8188 and 127.0.0.1)
set -euo pipefail
port=${1:-${JANUS_PORT:-8188}}
host=${2:-${JANUS_HOST:-127.0.0.1}}
[[ $host == 0.0.0.0 ]] && host=127.0.0.1

exec 3<>"/dev/tcp/$host/$port"
printf 'GET / HTTP/1.1\r\nHost: %s:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: cGFybGV5LWhlYWx0aGNoZWNr\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: janus-protocol\r\n\r\n' "$host" "$port" >&3
IFS= read -r -t 3 status <&3 || { echo "janus: no answer to the WebSocket upgrade" >&2; exit 1; }
[[ $status == "HTTP/1.1 101"* ]] || { echo "janus: no WebSocket upgrade (${status%$'\r'})" >&2; exit 1; }
while IFS= read -r -t 3 line <&3 && [[ $line != $'\r' ]]; do :; done

# A client frame must be masked; an all-zero masking key leaves the payload as it is.
request='{"janus":"info","transaction":"healthcheck"}'
printf "\\x81\\x$(printf '%02x' $((0x80 | ${#request})))\\x00\\x00\\x00\\x00%s" "$request" >&3
# The reply is one unmasked text frame: its header (2 to 4 bytes), then the JSON, which starts
# with the reply's kind.
LC_ALL=C read -r -t 3 -N 40 reply <&3 || true
exec 3>&-
[[ $reply == *'"janus":"server_info"'* ]] || { echo "janus: no server_info answer to info" >&2; exit 1; }
echo "janus: server_info"
