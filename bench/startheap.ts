/**
 * What a server holds at rest (issue #17, "RSS after start"): starts each given bundle over stdio as a client
 * does, answers initialize and tools/list, and 1.2 s later prints its RSS split into anonymous and file-backed
 * pages and V8's heap by space (committed / used), read inside the server by a probe module loaded with
 * `--import` (nothing of the server is changed). Bundles are interleaved run by run; medians of `--runs`.
 *
 *   npx tsx bench/startheap.ts [--runs 5] [--kubeconfig <file>] <dist/main.js> [<other build>/main.js ...]
 */
import { spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { parseArgs } from "node:util"

const { values, positionals } = parseArgs({
  options: { runs: { type: "string", default: "5" }, kubeconfig: { type: "string" } },
  allowPositionals: true
})
const entries = positionals.length > 0 ? positionals.map((p) => resolve(p)) : [resolve("dist/main.js")]
const runs = Number(values.runs)

const PROBE = `import v8 from "node:v8"
import { readFileSync } from "node:fs"
setTimeout(() => {
  const status = readFileSync("/proc/self/status", "utf8")
  const kib = (k) => Number(new RegExp(k + ":\\\\s+(\\\\d+)").exec(status)?.[1] ?? 0)
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, [s.physical_space_size, s.space_used_size]]))
  const h = v8.getHeapStatistics()
  process.stderr.write("STARTHEAP " + JSON.stringify({ rss: kib("VmRSS") * 1024, anon: kib("RssAnon") * 1024, file: kib("RssFile") * 1024, heapCommitted: h.total_heap_size, heapUsed: h.used_heap_size, spaces }) + "\\n")
}, 1200).unref()
`
const dir = mkdtempSync(join(tmpdir(), "kube-mcp-startheap-"))
const probe = join(dir, "probe.mjs")
writeFileSync(probe, PROBE)
const kubeconfig = values.kubeconfig ?? join(dir, "kubeconfig")
if (values.kubeconfig === undefined) {
  writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: a\n  cluster: {server: 'https://127.0.0.1:1'}\ncontexts:\n- name: a\n  context: {cluster: a, user: u}\nusers:\n- name: u\n  user: {token: t}\n")
}

interface Sample {
  readonly rss: number
  readonly anon: number
  readonly file: number
  readonly heapCommitted: number
  readonly heapUsed: number
  readonly spaces: Record<string, [number, number]>
}

const isNumber = (v: unknown): v is number => typeof v === "number"
const isSample = (v: unknown): v is Sample =>
  typeof v === "object" && v !== null && "rss" in v && isNumber(v.rss) && "anon" in v && isNumber(v.anon) && "file" in v && isNumber(v.file) &&
  "heapCommitted" in v && isNumber(v.heapCommitted) && "heapUsed" in v && isNumber(v.heapUsed) &&
  "spaces" in v && typeof v.spaces === "object" && v.spaces !== null &&
  Object.values(v.spaces).every((pair: unknown) => Array.isArray(pair) && pair.length === 2 && pair.every(isNumber))

const once = (entry: string): Promise<Sample> =>
  new Promise((ok, ko) => {
    const child = spawn(process.execPath, ["--import", probe, entry, "--kubeconfig", kubeconfig], { stdio: ["pipe", "pipe", "pipe"] })
    const send = (m: object) => child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", ...m })}\n`)
    let out = ""
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString()
      for (let i = out.indexOf("\n"); i >= 0; i = out.indexOf("\n")) {
        const line: unknown = JSON.parse(out.slice(0, i))
        out = out.slice(i + 1)
        if (typeof line === "object" && line !== null && "id" in line && line.id === 1) {
          send({ method: "notifications/initialized" })
          send({ id: 2, method: "tools/list" })
        }
      }
    })
    child.stderr.on("data", (d: Buffer) => {
      const m = /STARTHEAP (.*)/.exec(d.toString())
      if (m?.[1] === undefined) return
      const sample: unknown = JSON.parse(m[1])
      child.kill()
      if (isSample(sample)) ok(sample)
      else ko(new Error(`bad probe line: ${m[1]}`))
    })
    child.on("exit", (code) => ko(new Error(`${entry} exited (${code}) before the probe`)))
    send({ id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "startheap", version: "0" } } })
  })

const samples = new Map<string, Array<Sample>>(entries.map((e) => [e, []]))
for (let r = 0; r < runs; r++) for (const e of entries) samples.get(e)?.push(await once(e))

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN
const mib = (n: number): string => (n / 2 ** 20).toFixed(1)
const SPACES = ["old_space", "new_space", "large_object_space", "code_space", "trusted_space"]
console.log(`${new Date().toISOString()}  node ${process.version}  medians of ${runs}, 1.2 s after start, tools/list answered`)
console.log(`| build | RSS | anon | file | V8 heap committed / used | ${SPACES.join(" | ")} |`)
console.log(`|---|---:|---:|---:|---:|${SPACES.map(() => "---:").join("|")}|`)
for (const [e, xs] of samples) {
  const space = (name: string) => `${mib(median(xs.map((x) => x.spaces[name]?.[0] ?? 0)))} / ${mib(median(xs.map((x) => x.spaces[name]?.[1] ?? 0)))}`
  console.log(`| ${e} | ${mib(median(xs.map((x) => x.rss)))} | ${mib(median(xs.map((x) => x.anon)))} | ${mib(median(xs.map((x) => x.file)))} | ` +
    `${mib(median(xs.map((x) => x.heapCommitted)))} / ${mib(median(xs.map((x) => x.heapUsed)))} | ${SPACES.map(space).join(" | ")} |`)
}
