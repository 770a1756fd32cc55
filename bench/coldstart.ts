/**
 * Cold start: time from spawning the server to its first `initialize` response over stdio, the way an
 * MCP client launches it, and on to the answer of the first tool call (`config_contexts_list`, which
 * reads the kubeconfig and so loads the Kubernetes client). Every run is a fresh `node` process (the OS file cache is warm after run 1,
 * as it is for a user who starts their assistant twice).
 *
 *   npx tsx bench/coldstart.ts [--runs 25] [--entry dist/main.js] [--kubeconfig <file>] [--json] [--skip-baseline]
 *                              [--node <path to a node binary> ...] [--entry <file> ...]
 *
 * With --node (repeatable) each run of a round starts the entry once with every given Node, in turn
 * (A B C A B C …), so Node versions are compared on the same commit under the same machine load; without
 * it, the Node that runs this script. Several --entry (builds) are interleaved the same way. The compile cache (src/entry.ts) goes to a fresh directory per Node
 * (XDG_CACHE_HOME), filled by the unmeasured warm-up run, as for a user's second start.
 *
 * Without --kubeconfig a throw-away kubeconfig with two unreachable contexts is used: `initialize`
 * never talks to a cluster, so the control plane is not needed and its load cannot skew the numbers.
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "25" },
    entry: { type: "string", multiple: true, default: ["dist/main.js"] },
    kubeconfig: { type: "string" },
    json: { type: "boolean", default: false },
    "skip-baseline": { type: "boolean", default: false },
    node: { type: "string", multiple: true }
  }
})

const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer")
const entries = values.entry.map((e) => ({ name: e, path: resolve(e) }))
for (const e of entries) statSync(e.path) // fail early with ENOENT rather than 25 spawn failures

const fakeKubeconfig = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-bench-"))
  const file = join(dir, "kubeconfig")
  const cluster = (name: string, port: number) => `- name: ${name}\n  cluster:\n    server: https://127.0.0.1:${port}\n`
  const context = (name: string) => `- name: ${name}\n  context:\n    cluster: ${name}\n    user: u\n    namespace: default\n`
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n${cluster("a", 1)}${cluster("b", 2)}` +
      `contexts:\n${context("a")}${context("b")}users:\n- name: u\n  user:\n    token: bench\n`
  )
  return file
}
const kubeconfig = values.kubeconfig ?? fakeKubeconfig()

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "coldstart-bench", version: "0" } }
}) + "\n"

/**
 * CPU time (user + system, ms) the process has used so far, from /proc (Linux; 10 ms ticks). Wall time
 * on a shared machine mostly measures the neighbours; CPU time is what the start itself costs.
 */
const cpuMs = (pid: number | undefined): number => {
  if (pid === undefined) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // fields[0] is field 3 (state): utime and stime are fields 14 and 15
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
  } catch {
    return Number.NaN
  }
}
const CLK_TCK = 100

interface Sample {
  readonly wall: number
  readonly cpu: number
  /** Wall ms until the first tool call was answered (NaN for the baseline). */
  readonly firstCall: number
}

const INITIALIZED = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }) + "\n"
const FIRST_CALL = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "config_contexts_list", arguments: {} } }) + "\n"

/** One cold start: wall and CPU ms until the `initialize` answer (id 1), then wall ms until the tool call's (id 2). */
const once = (node: Runtime, args: ReadonlyArray<string>, expectReply: boolean): Promise<Sample> =>
  new Promise((ok, fail) => {
    const env: Record<string, string> = { XDG_CACHE_HOME: node.cacheHome }
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("KUBE_MCP_") && !k.startsWith("NODE_COMPILE_CACHE") && k !== "XDG_CACHE_HOME") env[k] = v
    }
    const t0 = process.hrtime.bigint()
    const child = spawn(node.path, args, { stdio: ["pipe", "pipe", "pipe"], env })
    let out = ""
    let err = ""
    let done = false
    let init: { wall: number; cpu: number } | undefined
    const finish = (firstCall: number) => {
      if (done || init === undefined) return
      done = true
      const { wall, cpu } = init
      child.stdin.end()
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000)
      child.once("exit", () => {
        clearTimeout(timer)
        ok({ wall, cpu, firstCall })
      })
    }
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString()
    })
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
      const lines = out.split("\n")
      out = lines.pop() ?? ""
      for (const line of lines) {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6
        if (init === undefined && line.includes(`"id":1`) && line.includes(`"result"`)) {
          init = { wall: ms, cpu: cpuMs(child.pid) }
          child.stdin.write(INITIALIZED + FIRST_CALL)
        } else if (init !== undefined && line.includes(`"id":2`)) {
          if (!line.includes(`"result"`) || line.includes(`"isError":true`)) fail(new Error(`first tool call failed: ${line.slice(0, 500)}`))
          finish(ms)
        }
      }
    })
    if (!expectReply) {
      // CPU time of an exited child is gone from /proc: the baseline reports wall time only
      child.once("exit", () => {
        done = true
        ok({ wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: Number.NaN, firstCall: Number.NaN })
      })
    }
    child.once("exit", (code) => {
      if (!expectReply) return
      if (!done) fail(new Error(`server exited (${code}) before answering initialize:\n${err.slice(-2000)}`))
    })
    // clients write initialize right after spawn; the server must buffer it until it is ready
    if (expectReply) child.stdin.write(INITIALIZE)
    else child.stdin.end()
  })

const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[i] ?? Number.NaN
}

interface Runtime {
  readonly path: string
  readonly version: string
  /** XDG_CACHE_HOME of its runs: the entry's compile cache, one per Node */
  readonly cacheHome: string
}

const runtimes: Array<Runtime> = (values.node ?? [process.execPath]).map((path) => ({
  path,
  version: execFileSync(path, ["--version"], { encoding: "utf8" }).trim(),
  cacheHome: mkdtempSync(join(tmpdir(), "kube-mcp-bench-cache-"))
}))

interface Case {
  readonly label: string
  readonly node: Runtime
  readonly args: ReadonlyArray<string>
  readonly expectReply: boolean
}

const cases: Array<Case> = runtimes.flatMap((node) => [
  ...(!values["skip-baseline"] ? [{ label: `${node.version}: node -e 0 (baseline)`, node, args: ["-e", "0"], expectReply: false }] : []),
  ...entries.map((e) => ({ label: `${node.version}: node ${e.name} → initialize`, node, args: [e.path, "--kubeconfig", kubeconfig], expectReply: true }))
])

/** One warm-up run of each case (OS file cache, compile cache), then `runs` rounds of one run of each case in turn. */
const measureAll = async () => {
  for (const c of cases) await once(c.node, c.args, c.expectReply)
  const samples = cases.map((): Array<Sample> => [])
  for (let i = 0; i < runs; i++) {
    for (const [j, c] of cases.entries()) samples[j]?.push(await once(c.node, c.args, c.expectReply))
  }
  return cases.map((c, j) => {
    const own = samples[j] ?? []
    const wall = own.map((s) => s.wall).sort((a, b) => a - b)
    const cpu = own.map((s) => s.cpu).sort((a, b) => a - b)
    const firstCall = own.map((s) => s.firstCall).sort((a, b) => a - b)
    return {
      label: c.label,
      runs,
      median: quantile(wall, 0.5),
      p90: quantile(wall, 0.9),
      min: wall[0] ?? Number.NaN,
      max: wall[wall.length - 1] ?? Number.NaN,
      cpuMedian: quantile(cpu, 0.5),
      firstCallMedian: quantile(firstCall, 0.5)
    }
  })
}

const results = await measureAll()

const machine = {
  date: new Date().toISOString().slice(0, 10),
  node: runtimes.map((r) => r.version).join(", "),
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
  load: loadavg().map((l) => l.toFixed(2)).join(" / ")
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ machine, results }, null, 2)}\n`)
} else {
  process.stdout.write(`${machine.date}  node ${machine.node}  ${machine.cpus}  ${machine.memory}  load average after: ${machine.load}\n`)
  process.stdout.write(
    "| what | runs | median ms | p90 ms | min ms | max ms | CPU median ms | first tool call median ms |\n|---|---|---|---|---|---|---|---|\n"
  )
  const f = (n: number) => (Number.isNaN(n) ? "–" : n.toFixed(0))
  for (const r of results) {
    process.stdout.write(`| ${r.label} | ${r.runs} | ${f(r.median)} | ${f(r.p90)} | ${f(r.min)} | ${f(r.max)} | ${f(r.cpuMedian)} | ${f(r.firstCallMedian)} |\n`)
  }
}
