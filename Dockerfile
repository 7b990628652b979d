# Parley: the signaling server and the built single-page app in one image.
#
#   docker build -t parley .
#   docker run --init --rm -p 3000:3000 parley        # one instance, rooms in memory
#   docker compose up                                 # with Redis and coturn (docker-compose.yml)
#
# Configuration comes from the environment at run time (.env.example lists every setting); no
# secret is baked into the image. node runs in exec form and handles SIGTERM itself (Nest shutdown
# hooks close the sockets with code 1012), so `docker stop` takes about a second, init or not.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- deps: every dependency, dev ones included, from the lockfile --------------------------------
FROM ${NODE_IMAGE} AS deps
# janode needs a native addon (unix-dgram) built by node-gyp; the slim image has no compiler. The
# tools stay in this stage: the runtime copies only /app.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
# node-gyp compiles against the running node's headers: the image's own (/usr/local/include/node in
# the official images), else the same version's from the npm registry's node-linux-<arch> package,
# so the build never downloads them from nodejs.org (a build network may reach only the registry).
# janode is optional: were its addon not to build, npm would leave it out and JANUS_URLS would fail
# at startup with a message saying so.
RUN mkdir -p /opt/node-headers \
  && if [ -f /usr/local/include/node/node.h ]; then ln -s /usr/local/include /opt/node-headers/include; \
     else cd /tmp \
       && npm pack --silent "node-linux-$(node -p process.arch)@$(node -p 'process.version.slice(1)')" \
       && tar -xzf node-linux-*.tgz -C /opt/node-headers --strip-components=1 package/include \
       && rm node-linux-*.tgz; \
     fi
ENV npm_config_nodedir=/opt/node-headers
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/protocol/package.json libs/protocol/
COPY libs/signaling/package.json libs/signaling/
COPY apps/api/package.json apps/api/
COPY apps/web/package.json apps/web/
RUN npm ci --no-audit --no-fund

# --- build: the SPA (vite) and the server (tsc -b: protocol, signaling, api) ----------------------
FROM deps AS build
COPY tsconfig.json nest-cli.json ./
COPY libs/ libs/
COPY apps/ apps/
RUN npm run build

# --- prod-deps: production dependencies only (workspace links included), from npm's cache -------
FROM deps AS prod-deps
RUN npm ci --omit=dev --prefer-offline --no-audit --no-fund

# --- runtime: slim Node, non-root, only what `node apps/api/dist/main.js` needs -------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
# The package.json files and production node_modules of the root and of every workspace (npm may
# nest some under apps/*/ or libs/*/), owned by root and not writable by the app's user...
COPY --from=prod-deps /app ./
# ...and the build output.
COPY --from=build /app/libs/protocol/dist ./libs/protocol/dist
COPY --from=build /app/libs/signaling/dist ./libs/signaling/dist
COPY --from=build /app/apps/api/dist ./apps/api/dist
COPY --from=build /app/apps/web/dist ./apps/web/dist
USER node
# Fail the build, not the first start, if a runtime import cannot be resolved.
RUN ["node", "-e", "import('/app/apps/api/dist/app.factory.js').catch((error) => { console.error(error); process.exit(1); })"]
EXPOSE 3000
# node's fetch: the slim image has no curl or wget.
HEALTHCHECK --interval=5s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "apps/api/dist/main.js"]
