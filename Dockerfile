# syntax=docker/dockerfile:1
#
# netpol-advisor container image.
#
#   docker build -t netpol-advisor:0.1.0 .
#
# Two stages on the SAME base image tag: better-sqlite3 is a native module compiled (or fetched as a
# prebuilt binary) in the build stage and copied into the runtime stage, so both stages must share
# the Node ABI and the libc. Change both FROM lines together.
#
# The runtime stage is read-only-root-filesystem friendly: the code under /app is owned by root and
# not writable by the process; the database and temporary files live under /var/lib/netpol-advisor
# (a volume: the PersistentVolumeClaim in deploy/). No HEALTHCHECK: Kubernetes probes /healthz and
# /readyz (deploy/base/deployment.yaml).

FROM node:22.14.0-bookworm-slim AS build
WORKDIR /src
# Toolchain for node-gyp, used only when no better-sqlite3 prebuilt binary matches this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first (a cached layer while package*.json are unchanged). --ignore-scripts skips our
# own `prepare` (it would build before the sources are copied); the packages that need their install
# script are rebuilt explicitly right after.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 esbuild protobufjs
# Sources and build configuration; .dockerignore keeps out node_modules, dist, databases, git
# metadata, test data and anything that looks like a secret.
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:22.14.0-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="netpol-advisor" \
      org.opencontainers.image.description="Watches pod-to-pod traffic (Cilium Hubble, Calico) and proposes least-privilege Kubernetes NetworkPolicies" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:22.14.0-bookworm-slim"
# The database path comes from the config file (db: /var/lib/netpol-advisor/netpol-advisor.db);
# it is not set here because NETPOL_ADVISOR_DB would override the config.
ENV NODE_ENV=production \
    TMPDIR=/var/lib/netpol-advisor
WORKDIR /app
# Only what `node bin/netpol-advisor.js serve` needs: the compiled code (dist/, with the dashboard in
# dist/web when it is built), the migrations applied at start, the .proto files the Hubble Relay and
# Goldmane clients load at run time, the demo flows, and the production dependencies.
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/migrations ./migrations
COPY --from=build /src/proto ./proto
COPY --from=build /src/demo ./demo
# The data directory must exist and belong to the runtime user for plain `docker run` (in Kubernetes
# the PVC is mounted there and made writable by the pod's fsGroup).
RUN mkdir -p /var/lib/netpol-advisor /etc/netpol-advisor \
 && chown 65532:65532 /var/lib/netpol-advisor
VOLUME ["/var/lib/netpol-advisor"]
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["node", "bin/netpol-advisor.js"]
CMD ["serve", "--config", "/etc/netpol-advisor/config.yaml"]
