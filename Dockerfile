# syntax=docker/dockerfile:1
#
# One image for the four Vigil services; the command picks the service:
#
#   docker build -t vigil .
#   docker run vigil                                              # ingestion (the default command)
#   docker run vigil node dist/services/velocity/src/main.js      # velocity, review-analysis, alerting alike
#
# One image rather than one per service: the four share every library and every runtime
# dependency, and a per-service image would only leave out a few hundred KB of compiled code.
# So there is one build, one image to scan and sign, one tag to roll out, and the layers are
# pulled once per node. deploy/compose and deploy/k8s run it four times with four commands.
#
# Stages: `build` compiles with the full dependency set (`npm run build`: tsc to dist/);
# `deps` installs the runtime dependencies only (--omit=dev); the final stage takes dist/ from
# the first and node_modules/ from the second, so no compiler, linter or test tool is shipped.
# test/deploy/image-entry.int-spec.ts reads this file and runs the final stage's command and
# health check against the production build outside a container.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# `npm install`, not `npm ci`: the lockfile records only the optional native binaries
# (@swc/core-*) of the platform it was made on (npm/cli#4828) and `npm ci` refuses it elsewhere;
# `npm install` keeps the locked versions and fills those entries in.
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY deploy/build deploy/build
COPY libs libs
COPY services services
RUN bash deploy/build/build.sh

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# Every service listens on $PORT (3000 unless set; the health check below asks that port).
# NODE_OPTIONS: the heap cap the services are measured with (peak RSS ~230 MB, README
# "Performance"); raise it together with the container's memory limit.
ENV NODE_ENV=production \
    PORT=3000 \
    NODE_OPTIONS=--max-old-space-size=200
WORKDIR /app
# Owned by root and read-only for the service user: the code cannot be changed at run time.
COPY --from=deps /app/package.json ./package.json
COPY --from=deps /app/node_modules ./node_modules
# dist/ keeps its dist/node_modules/@vigil/<lib> -> ../../libs/<lib>/src links (COPY keeps symlinks).
COPY --from=build /src/dist ./dist
# The image's own unprivileged "node" user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
# /health/live: the process answers (readiness, /health, also needs Kafka and Redis). The slim
# image has no curl, so node asks (fetch is built into Node 20).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live',{signal:AbortSignal.timeout(3000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1: the services handle SIGTERM themselves (Nest shutdown hooks: consumers leave
# their groups, publishers flush), so no init process is needed.
CMD ["node", "dist/services/ingestion/src/main.js"]
