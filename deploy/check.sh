#!/usr/bin/env bash
# Static checks of the deployment files, with no Docker engine (run by .ci/run; a few seconds
# once the tools are cached):
#   - Dockerfiles (the app's, deploy/janus's, deploy/prometheus's): `dockerfile-utils lint` (any
#     warning or error fails) and no "# syntax=" line;
#   - docker-compose.yml: `docker compose config -q`, with and without the tls profile, using only
#     the file's own defaults (no .env), and failing on warnings such as an unset variable; the
#     production override refuses to run without its public addresses; in every variant the app
#     reads its secrets (Janus's api_secret included) from the `secrets` volume and gets TRUST_PROXY,
#     Janus's WebSocket API is not published, and no secret has a default;
#     every service of every profile is hardened (read_only, cap_drop ALL, no-new-privileges,
#     memory and CPU limits, log rotation).
# The Compose v2 CLI is taken from, in order: `docker compose`, a `docker-compose` v2 on PATH,
# the plugin that ../shared/tools/compose-check.sh setup fetched, or Debian trixie's
# docker-compose package (downloaded with private apt lists, not installed; cached in $CACHE).
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE=${PARLEY_CHECK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/parley-deploy-check}
DOCKERFILE_UTILS=dockerfile-utils@0.16.3
status=0
log() { printf 'deploy/check: %s\n' "$*" >&2; }
fail() { log "FAIL: $*"; status=1; }

# --- Dockerfiles ---------------------------------------------------------------------------------
for dockerfile in Dockerfile deploy/janus/Dockerfile deploy/prometheus/Dockerfile; do
  log "dockerfile-utils lint $dockerfile"
  if ! out=$(npx -y -p "$DOCKERFILE_UTILS" dockerfile-utils lint "$dockerfile" 2>&1) || [ -n "$out" ]; then
    printf '%s\n' "$out" >&2
    fail "dockerfile-utils lint $dockerfile"
  fi
  if grep -qiE '^#[[:space:]]*syntax[[:space:]]*=' "$dockerfile"; then
    fail "$dockerfile has a '# syntax=' line (BuildKit would pull that frontend from a registry)"
  fi
done

# --- Compose v2 CLI ------------------------------------------------------------------------------
fetch_compose() {  # Debian trixie's docker-compose (Compose v2) plugin, extracted into $CACHE
  local mirror
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '$1=="deb" && $2 ~ /\/debian\/?$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  local apt="$CACHE/apt"
  rm -rf "$apt" && mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/debs" "$apt/root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > "$apt/sources.list"
  local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
              -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
  log "fetching Debian trixie's docker-compose (Compose v2) into $CACHE"
  apt-get "${opts[@]}" update -qq >&2
  (cd "$apt/debs" && apt-get "${opts[@]}" download docker-compose >&2)
  dpkg-deb -x "$apt"/debs/docker-compose_*.deb "$apt/root"
  install -m 755 "$apt/root/usr/libexec/docker/cli-plugins/docker-compose" "$CACHE/docker-compose"
  rm -rf "$apt"
}

compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null && docker-compose version 2>/dev/null | grep -qE 'v?2\.'; then
  compose=(docker-compose)
else
  for candidate in "$CACHE/docker-compose" \
                   "${CONTAINER_PROBE_DIR:-/tmp/compose-check}/dockercfg/cli-plugins/docker-compose" \
                   /usr/libexec/docker/cli-plugins/docker-compose /usr/local/lib/docker/cli-plugins/docker-compose; do
    if [ -x "$candidate" ] && "$candidate" version >/dev/null 2>&1; then compose=("$candidate"); break; fi
  done
  if [ ${#compose[@]} -eq 0 ]; then
    mkdir -p "$CACHE"
    if fetch_compose && "$CACHE/docker-compose" version >/dev/null 2>&1; then compose=("$CACHE/docker-compose"); fi
  fi
fi

# --- docker-compose.yml --------------------------------------------------------------------------
if [ ${#compose[@]} -eq 0 ]; then
  fail "no Compose v2 CLI (docker compose) found or fetched"
else
  log "$("${compose[@]}" version 2>&1 | head -n 1)"
  for profile in "" tls monitoring; do
    log "docker compose ${profile:+--profile $profile }config -q"
    # An empty env file: check the file's own defaults, whatever a developer's .env says.
    if ! out=$("${compose[@]}" --env-file /dev/null ${profile:+--profile "$profile"} -f docker-compose.yml config -q 2>&1) \
       || [ -n "$out" ]; then
      printf '%s\n' "$out" >&2
      fail "docker compose ${profile:+--profile $profile }config -q"
    fi
  done
  log "docker compose -f docker-compose.yml -f deploy/docker-compose.prod.yml --profile tls config -q"
  # No secret in .env: the `secrets` service makes them.
  prod_env=$(mktemp)
  printf '%s\n' PARLEY_DOMAIN=meet.example.com \
    'TURN_URLS=turn:meet.example.com:3478?transport=udp' TURN_EXTERNAL_IP=203.0.113.10/10.0.0.5 JANUS_NAT_1_1=203.0.113.10 > "$prod_env"
  if ! out=$("${compose[@]}" --env-file "$prod_env" --profile tls -f docker-compose.yml -f deploy/docker-compose.prod.yml config -q 2>&1) \
     || [ -n "$out" ]; then
    printf '%s\n' "$out" >&2
    fail "production override (deploy/docker-compose.prod.yml)"
  fi
  # ...and it must refuse to run without each public address.
  for missing in PARLEY_DOMAIN TURN_URLS TURN_EXTERNAL_IP JANUS_NAT_1_1; do
    partial=$(mktemp); grep -v "^$missing=" "$prod_env" > "$partial"
    if "${compose[@]}" --env-file "$partial" --profile tls -f docker-compose.yml -f deploy/docker-compose.prod.yml config -q >/dev/null 2>&1; then
      fail "deploy/docker-compose.prod.yml accepts a missing $missing"
    fi
    rm -f "$partial"
  done

  # Every way of running it: the app reads both secrets from the `secrets` volume, believes
  # X-Forwarded-For only from the configured proxies, and no secret value is in the resolved file.
  for variant in "--env-file /dev/null -f docker-compose.yml" "--env-file /dev/null --profile tls -f docker-compose.yml" \
                 "--env-file $prod_env --profile tls -f docker-compose.yml -f deploy/docker-compose.prod.yml"; do
    # shellcheck disable=SC2086
    resolved=$("${compose[@]}" $variant config 2>/dev/null) || { fail "docker compose $variant config"; continue; }
    for setting in RESUME_SECRET_FILE TURN_SECRET_FILE JANUS_API_SECRET_FILE TRUST_PROXY; do
      grep -qE "^ +$setting: ." <<<"$resolved" || fail "docker compose $variant: the app gets no $setting"
    done
    if grep -qE '(RESUME|TURN|AUTH|JANUS_API)_SECRET: ("[^"]|[^" ])|static-auth-secret' <<<"$resolved"; then
      fail "docker compose $variant: a secret value is in the compose file"
    fi
  done

  # Every service of every profile, with and without the production override, is hardened:
  # read-only root, no capabilities but a listed few, no-new-privileges, memory and CPU limits,
  # rotated json-file logs.
  for variant in "--env-file /dev/null -f docker-compose.yml" \
                 "--env-file $prod_env -f docker-compose.yml -f deploy/docker-compose.prod.yml"; do
    # shellcheck disable=SC2086
    resolved=$("${compose[@]}" $variant --profile '*' config --format json 2>/dev/null) || { fail "docker compose $variant config --format json"; continue; }
    problems=$(node -e '
      const allowed = { caddy: ["NET_BIND_SERVICE"] };
      const services = JSON.parse(require("fs").readFileSync(0, "utf8")).services;
      for (const [name, s] of Object.entries(services)) {
        const missing = [];
        if (s.read_only !== true) missing.push("read_only: true");
        if (!(s.cap_drop ?? []).includes("ALL")) missing.push("cap_drop: [ALL]");
        const extra = (s.cap_add ?? []).filter((cap) => !(allowed[name] ?? []).includes(cap));
        if (extra.length) missing.push(`no cap_add but ${allowed[name] ?? "none"} (has ${extra})`);
        if (!(s.security_opt ?? []).includes("no-new-privileges:true")) missing.push("security_opt: [no-new-privileges:true]");
        if (!(Number(s.mem_limit) > 0)) missing.push("mem_limit");
        if (!(Number(s.cpus) > 0)) missing.push("cpus");
        const log = s.logging ?? {};
        if (log.driver !== "json-file" || !log.options?.["max-size"] || !log.options?.["max-file"]) missing.push("logging: json-file with max-size and max-file");
        // The Janus WebSocket API is for the app alone (the api_secret is all that guards it).
        if (name === "janus" && (s.ports ?? []).some((p) => Number(p.target) === Number(s.environment?.JANUS_PORT ?? 8188))) missing.push("its WebSocket API published");
        if (missing.length) console.log(`${name}: ${missing.join(", ")}`);
      }' <<<"$resolved") || problems="could not read the resolved file"
    [ -z "$problems" ] || fail "docker compose $variant: not hardened: $problems"
  done
  rm -f "$prod_env"
fi

# --- Consistency between the files ----------------------------------------------------------------
grep -q '^use-auth-secret$' deploy/coturn/turnserver.conf || fail "turnserver.conf: use-auth-secret missing"
if grep -qE '^(static-auth-secret|user)=' deploy/coturn/turnserver.conf; then fail "turnserver.conf holds a secret"; fi
# (deploy/test/env-example.spec.ts checks that .env.example lists every variable the app reads.)
if grep -nE 'SECRET[A-Z_]*:?-[^}]' docker-compose.yml deploy/docker-compose.prod.yml; then
  fail "a compose file has a default value for a secret"
fi

if [ $status -eq 0 ]; then log "deployment files OK"; fi
exit $status
