/**
 * Fan-out over a fleet of twelve contexts (issue #12): one `pods_list` with `contexts` against the slowest
 * single-context call, and what a black-holed context costs. kube-mcp only: neither peer has fan-out (their
 * equivalent is one call, one model turn, per context; see the "calls and bytes" table in RESULTS.md).
 *
 *   npx tsx bench/fleet.ts [--rounds 15] [--pods 50] [--runs 0/8,40/8,40/16,100/16]   (round trip ms / fanout_concurrency)
 *
 * The fleet is test/support/fleet.ts: the test control plane's two API servers under ten context names
 * (admin aliases with other default namespaces, and the namespace-restricted user), a refused port, and a
 * black-holed address (accepts TCP, never answers) with `timeout = "3s"`. Rounds interleave every single-context
 * call with the fan-out call, so drift of a shared machine hits both alike. Prints Markdown for RESULTS.md.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { execFileSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { adminKubeConfig, start } from "../test/cluster/harness.js"
import { makeFleet } from "../test/support/fleet.js"

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "15" },
    pods: { type: "string", default: "50" },
    runs: { type: "string", default: "0/8,40/8,40/16,100/16" }
  }
})
const ROUNDS = Number(values.rounds)
const PODS = Number(values.pods)
/**
 * Runs as round trip / fanout_concurrency: RTT 0 = the local API servers as they are (CPU-bound on a small
 * machine); others through delay relays. The default concurrency (8) runs 11 contexts in two waves.
 */
const RUNS = values.runs.split(",").map((r) => r.split("/").map(Number))
const REPO = resolve(import.meta.dirname, "..")
const NS = "kmcp-fleet-bench"
const BLACK_HOLE_TIMEOUT_MS = 3000

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2
}
const ms = (x: number): string => x.toFixed(1)

const { info } = await start({ log: () => undefined })
const apis = [adminKubeConfig(info, "dev").makeApiClient(CoreV1Api), adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)]
for (const api of apis) {
  await api.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined)
  for (let i = 0; i < PODS; i++) {
    const name = `fb-${String(i).padStart(3, "0")}`
    await api.createNamespacedPod({ namespace: NS, body: { metadata: { name }, spec: { containers: [{ name: "app", image: "registry.example/app:1" }] } } })
      .catch(() => undefined)
  }
}

const dist = join(mkdtempSync(join(tmpdir(), "kube-mcp-fleet-bench-")), "dist")
execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", dist], { cwd: REPO, stdio: "pipe" })

const measure = async (rttMs: number, concurrency: number): Promise<Array<string>> => {
  const fleet = await makeFleet(info.kubeconfig, rttMs > 0 ? { rttMs } : {})
  const config = join(dist, "config.toml")
  writeFileSync(config, `[kubernetes]\nfanout_concurrency = ${concurrency}\n[contexts."${fleet.blackHole}"]\ntimeout = "${BLACK_HOLE_TIMEOUT_MS / 1000}s"\n`)
  const client = new Client({ name: "kube-mcp-fleet-bench", version: "0" })
  await client.connect(new StdioClientTransport({
    command: process.execPath,
    args: [join(dist, "main.js"), "--kubeconfig", fleet.kubeconfig, "--config", config],
    stderr: "ignore"
  }))

  const timed = async (args: Record<string, unknown>): Promise<{ ms: number; bytes: number }> => {
    const t0 = performance.now()
    const r = await client.callTool({ name: "pods_list", arguments: { namespace: NS, ...args } })
    return { ms: performance.now() - t0, bytes: Buffer.byteLength(JSON.stringify(r.structuredContent ?? {})) }
  }

  const reachable = fleet.contexts.filter((c) => c !== fleet.blackHole)
  // warm: every context's handle, discovery and connection exist before timing
  for (const c of fleet.contexts) await timed({ context: c })
  const single = new Map<string, Array<number>>(reachable.map((c) => [c, []]))
  const across: Array<number> = []
  let acrossBytes = 0
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of reachable) single.get(c)?.push((await timed({ context: c })).ms)
    const r = await timed({ contexts: reachable })
    across.push(r.ms)
    acrossBytes = r.bytes
  }
  const withHole: Array<number> = []
  for (let round = 0; round < 3; round++) withHole.push((await timed({ contexts: ["*"] })).ms)
  await client.close()
  await fleet.close()

  const medians = [...single].map(([c, xs]) => [c, median(xs)] as const)
  const slowest = medians.reduce((a, b) => (b[1] > a[1] ? b : a))
  const sum = medians.reduce((a, [, m]) => a + m, 0)
  return [
  "",
  `**${rttMs === 0 ? "Local API servers (no network between us and them)" : `Every cluster ${rttMs} ms away (delay relays)`}, fanout_concurrency ${concurrency}${concurrency === 8 ? " (the default)" : ""}**`,
  "",
  "| call | ms | ratio |",
  "|---|---:|---:|",
  `| slowest single context (${slowest[0]}) | ${ms(slowest[1])} | 1.00 |`,
  `| sum of the ${medians.length} single-context calls (what ${medians.length} sequential calls cost, model turns not counted) | ${ms(sum)} | ${(sum / slowest[1]).toFixed(2)} |`,
  `| **one call, \`contexts\` = the ${reachable.length} reachable contexts** (one refused) | **${ms(median(across))}** | **${(median(across) / slowest[1]).toFixed(2)}** |`,
  `| one call, \`contexts: ["*"]\`, the black-holed context included (its timeout ${BLACK_HOLE_TIMEOUT_MS} ms) | ${ms(median(withHole))} | ${(median(withHole) / BLACK_HOLE_TIMEOUT_MS).toFixed(2)} × its timeout |`,
  "",
  `Per context (median ms): ${medians.map(([c, m]) => `${c} ${ms(m)}`).join(", ")}. The merged answer over ${reachable.length} contexts: ${acrossBytes} bytes of structuredContent.`
  ]
}

const out = [
  `Fan-out, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
  `load ${loadavg().map((l) => l.toFixed(1)).join("/")}, Node ${process.version}; pods_list of ${PODS} pods per cluster, ${ROUNDS} interleaved rounds, medians:`
]
for (const [rtt = 0, concurrency = 8] of RUNS) out.push(...(await measure(rtt, concurrency)))
for (const api of apis) await api.deleteNamespace({ name: NS }).catch(() => undefined)
console.log(out.join("\n"))
