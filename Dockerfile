# Cache Command Center: the cache service with the built dashboard, for docker-compose.yml.
# Stage 1 installs the workspace and builds everything; stage 2 keeps production dependencies and the
# build outputs only.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
# the image ships npm 10; the lockfile and Vite 8's optional native packages want npm 11
RUN npm install -g npm@11 --no-audit --no-fund
# manifests first, so that the dependency layer is reused while only sources change
COPY package.json package-lock.json* nx.json ./
COPY libs/shared-types/package.json libs/shared-types/
COPY apps/cache-service/package.json apps/cache-service/
COPY apps/dashboard/package.json apps/dashboard/
RUN npm install --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DASHBOARD_DIR=/app/apps/dashboard/dist
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/libs/shared-types/package.json ./libs/shared-types/
COPY --from=build /app/libs/shared-types/dist ./libs/shared-types/dist
COPY --from=build /app/apps/cache-service/package.json ./apps/cache-service/
COPY --from=build /app/apps/cache-service/dist ./apps/cache-service/dist
COPY --from=build /app/apps/dashboard/package.json ./apps/dashboard/
COPY --from=build /app/apps/dashboard/dist ./apps/dashboard/dist
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=120s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "apps/cache-service/dist/main.js"]
