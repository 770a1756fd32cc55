# kube-mcp container image: the bundled server (dist/, no node_modules) on a distroless Node.js 24 (LTS)
# runtime on Debian 13, running as a non-root user. Serves Streamable HTTP on :8080 and reads /etc/kube-mcp/config.toml and
# /etc/kube-mcp/kubeconfig (mount yours over them):
#
#   docker build -t kube-mcp .
#   docker run --rm -p 127.0.0.1:8080:8080 -v ~/.kube/config:/etc/kube-mcp/kubeconfig:ro kube-mcp

# the build stage: the official Node 24 image on the same Debian release as the runtime
FROM node:24-trixie-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build.mjs
COPY src src
RUN npm run build

# distroless: Node.js and its libraries only (no shell, no package manager); "nonroot" runs as uid 65532
FROM gcr.io/distroless/nodejs24-debian13:nonroot
WORKDIR /app
COPY --from=build /src/dist /app/dist
COPY deploy/docker/config.toml /etc/kube-mcp/config.toml
USER 65532:65532
EXPOSE 8080
# no curl in the image: Node's fetch checks the liveness endpoint
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/main.js"]
CMD ["--config", "/etc/kube-mcp/config.toml"]
