import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { execFileSync } from "node:child_process"
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { tmpdir } from "node:os"
import { performance } from "node:perf_hooks"
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node"
import { makeFleet } from "../test/support/fleet.js"
const kc = new KubeConfig(); kc.loadFromFile("/work/main/.cluster/kubeconfig")
const NS = "kmcp-fleet-bench"
for (const ctx of ["dev-cluster", "prod-cluster"]) {
  kc.setCurrentContext(ctx); const api = kc.makeApiClient(CoreV1Api)
  await api.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined)
  for (let i = 0; i < 20; i++) await api.createNamespacedPod({ namespace: NS, body: { metadata: { name: `fb-${i}` }, spec: { containers: [{ name: "app", image: "x" }] } } }).catch(() => undefined)
}
const dist = join(mkdtempSync(join(tmpdir(), "kb-")), "dist")
execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", dist], { stdio: "pipe" })
const rtt = Number(process.argv[2] ?? "0")
const fleet = await makeFleet("/work/main/.cluster/kubeconfig", rtt > 0 ? { rttMs: rtt } : {})
writeFileSync(join(dist, "c.toml"), "[kubernetes]\nfanout_concurrency = 16\n")
const t = new StdioClientTransport({ command: process.execPath, args: [join(dist, "main.js"), "--kubeconfig", fleet.kubeconfig, "--config", join(dist, "c.toml")], stderr: "ignore" })
const c = new Client({ name: "x", version: "0" }); await c.connect(t)
const pid = t.pid ?? 0
const cpu = () => { const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" "); return (Number(f[11]) + Number(f[12])) * 10 }
const live = fleet.contexts.filter((x) => x !== fleet.blackHole)
for (const x of live) await c.callTool({ name: "pods_list", arguments: { context: x, namespace: NS } })
let c0 = cpu(); let t0 = performance.now()
for (let i = 0; i < 20; i++) for (const x of live) await c.callTool({ name: "pods_list", arguments: { context: x, namespace: NS } })
console.log("single: cpu ms per context call", (cpu() - c0) / (20 * live.length), "wall", (performance.now() - t0) / (20 * live.length))
c0 = cpu(); t0 = performance.now()
for (let i = 0; i < 20; i++) await c.callTool({ name: "pods_list", arguments: { contexts: live, namespace: NS } })
console.log("fanout: cpu ms per call", (cpu() - c0) / 20, "wall", (performance.now() - t0) / 20)
await c.close(); await fleet.close()
