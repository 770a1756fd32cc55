// `npm run cluster:up | cluster:down | cluster:status`: the test control plane as a local demo cluster.
// State dir: KUBE_MCP_CLUSTER_DIR or <repo>/.cluster; binaries: KUBE_MCP_K8S_BIN or ~/.cache/kube-mcp/k8s/v1.37.2/bin.
import { defaultStateDir, start, status, stop } from "./harness.js"

const usage = "usage: tsx test/cluster/cli.ts up|down|status"

const up = async (): Promise<number> => {
  const t0 = Date.now()
  const r = await start({ owner: "cli" })
  const secs = ((Date.now() - t0) / 1000).toFixed(1)
  const { info } = r
  process.stderr.write(
    [
      r.reused ? `control plane already running (reused) - checked in ${secs} s` : `control plane ready in ${secs} s`,
      `  dev-cluster   ${info.clusters.dev.server}  (admin; contexts dev-cluster, restricted)`,
      `  prod-cluster  ${info.clusters.prod.server}  (admin)`,
      `  etcd          ${info.etcd.endpoint}`,
      `  kwok node     ${info.workload.kwokNode}; metrics.k8s.io on dev: ${info.workload.metrics ? "yes" : "no"}`,
      `  kubectl       ${info.binDir}/kubectl`,
      `  stop with     npm run cluster:down`,
      ""
    ].join("\n")
  )
  // The only stdout line, so `eval "$(npm run -s cluster:up)"` works.
  process.stdout.write(`export KUBECONFIG=${info.kubeconfig}\n`)
  return 0
}

const down = async (): Promise<number> => {
  const r = await stop()
  if (r.stopped.length === 0 && r.alreadyGone.length === 0) {
    process.stderr.write(`nothing recorded in ${defaultStateDir()}/state.json; nothing to stop\n`)
    return 0
  }
  process.stderr.write(`stopped pids: ${r.stopped.join(", ") || "none"}; already gone: ${r.alreadyGone.join(", ") || "none"}\n`)
  if (r.survivors.length > 0) {
    process.stderr.write(`ERROR: still running after SIGKILL: ${r.survivors.join(", ")}\n`)
    return 1
  }
  return 0
}

const showStatus = async (): Promise<number> => {
  const s = await status()
  if (!s.present) {
    process.stdout.write(`not running (no ${s.stateDir}/state.json)\n`)
    return 3
  }
  const lines = [`state: ${s.stateDir}/state.json (started by ${s.owner?.kind ?? "?"} pid ${s.owner?.pid ?? "?"}; ${s.ready ? "was ready" : "never became ready"})`]
  for (const p of s.processes) lines.push(`  ${p.running ? "running" : "GONE   "}  ${p.name.padEnd(24)} pid ${String(p.pid).padEnd(8)} log ${p.log}`)
  if (s.info !== undefined) {
    lines.push(`  dev-cluster   ${s.info.clusters.dev.server}  readyz: ${s.readyz.dev === true ? "ok" : "FAIL"}`)
    lines.push(`  prod-cluster  ${s.info.clusters.prod.server}  readyz: ${s.readyz.prod === true ? "ok" : "FAIL"}`)
    lines.push(`  etcd          ${s.info.etcd.endpoint}`)
    lines.push(`  KUBECONFIG=${s.info.kubeconfig}`)
  }
  process.stdout.write(lines.join("\n") + "\n")
  const healthy = s.ready && s.processes.every((p) => p.running) && s.readyz.dev === true && s.readyz.prod === true
  return healthy ? 0 : 1
}

const main = async (): Promise<number> => {
  switch (process.argv[2]) {
    case "up":
      return up()
    case "down":
      return down()
    case "status":
      return showStatus()
    default:
      process.stderr.write(`${usage}\n`)
      return 2
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`cluster ${process.argv[2] ?? ""} failed: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exit(1)
  }
)
