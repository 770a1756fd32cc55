/**
 * Nodes: the Node Schema (the fields kube-mcp reads), how a node's state reads (readiness, roles, the
 * conditions that need attention, taints, allocatable/capacity), how many pods it holds, and its usage from
 * metrics.k8s.io as `kubectl top node` computes it.
 */
import { Clock, Effect, Schema } from "effect"
import { ApiError, type KubeError } from "../errors.js"
import { callJson } from "./call.js"
import { access, Kube } from "./Kube.js"
import { age, ListMeta, ObjectMeta } from "./meta.js"
import { cpuMillicores, fetchMetrics, memoryMiB, METRICS_API, quantityValue } from "./metrics.js"
import { pageQuery, readAllPages, Table, TABLE_ACCEPT } from "./paging.js"
import { selectorValue } from "./scope.js"

const ResourceList = Schema.Record(Schema.String, Schema.String)

export const NodeCondition = Schema.Struct({
  type: Schema.String,
  status: Schema.String,
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  // null when the writer left it unset
  lastTransitionTime: Schema.optionalKey(Schema.NullOr(Schema.String))
})
export type NodeCondition = typeof NodeCondition.Type

export const Node = Schema.Struct({
  metadata: ObjectMeta,
  spec: Schema.optionalKey(Schema.Struct({
    unschedulable: Schema.optionalKey(Schema.Boolean),
    taints: Schema.optionalKey(Schema.Array(Schema.Struct({
      key: Schema.String,
      value: Schema.optionalKey(Schema.String),
      effect: Schema.String
    })))
  })),
  status: Schema.optionalKey(Schema.Struct({
    capacity: Schema.optionalKey(ResourceList),
    allocatable: Schema.optionalKey(ResourceList),
    conditions: Schema.optionalKey(Schema.Array(NodeCondition)),
    addresses: Schema.optionalKey(Schema.Array(Schema.Struct({ type: Schema.String, address: Schema.String }))),
    nodeInfo: Schema.optionalKey(Schema.Struct({
      kubeletVersion: Schema.optionalKey(Schema.String),
      containerRuntimeVersion: Schema.optionalKey(Schema.String),
      osImage: Schema.optionalKey(Schema.String),
      kernelVersion: Schema.optionalKey(Schema.String),
      architecture: Schema.optionalKey(Schema.String)
    }))
  }))
})
export type Node = typeof Node.Type

const NodeList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(Node) })

const nodePath = (name: string) => `/api/v1/nodes/${encodeURIComponent(name)}`

export const getNode = (name: string): Effect.Effect<Node, KubeError, Kube> =>
  callJson(access({ verb: "get", resource: "nodes", name, clusterScoped: true }), { path: nodePath(name) }, Node)

/** Every node (in name order): nodes are few, and a summary without some of them would mislead. */
export const listNodes = (labelSelector?: string): Effect.Effect<Array<Node>, KubeError, Kube> =>
  readAllPages(access({ verb: "list", resource: "nodes", clusterScoped: true }), { path: "/api/v1/nodes", query: { labelSelector } }, NodeList).pipe(
    Effect.map((r) => r.items.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)))
  )

/** The Ready condition's status: "True", "False" or "Unknown" (also when the kubelet never reported). */
export const nodeReady = (n: Node): string => n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown"

const ROLE_PREFIX = "node-role.kubernetes.io/"

/** node-role.kubernetes.io/<role> labels, plus the legacy kubernetes.io/role label (kubectl reads both). */
export const nodeRoles = (n: Node): Array<string> => {
  const found = new Set<string>()
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length) found.add(k.slice(ROLE_PREFIX.length))
    else if (k === "kubernetes.io/role" && v !== "") found.add(v)
  }
  return [...found].sort()
}

/**
 * Conditions needing attention: Ready must be True; every other condition (the kubelet's pressure ones,
 * NetworkUnavailable, node-problem-detector's) is a problem flag, nominal only when False — Unknown means
 * the kubelet stopped reporting, which is worth seeing too.
 */
export const nodeProblems = (n: Node): Array<NodeCondition> =>
  (n.status?.conditions ?? []).filter((c) => (c.type === "Ready" ? c.status !== "True" : c.status !== "False"))

/** As kubectl prints them: key[=value]:effect. */
export const nodeTaints = (n: Node): Array<string> =>
  (n.spec?.taints ?? []).map((t) => `${t.key}${t.value !== undefined && t.value !== "" ? `=${t.value}` : ""}:${t.effect}`)

export interface NodeResources {
  readonly cpu: string
  readonly memory: string
  readonly pods: string
}

/** The API server normalises quantities ("1000" pods comes back as "1k"); a pod count reads better plain. */
const plain = (q: string | undefined): string => {
  const n = q !== undefined ? quantityValue(q) : undefined
  return n !== undefined && Number.isInteger(n) ? String(n) : q ?? ""
}

const resources = (list: Readonly<Record<string, string>> | undefined): NodeResources => ({
  cpu: list?.["cpu"] ?? "",
  memory: list?.["memory"] ?? "",
  pods: plain(list?.["pods"])
})


/**
 * Pods that hold a node's resources (not Succeeded/Failed), counted by node name. One paginated list of all
 * namespaces (narrowed to one node by field selector when only one is asked) instead of one list per node,
 * read as a Table without objects: only the printed columns travel (about 1/20 of full pod objects).
 */
export const countPodsPerNode = (node?: string): Effect.Effect<Map<string, number>, KubeError, Kube> =>
  Effect.gen(function*() {
    const counts = new Map<string, number>()
    const fieldSelector = [
      ...(node !== undefined ? [`spec.nodeName=${selectorValue(node)}`] : []),
      "status.phase!=Succeeded",
      "status.phase!=Failed"
    ].join(",")
    let token: string | undefined
    do {
      const page = yield* callJson(
        access({ verb: "list", resource: "pods" }),
        { path: "/api/v1/pods", query: { ...pageQuery({ fieldSelector, continue: token }), includeObject: "None" }, accept: TABLE_ACCEPT },
        Table
      )
      const column = page.columnDefinitions.findIndex((c) => c.name === "Node")
      if (column < 0) {
        const kube = yield* Kube
        return yield* new ApiError({ context: kube.info.name, code: 200, message: "The API server's pod table has no Node column; cannot count pods per node" })
      }
      for (const row of page.rows) {
        const name = row.cells[column]
        if (typeof name === "string" && name !== "" && name !== "<none>") counts.set(name, (counts.get(name) ?? 0) + 1)
      }
      token = page.metadata?.continue
    } while (token !== undefined && token !== "")
    return counts
  })

/** The pod count is a courtesy: a user who may read nodes but not pods still gets the rest. */
const countPodsOrUnknown = (node?: string) => countPodsPerNode(node).pipe(Effect.catchTag("Forbidden", () => Effect.succeed(undefined)))

/** A node as nodes_summary shows it. */
export interface NodeSummary {
  readonly name: string
  readonly ready: string
  readonly roles: ReadonlyArray<string>
  readonly unschedulable: boolean
  /** Conditions that are not nominal (see nodeProblems); empty when all are. */
  readonly problems: ReadonlyArray<NodeCondition>
  readonly taints: ReadonlyArray<string>
  readonly capacity: NodeResources
  readonly allocatable: NodeResources
  /** Pods on the node (not Succeeded/Failed); undefined when this user may not list pods. */
  readonly pods: number | undefined
  readonly kubeletVersion: string
  readonly containerRuntime: string
  readonly osImage: string
  readonly kernelVersion: string
  readonly architecture: string
  /** "InternalIP: 10.0.0.1". */
  readonly addresses: ReadonlyArray<string>
  readonly created: string | undefined
  readonly age: string
}

const summary = (n: Node, counts: Map<string, number> | undefined, now: number): NodeSummary => ({
  name: n.metadata.name,
  ready: nodeReady(n),
  roles: nodeRoles(n),
  unschedulable: n.spec?.unschedulable === true,
  problems: nodeProblems(n),
  taints: nodeTaints(n),
  capacity: resources(n.status?.capacity),
  allocatable: resources(n.status?.allocatable),
  pods: counts === undefined ? undefined : counts.get(n.metadata.name) ?? 0,
  kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? "",
  containerRuntime: n.status?.nodeInfo?.containerRuntimeVersion ?? "",
  osImage: n.status?.nodeInfo?.osImage ?? "",
  kernelVersion: n.status?.nodeInfo?.kernelVersion ?? "",
  architecture: n.status?.nodeInfo?.architecture ?? "",
  addresses: (n.status?.addresses ?? []).map((a) => `${a.type}: ${a.address}`),
  created: n.metadata.creationTimestamp,
  age: age(n.metadata.creationTimestamp, now)
})

/** One node with its pod count (NotFound for an unknown name). */
export const summarizeNode = (name: string): Effect.Effect<NodeSummary, KubeError, Kube> =>
  Effect.gen(function*() {
    const node = yield* getNode(name)
    const counts = yield* countPodsOrUnknown(node.metadata.name)
    return summary(node, counts, yield* Clock.currentTimeMillis)
  })

export interface NodesSummary {
  /** In name order. */
  readonly nodes: ReadonlyArray<NodeSummary>
  /** False when this user may not list pods (every `pods` is then undefined). */
  readonly podsCounted: boolean
}

/** Every node (matching the selector) with its pod count; no pod is listed when there is no node. */
export const summarizeNodes = (labelSelector?: string): Effect.Effect<NodesSummary, KubeError, Kube> =>
  Effect.gen(function*() {
    const nodes = yield* listNodes(labelSelector)
    if (nodes.length === 0) return { nodes: [], podsCounted: true }
    const only = nodes.length === 1 ? nodes[0]?.metadata.name : undefined
    const counts = yield* countPodsOrUnknown(only)
    const now = yield* Clock.currentTimeMillis
    return { nodes: nodes.map((n) => summary(n, counts, now)), podsCounted: counts !== undefined }
  })

const NodeMetrics = Schema.Struct({
  metadata: ObjectMeta,
  usage: Schema.Struct({ cpu: Schema.String, memory: Schema.String })
})
type NodeMetrics = typeof NodeMetrics.Type
const NodeMetricsList = Schema.Struct({ items: Schema.Array(NodeMetrics) })

/** A node's usage as kubectl top node computes it; undefined where the sample is missing or malformed. */
export interface NodeUsage {
  readonly name: string
  /** False when metrics-server has no sample of this node yet. */
  readonly sampled: boolean
  /** Millicores, rounded up. */
  readonly cpu: number | undefined
  /** Percent of allocatable cpu, truncated. */
  readonly cpuPercent: number | undefined
  /** MiB, truncated. */
  readonly memory: number | undefined
  /** Percent of allocatable memory, truncated. */
  readonly memoryPercent: number | undefined
}

const percent = (used: string | undefined, of: string | undefined): number | undefined => {
  const u = used !== undefined ? quantityValue(used) : undefined
  const o = of !== undefined ? quantityValue(of) : undefined
  return u !== undefined && o !== undefined && o > 0 ? Math.floor((u / o) * 100) : undefined
}

const usageOf = (n: Node, usage: NodeMetrics["usage"] | undefined): NodeUsage => ({
  name: n.metadata.name,
  sampled: usage !== undefined,
  cpu: usage !== undefined ? cpuMillicores(usage.cpu) : undefined,
  cpuPercent: percent(usage?.cpu, n.status?.allocatable?.["cpu"]),
  memory: usage !== undefined ? memoryMiB(usage.memory) : undefined,
  memoryPercent: percent(usage?.memory, n.status?.allocatable?.["memory"])
})

/**
 * One node's usage. The node is read first: it gives allocatable, and a NotFound for an unknown name before
 * any metrics question; a served API without a sample for it yet gives `sampled: false`, like kubectl.
 */
export const topNode = (name: string): Effect.Effect<NodeUsage, KubeError, Kube> =>
  Effect.gen(function*() {
    const node = yield* getNode(name)
    const metrics = yield* fetchMetrics(
      access({ verb: "get", resource: "nodes", group: "metrics.k8s.io", name, clusterScoped: true }),
      { path: `${METRICS_API}/nodes/${encodeURIComponent(name)}` },
      NodeMetrics
    ).pipe(Effect.map((m): NodeMetrics | undefined => m), Effect.catchTag("NotFound", () => Effect.succeed(undefined)))
    return usageOf(node, metrics?.usage)
  })

/** Every node's usage (matching the selector), in name order; nodes without a sample included. */
export const topNodes = (labelSelector?: string): Effect.Effect<ReadonlyArray<NodeUsage>, KubeError, Kube> =>
  Effect.gen(function*() {
    const nodes = yield* listNodes(labelSelector)
    const metrics = yield* fetchMetrics(
      access({ verb: "list", resource: "nodes", group: "metrics.k8s.io", clusterScoped: true }),
      { path: `${METRICS_API}/nodes`, query: { labelSelector } },
      NodeMetricsList
    )
    const usage = new Map(metrics.items.map((m) => [m.metadata.name, m.usage]))
    return nodes.map((n) => usageOf(n, usage.get(n.metadata.name)))
  })

// ---- cordon / uncordon ----

export interface Schedulability {
  readonly name: string
  readonly action: "cordoned" | "already cordoned" | "uncordoned" | "already schedulable"
  readonly dryRun: boolean
  readonly resourceVersion: string
}

/**
 * Marks a node unschedulable (cordon) or schedulable again (uncordon) with a merge patch of
 * spec.unschedulable, as kubectl does; nothing is sent when the node already is so. Pods already on the node stay.
 */
export const setUnschedulable = (name: string, unschedulable: boolean, dryRun: boolean): Effect.Effect<Schedulability, KubeError, Kube> =>
  Effect.gen(function*() {
    const node = yield* getNode(name)
    const already = (node.spec?.unschedulable === true) === unschedulable
    const action = unschedulable ? (already ? "already cordoned" : "cordoned") : already ? "already schedulable" : "uncordoned"
    if (already) return { name: node.metadata.name, action, dryRun, resourceVersion: node.metadata.resourceVersion ?? "" }
    const patched = yield* callJson(access({ verb: "patch", resource: "nodes", name, clusterScoped: true }), {
      method: "PATCH",
      path: nodePath(name),
      query: { dryRun: dryRun ? "All" : undefined },
      // false is omitted by the API server (omitempty), as kubectl uncordon leaves it
      body: { spec: { unschedulable } },
      contentType: "application/merge-patch+json"
    }, Node)
    return { name: node.metadata.name, action, dryRun, resourceVersion: patched.metadata.resourceVersion ?? "" }
  })
