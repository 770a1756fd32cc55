/**
 * Where does kube-mcp spend a warm tool call? Runs the built server (dist/main.js) under `node --cpu-prof`,
 * drives one tool call N times over stdio with the MCP SDK Client, and attributes the CPU samples taken
 * during those calls (startup excluded) to functions and to source files/packages via dist's source maps
 * (build them first: `node scripts/build.mjs --sourcemap`; the published build has none).
 *
 *   npx tsx bench/profile.ts --tool pods_get --args '{"name":"bp-0-007","namespace":"kmcp-bench-0"}'
 *                            [--calls 300] [--concurrency 1] [--entry dist/main.js] [--top 25] [--transport stdio|http] [--dir out] [--env NAME=VALUE ...]
 *
 * Needs the control plane (reused or started) and, for the names above, the seed of bench/peers.ts
 * (`npm run bench -- --quick --keep` leaves it in place).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { spawn } from "node:child_process"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { start } from "../test/cluster/harness.js"
import { freePort } from "../test/support/net.js"
import { type CallFrame, connectHttp, origin, serverEnv } from "./profiling.js"

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..")

const { values } = parseArgs({
  options: {
    tool: { type: "string", default: "pods_get" },
    args: { type: "string", default: '{"name":"bp-0-007","namespace":"kmcp-bench-0"}' },
    calls: { type: "string", default: "300" },
    concurrency: { type: "string", default: "1" },
    entry: { type: "string", default: "dist/main.js" },
    top: { type: "string", default: "25" },
    dir: { type: "string" },
    transport: { type: "string", default: "stdio" },
    /** NAME=VALUE for the server, repeatable (e.g. KUBE_MCP_KUBERNETES_QPS=1000) */
    env: { type: "string", multiple: true }
  }
})

// --- .cpuprofile shape (only what is read)
interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: Array<number>
}
interface CpuProfile {
  nodes: Array<ProfileNode>
  startTime: number
  endTime: number
  samples: Array<number>
  timeDeltas: Array<number>
}
const isProfile = (x: unknown): x is CpuProfile =>
  typeof x === "object" && x !== null && "nodes" in x && Array.isArray(x.nodes) && "samples" in x && Array.isArray(x.samples) && "timeDeltas" in x

const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n)

const main = async (): Promise<void> => {
  const { info } = await start({ owner: "cli", log: () => undefined })
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), "kube-mcp-prof-"))
  const entry = resolve(REPO, values.entry)
  const env = serverEnv(values.env)
  const serverArgs = ["--cpu-prof", "--cpu-prof-dir", dir, entry, "--kubeconfig", info.kubeconfig]
  const client = new Client({ name: "kube-mcp-profile", version: "0" })
  let stop: () => Promise<void>
  if (values.transport === "http") {
    const port = await freePort()
    const child = spawn(process.execPath, [...serverArgs, "--transport", "http", "--http-address", `127.0.0.1:${port}`], { cwd: REPO, env, stdio: "ignore" })
    await connectHttp(client, port)
    // SIGTERM: the server shuts down by itself, so --cpu-prof gets to write the profile
    stop = () => client.close().then(() => new Promise<void>((ok) => {
      child.once("exit", () => ok())
      child.kill("SIGTERM")
    }))
  } else {
    const transport = new StdioClientTransport({ command: process.execPath, args: serverArgs, env, cwd: REPO, stderr: "pipe" })
    await client.connect(transport)
    stop = () => client.close()
  }
  await client.listTools()
  const args: unknown = JSON.parse(values.args)
  if (typeof args !== "object" || args === null) throw new Error("--args must be a JSON object")
  const call = async (): Promise<number> => {
    const t0 = performance.now()
    const r = await client.request({ method: "tools/call", params: { name: values.tool, arguments: { ...args } } }, CallToolResultSchema)
    if (r.isError === true) throw new Error(`call failed: ${JSON.stringify(r.content).slice(0, 400)}`)
    return performance.now() - t0
  }
  for (let i = 0; i < 20; i++) await call()
  const calls = Number(values.calls)
  const conc = Number(values.concurrency)
  const times: Array<number> = []
  const from = monotonicMicros()
  const wall0 = performance.now()
  let left = calls
  await Promise.all(
    Array.from({ length: conc }, async () => {
      while (left-- > 0) times.push(await call())
    })
  )
  const wallMs = performance.now() - wall0
  const to = monotonicMicros()
  await stop()
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"))
  if (file === undefined) throw new Error(`no .cpuprofile in ${dir} (did the server exit cleanly?)`)
  const profile: unknown = JSON.parse(readFileSync(join(dir, file), "utf8"))
  if (!isProfile(profile)) throw new Error("unexpected .cpuprofile shape")
  times.sort((a, b) => a - b)
  const p = (q: number): string => (times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0).toFixed(2)
  console.log(`${values.tool} × ${calls} (concurrency ${conc}): p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, ${(calls / (wallMs / 1000)).toFixed(1)} calls/s; profile ${join(dir, file)}`)
  report(profile, from, to, calls, Number(values.top))
}

// --- attribution

const report = (profile: CpuProfile, from: number, to: number, calls: number, top: number): void => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, number>()
  const incl = new Map<string, number>()
  const pkgSelf = new Map<string, number>()
  const fileIncl = new Map<string, number>()
  let total = 0
  let t = profile.startTime
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0
    const next = profile.timeDeltas[i + 1] ?? 0
    if (t < from || t > to) continue
    const id = profile.samples[i]
    const node = id === undefined ? undefined : byId.get(id)
    if (node === undefined) continue
    const dt = next
    total += dt
    const key = (cf: CallFrame): string => `${cf.functionName || "(anonymous)"}  ${origin(cf).file}`
    self.set(key(node.callFrame), (self.get(key(node.callFrame)) ?? 0) + dt)
    const pk = origin(node.callFrame).pkg
    pkgSelf.set(pk, (pkgSelf.get(pk) ?? 0) + dt)
    const seen = new Set<string>()
    const seenFiles = new Set<string>()
    for (let cur: ProfileNode | undefined = node; cur !== undefined; cur = byId.get(parent.get(cur.id) ?? -1)) {
      const k = key(cur.callFrame)
      const file = origin(cur.callFrame).file.replace(/:\d+$/, "")
      if (file.startsWith("src/") && !seenFiles.has(file)) {
        seenFiles.add(file)
        fileIncl.set(file, (fileIncl.get(file) ?? 0) + dt)
      }
      if (seen.has(k)) continue
      seen.add(k)
      incl.set(k, (incl.get(k) ?? 0) + dt)
    }
  }
  const busy = total - (self.get("(idle)  (idle)") ?? 0)
  const line = (k: string, us: number): string => `${(us / 1000).toFixed(1).padStart(8)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / calls).toFixed(0).padStart(6)} µs/call  ${k}`
  const topOf = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
  console.log(`\nsampled ${(total / 1000).toFixed(0)} ms during the calls; busy (not idle) ${(busy / 1000).toFixed(0)} ms = ${(busy / calls).toFixed(0)} µs CPU per call`)
  console.log("\n-- self time by package/source dir")
  for (const [k, v] of topOf(pkgSelf)) console.log(line(k, v))
  console.log("\n-- inclusive time by file of src/ (a sample counts for every src file on its stack)")
  for (const [k, v] of topOf(fileIncl)) console.log(line(k, v))
  console.log("\n-- self time by function")
  for (const [k, v] of topOf(self)) console.log(line(k, v))
  console.log("\n-- inclusive time by function")
  for (const [k, v] of topOf(incl)) console.log(line(k, v))
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
