/**
 * Where does kube-mcp's memory go under load? Runs the built server (`--transport http`, as the throughput
 * windows of bench/peers.ts do) with the inspector on, drives one tool call with `--concurrency` calls in
 * flight for `--seconds`, and meanwhile records V8's sampling heap profile of every allocation (objects
 * already collected included: peak RSS follows the allocation rate, not what survives). Allocated bytes are
 * attributed to what the call was doing when it allocated (the nearest src/ file or npm package on the
 * stack, JSON.parse by who called it), through dist's source maps (`node scripts/build.mjs --sourcemap`).
 * Prints VmHWM/VmRSS before and after, and the GC-surviving heap at the end.
 *
 *   npx tsx bench/memprofile.ts --entry .scratch/dist-map/main.js --tool pods_list --args '{"namespace":"kmcp-bench-0"}'
 *                               [--seconds 10] [--concurrency 8] [--top 20] [--env NAME=VALUE ...]
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { parseArgs } from "node:util"
import { start } from "../test/cluster/harness.js"
import { freePort } from "../test/support/net.js"
import { type CallFrame, connectHttp, origin, serverEnv } from "./profiling.js"
import { REPO } from "./servers.js"

const { values } = parseArgs({
  options: {
    tool: { type: "string", default: "pods_list" },
    args: { type: "string", default: '{"namespace":"kmcp-bench-0"}' },
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
    entry: { type: "string", default: "dist/main.js" },
    top: { type: "string", default: "20" },
    env: { type: "string", multiple: true },
    /** node flags for the server, repeatable (e.g. --max-semi-space-size=1) */
    "node-flag": { type: "string", multiple: true },
    /** no inspector and no sampling (the profiler's own memory stays out of VmHWM): RSS figures only */
    plain: { type: "boolean", default: false }
  }
})

interface SamplingNode {
  readonly callFrame: CallFrame
  readonly selfSize: number
  readonly children: ReadonlyArray<SamplingNode>
}

const status = (pid: number): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const line of readFileSync(`/proc/${pid}/status`, "utf8").split("\n")) {
    const m = /^(Vm\w+|Rss\w+):\s+(\d+) kB/.exec(line)
    if (m?.[1] !== undefined) out[m[1]] = Number(m[2]) / 1024
  }
  return out
}

/** User + system CPU of a process so far (ms; /proc ticks of 10 ms). */
const cpuMs = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? []
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** One Chrome DevTools Protocol session over the inspector's WebSocket. */
const cdp = async (port: number) => {
  const list: unknown = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()
  const url = Array.isArray(list) && typeof list[0] === "object" && list[0] !== null && "webSocketDebuggerUrl" in list[0]
    ? String(list[0].webSocketDebuggerUrl)
    : ""
  const ws = new WebSocket(url)
  await new Promise((ok, ko) => {
    ws.onopen = ok
    ws.onerror = ko
  })
  let id = 0
  const waiting = new Map<number, (v: unknown) => void>()
  ws.onmessage = (m) => {
    const msg: unknown = JSON.parse(String(m.data))
    if (typeof msg === "object" && msg !== null && "id" in msg && typeof msg.id === "number") {
      waiting.get(msg.id)?.("result" in msg ? msg.result : msg)
      waiting.delete(msg.id)
    }
  }
  return {
    send: (method: string, params: Record<string, unknown> = {}): Promise<unknown> =>
      new Promise((ok) => {
        const n = ++id
        waiting.set(n, ok)
        ws.send(JSON.stringify({ id: n, method, params }))
      }),
    close: () => ws.close()
  }
}

/** Which part of the work an allocation belongs to, from its stack (innermost first). */
const bucketOf = (stack: ReadonlyArray<CallFrame>): string => {
  const self = stack[0]
  const parsing = self !== undefined && self.url === "" && self.functionName === "parse"
  for (const cf of stack) {
    if (cf.url === "" || cf.url.startsWith("node:")) continue
    const { file, pkg } = origin(cf)
    const where = pkg.startsWith("src/") ? file.replace(/:\d+$/, "") : pkg
    if (parsing) return `JSON.parse, called from ${where}`
    if (pkg === "effect") return /Schema|schema/.test(file) ? "effect Schema (decode/encode)" : "effect runtime (fibers, pipes, scheduling)"
    return where
  }
  const node = stack.find((cf) => cf.url.startsWith("node:"))
  return node !== undefined ? origin(node).pkg : parsing ? "JSON.parse (no caller frame)" : "(VM / no JS frame)"
}

const main = async (): Promise<void> => {
  const { info } = await start({ owner: "cli", log: () => undefined })
  const env = serverEnv(values.env)
  const port = await freePort()
  const inspect = await freePort()
  const child = spawn(
    process.execPath,
    [...(values.plain ? [] : [`--inspect=127.0.0.1:${inspect}`]), ...(values["node-flag"] ?? []), resolve(REPO, values.entry), "--kubeconfig", info.kubeconfig, "--transport", "http", "--http-address", `127.0.0.1:${port}`],
    { cwd: REPO, env, stdio: ["ignore", process.env["MEMPROFILE_TRACE"] !== undefined ? "inherit" : "ignore", "ignore"] }
  )
  const pid = child.pid ?? -1
  const client = new Client({ name: "kube-mcp-memprofile", version: "0" })
  await connectHttp(client, port)
  await client.listTools()
  const args: unknown = JSON.parse(values.args)
  if (typeof args !== "object" || args === null) throw new Error("--args must be a JSON object")
  const call = async (): Promise<void> => {
    const r = await client.request({ method: "tools/call", params: { name: values.tool, arguments: { ...args } } }, CallToolResultSchema)
    if (r.isError === true) throw new Error(`call failed: ${JSON.stringify(r.content).slice(0, 400)}`)
  }
  /** `--concurrency` calls in flight for `--seconds`; the number of calls made. */
  const load = async (): Promise<number> => {
    let calls = 0
    const end = performance.now() + Number(values.seconds) * 1000
    await Promise.all(Array.from({ length: Number(values.concurrency) }, async () => {
      while (performance.now() < end) {
        await call()
        calls++
      }
    }))
    return calls
  }
  for (let i = 0; i < 3; i++) await call()
  const idle = status(pid)
  if (values.plain) {
    const cpu0 = cpuMs(pid)
    const calls = await load()
    const loaded = status(pid)
    const cpuPerCall = (cpuMs(pid) - cpu0) / calls
    if (process.env["MEMPROFILE_SMAPS"] !== undefined) {
      // where the anonymous memory lives: the brk heap (malloc), 64 MiB malloc arenas of other threads, V8's pages
      const maps = readFileSync(`/proc/${pid}/smaps`, "utf8").split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)
      const by = new Map<string, number>()
      for (const m of maps) {
        const [range = "", , , , , name = ""] = (m.split("\n")[0] ?? "").split(/\s+/)
        const [a = "0", b = "0"] = range.split("-")
        const size = (parseInt(b, 16) - parseInt(a, 16)) / 1024
        const rss = Number(/\nRss:\s+(\d+)/.exec(m)?.[1] ?? 0)
        const key = name !== "" ? (name.startsWith("/") ? "files" : name) : size >= 65536 - 8 && size <= 65536 ? "anon 64 MiB (malloc arena)" : `anon ${size >= 1024 ? "≥1 MiB" : "<1 MiB"}`
        by.set(key, (by.get(key) ?? 0) + rss)
      }
      console.log([...by.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${(v / 1024).toFixed(1)} MiB`).join("; "))
    }
    await client.close()
    child.kill("SIGTERM")
    console.log(`${values.tool} ${values.args} ${(values["node-flag"] ?? []).join(" ")}: ${calls} calls in ${values.seconds} s, ${cpuPerCall.toFixed(2)} ms CPU per call; RSS idle ${idle["VmRSS"]?.toFixed(1)} MiB, after ${loaded["VmRSS"]?.toFixed(1)} (anon ${loaded["RssAnon"]?.toFixed(1)}), HWM ${loaded["VmHWM"]?.toFixed(1)} MiB`)
    return
  }
  const session = await cdp(inspect)
  await session.send("HeapProfiler.enable")
  await session.send("HeapProfiler.startSampling", {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true
  })
  const calls = await load()
  const loaded = status(pid)
  const answer: unknown = await session.send("HeapProfiler.stopSampling")
  const head = typeof answer === "object" && answer !== null && "profile" in answer && typeof answer.profile === "object" && answer.profile !== null &&
      "head" in answer.profile
    ? answer.profile.head as SamplingNode
    : undefined
  if (head === undefined) throw new Error("no sampling profile")
  await session.send("HeapProfiler.collectGarbage")
  const afterGc: unknown = await session.send("Runtime.evaluate", { expression: "JSON.stringify(process.memoryUsage())", returnByValue: true })
  session.close()
  await client.close()
  child.kill("SIGTERM")

  const buckets = new Map<string, number>()
  let total = 0
  const walk = (n: SamplingNode, stack: Array<CallFrame>): void => {
    stack.unshift(n.callFrame)
    if (n.selfSize > 0) {
      const b = bucketOf(stack)
      buckets.set(b, (buckets.get(b) ?? 0) + n.selfSize)
      total += n.selfSize
    }
    for (const c of n.children) walk(c, stack)
    stack.shift()
  }
  walk(head, [])
  const mib = (x: number | undefined): string => (x ?? Number.NaN).toFixed(1)
  console.log(`${values.tool} ${values.args}: ${calls} calls in ${values.seconds} s, ${values.concurrency} in flight`)
  console.log(`RSS idle ${mib(idle["VmRSS"])} MiB (HWM ${mib(idle["VmHWM"])}); after the load RSS ${mib(loaded["VmRSS"])}, HWM ${mib(loaded["VmHWM"])} MiB`)
  console.log(`process.memoryUsage() after a full GC: ${JSON.stringify(afterGc)}`)
  console.log(`allocated (sampled) ${(total / 2 ** 20).toFixed(0)} MiB = ${(total / calls / 1024).toFixed(1)} KiB per call\n`)
  for (const [k, v] of [...buckets.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
    console.log(`${(v / calls / 1024).toFixed(1).padStart(8)} KiB/call ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
  }
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
