# syntax=docker/dockerfile:1
# Reynolds as one container image: `docker build -t reynolds .`, then
#   docker run -p 3978:3978 --env-file <your settings> reynolds
# Nothing secret is baked in: every setting comes from the environment at run time (Key Vault
# references on Azure Container Apps, a Secret on Kubernetes; see docs/deploy.md).

ARG NODE_VERSION=20.20

# ---- build: all dependencies (better-sqlite3 compiles here), TypeScript and the tab --------
FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# `build` compiles src/ to dist/ (and the tab into dist/tab once it has one); then the dev
# dependencies go, leaving the production ones, native module included, for the runtime stage.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production dependencies and the build output, as the unprivileged user --------
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3978 \
    REYNOLDS_ENV=container \
    DATA_DIR=/app/.data
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# The embedded store's file (STORE=sqlite) lives here; with STORE=cosmos it stays empty.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3978
# No curl in the slim image: Node's own fetch asks /healthz.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Not `npm start` (its prestart would rebuild): the process itself gets SIGTERM and drains.
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/index.js"]
