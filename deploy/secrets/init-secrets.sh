#!/bin/sh
# The `secrets` service of docker-compose.yml: runs before the app, coturn and Janus on every `up`,
# writes their shared secrets to the `secrets` volume, and exits. A secret comes from the environment
# (.env) when it is set there; otherwise the one already in the volume is kept; otherwise a new
# random one is made (32 bytes, hex). No secret ships in the repository, so none can be guessed.
# `docker compose down -v` deletes the volume, and the next `up` makes new ones.
set -eu
dir=${SECRETS_DIR:-/run/parley-secrets}
umask 022

write() {
  file="${3:-$dir}/$1"
  if [ -n "$2" ]; then
    printf '%s' "$2" > "$file.new"
  elif [ -s "$file" ]; then
    return 0
  else
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file.new"
  fi
  # Readable by the app (user node), coturn and Janus (user nobody); only those three mount the
  # volume (Grafana mounts only its own).
  chmod 0444 "$file.new"
  mv -f "$file.new" "$file"
  echo "secrets: $1 written"
}

write resume_secret "${RESUME_SECRET:-}"
write turn_secret "${TURN_SECRET:-}"
# Janus's api_secret (also its VideoRoom admin_key): only the app and Janus know it.
write janus_api_secret "${JANUS_API_SECRET:-}"
# Grafana's admin password (`--profile monitoring`), in a volume of its own: Grafana never sees the
# others.
if [ -n "${GRAFANA_SECRETS_DIR:-}" ]; then
  write grafana_admin_password "${GRAFANA_ADMIN_PASSWORD:-}" "$GRAFANA_SECRETS_DIR"
fi
