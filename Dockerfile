# syntax=docker/dockerfile:1
# graph-calling-mock: build with dev dependencies, run with production ones only.

# Node 22, an LTS line (Node 20 reached its end of life in April 2026); the package itself runs on 20 too.

# Build stage: compile TypeScript to dist/. The lockfile is installed before src is copied, so the
# dependency layer stays cached while the code changes; --ignore-scripts because `prepare` (the build)
# needs the sources, copied next.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle-cli.mjs scripts/cli-launcher.mjs ./scripts/
RUN npm run build

# The example bot (docker-compose.yml): runs from source with tsx, a dev dependency of the build stage.
FROM build AS bot
COPY examples ./examples
USER node
CMD ["npx", "tsx", "examples/bot/server.ts"]

# Runtime stage (the default target): production dependencies, the compiled code and the fixtures.
FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000
WORKDIR /app
COPY package.json package-lock.json ./
# No scripts: `prepare` would build, and the build's tools are dev dependencies; dist/ comes from the build stage.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
USER node
EXPOSE 4000
# No curl in the slim image: Node's own fetch checks the control API's health route.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 4000) + '/_mock/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/cli.js"]
