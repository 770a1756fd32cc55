/**
 * Calls and bytes a model needs (issue #12): four scripted tasks, each done for real by kube-mcp,
 * kubernetes-mcp-server ("kms", Go) and mcp-server-kubernetes ("msk", TypeScript over kubectl) through the MCP
 * SDK client over stdio, against the same control plane and the same fleet kubeconfig.
 *
 *   npm run bench:tasks [-- --keep] [--only kube-mcp,kms,msk] [--verbose]
 *
 * Each server gets the shortest call sequence a model could use with its own tools (read from its tools/list):
 * where a tool has no fan-out the script calls it once per context; where a list shows no images it reads
 * every pod; where a copy tool is missing the script does the model's part (read, strip server-written
 * fields, write back) and counts the bytes it had to write as arguments. Every result is counted as received
 * (the JSON-RPC result: text content plus structuredContent), and whether the task's answer is really in it is
 * checked in code, the backup with the admin client on the target cluster. Prints a Markdown section.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, type V1ConfigMap, type V1Deployment, type V1Pod } from "@kubernetes/client-node"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { dump, load } from "js-yaml"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { cpus, loadavg, tmpdir, totalmem } from "node:os"
import { dirname, join } from "node:path"
import { performance } from "node:perf_hooks"
import { parseArgs } from "node:util"
import { adminKubeConfig, defaultBinDir, start, statusOf } from "../test/cluster/harness.js"
import { type Fleet, makeFleet } from "../test/support/fleet.js"
import { baseEnv, ensureKubectl, ensurePeers, installedVersion, KMS_BIN, kmsStdio, type Launch, measureResponses, mskStdio, oursStdio, REPO, run } from "./servers.js"

const { values: opts } = parseArgs({
  options: {
    keep: { type: "boolean", default: false },
    only: { type: "string" },
    verbose: { type: "boolean", default: false }
  }
})

const log = (line: string): void => {
  process.stderr.write(`[tasks ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x)
const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n).replace(/\s+\S*$/, "")} …`)
const str = (x: unknown): string => (typeof x === "string" ? x : typeof x === "number" || typeof x === "boolean" ? String(x) : "")

// ---------------------------------------------------------------------------------------------------------
// Seed: dedicated namespaces kmcp-tasks-* on the two API servers of the test control plane

const LABEL = "kube-mcp/tasks"
/** Task 1: 5 namespaces × 8 pods on dev-cluster, every pod its own image, every fourth one a sidecar too. */
const IMG_NS = [0, 1, 2, 3, 4].map((i) => `kmcp-tasks-img-${i}`)
const IMG_PODS = 8
const IMG_SELECTOR = `${LABEL}=images`
const appImage = (n: number, i: number): string => `registry.example.com/tasks/app-${n}-${i}:1.${i}`
const proxyImage = (n: number, i: number): string => `registry.example.com/tasks/proxy-${n}:2.${i}`
const SEEDED_IMAGES = IMG_NS.flatMap((_, n) => Array.from({ length: IMG_PODS }, (_, i) => (i % 4 === 0 ? [appImage(n, i), proxyImage(n, i)] : [appImage(n, i)])).flat())
/** Task 2: one crash-looping pod on prod-cluster (no kubelet there: the status written by hand stays). */
const FLEET_NS = "kmcp-tasks-fleet"
const CRASHY = "crashy-api"
/** Task 3: Deployment web on both clusters, differing in replicas, image and one env value. */
const CMP_NS = "kmcp-tasks-compare"
const CMP = {
  dev: { replicas: 2, image: "registry.example.com/tasks/web:1.5", logLevel: "debug" },
  prod: { replicas: 3, image: "registry.example.com/tasks/web:1.4", logLevel: "info" }
}
/** Task 4: three Deployments and their ConfigMaps on dev-cluster, backed up to prod-cluster (one namespace per server). */
const BAK_NS = "kmcp-tasks-backup"
const BAK_APPS = ["api", "web", "worker"]
const bakImage = (app: string): string => `registry.example.com/tasks/${app}:3.${app.length}`
const bakData = (app: string): Record<string, string> => ({ "app.properties": `service.name=${app}\nservice.port=8080\n`, LOG_LEVEL: "info" })
const bakTarget = (id: ServerId): string => `kmcp-tasks-backup-${id}`

const deployment = (name: string, replicas: number, image: string, env: Record<string, string>, configMap?: string): V1Deployment => ({
  metadata: { name, labels: { app: name, [LABEL]: "true" } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{
          name: "app",
          image,
          env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
          ...(configMap !== undefined ? { envFrom: [{ configMapRef: { name: configMap } }] } : {})
        }]
      }
    }
  }
})

/** Create, treating "already exists" as done (a kept seed of an earlier --keep run). */
const idempotent = async (create: () => Promise<unknown>): Promise<void> => {
  try {
    await create()
  } catch (e) {
    if (statusOf(e) !== 409) throw e
  }
}

interface Admin {
  readonly dev: { core: CoreV1Api; apps: AppsV1Api }
  readonly prod: { core: CoreV1Api; apps: AppsV1Api }
}

const allNamespaces = (): { dev: Array<string>; prod: Array<string> } => ({
  dev: [...IMG_NS, CMP_NS, BAK_NS],
  prod: [FLEET_NS, CMP_NS, ...(["kube-mcp", "kms", "msk"] as const).map(bakTarget)]
})

const unseed = async (admin: Admin): Promise<void> => {
  const ns = allNamespaces()
  const del = (api: CoreV1Api, name: string): Promise<unknown> => api.deleteNamespace({ name }).catch((e: unknown) => (statusOf(e) === 404 ? undefined : Promise.reject(e)))
  await Promise.all([...ns.dev.map((n) => del(admin.dev.core, n)), ...ns.prod.map((n) => del(admin.prod.core, n))])
}

/** A namespace left Terminating by an earlier run must be gone before it is created again. */
const waitGone = async (admin: Admin): Promise<void> => {
  const ns = allNamespaces()
  const deadline = Date.now() + 180_000
  for (;;) {
    const [dev, prod] = await Promise.all([admin.dev.core.listNamespace(), admin.prod.core.listNamespace()])
    const left = [...dev.items.filter((n) => ns.dev.includes(n.metadata?.name ?? "")), ...prod.items.filter((n) => ns.prod.includes(n.metadata?.name ?? ""))]
      .filter((n) => n.status?.phase === "Terminating")
    if (left.length === 0) return
    if (Date.now() > deadline) throw new Error(`namespaces still terminating: ${left.map((n) => n.metadata?.name).join(", ")}`)
    await sleep(1_000)
  }
}

const seed = async (admin: Admin, kwokNode: string): Promise<void> => {
  await waitGone(admin)
  const mkNs = (api: CoreV1Api, name: string): Promise<void> => idempotent(() => api.createNamespace({ body: { metadata: { name, labels: { [LABEL]: "true" } } } }))
  await Promise.all([...[...IMG_NS, CMP_NS, BAK_NS].map((n) => mkNs(admin.dev.core, n)), ...[FLEET_NS, CMP_NS].map((n) => mkNs(admin.prod.core, n))])

  // Task 1
  for (const [n, ns] of IMG_NS.entries()) {
    await Promise.all(Array.from({ length: IMG_PODS }, (_, i) => {
      const pod: V1Pod = {
        metadata: { name: `img-${n}-${i}`, labels: { [LABEL]: "images", app: `app-${n}-${i}` } },
        spec: {
          nodeName: kwokNode,
          containers: [{ name: "app", image: appImage(n, i) }, ...(i % 4 === 0 ? [{ name: "proxy", image: proxyImage(n, i) }] : [])]
        }
      }
      return idempotent(() => admin.dev.core.createNamespacedPod({ namespace: ns, body: pod }))
    }))
  }

  // Task 2: as test/tools/pods.test.ts does it, the status a crash-looping kubelet would write
  const crashSpec = { containers: [{ name: "app", image: "registry.example.com/tasks/api:0.9" }] }
  await idempotent(() => admin.prod.core.createNamespacedPod({ namespace: FLEET_NS, body: { metadata: { name: CRASHY }, spec: crashSpec } }))
  await admin.prod.core.replaceNamespacedPodStatus({
    name: CRASHY,
    namespace: FLEET_NS,
    body: {
      metadata: { name: CRASHY, namespace: FLEET_NS },
      spec: crashSpec,
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [{
          name: "app",
          image: "registry.example.com/tasks/api:0.9",
          imageID: "",
          ready: false,
          restartCount: 7,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } }
        }]
      }
    }
  })

  // Task 3
  await idempotent(() => admin.dev.apps.createNamespacedDeployment({ namespace: CMP_NS, body: deployment("web", CMP.dev.replicas, CMP.dev.image, { LOG_LEVEL: CMP.dev.logLevel }) }))
  await idempotent(() => admin.prod.apps.createNamespacedDeployment({ namespace: CMP_NS, body: deployment("web", CMP.prod.replicas, CMP.prod.image, { LOG_LEVEL: CMP.prod.logLevel }) }))

  // Task 4
  for (const app of BAK_APPS) {
    const cm: V1ConfigMap = { metadata: { name: `${app}-config`, labels: { app, [LABEL]: "true" } }, data: bakData(app) }
    await idempotent(() => admin.dev.core.createNamespacedConfigMap({ namespace: BAK_NS, body: cm }))
    await idempotent(() => admin.dev.apps.createNamespacedDeployment({ namespace: BAK_NS, body: deployment(app, 2, bakImage(app), { ROLE: app }, `${app}-config`) }))
  }
  log(`seeded ${IMG_NS.length * IMG_PODS} pods (${SEEDED_IMAGES.length} images), a crash-looping pod on prod, Deployment web on both, ${BAK_APPS.length} Deployments + ConfigMaps to back up`)
}

// ---------------------------------------------------------------------------------------------------------
// Sessions and the record of every call

type ServerId = "kube-mcp" | "kms" | "msk"
const SERVER_IDS: ReadonlyArray<ServerId> = ["kube-mcp", "kms", "msk"]
const TITLE: Record<ServerId, string> = { "kube-mcp": "kube-mcp", kms: "kubernetes-mcp-server", msk: "mcp-server-kubernetes" }

interface Received {
  readonly tool: string
  readonly ok: boolean
  readonly text: string
  readonly structured: unknown
}

interface CallRecord {
  readonly tool: string
  /** JSON bytes of the arguments: what the model has to write. */
  readonly argsBytes: number
  /** JSON bytes of the result as received: text content + structuredContent + flags. */
  readonly bytes: number
  readonly textBytes: number
  readonly ok: boolean
}

interface Session {
  readonly call: (tool: string, args: Record<string, unknown>) => Promise<Received>
  readonly records: () => Array<CallRecord>
  readonly reset: () => void
  readonly close: () => Promise<void>
}

const openSession = async (id: ServerId, launch: Launch): Promise<Session> => {
  const transport = new StdioClientTransport({ command: launch.command, args: [...launch.args], env: launch.env, cwd: REPO, stderr: "pipe" })
  let stderr = ""
  transport.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000)
  })
  const client = new Client({ name: "kube-mcp-bench-tasks", version: "0.0.0" })
  await client.connect(transport)
  const lastBytes = measureResponses(transport)
  let records: Array<CallRecord> = []
  return {
    call: async (tool, args) => {
      const argsBytes = Buffer.byteLength(JSON.stringify(args))
      try {
        // request with the plain schema: callTool would also validate structuredContent, which is client work
        const r = await client.request({ method: "tools/call", params: { name: tool, arguments: args } }, CallToolResultSchema, { timeout: 180_000 })
        const text = r.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
        const ok = r.isError !== true
        records.push({ tool, argsBytes, bytes: lastBytes(), textBytes: Buffer.byteLength(text), ok })
        if (opts.verbose) log(`${id} ${tool} ${JSON.stringify(args).slice(0, 200)} → ${ok ? "ok" : "error"} ${text.length} chars: ${text.slice(0, 300).replace(/\s+/g, " ")}`)
        return { tool, ok, text, structured: r.structuredContent }
      } catch (e) {
        // a JSON-RPC error reaches the model as its message
        const text = e instanceof Error ? e.message : String(e)
        records.push({ tool, argsBytes, bytes: Buffer.byteLength(text), textBytes: Buffer.byteLength(text), ok: false })
        if (opts.verbose) log(`${id} ${tool} threw: ${text.slice(0, 300)}; stderr: ${stderr.slice(-500)}`)
        return { tool, ok: false, text, structured: undefined }
      }
    },
    records: () => records,
    reset: () => {
      records = []
    },
    close: () => client.close()
  }
}

/** Rows of a table result (`{ columns, rows }`) as objects keyed by column name. */
const tableRows = (structured: unknown): Array<Record<string, string>> => {
  if (!isRecord(structured) || !Array.isArray(structured["columns"]) || !Array.isArray(structured["rows"])) return []
  const columns = structured["columns"].map(str)
  return structured["rows"].filter(Array.isArray).map((row) => Object.fromEntries(columns.map((c, i) => [c, str(row[i])])))
}

/** A whitespace-aligned table (kubectl's and kubernetes-mcp-server's text output) as objects keyed by header. */
const textTable = (text: string): Array<Record<string, string>> => {
  const lines = text.split("\n").filter((l) => l.trim() !== "")
  const headerAt = lines.findIndex((l) => /\bNAME\b/.test(l))
  const header = lines[headerAt]?.trim().split(/\s{2,}|\t/) ?? []
  return lines.slice(headerAt + 1).map((l) => {
    const cells = l.trim().split(/\s+/)
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]))
  })
}

/** Every YAML or JSON document in a text (a kubectl List's items are unrolled). */
const documents = (text: string): Array<Record<string, unknown>> => {
  const out: Array<Record<string, unknown>> = []
  for (const part of text.split(/^---\s*$/m)) {
    let doc: unknown
    try {
      doc = load(part)
    } catch {
      continue
    }
    if (!isRecord(doc)) continue
    if (Array.isArray(doc["items"])) out.push(...doc["items"].filter(isRecord))
    else out.push(doc)
  }
  return out
}

const at = (x: unknown, ...path: ReadonlyArray<string | number>): unknown => {
  let cur = x
  for (const k of path) {
    if (typeof k === "number") cur = Array.isArray(cur) ? cur[k] : undefined
    else cur = isRecord(cur) ? cur[k] : undefined
  }
  return cur
}

/**
 * The model's part of a copy without a copy tool: keep what defines the object, drop what the source
 * cluster wrote (uid, resourceVersion, timestamps, managedFields, status, controller annotations), and
 * put it in the target namespace.
 */
const cleanManifest = (obj: Record<string, unknown>, namespace: string): Record<string, unknown> => {
  const meta = isRecord(obj["metadata"]) ? obj["metadata"] : {}
  const annotations = isRecord(meta["annotations"])
    ? Object.fromEntries(Object.entries(meta["annotations"]).filter(([k]) => !k.startsWith("deployment.kubernetes.io/") && k !== "kubectl.kubernetes.io/last-applied-configuration"))
    : {}
  const out: Record<string, unknown> = {
    apiVersion: obj["apiVersion"],
    kind: obj["kind"],
    metadata: {
      name: meta["name"],
      namespace,
      ...(isRecord(meta["labels"]) ? { labels: meta["labels"] } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {})
    }
  }
  for (const k of ["spec", "data", "binaryData"]) if (obj[k] !== undefined) out[k] = obj[k]
  return out
}

/** kube-root-ca.crt is published in every namespace by the cluster itself; copying it would be wrong. */
const copyable = (o: Record<string, unknown>): boolean => str(at(o, "metadata", "name")) !== "kube-root-ca.crt"

// ---------------------------------------------------------------------------------------------------------
// The four tasks, as each server can do them

interface Verdict {
  readonly found: boolean
  readonly detail: string
}

interface Ctx {
  readonly fleet: Fleet
  /** Contexts of the fleet that reach prod-cluster's API server. */
  readonly prodContexts: ReadonlyArray<string>
  readonly admin: Admin
}

type Plan = (s: Session, ctx: Ctx) => Promise<Verdict>

interface Way {
  readonly how: string
  readonly plan: Plan
}

interface Task {
  readonly title: string
  /** The shortest sequence for each server. */
  readonly plans: Record<ServerId, Way>
  /** Another sequence a model might well choose, measured too (row labelled with the variant). */
  readonly alternatives?: ReadonlyArray<Way & { readonly server: ServerId; readonly variant: string }>
}

const missingImages = (texts: ReadonlyArray<string>): Array<string> => {
  const all = texts.join("\n")
  return SEEDED_IMAGES.filter((img) => !all.includes(img))
}
const imagesVerdict = (texts: ReadonlyArray<string>): Verdict => {
  const missing = missingImages(texts)
  return missing.length === 0
    ? { found: true, detail: `all ${SEEDED_IMAGES.length} seeded images present` }
    : { found: false, detail: `${missing.length} of ${SEEDED_IMAGES.length} seeded images missing, e.g. ${missing[0] ?? ""}` }
}
const allText = (r: Received): string => `${r.text}\n${r.structured === undefined ? "" : JSON.stringify(r.structured)}`

const task1: Task = {
  title: `1. the images of all pods in ${IMG_NS.length} namespaces (${IMG_NS.length * IMG_PODS} pods, label selector)`,
  plans: {
    "kube-mcp": {
      how: "`pods_list` with `columns`, `all_namespaces`, `label_selector`",
      plan: async (s) => {
        const r = await s.call("pods_list", {
          all_namespaces: true,
          label_selector: IMG_SELECTOR,
          columns: "NAMESPACE:.metadata.namespace,NAME:.metadata.name,IMAGES:.spec.containers[*].image"
        })
        return imagesVerdict([allText(r)])
      }
    },
    kms: {
      how: "`pods_list` (its table has no images) then `pods_get` per pod (YAML)",
      plan: async (s) => {
        const list = await s.call("pods_list", { labelSelector: IMG_SELECTOR })
        const texts = [list.text]
        for (const row of textTable(list.text)) {
          const name = row["NAME"] ?? ""
          const namespace = row["NAMESPACE"] ?? ""
          if (name === "" || namespace === "") continue
          texts.push((await s.call("pods_get", { name, namespace })).text)
        }
        return imagesVerdict(texts)
      }
    },
    msk: {
      how: "`kubectl_generic get pods -A -l … --output=custom-columns=…` (its `kubectl_get` json list drops images, yaml is whole objects)",
      plan: async (s) => {
        const r = await s.call("kubectl_generic", {
          command: "get",
          resourceType: "pods",
          allNamespaces: true,
          flags: { selector: IMG_SELECTOR, output: "custom-columns=NAMESPACE:.metadata.namespace,NAME:.metadata.name,IMAGES:.spec.containers[*].image" }
        })
        return imagesVerdict([r.text])
      }
    }
  },
  alternatives: [{
    server: "msk",
    variant: "kubectl_get -o yaml",
    how: "`kubectl_get pods -A -l … -o yaml` (whole objects: what its dedicated get tool offers)",
    plan: async (s) => imagesVerdict([(await s.call("kubectl_get", { resourceType: "pods", allNamespaces: true, labelSelector: IMG_SELECTOR, output: "yaml" })).text])
  }]
}

/** Task 2's check for a peer: the crash-looping pod shows in every prod context, every live context answered, the dead ones failed. */
const fleetVerdict = (ctx: Ctx, byContext: ReadonlyMap<string, Received>, listed: ReadonlyArray<string>): Verdict => {
  const problems: Array<string> = []
  const missingContexts = ctx.fleet.contexts.filter((c) => !listed.includes(c))
  if (missingContexts.length > 0) problems.push(`contexts not listed: ${missingContexts.join(", ")}`)
  for (const c of ctx.prodContexts) {
    const r = byContext.get(c)
    if (r === undefined || !r.ok || !r.text.includes(CRASHY) || !r.text.includes("CrashLoopBackOff")) problems.push(`${c}: crash-looping pod not shown`)
  }
  for (const c of ctx.fleet.live) {
    if (c === "restricted") continue
    const r = byContext.get(c)
    if (r === undefined || !r.ok) problems.push(`${c}: no answer`)
  }
  for (const c of [ctx.fleet.blackHole, ctx.fleet.refused]) {
    const r = byContext.get(c)
    if (r === undefined || (r.ok && r.text.includes("NAME"))) problems.push(`${c}: not reported as failing`)
  }
  const restricted = byContext.get("restricted")
  const restrictedSaid = restricted === undefined ? "not asked" : restricted.text.trim() === "" ? `${restricted.ok ? "success" : "error"} with empty text` : `${restricted.ok ? "" : "error: "}${clip(restricted.text.trim().split("\n").pop() ?? "", 110)}`
  return problems.length === 0
    ? { found: true, detail: `${ctx.prodContexts.length} prod contexts show ${CRASHY} in CrashLoopBackOff; dead contexts reported; restricted (may not list pods cluster-wide) answered: ${restrictedSaid}` }
    : { found: false, detail: problems.join("; ") }
}

/** Task 2 through a plain read tool's fan-out: the same pod lists the peers return, in one call. */
const fanoutPodsVerdict = (ctx: Ctx, r: Received): Verdict => {
  const rows = tableRows(r.structured)
  const entries = isRecord(r.structured) && Array.isArray(r.structured["contexts"]) ? r.structured["contexts"].filter(isRecord) : []
  const entry = (c: string): Record<string, unknown> | undefined => entries.find((e) => e["context"] === c)
  const problems: Array<string> = []
  for (const c of ctx.prodContexts) {
    if (!rows.some((x) => x["context"] === c && x["name"] === CRASHY && x["status"] === "CrashLoopBackOff")) problems.push(`${c}: crash-looping pod not shown`)
  }
  for (const c of ctx.fleet.live) if (c !== "restricted" && entry(c)?.["ok"] !== true) problems.push(`${c}: no answer`)
  for (const c of [ctx.fleet.blackHole, ctx.fleet.refused]) if (entry(c)?.["ok"] !== false) problems.push(`${c}: not reported as failing`)
  const truncated = isRecord(r.structured) && r.structured["truncated"] === true ? "; cut by the output budget" : ""
  return problems.length === 0
    ? { found: true, detail: `${rows.length} pod rows; ${ctx.prodContexts.length} prod contexts show ${CRASHY} in CrashLoopBackOff; dead contexts reported${truncated}` }
    : { found: false, detail: `${problems.join("; ")}${truncated}` }
}

const task2: Task = {
  title: `2. which contexts have failing pods (fleet of 12 contexts, 2 of them dead)`,
  plans: {
    "kube-mcp": {
      how: "`clusters_overview` (every context by default)",
      plan: async (s, ctx) => {
        const r = await s.call("clusters_overview", {})
        const rows = tableRows(r.structured)
        const row = (c: string): Record<string, string> | undefined => rows.find((x) => x["context"] === c)
        const problems: Array<string> = []
        for (const c of ctx.fleet.contexts) if (row(c) === undefined) problems.push(`${c}: no row`)
        for (const c of ctx.prodContexts) {
          const x = row(c)
          if (x === undefined || !(Number.parseInt(x["pods_not_running"] ?? "0", 10) > 0) || !(x["top_reasons"] ?? "").includes("CrashLoopBackOff")) problems.push(`${c}: crash loop not shown`)
        }
        for (const c of [ctx.fleet.blackHole, ctx.fleet.refused]) if (row(c)?.["reachable"] !== "no") problems.push(`${c}: not reported unreachable`)
        return problems.length === 0
          ? { found: true, detail: `every context a row; ${ctx.prodContexts.length} prod contexts show CrashLoopBackOff; dead ones unreachable; restricted: pods "${row("restricted")?.["pods"] ?? ""}", problems "${clip(row("restricted")?.["problems"] ?? "", 90)}"` }
          : { found: false, detail: problems.join("; ") }
      }
    },
    kms: {
      how: "`configuration_contexts_list`, then `pods_list {context}` per context (no fan-out)",
      plan: async (s, ctx) => {
        const list = await s.call("configuration_contexts_list", {})
        const listed = ctx.fleet.contexts.filter((c) => new RegExp(`(^|\\s|\\*)${c.replace(/[-.]/g, "\\$&")}(\\s|$)`, "m").test(list.text))
        const byContext = new Map<string, Received>()
        for (const c of listed) byContext.set(c, await s.call("pods_list", { context: c }))
        return fleetVerdict(ctx, byContext, listed)
      }
    },
    msk: {
      how: "`kubectl_context list`, then `kubectl_get pods -A -o wide {context}` per context (no fan-out; its json list shows the phase, Running, not CrashLoopBackOff)",
      plan: async (s, ctx) => {
        const list = await s.call("kubectl_context", { operation: "list" })
        const listed = ctx.fleet.contexts.filter((c) => list.text.includes(`"${c}"`) || new RegExp(`(^|\\s|\\*)${c.replace(/[-.]/g, "\\$&")}(\\s|$)`, "m").test(list.text))
        const byContext = new Map<string, Received>()
        for (const c of listed) byContext.set(c, await s.call("kubectl_get", { resourceType: "pods", allNamespaces: true, output: "wide", context: c }))
        return fleetVerdict(ctx, byContext, listed)
      }
    }
  },
  alternatives: [{
    server: "kube-mcp",
    variant: "pods_list fan-out",
    how: "`pods_list {contexts: [\"*\"], all_namespaces: true}` (the peers' per-context pod lists, in one call)",
    plan: async (s, ctx) => fanoutPodsVerdict(ctx, await s.call("pods_list", { contexts: ["*"], all_namespaces: true }))
  }]
}

/** Task 3's check for a peer: both objects read, and their replicas, image and LOG_LEVEL are the seeded ones. */
const compareVerdict = (dev: Received, prod: Received): Verdict => {
  const fields = (r: Received): { replicas: unknown; image: unknown; logLevel: unknown } | undefined => {
    const d = documents(r.text).find((o) => str(o["kind"]) === "Deployment")
    if (d === undefined) return undefined
    const container = at(d, "spec", "template", "spec", "containers", 0)
    const env = at(container, "env")
    return {
      replicas: at(d, "spec", "replicas"),
      image: at(container, "image"),
      logLevel: Array.isArray(env) ? at(env.find((e) => at(e, "name") === "LOG_LEVEL"), "value") : undefined
    }
  }
  const a = fields(dev)
  const b = fields(prod)
  const want = (f: typeof a, w: typeof CMP.dev): boolean => f !== undefined && f.replicas === w.replicas && f.image === w.image && f.logLevel === w.logLevel
  return want(a, CMP.dev) && want(b, CMP.prod)
    ? { found: true, detail: "both whole objects read; the model diffs replicas, image, LOG_LEVEL itself" }
    : { found: false, detail: `dev ${JSON.stringify(a)}, prod ${JSON.stringify(b)}` }
}

const task3: Task = {
  title: "3. compare Deployment web between dev-cluster and prod-cluster",
  plans: {
    "kube-mcp": {
      how: "`resources_compare {contexts: [dev-cluster, prod-cluster]}`",
      plan: async (s) => {
        const r = await s.call("resources_compare", { contexts: ["dev-cluster", "prod-cluster"], group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: CMP_NS })
        const rows = tableRows(r.structured)
        const has = (field: RegExp, dev: string, prod: string): boolean =>
          rows.some((x) => field.test(x["field"] ?? x["FIELD"] ?? "") && Object.values(x).includes(dev) && Object.values(x).includes(prod))
        const ok = has(/^spec\.replicas$/, String(CMP.dev.replicas), String(CMP.prod.replicas)) && has(/image/, CMP.dev.image, CMP.prod.image) &&
          has(/LOG_LEVEL|env/, CMP.dev.logLevel, CMP.prod.logLevel)
        return ok
          ? { found: true, detail: `only the ${rows.length} differing fields, each with both values` }
          : { found: false, detail: `rows: ${JSON.stringify(rows).slice(0, 300)}` }
      }
    },
    kms: {
      how: "`resources_get {context}` twice (YAML)",
      plan: async (s) => {
        const get = (context: string): Promise<Received> => s.call("resources_get", { context, apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: CMP_NS })
        return compareVerdict(await get("dev-cluster"), await get("prod-cluster"))
      }
    },
    msk: {
      how: "`kubectl_get deployments web {context}` twice (JSON)",
      plan: async (s) => {
        const get = (context: string): Promise<Received> => s.call("kubectl_get", { resourceType: "deployments", name: "web", namespace: CMP_NS, context })
        return compareVerdict(await get("dev-cluster"), await get("prod-cluster"))
      }
    }
  }
}

const sameData = (got: Record<string, string> | undefined, want: Record<string, string>): boolean =>
  got !== undefined && Object.keys(got).length === Object.keys(want).length && Object.entries(want).every(([k, v]) => got[k] === v)

/** Task 4's check, on the target cluster with the admin client: every Deployment and ConfigMap is there, equal. */
const backupVerdict = async (ctx: Ctx, target: string): Promise<Verdict> => {
  const problems: Array<string> = []
  for (const app of BAK_APPS) {
    const d = await ctx.admin.prod.apps.readNamespacedDeployment({ name: app, namespace: target }).catch(() => undefined)
    const c = d?.spec?.template.spec?.containers[0]
    if (d === undefined) problems.push(`deployment/${app} missing`)
    else if (c?.image !== bakImage(app) || d.spec?.replicas !== 2 || c.envFrom?.[0]?.configMapRef?.name !== `${app}-config`) problems.push(`deployment/${app} differs`)
    const cm = await ctx.admin.prod.core.readNamespacedConfigMap({ name: `${app}-config`, namespace: target }).catch(() => undefined)
    if (cm === undefined) problems.push(`configmap/${app}-config missing`)
    else if (!sameData(cm.data, bakData(app))) problems.push(`configmap/${app}-config differs`)
  }
  return problems.length === 0
    ? { found: true, detail: `checked on prod-cluster: ${BAK_APPS.length} Deployments and ${BAK_APPS.length} ConfigMaps in ${target}` }
    : { found: false, detail: problems.join("; ") }
}

const task4: Task = {
  title: `4. back up namespace ${BAK_NS}'s Deployments and their ConfigMaps from dev-cluster to prod-cluster`,
  plans: {
    "kube-mcp": {
      how: "`resources_copy` ConfigMap, then Deployment (`dry_run: false`, `to_namespace`)",
      plan: async (s, ctx) => {
        const target = bakTarget("kube-mcp")
        for (const [group, kind] of [["", "ConfigMap"], ["apps", "Deployment"]] as const) {
          await s.call("resources_copy", { from_context: "dev-cluster", to_context: "prod-cluster", group, version: "v1", kind, namespace: BAK_NS, to_namespace: target, dry_run: false })
        }
        return backupVerdict(ctx, target)
      }
    },
    kms: {
      how: "`resources_list` + `resources_get` per object on dev (its lists are tables), the model strips server fields, `resources_create_or_update` of the Namespace and of each object on prod",
      plan: async (s, ctx) => {
        const target = bakTarget("kms")
        const objects: Array<Record<string, unknown>> = []
        for (const [apiVersion, kind] of [["v1", "ConfigMap"], ["apps/v1", "Deployment"]] as const) {
          const list = await s.call("resources_list", { context: "dev-cluster", apiVersion, kind, namespace: BAK_NS })
          for (const row of textTable(list.text)) {
            const name = row["NAME"] ?? ""
            if (name === "" || name === "kube-root-ca.crt") continue
            const got = await s.call("resources_get", { context: "dev-cluster", apiVersion, kind, name, namespace: BAK_NS })
            objects.push(...documents(got.text).filter((o) => str(o["kind"]) === kind))
          }
        }
        await s.call("resources_create_or_update", { context: "prod-cluster", resource: dump({ apiVersion: "v1", kind: "Namespace", metadata: { name: target } }) })
        for (const o of objects.filter(copyable)) await s.call("resources_create_or_update", { context: "prod-cluster", resource: dump(cleanManifest(o, target)) })
        return backupVerdict(ctx, target)
      }
    },
    msk: {
      how: "`kubectl_get -o yaml {context}` of ConfigMaps and of Deployments on dev, the model strips server fields, one `kubectl_apply` (Namespace + objects) on prod",
      plan: async (s, ctx) => {
        const target = bakTarget("msk")
        const objects: Array<Record<string, unknown>> = []
        for (const [resourceType, kind] of [["configmaps", "ConfigMap"], ["deployments", "Deployment"]] as const) {
          const got = await s.call("kubectl_get", { resourceType, namespace: BAK_NS, output: "yaml", context: "dev-cluster" })
          objects.push(...documents(got.text).filter((o) => str(o["kind"]) === kind))
        }
        const manifest = [{ apiVersion: "v1", kind: "Namespace", metadata: { name: target } }, ...objects.filter(copyable).map((o) => cleanManifest(o, target))]
          .map((o) => dump(o)).join("---\n")
        await s.call("kubectl_apply", { manifest, namespace: target, context: "prod-cluster" })
        return backupVerdict(ctx, target)
      }
    }
  }
}

const TASKS: ReadonlyArray<Task> = [task1, task2, task3, task4]

// ---------------------------------------------------------------------------------------------------------
// Main

interface Row {
  readonly task: string
  readonly server: ServerId
  readonly variant: string | undefined
  readonly how: string
  readonly calls: number
  readonly failedCalls: number
  readonly bytes: number
  readonly textBytes: number
  readonly argsBytes: number
  readonly seconds: number
  readonly verdict: Verdict
  readonly tools: string
}

const summarizeTools = (records: ReadonlyArray<CallRecord>): string => {
  const counts = new Map<string, number>()
  for (const r of records) counts.set(r.tool, (counts.get(r.tool) ?? 0) + 1)
  return [...counts].map(([t, n]) => `${t} ×${n}`).join(", ")
}

const kib = (b: number): string => (b >= 10_240 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`)

const main = async (): Promise<void> => {
  const only = opts.only?.split(",").map((x) => x.trim())
  const ids = SERVER_IDS.filter((id) => only === undefined || only.includes(id))
  ensurePeers(log)
  const kubectl = ensureKubectl(defaultBinDir(), log)
  const { info } = await start({ owner: "cli", log })
  const admin: Admin = {
    dev: { core: adminKubeConfig(info, "dev").makeApiClient(CoreV1Api), apps: adminKubeConfig(info, "dev").makeApiClient(AppsV1Api) },
    prod: { core: adminKubeConfig(info, "prod").makeApiClient(CoreV1Api), apps: adminKubeConfig(info, "prod").makeApiClient(AppsV1Api) }
  }

  // Ours: one bundle built from this tree, run from a temp dir (no dist/ a concurrent build could empty)
  const buildDir = mkdtempSync(join(tmpdir(), "kube-mcp-tasks-"))
  const outdir = join(buildDir, "dist")
  execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", outdir], { cwd: REPO, stdio: "pipe" })
  const rev = run("git", ["rev-parse", "--short", "HEAD"])
  const dirty = run("git", ["status", "--porcelain", "--", "src"]) !== "" ? " + uncommitted src changes" : ""
  const pkg: unknown = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"))
  const versions: Record<ServerId, string> = {
    "kube-mcp": `${isRecord(pkg) ? str(pkg["version"]) : "?"} (git ${rev}${dirty}), bundle of \`node scripts/build.mjs\`, default settings`,
    kms: `${run(KMS_BIN, ["--version"])} (npm ${installedVersion("kubernetes-mcp-server-linux-amd64") ?? "?"}), platform binary, default settings`,
    msk: `${installedVersion("mcp-server-kubernetes") ?? "?"} with ${run(kubectl, ["version", "--client"]).split("\n")[0] ?? "kubectl"}, \`SPAWN_MAX_BUFFER=64MiB\`, otherwise default settings`
  }

  const fleet = await makeFleet(info.kubeconfig)
  const kc = new KubeConfig()
  kc.loadFromFile(fleet.kubeconfig)
  const prodCluster = kc.getContextObject("prod-cluster")?.cluster
  const prodContexts = kc.contexts.filter((c) => c.cluster === prodCluster && c.name !== "restricted").map((c) => c.name).sort()
  const ctx: Ctx = { fleet, prodContexts, admin }
  const env = baseEnv(dirname(kubectl))
  const launches: Record<ServerId, Launch> = {
    "kube-mcp": oursStdio(join(outdir, "main.js"), ["--kubeconfig", fleet.kubeconfig], env),
    kms: kmsStdio(fleet.kubeconfig, env),
    msk: mskStdio(fleet.kubeconfig, env)
  }

  const rows: Array<Row> = []
  let podsInClusters = "?"
  const cleanup = async (): Promise<void> => {
    if (opts.keep) return
    await unseed(admin).catch((e: unknown) => log(`cleanup failed: ${String(e)}`))
    log("deleting the kmcp-tasks-* namespaces (the namespace controller finishes in the background)")
  }
  try {
    await seed(admin, info.workload.kwokNode)
    // the per-context lists of task 2 carry every pod of the cluster, other engineers' included
    const [devPods, prodPods] = await Promise.all([admin.dev.core.listPodForAllNamespaces(), admin.prod.core.listPodForAllNamespaces()])
    podsInClusters = `${devPods.items.length} on dev-cluster, ${prodPods.items.length} on prod-cluster`
    for (const id of ids) {
      const s = await openSession(id, launches[id])
      try {
        const ways = TASKS.flatMap((task) => [
          { task, variant: undefined, ...task.plans[id] },
          ...(task.alternatives ?? []).filter((a) => a.server === id)
            .map((a) => ({ task, variant: a.variant, how: a.how, plan: a.plan }))
        ])
        for (const { task, variant, how, plan } of ways) {
          s.reset()
          const t0 = performance.now()
          let verdict: Verdict
          try {
            verdict = await plan(s, ctx)
          } catch (e) {
            verdict = { found: false, detail: `script failed: ${e instanceof Error ? e.message : String(e)}` }
          }
          const seconds = (performance.now() - t0) / 1000
          const rec = s.records()
          const sum = (f: (r: CallRecord) => number): number => rec.reduce((n, r) => n + f(r), 0)
          rows.push({
            task: task.title,
            server: id,
            variant,
            how,
            calls: rec.length,
            failedCalls: rec.filter((r) => !r.ok).length,
            bytes: sum((r) => r.bytes),
            textBytes: sum((r) => r.textBytes),
            argsBytes: sum((r) => r.argsBytes),
            seconds,
            verdict,
            tools: summarizeTools(rec)
          })
          log(`${task.title.slice(0, 2)} ${id}${variant === undefined ? "" : ` (${variant})`}: ${rec.length} calls, ${sum((r) => r.bytes)} B, answer ${verdict.found ? "found" : "NOT found"} (${verdict.detail}) in ${seconds.toFixed(1)} s`)
        }
      } finally {
        await s.close().catch(() => undefined)
      }
    }
  } finally {
    await fleet.close()
    await cleanup()
    rmSync(buildDir, { recursive: true, force: true })
  }

  const md = [
    "## Calls and bytes a model needs (issue #12)",
    "",
    `Run ${new Date().toISOString()} with \`npm run bench:tasks\` (bench/tasks.ts): each server over stdio with the MCP SDK \`Client\`, ` +
      "the same control plane and the same kubeconfig (test/support/fleet.ts: 12 contexts on the two API servers — aliases with other default namespaces, " +
      "the namespace-restricted user, a black-holed address and a refused port).",
    "",
    `- machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${run("uname", ["-sr"])}, Node ${process.version}; load ${loadavg().map((x) => x.toFixed(2)).join(" / ")} at the end`,
    `- control plane: kube-apiserver 1.37.2 ×2 (dev-cluster with a kwok node, prod-cluster without nodes), shared with other engineers' test runs`,
    ...ids.map((id) => `- ${TITLE[id]}: ${versions[id]}`),
    `- seed (namespaces kmcp-tasks-*, deleted afterwards): ${IMG_NS.length * IMG_PODS} pods with ${SEEDED_IMAGES.length} distinct images in ${IMG_NS.length} namespaces on dev; ` +
      `pod ${CRASHY} in CrashLoopBackOff on prod; Deployment web on both (replicas ${CMP.dev.replicas}/${CMP.prod.replicas}, image tag 1.5/1.4, LOG_LEVEL ${CMP.dev.logLevel}/${CMP.prod.logLevel}); ` +
      `${BAK_APPS.length} Deployments with a ConfigMap each in ${BAK_NS} on dev; pods in all namespaces after seeding: ${podsInClusters}`,
    "",
    "Calls: every tools/call the script made (what a model would have to make, one turn each unless it issues them in parallel). " +
      "Result bytes: the JSON-RPC result as received, compact (text content + structuredContent); text: the text content alone (what a text-first client hands the model). " +
      "Argument bytes: JSON of the arguments the model has to write. Answer found: checked in code (task 1 every seeded image in the results; task 2 the crash-looping pod " +
      "shown for every prod context, every live context answered, the dead ones reported; task 3 replicas, image and LOG_LEVEL of both sides; task 4 read back on prod-cluster with the admin client). " +
      "Both peers take `context` on every tool used here and honour it (task 3 reads prod's values, task 4's objects land on prod). " +
      "Wall time includes each server's own timeout for the black-holed context (all defaults: kube-mcp's request timeout 30 s; kubernetes-mcp-server 10 s; kubectl's TLS handshake timeouts with retries under mcp-server-kubernetes).",
    "",
    "| task | server | calls | result bytes (text) | argument bytes | answer found | wall s | how / notes |",
    "|---|---|---:|---:|---:|---|---:|---|",
    ...[...rows].sort((a, b) => TASKS.findIndex((t) => t.title === a.task) - TASKS.findIndex((t) => t.title === b.task)).map((r) =>
      `| ${r.task} | ${TITLE[r.server]}${r.variant === undefined ? "" : ` (${r.variant})`} | ${r.calls}${r.failedCalls > 0 ? ` (${r.failedCalls} errors)` : ""} | ${kib(r.bytes)} (${kib(r.textBytes)}) | ${kib(r.argsBytes)} | ` +
      `${r.verdict.found ? "yes" : "**no**"} | ${r.seconds.toFixed(1)} | ${r.how}: ${r.tools}. ${r.verdict.detail.replace(/\|/g, "\\|")} |`
    )
  ].join("\n")
  process.stdout.write(md + "\n")
}

main().catch((e: unknown) => {
  log(`FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  process.exit(1)
})
