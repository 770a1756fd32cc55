/**
 * Side-by-side benchmark (issue #6): kube-mcp against kubernetes-mcp-server (Go) and mcp-server-kubernetes
 * (TypeScript driving kubectl), on the same control plane, with the MCP SDK `Client`.
 *
 *   npm run bench [-- --quick] [--cold-runs 20] [--calls 200] [--tp-seconds 10] [--tp-rounds 3]
 *                 [--only kube-mcp,kube-mcp-qps,kms,kms-qps,msk,memory] [--no-build] [--keep] [--no-write] [--profile]
 *                 [--render-only bench/.peers/last-run.json]
 *
 * Steps: install the peers with npm into bench/.peers (git-ignored), make sure kubectl exists (the
 * control-plane build makes it), build kube-mcp (`npm run build`), start or reuse the test control plane,
 * seed it (namespaces kmcp-bench-0..4: 500 pods on the kwok node, 200 ConfigMaps, events), measure, write
 * the "Peers" section of bench/RESULTS.md (only the text between its markers), delete the namespaces.
 *
 * Interleaving: every phase goes round-robin over the servers run by run (cold start: one spawn of each
 * server per round; warm latency: one call of each server per step; throughput: one window of each server
 * per round, starting order rotated), so drift of a shared, loaded machine hits all servers alike.
 *
 * Memory sections (issue #17; `--only memory` runs just these, with any server ids after it): peak RSS of
 * each server for a 10,000-ConfigMap list (namespace bench-cm-10k, created once as one List and reused), for
 * a pod list over the 12 contexts of test/support/fleet.ts, and for 10,000 HTTP sessions opened and gone.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Pod, type CoreV1Event } from "@kubernetes/client-node"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs"
import { cpus, loadavg, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { adminKubeConfig, defaultBinDir, start, statusOf, type ClusterInfo } from "../test/cluster/harness.js"
import { makeFleet } from "../test/support/fleet.js"
import { freePort } from "../test/support/net.js"
import { initialize } from "../test/support/rawHttp.js"
import {
  baseEnv,
  ensureKubectl,
  ensurePeers,
  installedVersion,
  KMS_BIN,
  kmsStdio,
  type Launch,
  measureResponses,
  mskStdio,
  oursStdio,
  PEERS_DIR,
  REPO,
  run
} from "./servers.js"

const RESULTS_MD = join(REPO, "bench", "RESULTS.md")

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "cold-runs": { type: "string" },
    calls: { type: "string" },
    "tp-seconds": { type: "string" },
    "tp-rounds": { type: "string" },
    only: { type: "string" },
    "no-build": { type: "boolean", default: false },
    keep: { type: "boolean", default: false },
    "no-write": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "mem-rounds": { type: "string" },
    "mem-sessions": { type: "string" },
    /** Re-render the RESULTS section from a saved run (bench/.peers/last-run.json) without measuring. */
    "render-only": { type: "string" }
  }
})

/** `--only` names servers and, optionally, sections ("memory": only the memory sections). */
const SECTION_NAMES = new Set(["memory"])
const onlyParts = opts.only?.split(",").map((x) => x.trim()).filter((x) => x !== "")
const onlySections = onlyParts?.filter((x) => SECTION_NAMES.has(x)) ?? []
const onlyServers = onlyParts?.filter((x) => !SECTION_NAMES.has(x)) ?? []

const intOpt = (v: string | undefined, full: number, quick: number): number => {
  const n = v === undefined ? (opts.quick ? quick : full) : Number(v)
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive integer, got ${String(v)}`)
  return n
}
const COLD_RUNS = intOpt(opts["cold-runs"], 20, 3)
const CALLS = intOpt(opts.calls, 200, 10)
const TP_SECONDS = intOpt(opts["tp-seconds"], 10, 3)
const TP_ROUNDS = intOpt(opts["tp-rounds"], 3, 1)
const IN_FLIGHT = 8
const WARMUP_CALLS = 3

// The SDK's HTTP client transport adds an abort listener per request to one long-lived signal; a window
// of thousands of calls trips Node's MaxListeners warning in this (client) process. Harmless here; muted.
process.removeAllListeners("warning")
process.on("warning", (w) => {
  if (w.name !== "MaxListenersExceededWarning") process.stderr.write(`${w.name}: ${w.message}\n`)
})

const log = (line: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

const sorted = (xs: ReadonlyArray<number>): Array<number> => [...xs].sort((a, b) => a - b)
/** Nearest-rank percentile (p in 0..100); NaN for no samples. */
const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return Number.NaN
  const s = sorted(xs)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN
}
const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = sorted(xs)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2
}

// ---------------------------------------------------------------------------------------------------------
// Processes: memory from /proc (Linux)

interface Mem {
  /** VmRSS, KiB */
  readonly rss: number
  /** VmHWM (peak RSS over the process's life), KiB */
  readonly hwm: number
}

const readMem = (pid: number): Mem | undefined => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN)
    return { rss: field("VmRSS"), hwm: field("VmHWM") }
  } catch {
    return undefined
  }
}

/**
 * CPU time (ms) the process used, plus what its reaped children used (cutime/cstime: the kubectl
 * processes mcp-server-kubernetes runs with spawnSync). Clock ticks of 10 ms; used over many calls.
 */
const readCpuMs = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // fields 14-17 of proc(5): utime stime cutime cstime; f[0] is field 3
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0) * (1000 / CLK_TCK)
  } catch {
    return Number.NaN
  }
}
const CLK_TCK = (() => {
  const n = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout)
  return Number.isFinite(n) && n > 0 ? n : 100
})()

/** pid and all its descendants (children of every thread, recursively). */
const processTree = (pid: number): Array<number> => {
  const out = [pid]
  for (let i = 0; i < out.length; i++) {
    const p = out[i]
    if (p === undefined) continue
    let tasks: Array<string> = []
    try {
      tasks = readdirSync(`/proc/${p}/task`)
    } catch {
      continue
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, "utf8").split(" ")) if (c.trim() !== "") out.push(Number(c))
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return out
}

/** A zombie (exited, not yet reaped: spawnSync's kubectl for a moment) has no VmRSS line: counts as 0. */
const treeRss = (pid: number): number =>
  processTree(pid).reduce((sum, p) => {
    const rss = readMem(p)?.rss ?? 0
    return sum + (Number.isFinite(rss) ? rss : 0)
  }, 0)

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) return ok()
    const kill = setTimeout(() => child.kill("SIGKILL"), 5_000)
    child.once("exit", () => {
      clearTimeout(kill)
      ok()
    })
    child.kill("SIGTERM")
  })

// ---------------------------------------------------------------------------------------------------------
// Setup: peers, kubectl, our build, control plane

/**
 * kube-mcp runs from a copy of dist/ taken right after the build: a concurrent `npm run build` (it empties
 * dist/ first) must not pull the files away in the middle of a run. The bundle reads no files of its own.
 */
const OUR_DIST = join(PEERS_DIR, "kube-mcp-dist")
const snapshotDist = (): void => {
  rmSync(OUR_DIST, { recursive: true, force: true })
  cpSync(join(REPO, "dist"), OUR_DIST, { recursive: true })
}

const buildOurs = (): string => {
  const built = buildOnce()
  snapshotDist()
  return built
}

const buildOnce = (): string => {
  if (opts["no-build"]) return "skipped (--no-build): the existing dist/ was measured"
  log("npm run build")
  const t0 = Date.now()
  const r = spawnSync("npm", ["run", "-s", "build"], { cwd: REPO, stdio: ["ignore", 2, 2] })
  if (r.status === 0) return "`npm run build` ok"
  // Type errors in someone's half-finished file stop `npm run build` before it bundles; the bundle alone
  // still shows what the code does. The report says so; a stale dist/ is never measured.
  const main = join(REPO, "dist/main.js")
  const bundler = join(REPO, "scripts/build.mjs")
  if ((!existsSync(main) || statSync(main).mtimeMs < t0) && existsSync(bundler)) {
    log("WARNING: npm run build failed; bundling without the type check (node scripts/build.mjs)")
    spawnSync(process.execPath, [bundler], { cwd: REPO, stdio: ["ignore", 2, 2] })
  }
  if (!existsSync(main) || statSync(main).mtimeMs < t0) throw new Error(`npm run build failed (exit ${String(r.status)}) and dist/main.js is missing or stale`)
  return `\`npm run build\` failed (exit ${String(r.status)}, type errors in files being edited); the bundle emitted without the type check was measured`
}

// ---------------------------------------------------------------------------------------------------------
// Seed: 5 namespaces x 100 pods on the kwok node, 200 ConfigMaps, events

const NAMESPACES = [0, 1, 2, 3, 4].map((i) => `kmcp-bench-${i}`)
const NS0 = "kmcp-bench-0"
const PODS_PER_NS = 100
const CMS_PER_NS = 40
const EVENTS = 60
const pad = (i: number): string => String(i).padStart(3, "0")
const podName = (ns: number, i: number): string => `bp-${ns}-${pad(i)}`
const cmName = (ns: number, i: number): string => `bc-${ns}-${pad(i)}`
const GET_POD = podName(0, 7)
const GET_CM = cmName(0, 7)

/** Runs fn over items with at most `limit` in flight. */
const pool = async <T>(items: ReadonlyArray<T>, limit: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i]
      if (item !== undefined) await fn(item)
    }
  }
  await Promise.all(Array.from({ length: limit }, worker))
}

/** Create, treating "already exists" as done (a kept seed from an earlier --keep run). */
const idempotent = async (create: () => Promise<unknown>): Promise<void> => {
  try {
    await create()
  } catch (e) {
    if (statusOf(e) !== 409) throw e
  }
}

const podManifest = (ns: number, i: number, node: string): V1Pod => ({
  metadata: {
    name: podName(ns, i),
    labels: { app: `bench-${i % 10}`, tier: i % 3 === 0 ? "frontend" : "backend", "kube-mcp/bench": "true" },
    annotations: { "bench.kube-mcp.dev/seed": "peers" }
  },
  spec: {
    nodeName: node,
    containers: [
      {
        name: "app",
        image: "registry.example.com/bench/app:1.4.2",
        ports: [{ containerPort: 8080, name: "http" }],
        env: [{ name: "LOG_LEVEL", value: "info" }],
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } }
      }
    ]
  }
})

const configMapManifest = (ns: number, i: number): V1ConfigMap => ({
  metadata: { name: cmName(ns, i), labels: { "kube-mcp/bench": "true" } },
  data: {
    "app.properties": `service.name=bench-${ns}-${i}\nservice.port=8080\nfeature.flags=alpha,beta\ncache.ttl=300s\n`,
    LOG_LEVEL: "info",
    "config.yaml": `server:\n  port: 8080\n  timeout: 30s\ndatabase:\n  host: db-${ns}.internal\n  pool: 10\n`
  }
})

const REASONS = [
  { type: "Normal", reason: "Scheduled", message: (p: string) => `Successfully assigned ${NS0}/${p} to kwok-node-0` },
  { type: "Normal", reason: "Pulled", message: () => `Container image "registry.example.com/bench/app:1.4.2" already present on machine` },
  { type: "Normal", reason: "Started", message: () => "Started container app" },
  { type: "Warning", reason: "BackOff", message: () => "Back-off restarting failed container app in pod" },
  { type: "Warning", reason: "Unhealthy", message: () => "Readiness probe failed: HTTP probe failed with statuscode: 503" }
] as const

const eventManifest = (i: number): CoreV1Event => {
  const kind = REASONS[i % REASONS.length] ?? REASONS[0]
  const pod = podName(0, i % PODS_PER_NS)
  const last = new Date(Date.now() - i * 7_000)
  return {
    metadata: { name: `${pod}.bench${pad(i)}`, namespace: NS0 },
    involvedObject: { kind: "Pod", name: pod, namespace: NS0, apiVersion: "v1", fieldPath: "spec.containers{app}" },
    type: kind.type,
    reason: kind.reason,
    message: kind.message(pod),
    count: 1 + (i % 4),
    firstTimestamp: new Date(last.getTime() - 60_000),
    lastTimestamp: last,
    source: { component: "kubelet", host: "kwok-node-0" },
    reportingComponent: "kubelet",
    reportingInstance: "kwok-node-0"
  }
}

const waitNamespacesGone = async (api: CoreV1Api): Promise<void> => {
  const deadline = Date.now() + 180_000
  for (;;) {
    const list = await api.listNamespace()
    const terminating = list.items.filter((n) => NAMESPACES.includes(n.metadata?.name ?? "") && n.status?.phase === "Terminating")
    if (terminating.length === 0) return
    if (Date.now() > deadline) throw new Error(`namespaces still terminating: ${terminating.map((n) => n.metadata?.name).join(", ")}`)
    await sleep(1_000)
  }
}

const seed = async (kc: KubeConfig, node: string): Promise<{ pods: number; running: number; configMaps: number; events: number }> => {
  const api = kc.makeApiClient(CoreV1Api)
  await waitNamespacesGone(api)
  const t0 = Date.now()
  await pool(NAMESPACES, 5, (name) => idempotent(() => api.createNamespace({ body: { metadata: { name, labels: { "kube-mcp/bench": "true" } } } })))
  const pods = NAMESPACES.flatMap((ns, n) => Array.from({ length: PODS_PER_NS }, (_, i) => ({ ns, body: podManifest(n, i, node) })))
  const cms = NAMESPACES.flatMap((ns, n) => Array.from({ length: CMS_PER_NS }, (_, i) => ({ ns, body: configMapManifest(n, i) })))
  await pool(pods, 16, ({ ns, body }) => idempotent(() => api.createNamespacedPod({ namespace: ns, body })))
  await pool(cms, 16, ({ ns, body }) => idempotent(() => api.createNamespacedConfigMap({ namespace: ns, body })))
  await pool(Array.from({ length: EVENTS }, (_, i) => i), 16, (i) => idempotent(() => api.createNamespacedEvent({ namespace: NS0, body: eventManifest(i) })))
  // kwok turns the pods Running (IPs, container statuses); wait so every server lists the same state.
  let running = 0
  const deadline = Date.now() + 180_000
  for (;;) {
    running = 0
    for (const ns of NAMESPACES) {
      const list = await api.listNamespacedPod({ namespace: ns })
      running += list.items.filter((p) => p.status?.phase === "Running").length
    }
    if (running >= pods.length || Date.now() > deadline) break
    await sleep(2_000)
  }
  log(`seeded ${pods.length} pods (${running} Running), ${cms.length} ConfigMaps, ${EVENTS} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  return { pods: pods.length, running, configMaps: cms.length, events: EVENTS }
}

const unseed = async (kc: KubeConfig): Promise<void> => {
  const api = kc.makeApiClient(CoreV1Api)
  await Promise.all(NAMESPACES.map((name) => api.deleteNamespace({ name }).catch((e: unknown) => (statusOf(e) === 404 ? undefined : Promise.reject(e)))))
  log(`deleting namespaces ${NAMESPACES.join(", ")} (the namespace controller finishes in the background)`)
}

// ---------------------------------------------------------------------------------------------------------
// The servers and their equivalent calls

type CallKind = "podsAll" | "podsNs" | "podGet" | "eventsNs" | "cmGet" | "pods500"
const CALL_KINDS: ReadonlyArray<CallKind> = ["podsAll", "podsNs", "podGet", "eventsNs", "cmGet"]
/**
 * Exactly the 500 seeded pods (all namespaces, label selector): the list-all call also shows whatever other
 * engineers' tests run at that moment, so its bytes are compared on this stable list instead.
 */
const BYTES_KINDS: ReadonlyArray<CallKind> = ["pods500"]
const BENCH_SELECTOR = "kube-mcp/bench=true"
const BYTES_CALLS = 3
const CALL_LABEL: Record<CallKind, string> = {
  podsAll: "list all pods (all namespaces, ≥ 500)",
  podsNs: `list pods in one namespace (${PODS_PER_NS})`,
  podGet: "get one pod",
  eventsNs: `list events in a namespace (${EVENTS})`,
  cmGet: "get one ConfigMap",
  pods500: "list the 500 seeded pods (all namespaces, label selector)"
}
const TP_KINDS: ReadonlyArray<CallKind> = ["podGet", "podsNs"]

interface Call {
  readonly tool: string
  readonly args: Record<string, unknown>
}

type ServerId = "kube-mcp" | "kube-mcp-qps" | "kms" | "kms-qps" | "msk"

interface ServerDef {
  readonly id: ServerId
  readonly title: string
  readonly version: string
  readonly settings: string
  readonly stdio: Launch
  /** Streamable HTTP: how to start it on a port, and the endpoint URL. */
  readonly http: (port: number) => { launch: Launch; url: string }
  readonly calls: Record<CallKind, Call>
  /** Node process whose JS we can profile with --cpu-prof. */
  readonly node: boolean
}

/** kube-mcp's own per-context throttle lifted the same way, for the like-for-like pair. */
const OURS_QPS = { KUBE_MCP_KUBERNETES_QPS: "1000", KUBE_MCP_KUBERNETES_BURST: "2000" }

/** Lifted client-go throttle for kubernetes-mcp-server (default rest.Config: QPS 5, burst 10). */
const KMS_QPS = { KUBE_CLIENT_QPS: "1000", KUBE_CLIENT_BURST: "2000" }

const serverDefs = (kubeconfig: string, kubectlDir: string, versions: { ours: string; kms: string; msk: string }): Array<ServerDef> => {
  const env = baseEnv(kubectlDir)
  const ourMain = join(OUR_DIST, "main.js")
  const nodeFlags = (id: string, phase: string): Array<string> =>
    opts.profile ? ["--cpu-prof", "--cpu-prof-dir", join(PEERS_DIR, "prof", `${id}-${phase}`)] : []
  const ours = (lifted: boolean): ServerDef => {
    const id = lifted ? "kube-mcp-qps" : "kube-mcp"
    const oenv = lifted ? { ...env, ...OURS_QPS } : env
    return {
      id,
      title: lifted ? "kube-mcp (QPS lifted)" : "kube-mcp",
      version: versions.ours,
      settings: lifted
        ? `same build, \`KUBE_MCP_KUBERNETES_QPS=${OURS_QPS.KUBE_MCP_KUBERNETES_QPS} KUBE_MCP_KUBERNETES_BURST=${OURS_QPS.KUBE_MCP_KUBERNETES_BURST}\``
        : "`node dist/main.js --kubeconfig <kc>` (a copy of dist/ taken right after the build); defaults (client throttle QPS 100 / burst 200 per context, 64 KiB output budget, all tools)",
      node: true,
      stdio: oursStdio(ourMain, ["--kubeconfig", kubeconfig], oenv, nodeFlags(id, "stdio")),
      http: (port) => ({
        launch: {
          command: process.execPath,
          args: [...nodeFlags(id, "http"), ourMain, "--kubeconfig", kubeconfig, "--transport", "http", "--http-address", `127.0.0.1:${port}`],
          env: oenv
        },
        url: `http://127.0.0.1:${port}/mcp`
      }),
      calls: {
        podsAll: { tool: "pods_list", args: { all_namespaces: true } },
        podsNs: { tool: "pods_list", args: { namespace: NS0 } },
        podGet: { tool: "pods_get", args: { name: GET_POD, namespace: NS0 } },
        eventsNs: { tool: "events_list", args: { namespace: NS0 } },
        cmGet: { tool: "resources_get", args: { group: "", version: "v1", kind: "ConfigMap", name: GET_CM, namespace: NS0 } },
        pods500: { tool: "pods_list", args: { all_namespaces: true, label_selector: BENCH_SELECTOR } }
      }
    }
  }
  const kms = (lifted: boolean): ServerDef => {
    const kenv = lifted ? { ...env, ...KMS_QPS } : env
    return {
      id: lifted ? "kms-qps" : "kms",
      title: lifted ? "kubernetes-mcp-server (QPS lifted)" : "kubernetes-mcp-server",
      version: versions.kms,
      settings: lifted
        ? `same binary, \`KUBE_CLIENT_QPS=${KMS_QPS.KUBE_CLIENT_QPS} KUBE_CLIENT_BURST=${KMS_QPS.KUBE_CLIENT_BURST}\``
        : "platform binary `--kubeconfig <kc>`; defaults (toolsets core,config; list output table; client-go throttle QPS 5 / burst 10)",
      node: false,
      stdio: kmsStdio(kubeconfig, kenv),
      http: (port) => ({
        launch: { command: KMS_BIN, args: ["--kubeconfig", kubeconfig, "--port", String(port), "--bind-address", "127.0.0.1"], env: kenv },
        url: `http://127.0.0.1:${port}/mcp`
      }),
      calls: {
        podsAll: { tool: "pods_list", args: {} },
        podsNs: { tool: "pods_list_in_namespace", args: { namespace: NS0 } },
        podGet: { tool: "pods_get", args: { name: GET_POD, namespace: NS0 } },
        eventsNs: { tool: "events_list", args: { namespace: NS0 } },
        cmGet: { tool: "resources_get", args: { apiVersion: "v1", kind: "ConfigMap", name: GET_CM, namespace: NS0 } },
        pods500: { tool: "pods_list", args: { labelSelector: BENCH_SELECTOR } }
      }
    }
  }
  const msk: ServerDef = {
    id: "msk",
    title: "mcp-server-kubernetes",
    version: versions.msk,
    settings:
      "`node dist/index.js`, `KUBECONFIG=<kc>`, kubectl 1.37.2 on PATH, `SPAWN_MAX_BUFFER=64MiB` (its 1 MiB default fails the 500-pod list with ENOBUFS); otherwise defaults (all tools, output json)",
    node: true,
    stdio: mskStdio(kubeconfig, env, nodeFlags("msk", "stdio")),
    http: (port) => ({
      launch: (() => {
        const l = mskStdio(kubeconfig, env, nodeFlags("msk", "http"))
        return { ...l, env: { ...l.env, ENABLE_UNSAFE_STREAMABLE_HTTP_TRANSPORT: "1", PORT: String(port), HOST: "127.0.0.1" } }
      })(),
      url: `http://127.0.0.1:${port}/mcp`
    }),
    calls: {
      podsAll: { tool: "kubectl_get", args: { resourceType: "pods", allNamespaces: true } },
      podsNs: { tool: "kubectl_get", args: { resourceType: "pods", namespace: NS0 } },
      podGet: { tool: "kubectl_get", args: { resourceType: "pods", name: GET_POD, namespace: NS0 } },
      eventsNs: { tool: "kubectl_get", args: { resourceType: "events", namespace: NS0 } },
      cmGet: { tool: "kubectl_get", args: { resourceType: "configmaps", name: GET_CM, namespace: NS0 } },
      pods500: { tool: "kubectl_get", args: { resourceType: "pods", allNamespaces: true, labelSelector: BENCH_SELECTOR } }
    }
  }
  const all = [ours(false), ours(true), kms(false), kms(true), msk]
  return onlyServers.length === 0 ? all : all.filter((d) => onlyServers.includes(d.id))
}

// ---------------------------------------------------------------------------------------------------------
// Sessions

interface Session {
  readonly client: Client
  readonly pid: number
  readonly stderr: () => string
  /**
   * JSON bytes of the last JSON-RPC `result` as received (before the SDK's schema parsing), re-serialized
   * compactly so Go's and Node's encodings compare. Meaningful when one request is in flight.
   */
  readonly lastResultBytes: () => number
  readonly close: () => Promise<void>
  /** The /mcp endpoint of an HTTP server. */
  readonly url?: string
}

const newClient = (): Client => new Client({ name: "kube-mcp-bench", version: "0.0.0" })

const openStdio = async (launch: Launch): Promise<Session & { readonly initMs: number }> => {
  const transport = new StdioClientTransport({ command: launch.command, args: [...launch.args], env: launch.env, cwd: REPO, stderr: "pipe" })
  let stderr = ""
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString()
    if (stderr.length > 100_000) stderr = stderr.slice(-50_000)
  })
  const client = newClient()
  const t0 = performance.now()
  await client.connect(transport)
  const initMs = performance.now() - t0
  const lastResultBytes = measureResponses(transport)
  return { client, pid: transport.pid ?? -1, stderr: () => stderr, lastResultBytes, initMs, close: () => client.close() }
}

const openHttp = async (def: ServerDef): Promise<Session> => {
  const port = await freePort()
  const { launch, url } = def.http(port)
  const child = spawn(launch.command, [...launch.args], { cwd: REPO, env: launch.env, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const keep = (d: Buffer): void => {
    output += d.toString()
    if (output.length > 100_000) output = output.slice(-50_000)
  }
  child.stdout?.on("data", keep)
  child.stderr?.on("data", keep)
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${def.id} (http) exited early with ${String(child.exitCode)}: ${output.slice(-2_000)}`)
    const client = newClient()
    const transport = new StreamableHTTPClientTransport(new URL(url))
    try {
      await client.connect(transport)
      const lastResultBytes = measureResponses(transport)
      return {
        client,
        pid: child.pid ?? -1,
        url,
        stderr: () => output,
        lastResultBytes,
        close: async () => {
          await client.close().catch(() => undefined)
          await stopChild(child)
        }
      }
    } catch (e) {
      await client.close().catch(() => undefined)
      if (Date.now() > deadline) {
        await stopChild(child)
        throw new Error(`${def.id} (http) did not answer on ${url} within 60 s: ${e instanceof Error ? e.message : String(e)}; ${output.slice(-2_000)}`)
      }
      await sleep(100)
    }
  }
}

interface CallOutcome {
  readonly ms: number
  readonly ok: boolean
  readonly text: string
  /** JSON bytes of the whole CallToolResult as received (content + structuredContent + flags). */
  readonly bytes: number
  readonly textBytes: number
  readonly structuredBytes: number
  /**
   * What the model is handed by a structured-first client (Claude Code, Copilot CLI, Codex): the JSON of
   * structuredContent when present, else the text. A text-first client hands it `text`.
   */
  readonly structuredView: string
  readonly error?: string
}

/**
 * One tools/call. `client.request` with the plain result schema rather than `callTool`: callTool also
 * validates structuredContent against the tool's outputSchema (only servers that publish one pay for it),
 * which is client work, not server latency.
 */
const callOnce = async (s: Session, call: Call): Promise<CallOutcome> => {
  const t0 = performance.now()
  try {
    const result = await s.client.request({ method: "tools/call", params: { name: call.tool, arguments: call.args } }, CallToolResultSchema, {
      timeout: 120_000
    })
    const ms = performance.now() - t0
    const text = result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
    const structuredView = result.structuredContent === undefined ? text : JSON.stringify(result.structuredContent)
    const structuredBytes = result.structuredContent === undefined ? 0 : Buffer.byteLength(structuredView)
    return {
      structuredView,
      ms,
      ok: result.isError !== true,
      text,
      bytes: s.lastResultBytes(),
      textBytes: Buffer.byteLength(text),
      structuredBytes,
      ...(result.isError === true ? { error: text.slice(0, 300) } : {})
    }
  } catch (e) {
    return { ms: performance.now() - t0, ok: false, text: "", bytes: 0, textBytes: 0, structuredBytes: 0, structuredView: "", error: e instanceof Error ? e.message : String(e) }
  }
}

/** Names of seeded pods present in a response: the completeness check of the pod lists. */
const seededPodsIn = (text: string): number => new Set(text.match(/\bbp-\d-\d{3}\b/g) ?? []).size

/** A response is counted only when it is a success and holds what was asked for. */
const looksRight = (kind: CallKind, o: CallOutcome): boolean => {
  if (!o.ok) return false
  switch (kind) {
    case "podGet":
      return o.text.includes(GET_POD)
    case "cmGet":
      return o.text.includes(GET_CM)
    case "podsNs":
      return seededPodsIn(o.text) > 0
    case "podsAll":
    case "pods500":
      return seededPodsIn(o.text) > 0
    case "eventsNs":
      return o.text.includes("bp-0-")
  }
}

// ---------------------------------------------------------------------------------------------------------
// Phases

interface ColdSample {
  readonly initMs: number
  readonly listMs: number
  readonly toolsBytes: number
  readonly tools: number
  readonly rssKiB: number
}

const coldOnce = async (def: ServerDef): Promise<ColdSample> => {
  const t0 = performance.now()
  const s = await openStdio(def.stdio)
  try {
    const tools = await s.client.listTools()
    const listMs = performance.now() - t0
    const rssKiB = readMem(s.pid)?.rss ?? Number.NaN
    return { initMs: s.initMs, listMs, toolsBytes: s.lastResultBytes(), tools: tools.tools.length, rssKiB }
  } finally {
    await s.close()
  }
}

interface WarmResult {
  samples: Record<CallKind, Array<number>>
  errors: Record<CallKind, Array<string>>
  first: Partial<Record<CallKind, CallOutcome>>
  /** Bytes of every response of a kind (they can change between calls: ages, events). */
  bytes: Record<CallKind, Array<number>>
  /** Server CPU (ms, incl. reaped children) per measured call. */
  cpuMsPerCall: Partial<Record<CallKind, number>>
}

const emptyByKind = <T>(make: () => T): Record<CallKind, T> => ({
  podsAll: make(),
  podsNs: make(),
  podGet: make(),
  eventsNs: make(),
  cmGet: make(),
  pods500: make()
})

interface TpSample {
  readonly callsPerSec: number
  readonly completed: number
  readonly errors: number
  readonly firstError?: string
  readonly transport: "http" | "stdio"
  readonly hwmKiB: number
  readonly treePeakKiB: number
  readonly rssBeforeKiB: number
  /** Server CPU (ms, incl. reaped children) per completed call during the window. */
  readonly cpuMsPerCall: number
}

/** 8 calls in flight for `seconds`; memory sampled every 25 ms (incl. children, e.g. kubectl). */
const throughputWindow = async (s: Session, kind: CallKind, call: Call, seconds: number, transport: "http" | "stdio"): Promise<TpSample> => {
  for (let i = 0; i < WARMUP_CALLS; i++) await callOnce(s, call)
  const rssBeforeKiB = readMem(s.pid)?.rss ?? Number.NaN
  let treePeak = treeRss(s.pid)
  const sampler = setInterval(() => {
    treePeak = Math.max(treePeak, treeRss(s.pid))
  }, 25)
  let completed = 0
  let errors = 0
  let firstError: string | undefined
  const cpu0 = readCpuMs(s.pid)
  const t0 = performance.now()
  const end = t0 + seconds * 1000
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const o = await callOnce(s, call)
      if (looksRight(kind, o)) completed++
      else {
        errors++
        firstError ??= o.error ?? `unexpected response: ${o.text.slice(0, 200)}`
      }
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const elapsed = (performance.now() - t0) / 1000
  const cpuMs = readCpuMs(s.pid) - cpu0
  clearInterval(sampler)
  treePeak = Math.max(treePeak, treeRss(s.pid))
  return {
    callsPerSec: completed / elapsed,
    completed,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    transport,
    hwmKiB: readMem(s.pid)?.hwm ?? Number.NaN,
    treePeakKiB: treePeak,
    rssBeforeKiB,
    cpuMsPerCall: cpuMs / Math.max(1, completed + errors)
  }
}


// ---------------------------------------------------------------------------------------------------------
// Memory (issue #17): large lists, fan-out, many sessions

const CM10K_NS = "bench-cm-10k"
const CM10K = 10_000
const MEM_ROUNDS = intOpt(opts["mem-rounds"], 2, 1)
const MEM_SESSIONS = intOpt(opts["mem-sessions"], 10_000, 2_000)
/** The memory sections compare the servers as shipped: their default client throttles. */
const MEM_SERVERS: ReadonlyArray<ServerId> = ["kube-mcp", "kms", "msk"]

interface MemSample {
  /** VmRSS after start and tools/list, KiB */
  readonly idleKiB: number
  /** VmHWM at the end (peak over the process's life), KiB */
  readonly peakKiB: number
  /** Peak of the process and its children (kubectl), sampled every 25 ms, KiB */
  readonly treePeakKiB: number
  readonly bytes: number
  readonly ms: number
  readonly calls: number
  readonly errors: number
  readonly firstError?: string
}

interface SessionSample {
  readonly idleKiB: number
  readonly peakKiB: number
  readonly statuses: Record<string, number>
  readonly burstMs: number
  /** [seconds after the burst (after the DELETEs for servers without expiry), VmRSS KiB] */
  readonly after: ReadonlyArray<readonly [number, number]>
  readonly how: string
}

interface MemoryResults {
  cm10k: Record<string, Array<MemSample>>
  fleet: Record<string, Array<MemSample>>
  sessions: Record<string, Array<SessionSample>>
  cmCount: number
  fleetContexts: ReadonlyArray<string>
}

/** bench-cm-10k with 10,000 small ConfigMaps, created once with one `kubectl create` of a List and then reused. */
const ensureConfigMaps = (kubectl: string, kubeconfig: string): number => {
  const count = (): number =>
    spawnSync(kubectl, ["--kubeconfig", kubeconfig, "get", "configmaps", "-n", CM10K_NS, "-o", "name"], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 }).stdout
      .split("\n").filter((l) => l.startsWith("configmap/cm-")).length
  if (count() >= CM10K) return count()
  spawnSync(kubectl, ["--kubeconfig", kubeconfig, "create", "namespace", CM10K_NS], { stdio: "ignore" })
  const items = Array.from({ length: CM10K }, (_, i) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${String(i).padStart(5, "0")}`, namespace: CM10K_NS, labels: { "kube-mcp/bench": "true" } },
    data: {
      "app.properties": `service.name=bench-${i}\nservice.port=8080\nfeature.flags=alpha,beta\ncache.ttl=300s\n`,
      LOG_LEVEL: "info",
      "config.yaml": `server:\n  port: 8080\n  timeout: 30s\ndatabase:\n  host: db-${i % 5}.internal\n  pool: 10\n`
    }
  }))
  mkdirSync(PEERS_DIR, { recursive: true })
  const file = join(PEERS_DIR, "cm10k.json")
  writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "List", items }))
  const t0 = Date.now()
  // existing ones fail with AlreadyExists; the rest are created
  spawnSync(kubectl, ["--kubeconfig", kubeconfig, "create", "-f", file], { stdio: "ignore" })
  log(`created ConfigMaps in ${CM10K_NS} in ${((Date.now() - t0) / 1000).toFixed(0)} s`)
  return count()
}

/** A fresh server over stdio: RSS after start, then `calls` one after the other, then its peak RSS. */
const memoryOnce = async (launch: Launch, calls: ReadonlyArray<Call>): Promise<MemSample> => {
  const s = await openStdio(launch)
  try {
    await s.client.listTools()
    await sleep(300)
    const idleKiB = readMem(s.pid)?.rss ?? Number.NaN
    let treePeak = treeRss(s.pid)
    const sampler = setInterval(() => {
      treePeak = Math.max(treePeak, treeRss(s.pid))
    }, 25)
    let bytes = 0
    let errors = 0
    let firstError: string | undefined
    const t0 = performance.now()
    for (const call of calls) {
      const o = await callOnce(s, call)
      bytes += o.bytes
      if (!o.ok) {
        errors++
        firstError ??= (o.error ?? o.text).slice(0, 200)
      }
    }
    const ms = performance.now() - t0
    clearInterval(sampler)
    return {
      idleKiB,
      peakKiB: readMem(s.pid)?.hwm ?? Number.NaN,
      treePeakKiB: Math.max(treePeak, treeRss(s.pid)),
      bytes,
      ms,
      calls: calls.length,
      errors,
      ...(firstError !== undefined ? { firstError } : {})
    }
  } finally {
    await s.close()
  }
}

/** Our launch with a config file added (the fleet's black-hole timeout, the sessions' idle timeout). */
const withConfig = (launch: Launch, file: string): Launch => ({ ...launch, args: [...launch.args, "--config", file] })

const memoryPhases = async (
  defsFor: (kubeconfig: string) => ReadonlyArray<ServerDef>,
  info: ClusterInfo,
  kubectl: string,
  notes: Array<string>
): Promise<MemoryResults> => {
  const out: MemoryResults = { cm10k: {}, fleet: {}, sessions: {}, cmCount: 0, fleetContexts: [] }
  const defs = defsFor(info.kubeconfig).filter((d) => MEM_SERVERS.includes(d.id))
  const push = <T>(m: Record<string, Array<T>>, key: string, v: T): void => {
    ;(m[key] ??= []).push(v)
  }

  // -- 10,000 ConfigMaps in one namespace: each variant on a fresh server, servers interleaved per round
  out.cmCount = ensureConfigMaps(kubectl, info.kubeconfig)
  const cmCalls: Record<string, ReadonlyArray<readonly [string, Call]>> = {
    "kube-mcp": [
      ["paged (default limit 500)", { tool: "resources_list", args: { group: "", version: "v1", kind: "ConfigMap", namespace: CM10K_NS } }],
      ["limit 5000 (the largest it takes)", { tool: "resources_list", args: { group: "", version: "v1", kind: "ConfigMap", namespace: CM10K_NS, limit: 5000 } }]
    ],
    kms: [["whole list (no limit parameter)", { tool: "resources_list", args: { apiVersion: "v1", kind: "ConfigMap", namespace: CM10K_NS } }]],
    msk: [["whole list (kubectl get, no limit parameter)", { tool: "kubectl_get", args: { resourceType: "configmaps", namespace: CM10K_NS } }]]
  }
  for (let r = 0; r < MEM_ROUNDS; r++) {
    for (const d of defs) {
      for (const [label, call] of cmCalls[d.id] ?? []) {
        try {
          push(out.cm10k, `${d.id}|${label}`, await memoryOnce(d.stdio, [call]))
        } catch (e) {
          notes.push(`10k ConfigMaps, ${d.id} ${label}: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`)
        }
      }
    }
    log(`memory: 10k ConfigMaps round ${r + 1}/${MEM_ROUNDS}`)
  }

  // -- a pod list over the fleet's contexts: ours in one call (contexts), the peers one call per context
  const fleet = await makeFleet(info.kubeconfig)
  try {
    // the black-holed context only measures each server's request timeout: left out for all three
    const contexts = fleet.contexts.filter((c) => c !== fleet.blackHole)
    out.fleetContexts = contexts
    const fleetDefs = defsFor(fleet.kubeconfig).filter((d) => MEM_SERVERS.includes(d.id))
    const fleetCalls = (id: ServerId): ReadonlyArray<Call> =>
      id === "kube-mcp"
        ? [{ tool: "pods_list", args: { contexts, all_namespaces: true } }]
        : id === "kms"
        ? contexts.map((context) => ({ tool: "pods_list", args: { context } }))
        : contexts.map((context) => ({ tool: "kubectl_get", args: { resourceType: "pods", allNamespaces: true, context } }))
    for (let r = 0; r < MEM_ROUNDS; r++) {
      for (const d of fleetDefs) {
        try {
          push(out.fleet, d.id, await memoryOnce(d.stdio, fleetCalls(d.id)))
        } catch (e) {
          notes.push(`fan-out, ${d.id}: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`)
        }
      }
      log(`memory: fan-out round ${r + 1}/${MEM_ROUNDS}`)
    }
  } finally {
    await fleet.close()
  }

  // -- HTTP sessions: MEM_SESSIONS initializes (16 in flight) that never send DELETE
  const sessionConfig = join(PEERS_DIR, "sessions.toml")
  // all MEM_SESSIONS held at once, as the peers hold theirs (the default max_sessions, 1000, would refuse the rest)
  writeFileSync(sessionConfig, `[server.http]\nsession_idle_timeout = "2s"\nmax_sessions = ${MEM_SESSIONS}\n`)
  for (const d of defs) {
    const ours = d.id === "kube-mcp"
    const def: ServerDef = ours ? { ...d, http: (port) => {
      const h = d.http(port)
      return { ...h, launch: withConfig(h.launch, sessionConfig) }
    } } : d
    let s: Session | undefined
    try {
      s = await openHttp(def)
      await s.client.listTools()
      await sleep(300)
      const pid = s.pid
      const idleKiB = readMem(pid)?.rss ?? Number.NaN
      const endpoint = s.url ?? ""
      const ids: Array<string> = []
      const statuses: Record<string, number> = {}
      let next = 0
      const t0 = performance.now()
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < MEM_SESSIONS) {
          next++
          try {
            const res = await initialize(endpoint)
            await res.arrayBuffer()
            statuses[res.status] = (statuses[res.status] ?? 0) + 1
            const id = res.headers.get("mcp-session-id")
            if (id !== null) ids.push(id)
          } catch (e) {
            const k = e instanceof Error ? e.message.slice(0, 40) : "error"
            statuses[k] = (statuses[k] ?? 0) + 1
          }
        }
      }))
      const burstMs = performance.now() - t0
      const peakKiB = readMem(pid)?.hwm ?? Number.NaN
      // kube-mcp's sessions expire after the idle timeout; the peers keep theirs until DELETE
      if (!ours) {
        let i = 0
        await Promise.all(Array.from({ length: 16 }, async () => {
          while (i < ids.length) {
            const id = ids[i++] ?? ""
            await fetch(endpoint, { method: "DELETE", headers: { "mcp-session-id": id } }).then((x) => x.arrayBuffer(), () => undefined)
          }
        }))
      }
      const after: Array<readonly [number, number]> = []
      for (const at of [10, 30]) {
        await sleep((at - (after.at(-1)?.[0] ?? 0)) * 1000)
        after.push([at, readMem(pid)?.rss ?? Number.NaN])
      }
      const how = ours
        ? `max_sessions ${MEM_SESSIONS}, session_idle_timeout 2s: expire on their own`
        : ids.length === 0
        ? "no session ids issued (every request stands alone)"
        : `no idle expiry: closed with DELETE after the burst (${ids.length} ids)`
      push(out.sessions, d.id, { idleKiB, peakKiB, statuses, burstMs, after, how })
      log(`memory: sessions ${d.id}: ${JSON.stringify(statuses)} in ${(burstMs / 1000).toFixed(1)} s`)
    } catch (e) {
      notes.push(`sessions, ${d.id}: ${e instanceof Error ? e.message.slice(0, 300) : String(e)}`)
    } finally {
      await s?.close().catch(() => undefined)
    }
  }
  return out
}

/** `--only memory`: the machine and the memory sections, for pasting outside the Peers markers. */
const renderSectionsOnly = (r: Results): string =>
  [
    `Run ${r.date} with \`npm run bench -- --only ${opts.only ?? ""}\` (bench/peers.ts); kube-mcp ${r.servers.find((x) => x.id === "kube-mcp")?.version ?? "?"}.`,
    "",
    ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${v}`),
    `- load average (1/5/15 min): before ${r.load.before}; at the end ${r.load.after}`,
    "",
    renderMemory(r),
    ...(r.notes.length > 0 ? ["**Notes**", "", ...r.notes.map((n) => `- ${n.replace(/\s+/g, " ")}`), ""] : [])
  ].join("\n")

/** Failed calls of a run (the fleet's refused and forbidden contexts fail by design), in one table cell. */
const errorsNote = (xs: ReadonlyArray<MemSample>): string => {
  const failed = xs.find((x) => x.errors > 0)
  return failed === undefined ? "" : ` (${failed.errors} of ${failed.calls} calls failed, first: ${(failed.firstError ?? "?").replace(/\s+/g, " ").replace(/\|/g, "/").slice(0, 120)})`
}

const renderMemory = (r: Results): string => {
  const m = r.memory
  if (m === undefined) return ""
  const title = (id: string): string => r.servers.find((x) => x.id === id)?.title ?? id
  const med = (xs: ReadonlyArray<MemSample>, f: (x: MemSample) => number): number => median(xs.map(f))
  const growth = (xs: ReadonlyArray<MemSample>): number => med(xs, (x) => x.peakKiB - x.idleKiB)
  const memRow = (label: string, xs: ReadonlyArray<MemSample>): string =>
    `| ${label} | ${mib(med(xs, (x) => x.idleKiB))} | ${mib(med(xs, (x) => x.peakKiB))} | **${mib(growth(xs))}** | ${mib(med(xs, (x) => x.treePeakKiB))} | ${kb(med(xs, (x) => x.bytes))} | ${fmt(med(xs, (x) => x.ms), 0)} | ${xs.length}${errorsNote(xs)} |`
  const head = "| server, call | RSS after start MiB | peak RSS MiB (VmHWM) | growth MiB | peak incl. children MiB | answer bytes | ms | runs |\n|---|---:|---:|---:|---:|---:|---:|---|"
  const cmRows = Object.entries(m.cm10k).map(([k, xs]) => {
    const [id = "", label = ""] = k.split("|")
    return memRow(`${title(id)}: ${label}`, xs)
  })
  const fleetRows = Object.entries(m.fleet).map(([id, xs]) =>
    memRow(id === "kube-mcp" ? `${title(id)}: one pods_list with contexts (${m.fleetContexts.length})` : `${title(id)}: ${m.fleetContexts.length} single-context calls`, xs)
  )
  const ours = (k: string): number => growth(m.cm10k[k] ?? [])
  const kmsCm = growth(m.cm10k["kms|whole list (no limit parameter)"] ?? [])
  const sessionRows = Object.entries(m.sessions).map(([id, xs]) => {
    const x = xs[0]
    if (x === undefined) return ""
    return `| ${title(id)} | ${x.how} | ${Object.entries(x.statuses).map(([k, n]) => `${n}× ${k}`).join(", ")} | ${fmt(x.burstMs / 1000)} | ${mib(x.idleKiB)} | ${mib(x.peakKiB)} | ${x.after.map(([at, kib]) => `${mib(kib)} (${at} s)`).join(", ")} |`
  })
  return [
    "### Memory: large lists, fan-out, sessions",
    "",
    `Each row: a fresh server over stdio, \`initialize\` and \`tools/list\`, RSS read, then the call(s), then VmHWM; growth = peak − RSS after start (median of ${MEM_ROUNDS} runs, servers interleaved). Servers with their default client throttles.`,
    "",
    `**${m.cmCount.toLocaleString("en")} ConfigMaps in one namespace (${CM10K_NS}), \`resources_list\` / \`kubectl_get\`.** kube-mcp takes limit ≤ 5000 (10000 is refused as invalid input) and reads a large limit in pages of 500 until its 64 KiB output budget is full; the peers have no limit parameter and answer the whole list. Target: growth ≤ 64 MiB whatever the limit.`,
    "",
    head,
    ...cmRows,
    "",
    `Growth, kube-mcp / kubernetes-mcp-server: paged ${fmt(ours("kube-mcp|paged (default limit 500)") / kmsCm, 2)}×, limit 5000 ${fmt(ours("kube-mcp|limit 5000 (the largest it takes)") / kmsCm, 2)}×.`,
    "",
    `**A pod list over ${m.fleetContexts.length} contexts** (test/support/fleet.ts; the black-holed twelfth context left out, it only measures each server's request timeout; the refused one is in): kube-mcp fans out in one \`pods_list\` with \`contexts\` and \`all_namespaces\`; the peers cannot fan out, so one call per context (\`pods_list {context}\` / \`kubectl_get pods -A {context}\`), one after the other.`,
    "",
    head,
    ...fleetRows,
    "",
    `**${MEM_SESSIONS.toLocaleString("en")} HTTP sessions**: \`initialize\` POSTs, 16 in flight, no DELETE during the burst; then RSS 10 s and 30 s later.`,
    "",
    "| server | sessions end by | answers | burst s | RSS idle MiB | peak RSS MiB (VmHWM) | RSS after |",
    "|---|---|---|---:|---:|---:|---|",
    ...sessionRows,
    ""
  ].join("\n")
}

// ---------------------------------------------------------------------------------------------------------
// Main

interface Results {
  date: string
  params: { coldRuns: number; calls: number; tpSeconds: number; tpRounds: number }
  /** `node -e 0`, spawn to exit: what any Node server pays before its first line of code. */
  nodeFloorMs: number
  machine: Record<string, string>
  load: { before: string; afterCold: string; afterWarm: string; after: string }
  seed: { pods: number; running: number; configMaps: number; events: number; podsInCluster: number }
  build: string
  servers: Array<{ id: ServerId; title: string; version: string; settings: string }>
  cold: Record<string, Array<ColdSample>>
  warm: Record<string, WarmResult>
  tp: Record<string, Record<string, Array<TpSample>>>
  /** The memory sections (issue #17), when run. */
  memory?: MemoryResults
  notes: Array<string>
}

const loadStr = (): string => loadavg().map((x) => x.toFixed(2)).join(" / ")

const main = async (): Promise<void> => {
  const t0 = Date.now()
  const notes: Array<string> = []
  ensurePeers(log)
  const binDir = defaultBinDir()
  const kubectl = ensureKubectl(binDir, log)
  const build = buildOurs()
  const started = await start({ owner: "cli", log })
  const info: ClusterInfo = started.info
  log(started.reused ? "reusing the running control plane" : "started the control plane (left running; `npm run cluster:down` stops it)")
  const admin = adminKubeConfig(info, "dev")

  const ourVersion = (() => {
    const pkg: unknown = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"))
    const v = typeof pkg === "object" && pkg !== null && "version" in pkg && typeof pkg.version === "string" ? pkg.version : "?"
    const rev = run("git", ["rev-parse", "--short", "HEAD"])
    const dirty = run("git", ["status", "--porcelain", "--", "src"]) !== "" ? " + uncommitted src changes" : ""
    return `${v} (git ${rev}${dirty})`
  })()
  const versions = { ours: ourVersion, kms: run(KMS_BIN, ["--version"]), msk: installedVersion("mcp-server-kubernetes") ?? "?" }
  const defs = serverDefs(info.kubeconfig, dirname(kubectl), versions)

  const results: Results = {
    date: new Date().toISOString(),
    params: { coldRuns: COLD_RUNS, calls: CALLS, tpSeconds: TP_SECONDS, tpRounds: TP_ROUNDS },
    machine: {
      cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
      kernel: run("uname", ["-sr"]),
      node: process.version,
      go: run("go", ["version"]),
      "kubernetes-mcp-server built with": run("go", ["version", KMS_BIN]).split(": ").pop() ?? "?",
      kubectl: run(kubectl, ["version", "--client"]).split("\n")[0] ?? "?",
      "control plane": `kube-apiserver 1.37.2 (dev-cluster, ${info.clusters.dev.server}); kwok node ${info.workload.kwokNode}; shared with other engineers' test runs`
    },
    load: { before: loadStr(), afterCold: "", afterWarm: "", after: "" },
    nodeFloorMs: Number.NaN,
    seed: { pods: 0, running: 0, configMaps: 0, events: 0, podsInCluster: 0 },
    build,
    servers: defs.map((d) => ({ id: d.id, title: d.title, version: d.version, settings: d.settings })),
    cold: {},
    warm: {},
    tp: {},
    notes
  }

  let cleaned = false
  const cleanup = async (): Promise<void> => {
    if (cleaned || opts.keep) return
    cleaned = true
    await unseed(admin).catch((e: unknown) => log(`cleanup failed: ${String(e)}`))
  }
  process.once("SIGINT", () => {
    void cleanup().finally(() => process.exit(130))
  })

  try {
    if (onlySections.length === 0) {
      const seeded = await seed(admin, info.workload.kwokNode)
      const allPods = await admin.makeApiClient(CoreV1Api).listPodForAllNamespaces()
      results.seed = { ...seeded, podsInCluster: allPods.items.length }
      log(`load before: ${results.load.before}; ${defs.map((d) => d.id).join(", ")}; cold ${COLD_RUNS}, calls ${CALLS}, throughput ${TP_ROUNDS} × ${TP_SECONDS} s`)

      // -- The Node floor: spawn → exit of an empty script (same spawn path as the servers).
      const floor: Array<number> = []
      for (let i = 0; i < Math.min(COLD_RUNS, 10); i++) {
        const t = performance.now()
        spawnSync(process.execPath, ["-e", "0"], { stdio: "ignore" })
        floor.push(performance.now() - t)
      }
      results.nodeFloorMs = median(floor)

      // -- Cold start: one spawn per server per round.
      for (const d of defs) results.cold[d.id] = []
      for (let r = 0; r < COLD_RUNS; r++) {
        for (const d of defs) {
          try {
            results.cold[d.id]?.push(await coldOnce(d))
          } catch (e) {
            notes.push(`cold start of ${d.id} failed once: ${e instanceof Error ? e.message : String(e)}`)
          }
        }
        if ((r + 1) % 5 === 0) log(`cold start: ${r + 1}/${COLD_RUNS}`)
      }
      results.load.afterCold = loadStr()

      // -- Warm latency over stdio: one long-lived session per server; one call of each server per step.
      const sessions = new Map<ServerId, Session>()
      for (const d of defs) {
        const s = await openStdio(d.stdio)
        await s.client.listTools()
        sessions.set(d.id, s)
        results.warm[d.id] = { samples: emptyByKind(() => []), errors: emptyByKind(() => []), first: {}, bytes: emptyByKind(() => []), cpuMsPerCall: {} }
      }
      try {
        for (const kind of CALL_KINDS) {
          for (const d of defs) {
            const s = sessions.get(d.id)
            if (s === undefined) continue
            for (let i = 0; i < WARMUP_CALLS; i++) {
              const o = await callOnce(s, d.calls[kind])
              const w = results.warm[d.id]
              if (w !== undefined && i === 0) w.first[kind] = o
            }
          }
          const cpu0 = new Map(defs.map((d) => [d.id, readCpuMs(sessions.get(d.id)?.pid ?? -1)]))
          for (let i = 0; i < CALLS; i++) {
            for (const d of defs) {
              const s = sessions.get(d.id)
              const w = results.warm[d.id]
              if (s === undefined || w === undefined) continue
              const o = await callOnce(s, d.calls[kind])
              if (looksRight(kind, o)) {
                w.samples[kind].push(o.ms)
                w.bytes[kind].push(o.bytes)
              } else if (w.errors[kind].length < 5) w.errors[kind].push(o.error ?? `unexpected: ${o.text.slice(0, 200)}`)
              else w.errors[kind].push("")
            }
          }
          for (const d of defs) {
            const w = results.warm[d.id]
            if (w !== undefined) w.cpuMsPerCall[kind] = (readCpuMs(sessions.get(d.id)?.pid ?? -1) - (cpu0.get(d.id) ?? Number.NaN)) / CALLS
          }
          log(`warm: ${kind} done (${defs.map((d) => `${d.id} p50 ${median(results.warm[d.id]?.samples[kind] ?? []).toFixed(1)} ms`).join(", ")})`)
        }
        for (const kind of BYTES_KINDS) {
          for (let i = 0; i < BYTES_CALLS; i++) {
            for (const d of defs) {
              const s = sessions.get(d.id)
              const w = results.warm[d.id]
              if (s === undefined || w === undefined) continue
              const o = await callOnce(s, d.calls[kind])
              if (i === 0) w.first[kind] = o
              if (looksRight(kind, o)) {
                w.samples[kind].push(o.ms)
                w.bytes[kind].push(o.bytes)
              } else w.errors[kind].push(o.error ?? `unexpected: ${o.text.slice(0, 200)}`)
            }
          }
        }
      } finally {
        for (const s of sessions.values()) await s.close().catch(() => undefined)
      }
      results.load.afterWarm = loadStr()

      // -- Throughput: a fresh HTTP server per window (VmHWM then covers this window only), 8 in flight.
      for (const d of defs) results.tp[d.id] = {}
      const httpBroken = new Set<ServerId>()
      for (let r = 0; r < TP_ROUNDS; r++) {
        const order = defs.map((_, i) => defs[(i + r) % defs.length]).filter((d): d is ServerDef => d !== undefined)
        for (const kind of TP_KINDS) {
          for (const d of order) {
            const useHttp = !httpBroken.has(d.id)
            let s: Session | undefined
            try {
              s = useHttp ? await openHttp(d) : await openStdio(d.stdio)
              await s.client.listTools()
              const sample = await throughputWindow(s, kind, d.calls[kind], TP_SECONDS, useHttp ? "http" : "stdio")
              const byKind = results.tp[d.id]
              if (byKind !== undefined) (byKind[kind] ??= []).push(sample)
              if (useHttp && sample.errors > sample.completed) {
                httpBroken.add(d.id)
                notes.push(`${d.id}: over HTTP ${sample.errors} of ${sample.errors + sample.completed} calls failed with ${IN_FLIGHT} in flight (first: ${sample.firstError ?? "?"}); its later throughput windows ran over stdio`)
              }
              log(`throughput ${kind} round ${r + 1}: ${d.id} ${sample.callsPerSec.toFixed(1)} calls/s over ${sample.transport} (${sample.errors} errors)`)
            } catch (e) {
              notes.push(`throughput ${kind} of ${d.id} round ${r + 1} failed: ${e instanceof Error ? e.message.slice(0, 500) : String(e)}`)
              if (useHttp) httpBroken.add(d.id)
            } finally {
              await s?.close().catch(() => undefined)
            }
          }
        }
      }
    }
    if (onlySections.length === 0 || onlySections.includes("memory")) {
      results.memory = await memoryPhases((kc) => serverDefs(kc, dirname(kubectl), versions), info, kubectl, notes)
    }
    results.load.after = loadStr()
  } finally {
    await cleanup()
  }

  mkdirSync(PEERS_DIR, { recursive: true })
  writeFileSync(join(PEERS_DIR, "last-run.json"), JSON.stringify(results, null, 2))
  const md = onlySections.length > 0 ? renderSectionsOnly(results) : render(results)
  process.stdout.write(md + "\n")
  if (!opts["no-write"] && !opts.quick && opts.only === undefined) writeSection(md)
  else log("not writing bench/RESULTS.md (--quick, --only or --no-write)")
  log(`done in ${((Date.now() - t0) / 1000).toFixed(0)} s; raw data in ${join(PEERS_DIR, "last-run.json")}`)
}

// ---------------------------------------------------------------------------------------------------------
// Report

const BEGIN = "<!-- peers:begin (written by bench/peers.ts; edit the script, not this section) -->"
const END = "<!-- peers:end -->"

/** Replaces only the Peers section of bench/RESULTS.md (other sections belong to other benchmarks). */
const writeSection = (md: string): void => {
  const block = `${BEGIN}\n${md}\n${END}`
  const current = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, "utf8") : "# Benchmark results\n"
  const b = current.indexOf(BEGIN.slice(0, 20))
  const e = current.indexOf(END)
  const next = b >= 0 && e > b ? current.slice(0, b) + block + current.slice(e + END.length) : `${current.replace(/\n*$/, "\n\n")}${block}\n`
  writeFileSync(RESULTS_MD, next)
  log(`wrote the Peers section of ${RESULTS_MD}`)
}

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : "—")
const mib = (kib: number): string => (Number.isFinite(kib) ? (kib / 1024).toFixed(1) : "—")
const kb = (bytes: number): string => (Number.isFinite(bytes) ? bytes >= 10_000 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} B` : "—")

const render = (r: Results): string => {
  const { coldRuns: COLD_RUNS, calls: CALLS, tpSeconds: TP_SECONDS, tpRounds: TP_ROUNDS } = r.params
  const ids = r.servers.map((s) => s.id)
  const col = (f: (id: ServerId) => string): string => ids.map(f).join(" | ")
  const header = `| metric | ${r.servers.map((s) => s.title).join(" | ")} |\n|---|${ids.map(() => "---:").join("|")}|`
  const cold = (id: string, f: (c: ColdSample) => number): number => median((r.cold[id] ?? []).map(f))
  const warm = (id: string, k: CallKind, p: number): number => percentile(r.warm[id]?.samples[k] ?? [], p)
  const tp = (id: string, k: CallKind): number => median((r.tp[id]?.[k] ?? []).map((s) => s.callsPerSec))
  /** Median over the windows of one call kind (a single window can catch a late GC). */
  const tpMem = (id: string, k: CallKind, f: (s: TpSample) => number): number => median((r.tp[id]?.[k] ?? []).map(f))
  const bytes = (id: string, k: CallKind): number => median(r.warm[id]?.bytes[k] ?? [])
  const first = (id: string, k: CallKind): CallOutcome | undefined => r.warm[id]?.first[k]

  // Absolute medians
  const rows: Array<string> = []
  const row = (name: string, f: (id: ServerId) => string): void => {
    rows.push(`| ${name} | ${col(f)} |`)
  }
  row(`cold start → initialize result (ms, median of ${COLD_RUNS})`, (id) => fmt(cold(id, (c) => c.initMs)))
  row("cold start → first tools/list result (ms)", (id) => fmt(cold(id, (c) => c.listMs)))
  row("tools/list: tools / JSON bytes", (id) => `${fmt(cold(id, (c) => c.tools), 0)} / ${kb(cold(id, (c) => c.toolsBytes))}`)
  row("RSS after start (MiB, VmRSS after tools/list)", (id) => mib(cold(id, (c) => c.rssKiB)))
  for (const k of CALL_KINDS) row(`warm p50 / p95 (ms): ${CALL_LABEL[k]}`, (id) => `${fmt(warm(id, k, 50), 2)} / ${fmt(warm(id, k, 95), 2)}`)
  for (const k of CALL_KINDS) row(`server CPU per warm call (ms): ${CALL_LABEL[k]}`, (id) => fmt(r.warm[id]?.cpuMsPerCall[k] ?? Number.NaN, 2))
  for (const k of TP_KINDS) {
    row(`throughput, ${IN_FLIGHT} in flight (calls/s, median of ${TP_ROUNDS} × ${TP_SECONDS} s): ${CALL_LABEL[k]}`, (id) => {
      const samples = r.tp[id]?.[k] ?? []
      const transports = [...new Set(samples.map((s) => s.transport))].join("+")
      const errs = samples.reduce((n, s) => n + s.errors, 0)
      return `${fmt(tp(id, k))} (${transports || "—"}${errs > 0 ? `, ${errs} failed` : ""})`
    })
  }
  for (const k of TP_KINDS) {
    row(`server CPU per call during throughput (ms): ${CALL_LABEL[k]}`, (id) => fmt(median((r.tp[id]?.[k] ?? []).map((s) => s.cpuMsPerCall)), 2))
  }
  for (const k of TP_KINDS) {
    row(`peak RSS during throughput (MiB, VmHWM of the server process, median of windows): ${CALL_LABEL[k]}`, (id) => mib(tpMem(id, k, (s) => s.hwmKiB)))
  }
  for (const k of TP_KINDS) {
    row(`peak RSS incl. child processes (MiB, sampled every 25 ms): ${CALL_LABEL[k]}`, (id) => mib(tpMem(id, k, (s) => s.treePeakKiB)))
  }
  for (const k of [...CALL_KINDS, ...BYTES_KINDS]) {
    row(`response bytes (whole result JSON / text only): ${CALL_LABEL[k]}`, (id) => {
      const f = first(id, k)
      return f === undefined ? "—" : `${kb(bytes(id, k))} / ${kb(f.textBytes)}`
    })
  }
  for (const k of [...CALL_KINDS, ...BYTES_KINDS]) {
    row(`what the model sees (bytes, structured-first client / text-first client): ${CALL_LABEL[k]}`, (id) => {
      const f = first(id, k)
      return f === undefined ? "—" : `${kb(Buffer.byteLength(f.structuredView))} / ${kb(f.textBytes)}`
    })
  }
  for (const k of ["podsAll", "podsNs", "pods500"] as const) {
    row(`seeded pods the model sees (structured-first / text-first client): ${CALL_LABEL[k]}`, (id) => {
      const f = first(id, k)
      return f === undefined ? "—" : `${seededPodsIn(f.structuredView)} / ${seededPodsIn(f.text)}`
    })
  }

  // Ratios kube-mcp / peer: kube-mcp with its defaults against every peer, plus the like-for-like pair with
  // both client throttles lifted.
  const ratioRows: Array<string> = []
  const peers = ids.filter((id) => id !== "kube-mcp" && id !== "kube-mcp-qps")
  const fr = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "—")
  interface RatioLine {
    name: string
    value: (id: ServerId) => number
    target?: { op: "≤" | "≥"; value: number }
  }
  const cpuWarm = (id: ServerId, k: CallKind): number => r.warm[id]?.cpuMsPerCall[k] ?? Number.NaN
  const lines: Array<RatioLine> = [
    { name: "cold start → initialize", value: (id) => cold(id, (c) => c.initMs), target: { op: "≤", value: 1.0 } },
    { name: "cold start → first tools/list", value: (id) => cold(id, (c) => c.listMs), target: { op: "≤", value: 1.0 } },
    { name: "tools/list bytes", value: (id) => cold(id, (c) => c.toolsBytes) },
    { name: "RSS after start", value: (id) => cold(id, (c) => c.rssKiB), target: { op: "≤", value: 1.0 } },
    ...CALL_KINDS.map((k): RatioLine => ({ name: `warm p50: ${CALL_LABEL[k]}`, value: (id) => warm(id, k, 50), target: { op: "≤", value: 0.8 } })),
    ...CALL_KINDS.map((k): RatioLine => ({ name: `warm p95: ${CALL_LABEL[k]}`, value: (id) => warm(id, k, 95) })),
    ...TP_KINDS.map((k): RatioLine => ({ name: `throughput: ${CALL_LABEL[k]}`, value: (id) => tp(id, k), target: { op: "≥", value: 1.25 } })),
    ...TP_KINDS.map((k): RatioLine => ({ name: `peak RSS during throughput (VmHWM): ${CALL_LABEL[k]}`, value: (id) => tpMem(id, k, (s) => s.hwmKiB), target: { op: "≤", value: 1.0 } })),
    ...TP_KINDS.map((k): RatioLine => ({ name: `peak RSS incl. children: ${CALL_LABEL[k]}`, value: (id) => tpMem(id, k, (s) => s.treePeakKiB) })),
    ...CALL_KINDS.map((k): RatioLine => ({ name: `server CPU per warm call: ${CALL_LABEL[k]}`, value: (id) => cpuWarm(id, k) })),
    ...TP_KINDS.map((k): RatioLine => ({
      name: `server CPU per call in throughput: ${CALL_LABEL[k]}`,
      value: (id) => median((r.tp[id]?.[k] ?? []).map((s) => s.cpuMsPerCall))
    })),
    ...[...CALL_KINDS, ...BYTES_KINDS].map((k): RatioLine => ({
      name: `response bytes (wire): ${CALL_LABEL[k]}`,
      value: (id) => bytes(id, k)
    })),
    ...[...CALL_KINDS, ...BYTES_KINDS].map((k): RatioLine => ({
      name: `model sees, structured-first client: ${CALL_LABEL[k]}`,
      value: (id) => Buffer.byteLength(first(id, k)?.structuredView ?? ""),
      ...(k === "pods500" ? { target: { op: "≤" as const, value: 0.5 } } : {})
    })),
    ...[...CALL_KINDS, ...BYTES_KINDS].map((k): RatioLine => ({
      name: `model sees, text-first client: ${CALL_LABEL[k]}`,
      value: (id) => first(id, k)?.textBytes ?? Number.NaN
    }))
  ]
  const has = (id: ServerId): boolean => ids.includes(id)
  // Targets are against kubernetes-mcp-server, judged on both pairs (defaults vs defaults, lifted vs lifted);
  // the verdict quotes the worse of the two.
  const pairs: Array<[ServerId, ServerId]> = ([["kube-mcp", "kms"], ["kube-mcp-qps", "kms-qps"]] as Array<[ServerId, ServerId]>).filter(([a, b]) => has(a) && has(b))
  const liftedPair = has("kube-mcp-qps") && has("kms-qps")
  for (const l of lines) {
    const cells = peers.map((id) => fr(l.value("kube-mcp") / l.value(id)))
    if (liftedPair) cells.push(fr(l.value("kube-mcp-qps") / l.value("kms-qps")))
    let verdict = ""
    if (l.target !== undefined && pairs.length > 0) {
      const rs = pairs.map(([a, b]) => l.value(a) / l.value(b)).filter(Number.isFinite)
      const worst = l.target.op === "≤" ? Math.max(...rs) : Math.min(...rs)
      const pass = l.target.op === "≤" ? worst <= l.target.value : worst >= l.target.value
      verdict = rs.length === 0 ? "—" : `${l.target.op} ${l.target.value.toFixed(2)}× → ${pass ? "met" : "**missed**"} (${fr(worst)})`
    }
    ratioRows.push(`| ${l.name} | ${cells.join(" | ")} | ${verdict} |`)
  }
  const peerTitles = [...peers.map((id) => `kube-mcp / ${r.servers.find((s) => s.id === id)?.title ?? id}`), ...(liftedPair ? ["kube-mcp (QPS lifted) / kubernetes-mcp-server (QPS lifted)"] : [])]

  const errorLines: Array<string> = []
  for (const id of ids) {
    for (const k of CALL_KINDS) {
      const errs = r.warm[id]?.errors[k] ?? []
      if (errs.length > 0) errorLines.push(`- ${id} ${k}: ${errs.length} of ${CALLS} warm calls failed or were incomplete; first: ${(errs[0] ?? "").replace(/\s+/g, " ").slice(0, 240)}`)
    }
  }

  return [
    "## Peers: kube-mcp vs kubernetes-mcp-server vs mcp-server-kubernetes",
    "",
    `Run ${r.date} with \`npm run bench\` (bench/peers.ts): the same control plane, the same seed, MCP SDK \`Client\`; `,
    "servers interleaved run by run (cold start: one spawn of each per round; warm: one call of each per step; throughput: one window each per round, order rotated).",
    "",
    "**Machine and conditions**",
    "",
    ...Object.entries(r.machine).map(([k, v]) => `- ${k}: ${v}`),
    `- load average (1/5/15 min): before ${r.load.before}; after cold start ${r.load.afterCold}; after warm ${r.load.afterWarm}; at the end ${r.load.after}`,
    `- Node floor: \`node -e 0\` spawn → exit, median ${fmt(r.nodeFloorMs)} ms (what any Node server pays before its own code runs)`,
    `- seed: namespaces ${NAMESPACES[0]}..${NAMESPACES.length - 1}: ${r.seed.pods} bare pods on the kwok node (${r.seed.running} Running), ${r.seed.configMaps} ConfigMaps (3 keys each), ${r.seed.events} events in ${NS0}; ${r.seed.podsInCluster} pods in the whole cluster at the start (other engineers' tests add their own)`,
    `- kube-mcp build: ${r.build}`,
    "",
    "**Servers**",
    "",
    ...r.servers.map((s) => `- ${s.title} ${s.version}: ${s.settings}`),
    "",
    "**Equivalent calls** (each server's default output): list all pods = kube-mcp `pods_list {all_namespaces}`, kms `pods_list`, msk `kubectl_get pods allNamespaces`; " +
      "pods in a namespace = `pods_list {namespace}` / `pods_list_in_namespace` / `kubectl_get pods -n`; get pod = `pods_get` / `pods_get` / `kubectl_get pods <name>`; " +
      "events = `events_list {namespace}` / `events_list` / `kubectl_get events -n`; ConfigMap = `resources_get {group \"\", version v1, kind ConfigMap}` / `resources_get {apiVersion v1}` / `kubectl_get configmaps <name>`.",
    "",
    "**How measured.** Cold start: spawn → `initialize` result, and → first `tools/list` result (SDK `StdioClientTransport`, includes process spawn). " +
      `Warm latency: ${CALLS} calls per kind per server over one stdio session after ${WARMUP_CALLS} warm-up calls; \`tools/call\` via \`client.request\` (no client-side outputSchema validation). ` +
      `Throughput: a fresh server per ${TP_SECONDS} s window, ${IN_FLIGHT} calls in flight, Streamable HTTP for all three (fallback stdio noted), only complete correct answers counted. ` +
      "Bytes: JSON of the tool result (content + structuredContent), re-serialized compactly; text = the text content alone. " +
      "RSS: /proc/<pid>/status VmRSS/VmHWM of the server process (node or the Go binary); \"incl. children\" adds kubectl processes that mcp-server-kubernetes spawns per call, sampled every 25 ms.",
    "",
    "### Absolute values (medians unless stated)",
    "",
    header,
    ...rows,
    "",
    "### Ratios kube-mcp / peer",
    "",
    "Below 1× is better for kube-mcp except throughput (above 1× is better). Targets are against kubernetes-mcp-server, judged on both like-for-like pairs (each with its default client throttle; both throttles lifted); the verdict quotes the worse pair.",
    "",
    `| metric | ${peerTitles.join(" | ")} | target vs kubernetes-mcp-server |`,
    `|---|${peerTitles.map(() => "---:").join("|")}|---|`,
    ...ratioRows,
    "",
    renderMemory(r),
    ...(errorLines.length > 0 || r.notes.length > 0 ? ["**Failures and notes**", "", ...errorLines, ...r.notes.map((n) => `- ${n.replace(/\s+/g, " ")}`), ""] : [])
  ].join("\n")
}

const isResults = (x: unknown): x is Results =>
  typeof x === "object" && x !== null && ["date", "params", "machine", "servers", "cold", "warm", "tp"].every((k) => k in x)

const renderOnly = (file: string): void => {
  const json: unknown = JSON.parse(readFileSync(file, "utf8"))
  if (!isResults(json)) throw new Error(`${file} is not a saved run of bench/peers.ts`)
  const saved = json
  const md = render(saved)
  process.stdout.write(md + "\n")
  if (!opts["no-write"]) writeSection(md)
}

const entry = (): Promise<void> => (opts["render-only"] !== undefined ? Promise.resolve(renderOnly(opts["render-only"])) : main())

entry().catch((e: unknown) => {
  log(`FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  process.exit(1)
})
