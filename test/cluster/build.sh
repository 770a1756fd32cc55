#!/usr/bin/env bash
# Builds the control-plane binaries the tests and `npm run cluster:up` use, from the Go module proxy:
# kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes), etcd, kwok, and
# (optional, for metrics.k8s.io) metrics-server.
# Output goes to a cache outside the repo; binaries already there are not rebuilt (FORCE=1 rebuilds).
set -euo pipefail

K8S_VERSION="${K8S_VERSION:-1.37.2}"   # k8s.io/kubernetes v1.37.2 -> staging modules v0.37.2
ETCD_VERSION="${ETCD_VERSION:-3.7.3}"
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
METRICS_SERVER_VERSION="${METRICS_SERVER_VERSION:-v0.9.0}"
BIN="${KUBE_MCP_K8S_BIN:-$HOME/.cache/kube-mcp/k8s/v${K8S_VERSION}/bin}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$BIN"
log() { printf '[build] %s\n' "$*" >&2; }
have() { [ -z "${FORCE:-}" ] && for b in "$@"; do [ -x "$BIN/$b" ] || return 1; done; }
# `|| return` keeps a failure visible even where a caller's `||` suspends `set -e`.
timed() { local name="$1" start; shift; start=$(date +%s); "$@" || return $?; log "$name built in $(( $(date +%s) - start )) s"; }

WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT

build_kubernetes() {
  mkdir "$WORK/k8s" && cd "$WORK/k8s"
  go mod init local/kube-mcp-k8s-bins >/dev/null 2>&1
  # The staging list comes from upstream's own go.mod (read outside any module: cd /).
  local gomod
  gomod="$(cd / && go mod download -json "k8s.io/kubernetes@v${K8S_VERSION}" | sed -n 's/.*"GoMod": *"\([^"]*\)".*/\1/p')"
  [ -f "$gomod" ] || { log "no go.mod for k8s.io/kubernetes@v${K8S_VERSION}"; return 1; }
  local mods=() staging="v0.${K8S_VERSION#1.}" minor="${K8S_VERSION#1.}"; minor="${minor%%.*}"
  mapfile -t mods < <(sed -n 's|^[[:space:]]*\(k8s\.io/[A-Za-z0-9._-]*\)[[:space:]]*=>[[:space:]]*\./staging/.*|\1|p' "$gomod")
  [ "${#mods[@]}" -ge 25 ] || { log "staging module list looks wrong: ${mods[*]:-none}"; return 1; }
  log "replacing ${#mods[@]} staging modules with @${staging}"
  local edits=() m
  for m in "${mods[@]}"; do edits+=("-replace=${m}=${m}@${staging}"); done
  go mod edit "${edits[@]}"
  go mod edit -go="$(sed -n 's/^go \([0-9.]*\)[[:space:]]*$/\1/p' "$gomod")"
  local godef; godef="$(sed -n 's/^godebug default=\(go[0-9.]*\).*/\1/p' "$gomod")"
  [ -z "$godef" ] || go mod edit -godebug="default=${godef}"
  local pkgs=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
              k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
  go get "${pkgs[@]/%/@v${K8S_VERSION}}"
  local now ldf="-s -w" p; now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldf+=" -X $p.gitVersion=v${K8S_VERSION} -X $p.gitMajor=1 -X $p.gitMinor=${minor}"
    ldf+=" -X $p.gitTreeState=clean -X $p.buildDate=${now}"
  done
  go build -trimpath -ldflags "$ldf" -o "$BIN/" "${pkgs[@]}"
  "$BIN/kube-apiserver" --version
}

build_etcd() {
  mkdir "$WORK/etcd" && cd "$WORK/etcd"
  go mod init local/kube-mcp-etcd-bin >/dev/null 2>&1
  go get "go.etcd.io/etcd/server/v3@v${ETCD_VERSION}"
  go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
  "$BIN/etcd" --version | head -1
}

# kwok is built from a copy of its module with one small addition (test/cluster/kwok/exec-exit-code.go.in):
# exec exit codes reach the client as NonZeroExitCode like with a real kubelet. KWOK_PATCH=0 builds it
# unmodified (`go install`), in which case a non-zero exit surfaces as an InternalError.
build_kwok() {
  if [ "${KWOK_PATCH:-1}" = 0 ]; then
    GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}"
    return
  fi
  local dir src="$SCRIPT_DIR/kwok/exec-exit-code.go.in"
  dir="$(cd / && go mod download -json "sigs.k8s.io/kwok@${KWOK_VERSION}" | sed -n 's/.*"Dir": *"\([^"]*\)".*/\1/p')"
  [ -d "$dir" ] || { log "no module dir for sigs.k8s.io/kwok@${KWOK_VERSION}"; return 1; }
  cp -r "$dir" "$WORK/kwok" && chmod -R u+w "$WORK/kwok" && cd "$WORK/kwok"
  local f=pkg/kwok/server/debugging_exec.go
  sed -i -e 's|return s.execInContainerWithTTY(ctx, cmd, in, stdout, resize)$|return kubeMCPExitCode(s.execInContainerWithTTY(ctx, cmd, in, stdout, resize))|' \
         -e 's|return s.execInContainer(ctx, cmd, in, stdout, stderr)$|return kubeMCPExitCode(s.execInContainer(ctx, cmd, in, stdout, stderr))|' "$f"
  [ "$(grep -c kubeMCPExitCode "$f")" = 2 ] || { log "kwok exec patch did not apply to $f (kwok ${KWOK_VERSION} changed?)"; return 1; }
  cp "$src" pkg/kwok/server/zz_kube_mcp_exit_code.go
  go build -trimpath -ldflags "-s -w" -o "$BIN/kwok" ./cmd/kwok
  touch "$BIN/.kwok-exec-exit-code"   # marker: this cache holds the patched kwok
  "$BIN/kwok" --version
}

# metrics-server's go.mod has no replace directives, so the documented `go install` path works.
build_metrics_server() {
  GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/metrics-server/cmd/metrics-server@${METRICS_SERVER_VERSION}"
}

TOTAL_START=$(date +%s)
# `if ! have; then ...` rather than `have || ...`: the right side of `||` runs with `set -e` suspended,
# which would let a failing step inside a build function go unnoticed.
if ! have etcd; then timed etcd build_etcd; fi
if ! have kwok || { [ "${KWOK_PATCH:-1}" != 0 ] && [ ! -f "$BIN/.kwok-exec-exit-code" ]; }; then timed kwok build_kwok; fi
if ! have kube-apiserver kube-controller-manager kube-scheduler kubectl; then timed kubernetes build_kubernetes; fi
# Optional: without it the harness simply reports metrics unavailable on dev-cluster.
if ! have metrics-server; then
  timed metrics-server build_metrics_server || log "WARNING: metrics-server did not build; metrics.k8s.io will be unavailable"
fi
log "all builds done in $(( $(date +%s) - TOTAL_START )) s"
log "binaries in $BIN"
echo "$BIN"
