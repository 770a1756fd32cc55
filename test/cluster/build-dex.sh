#!/usr/bin/env bash
# Builds Dex (the OpenID Connect provider the identity tests use, test/server/identity.test.ts) from the Go
# module proxy into a cache outside the repo:
#   ~/.cache/kube-mcp/dex/<version>/dex      (KUBE_MCP_DEX_BIN overrides the directory)
# A binary already there is not rebuilt (FORCE=1 rebuilds). Prints the binary's path on stdout.
#
# Why a wrapper module: dex's go.mod has a replace directive (github.com/dexidp/dex/api/v2 => ./api/v2), so
# `go install github.com/dexidp/dex/cmd/dex@…` refuses it. Its release tags are v2.x.y on a module path without
# /v2, so Go cannot use them as versions: the proxy only knows pseudo-versions. DEX_PSEUDO pins the pseudo-version
# of the release commit (v2.45.1 = 11d2eeb52b42, committed 2026-03-03 13:39:05 UTC); the wrapper requires it and
# builds its ./cmd/dex. CGO is off, so Dex has no SQLite: the tests use its in-memory storage.
set -euo pipefail

DEX_VERSION="${DEX_VERSION:-v2.45.1}"
DEX_PSEUDO="${DEX_PSEUDO:-v0.0.0-20260303133905-11d2eeb52b42}"
DIR="${KUBE_MCP_DEX_BIN:-$HOME/.cache/kube-mcp/dex/${DEX_VERSION}}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
log() { printf '[build-dex] %s\n' "$*" >&2; }

if [ -n "${FORCE:-}" ] || [ ! -x "$DIR/dex" ]; then
  command -v go >/dev/null || { log "Go is required to build dex"; exit 1; }
  WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
  mkdir -p "$DIR" && cd "$WORK"
  start=$(date +%s)
  go mod init local/kube-mcp-dex-bin >/dev/null 2>&1
  go get "github.com/dexidp/dex/cmd/dex@${DEX_PSEUDO}"   # the package: fills go.sum for what it imports
  # -X sets what `dex version` prints (the module build has no git metadata).
  go build -trimpath -ldflags "-s -w -X main.version=${DEX_VERSION}" \
    -o "$DIR/dex" github.com/dexidp/dex/cmd/dex
  log "dex ${DEX_VERSION} built in $(( $(date +%s) - start )) s"
fi
"$DIR/dex" version >&2
echo "$DIR/dex"
