#!/usr/bin/env bash
# Builds the `helm` binary the helm write tools run in the tests (test/tools/helm.test.ts), from the Go
# module proxy (no GitHub, no get.helm.sh needed), into a cache outside the repo:
#   ~/.cache/kube-mcp/helm/<version>/helm      (KUBE_MCP_HELM_BIN overrides the directory)
# A binary already there is not rebuilt (FORCE=1 rebuilds). Prints the binary's path on stdout.
#
# Why Helm v3 and not v4: the proxy has both (v3.22.x and v4.3.x). v3 is what clusters run today and what
# users' scripts and charts are written against; its flags (`--dry-run=server`, `--atomic`, `-o json`) are
# the ones kube-mcp passes, and v3 keeps receiving fixes. Both majors store releases the same way (Secrets of
# type helm.sh/release.v1, read by src/kube/helm.ts without a binary), so the read side is unaffected; v4
# renamed or changed several write flags (server-side apply by default, `--atomic` -> `--rollback-on-failure`).
# HELM_VERSION=v4.3.2 HELM_MAJOR=v4 builds v4 instead.
# helm's go.mod has no replace directives, so the documented `go install module/cmd@version` works as is.
set -euo pipefail

HELM_MAJOR="${HELM_MAJOR:-v3}"
HELM_VERSION="${HELM_VERSION:-v3.22.0}"
DIR="${KUBE_MCP_HELM_BIN:-$HOME/.cache/kube-mcp/helm/${HELM_VERSION}}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false} -mod=mod"
log() { printf '[build-helm] %s\n' "$*" >&2; }

if [ -n "${FORCE:-}" ] || [ ! -x "$DIR/helm" ]; then
  command -v go >/dev/null || { log "Go is required to build helm"; exit 1; }
  mkdir -p "$DIR"
  start=$(date +%s)
  # -X sets what `helm version` prints (the module build has no git metadata).
  GOBIN="$DIR" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/${HELM_MAJOR}/internal/version.version=${HELM_VERSION}" \
    "helm.sh/helm/${HELM_MAJOR}/cmd/helm@${HELM_VERSION}"
  log "helm ${HELM_VERSION} built in $(( $(date +%s) - start )) s"
fi
"$DIR/helm" version --short >&2
echo "$DIR/helm"
