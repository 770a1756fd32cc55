/**
 * Memory of MCP HTTP sessions in the published bundle (dist/main.js): RSS at idle, after 10,000 initializes
 * that never send DELETE, and after the sessions have gone. Two configurations:
 * - the defaults (max_sessions 1000, session_idle_timeout 30m): the table fills, the rest get 503, and the
 *   figure is what 1000 open sessions cost; the sessions are then closed with DELETE to see memory return;
 * - a 2 s idle timeout: sessions expire while the burst runs.
 *
 *   npm run build && npx tsx bench/sessions.ts [--total 10000] [--heap 96]
 *
 * Prints a Markdown table for bench/RESULTS.md.
 */
import { spawn } from "node:child_process"
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs"
import { cpus, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { freePort } from "../test/support/net.js"
import { initialize } from "../test/support/rawHttp.js"

const { values } = parseArgs({ options: { total: { type: "string", default: "10000" }, heap: { type: "string", default: "96" } } })
const TOTAL = Number(values.total)
const MAIN = resolve(import.meta.dirname, "../dist/main.js")

const rssMiB = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:")) ?? ""
  return Number(line.replace(/\D+/g, "")) / 1024
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const run = async (label: string, config: string, closeWithDelete: boolean) => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-bench-sessions-"))
  const kubeconfig = join(dir, "kubeconfig")
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
  const cfg = join(dir, "config.toml")
  writeFileSync(cfg, config)
  const port = await freePort()
  const child = spawn(process.execPath, [`--max-old-space-size=${values.heap}`, MAIN, "--config", cfg, "--kubeconfig", kubeconfig,
    "--transport", "http", "--http-address", `127.0.0.1:${port}`, "--log-level", "error"], { stdio: ["ignore", "ignore", "inherit"] })
  const url = `http://127.0.0.1:${port}/mcp`
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break
    await sleep(50)
  }
  const pid = child.pid ?? 0
  // warm: one session through its whole life, so the SDK and the handlers are loaded
  const first = await initialize(url)
  await first.arrayBuffer()
  await fetch(url, { method: "DELETE", headers: { "mcp-session-id": first.headers.get("mcp-session-id") ?? "" } })
  await sleep(500)
  const idle = rssMiB(pid)
  const ids: Array<string> = []
  const statuses: Record<string, number> = {}
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < TOTAL) {
      next++
      const r = await initialize(url)
      await r.arrayBuffer()
      statuses[r.status] = (statuses[r.status] ?? 0) + 1
      const id = r.headers.get("mcp-session-id")
      if (id !== null) ids.push(id)
    }
  }))
  const burstMs = performance.now() - t0
  const peak = rssMiB(pid)
  if (closeWithDelete) {
    for (const id of ids) await fetch(url, { method: "DELETE", headers: { "mcp-session-id": id } }).then((r) => r.arrayBuffer())
  }
  // V8 gives pages back to the OS lazily (its memory reducer runs once the process is idle): sample for 60 s
  const samples: Array<[number, number]> = []
  for (const at of [2, 10, 30, 60]) {
    await sleep((at - (samples.at(-1)?.[0] ?? 0)) * 1000)
    samples.push([at, rssMiB(pid)])
  }
  const after = samples.map(([at, mib]) => `${mib.toFixed(1)} (${at} s)`).join(", ")
  const alive = child.exitCode === null
  child.kill("SIGTERM")
  return { label, idle, peak, after, alive, statuses, burstMs }
}

const results = [
  await run("defaults (max_sessions 1000, idle timeout 30m), then DELETE of the open sessions", "", true),
  await run("session_idle_timeout 2s", "[server.http]\nsession_idle_timeout = \"2s\"\n", false)
]
const cpu = cpus()[0]?.model ?? "?"
console.log(`\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpu}, Node ${process.version}, heap capped at ${values.heap} MiB, ${TOTAL} initializes (16 in flight), no DELETE during the burst\n`)
console.log("| configuration | answers | burst s | RSS idle MiB | RSS after the burst MiB | RSS after the sessions went MiB (time after) | alive |")
console.log("|---|---|---:|---:|---:|---:|---|")
for (const r of results) {
  console.log(`| ${r.label} | ${Object.entries(r.statuses).map(([s, n]) => `${n}× ${s}`).join(", ")} | ${(r.burstMs / 1000).toFixed(1)} | ${r.idle.toFixed(1)} | ${r.peak.toFixed(1)} | ${r.after} | ${r.alive ? "yes" : "**no**"} |`)
}
