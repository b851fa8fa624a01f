# One image for every Conduit process: the API (default), the scheduler and the operator CLI.
#   docker build -t conduit .
#   docker run conduit                                  # API
#   docker run conduit node dist/apps/scheduler/src/main.js
#   docker run conduit node dist/apps/api/src/cli.js db:migrate
#   docker run conduit node dist/apps/tiktok-emulator/src/main.js
#   docker run conduit node dist/apps/meta-emulator/src/main.js
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Every npm workspace's package.json (package.json "workspaces"), so `npm ci` runs before the sources change.
COPY apps/api/package.json apps/api/
COPY apps/scheduler/package.json apps/scheduler/
COPY apps/tiktok-emulator/package.json apps/tiktok-emulator/
COPY apps/meta-emulator/package.json apps/meta-emulator/
COPY libs/compact-set/package.json libs/compact-set/
COPY libs/segment-store/package.json libs/segment-store/
COPY libs/config/package.json libs/config/
COPY libs/domain/package.json libs/domain/
COPY libs/emulator-kit/package.json libs/emulator-kit/
COPY libs/tiktok-emulator/package.json libs/tiktok-emulator/
COPY libs/meta-emulator/package.json libs/meta-emulator/
COPY libs/destinations/core/package.json libs/destinations/core/
COPY libs/destinations/catalog/package.json libs/destinations/catalog/
COPY libs/destinations/tiktok/package.json libs/destinations/tiktok/
COPY libs/destinations/tiktok-wire/package.json libs/destinations/tiktok-wire/
COPY libs/destinations/meta/package.json libs/destinations/meta/
COPY libs/destinations/meta-wire/package.json libs/destinations/meta-wire/
COPY tools/package.json tools/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 CONDUIT_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
CMD ["node", "--enable-source-maps", "dist/apps/api/src/main.js"]
