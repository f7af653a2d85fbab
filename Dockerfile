# The lab's image: `docker build . -t prj4`, then
#   docker run --name peer1 --network N --hostname peer1 prj4 -h hostsfile-testcase1.txt -v X
# Build stage: install exactly the lock file and bundle the CLI into dist/cli.js.
FROM node:20-slim AS build
WORKDIR /app
# .npmrc (legacy-peer-deps) before npm ci: without it npm resolves a dev dependency's peer
# that the lock file deliberately leaves out, and stops with "Missing ... from lock file".
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# Final stage: the bundle (it carries its dependencies) and the hostsfiles; no node_modules.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY hostsfile-*.txt ./
# The peer keeps its durable state in .data/<hostname> under /app; a fresh container starts empty.
RUN mkdir .data && chown node:node .data
USER node
EXPOSE 8080
ENTRYPOINT ["node", "dist/cli.js", "peer"]
