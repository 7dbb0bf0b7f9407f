# Cache Command Center: the cache service with the built dashboard, for docker-compose.yml.
#   build  - installs the whole workspace from the lockfile and builds everything (Nx)
#   deps   - the service's production dependencies only (no dev tools, no dashboard sources)
#   final  - Node 24 LTS, non-root, no package manager; runs on a read-only root filesystem
#
# Behind a TLS-inspecting proxy, give npm the proxy's CA as a build secret (never stored in a layer):
#   docker build --secret id=extra_ca,src=/path/to/ca.pem .      (podman build: the same flag)
# RUN --mount needs BuildKit (Docker >= 23 by default) or Buildah/Podman.

ARG NODE_IMAGE=docker.io/library/node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NPM_CONFIG_UPDATE_NOTIFIER=false
# manifests first, so that the dependency layer is reused while only sources change
COPY package.json package-lock.json nx.json ./
COPY libs/shared-types/package.json libs/shared-types/
COPY apps/cache-service/package.json apps/cache-service/
COPY apps/dashboard/package.json apps/dashboard/
RUN --mount=type=secret,id=extra_ca,required=false --mount=type=cache,target=/root/.npm,sharing=locked \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm ci --no-audit --no-fund
# only what the build reads: a change to docs or scripts does not rebuild the image
COPY libs libs
COPY apps apps
RUN npm run build

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false
COPY package.json package-lock.json ./
COPY libs/shared-types/package.json libs/shared-types/
COPY apps/cache-service/package.json apps/cache-service/
COPY apps/dashboard/package.json apps/dashboard/
# typescript stays behind as an optional peer of @nestjs/swagger (its build-time plugin): not needed to run
RUN --mount=type=secret,id=extra_ca,required=false --mount=type=cache,target=/root/.npm,sharing=locked \
    if [ -s /run/secrets/extra_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/extra_ca; fi \
 && npm ci --omit=dev --workspace=@ccc/cache-service --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver

FROM ${NODE_IMAGE} AS final
# nothing installs packages at run time: no npm, npx, corepack or yarn in the image
RUN rm -rf /usr/local/lib/node_modules /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
      /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-*
ENV NODE_ENV=production \
    PORT=3000 \
    DASHBOARD_DIR=/app/apps/dashboard/dist
WORKDIR /app
# owned by root and read-only to the service's user: the process cannot change its own code
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/libs/shared-types/package.json ./libs/shared-types/
COPY --from=build /app/libs/shared-types/dist ./libs/shared-types/dist
COPY --from=build /app/apps/cache-service/package.json ./apps/cache-service/
COPY --from=build /app/apps/cache-service/dist ./apps/cache-service/dist
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
USER node
EXPOSE 3000
# /health/ready: Redis and PostgreSQL answer and, in roles all/worker, the warming workers run
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "apps/cache-service/dist/main.js"]
