#!/usr/bin/env bash
# Starts Debian's Janus (`apt install janus`) in the foreground with Parley's configuration
# (this folder), after printing the settings the app needs, one JANUS_…=… line each:
#
#   deploy/janus/start.sh                   # WebSocket API on ws://127.0.0.1:8188
#   JANUS_URLS=ws://127.0.0.1:8188 JANUS_API_SECRET=<printed> npm start
#
# Settings (environment):
#   JANUS_PORT        WebSocket API port (8188)
#   JANUS_HOST        address the WebSocket API binds to (127.0.0.1); loopback or a private address
#   JANUS_API_SECRET  the Janus API secret; a random one when unset (printed either way)
#   JANUS_API_SECRET_FILE  a file holding it instead (a Docker or Kubernetes secret); then the
#                     file's path is printed, never the secret, so it stays out of container logs
#   JANUS_RTP_PORTS   UDP range for media, min-max (20000-20999)
#   JANUS_NAT_1_1     public IP(s) to advertise in host candidates on a 1:1 NAT host (unset)
#   JANUS_STUN        host:port of a STUN server, e.g. your coturn (unset)
#   JANUS_ICE_ENFORCE interfaces or address prefixes ICE may use, e.g. eth0 (unset: all)
#   JANUS_DEBUG_LEVEL 0-7 (4)
#   JANUS_CONFIG_DIR  where the filled-in configuration goes (${TMPDIR:-/tmp}/parley-janus-$JANUS_PORT)
#   JANUS_BIN         the janus binary (/usr/bin/janus)
#   JANUS_LIB_DIR     Debian's janus library folder (found under /usr/lib/*/janus)
# The process execs into Janus, so its pid is Janus's and signals go straight to it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { printf 'deploy/janus/start.sh: %s\n' "$*" >&2; exit 1; }

port=${JANUS_PORT:-8188}
host=${JANUS_HOST:-127.0.0.1}
secret=${JANUS_API_SECRET:-}
secret_file=${JANUS_API_SECRET_FILE:-}
rtp_ports=${JANUS_RTP_PORTS:-20000-20999}
nat_1_1=${JANUS_NAT_1_1:-}
stun=${JANUS_STUN:-}
ice_enforce=${JANUS_ICE_ENFORCE:-}
debug_level=${JANUS_DEBUG_LEVEL:-4}
bin=${JANUS_BIN:-/usr/bin/janus}
conf_dir=${JANUS_CONFIG_DIR:-${TMPDIR:-/tmp}/parley-janus-$port}

# Every value lands inside a quoted jcfg string: accept only characters that cannot end it.
[[ $port =~ ^[0-9]{1,5}$ ]] && ((port > 0 && port < 65536)) || die "JANUS_PORT must be a port number, got '$port'"
[[ $host =~ ^[0-9A-Fa-f.:]+$ ]] || die "JANUS_HOST must be an IP address, got '$host'"
[[ $rtp_ports =~ ^([0-9]{1,5})-([0-9]{1,5})$ ]] && ((BASH_REMATCH[1] <= BASH_REMATCH[2])) \
  || die "JANUS_RTP_PORTS must be min-max, got '$rtp_ports'"
[[ -z $nat_1_1 || $nat_1_1 =~ ^[0-9A-Fa-f.:,]+$ ]] || die "JANUS_NAT_1_1 must be IP addresses, comma-separated"
[[ -z $stun || $stun =~ ^[A-Za-z0-9.-]+:[0-9]{1,5}$ ]] || die "JANUS_STUN must be host:port"
[[ -z $ice_enforce || $ice_enforce =~ ^[A-Za-z0-9.:,_-]+$ ]] || die "JANUS_ICE_ENFORCE must be interfaces or addresses, comma-separated"
[[ $debug_level =~ ^[0-7]$ ]] || die "JANUS_DEBUG_LEVEL must be 0-7"
if [[ -n $secret_file ]]; then
  [[ -z $secret ]] || die "set JANUS_API_SECRET or JANUS_API_SECRET_FILE, not both"
  [[ -r $secret_file ]] || die "JANUS_API_SECRET_FILE: cannot read '$secret_file'"
  secret=$(<"$secret_file")
  secret=${secret%$'\n'}
  [[ -n $secret ]] || die "JANUS_API_SECRET_FILE: '$secret_file' is empty"
elif [[ -z $secret ]]; then
  secret=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
fi
[[ $secret =~ ^[A-Za-z0-9._~-]{16,128}$ ]] || die "JANUS_API_SECRET must be 16-128 characters of [A-Za-z0-9._~-]"
[[ -x $bin ]] || die "$bin not found: apt install janus (or set JANUS_BIN)"

lib_dir=${JANUS_LIB_DIR:-}
if [[ -z $lib_dir ]]; then
  for candidate in /usr/lib/*/janus /usr/lib/janus /usr/local/lib/janus /opt/janus/lib/janus; do
    if [[ -e $candidate/plugins/libjanus_videoroom.so ]]; then lib_dir=$candidate; break; fi
  done
fi
[[ -e $lib_dir/plugins/libjanus_videoroom.so && -e $lib_dir/transports/libjanus_websockets.so ]] \
  || die "no libjanus_videoroom.so and libjanus_websockets.so under '${lib_dir:-/usr/lib/*/janus}' (set JANUS_LIB_DIR)"

nat_settings=()
[[ -n $nat_1_1 ]] && nat_settings+=("	nat_1_1_mapping = \"$nat_1_1\"")
if [[ -n $stun ]]; then
  nat_settings+=("	stun_server = \"${stun%:*}\"" "	stun_port = ${stun##*:}")
fi
[[ -n $ice_enforce ]] && nat_settings+=("	ice_enforce_list = \"$ice_enforce\"")

# The configuration holds the secret: a private folder, rewritten at each start.
umask 077
mkdir -p "$conf_dir"
[[ -d $conf_dir && -O $conf_dir && ! -L $conf_dir ]] || die "$conf_dir is not a folder of ours"
chmod 700 "$conf_dir"
rm -rf "${conf_dir:?}/plugins" "${conf_dir:?}/transports" "${conf_dir:?}/events" "${conf_dir:?}/loggers"
mkdir "$conf_dir/plugins" "$conf_dir/transports" "$conf_dir/events" "$conf_dir/loggers"
# Janus loads every library in these folders: give it exactly the two Parley uses.
ln -s "$lib_dir/plugins/libjanus_videoroom.so" "$conf_dir/plugins/"
ln -s "$lib_dir/transports/libjanus_websockets.so" "$conf_dir/transports/"

fill() {
  local text
  text=$(<"$here/$1")
  text=${text//@CONF_DIR@/$conf_dir}
  text=${text//@API_SECRET@/$secret}
  text=${text//@PORT@/$port}
  text=${text//@HOST@/$host}
  text=${text//@RTP_PORTS@/$rtp_ports}
  text=${text//@DEBUG_LEVEL@/$debug_level}
  text=${text//@NAT_SETTINGS@/$(printf '%s\n' "${nat_settings[@]}")}
  printf '%s\n' "$text" >"$conf_dir/$1"
}
fill janus.jcfg
fill janus.plugin.videoroom.jcfg
fill janus.transport.websockets.jcfg

url_host=$host
[[ $url_host == 0.0.0.0 ]] && url_host=127.0.0.1
[[ $url_host == *:* ]] && url_host="[$url_host]"
printf 'JANUS_URLS=ws://%s:%s\n' "$url_host" "$port"
if [[ -n $secret_file ]]; then
  printf 'JANUS_API_SECRET_FILE=%s\n' "$secret_file"
else
  printf 'JANUS_API_SECRET=%s\n' "$secret"
fi
printf 'JANUS_RTP_PORTS=%s\n' "$rtp_ports"

exec "$bin" --configs-folder="$conf_dir" --config="$conf_dir/janus.jcfg" --disable-colors
