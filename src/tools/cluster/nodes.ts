/** nodes_summary: the health and size of nodes at a glance, one node in depth. */
import { Effect, Schema } from "effect"
import { access, type Kube, type KubeApi } from "../../kube/Kube.js"
import { ApiError, type KubeError } from "../../errors.js"
import { callJson } from "../../kube/call.js"
import { quantityValue } from "../../kube/metrics.js"
import { age, ListMeta, ObjectMeta } from "../../kube/meta.js"
import { document, ObjectOutput, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { LabelSelector, Name } from "../params.js"
import { PAGE_SIZE, readAllPages } from "../../kube/paging.js"

const ResourceList = Schema.Record(Schema.String, Schema.String)

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
    conditions: Schema.optionalKey(Schema.Array(Schema.Struct({
      type: Schema.String,
      status: Schema.String,
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String),
      // null when the writer left it unset
      lastTransitionTime: Schema.optionalKey(Schema.NullOr(Schema.String))
    }))),
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

/** A list of pods in Table form: only the printed columns travel (about 1/20 of full pod objects). */
const PodTable = Schema.Struct({
  metadata: Schema.optionalKey(ListMeta),
  columnDefinitions: Schema.Array(Schema.Struct({ name: Schema.String })),
  rows: Schema.Array(Schema.Struct({ cells: Schema.Array(Schema.Unknown) }))
})
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"

/** Every node: the tool has no limit, the budget cuts the table instead. */
export const listNodes = (cluster: KubeApi, labelSelector: string | undefined) =>
  readAllPages(access({ verb: "list", resource: "nodes" }), { path: "/api/v1/nodes", query: { labelSelector } }, NodeList).pipe(
    Effect.map((r) => r.items)
  )

/**
 * Pods that hold a node's resources (not Succeeded/Failed), counted by node name. One paginated list of
 * all namespaces (narrowed to a node by field selector when only one is asked) instead of one per node.
 */
const countPods = (cluster: KubeApi, node: string | undefined): Effect.Effect<Map<string, number>, KubeError, Kube> =>
  Effect.gen(function*() {
    const counts = new Map<string, number>()
    const fieldSelector = [
      ...(node !== undefined ? [`spec.nodeName=${node}`] : []),
      "status.phase!=Succeeded",
      "status.phase!=Failed"
    ].join(",")
    let token: string | undefined
    do {
      const page = yield* callJson(access({ verb: "list", resource: "pods" }),
        { path: "/api/v1/pods", query: { fieldSelector, limit: PAGE_SIZE, continue: token, includeObject: "None" }, accept: TABLE },
        PodTable
      )
      const column = page.columnDefinitions.findIndex((c) => c.name === "Node")
      if (column < 0) {
        return yield* new ApiError({ context: cluster.info.name, code: 200, message: "The API server's pod table has no Node column; cannot count pods per node" })
      }
      for (const row of page.rows) {
        const name = row.cells[column]
        if (typeof name === "string" && name !== "" && name !== "<none>") counts.set(name, (counts.get(name) ?? 0) + 1)
      }
      token = page.metadata?.continue
    } while (token !== undefined && token !== "")
    return counts
  })

const ready = (n: Node): string => n.status?.conditions?.find((c) => c.type === "Ready")?.status ?? "Unknown"

/** node-role.kubernetes.io/<role> labels, plus the legacy kubernetes.io/role label (kubectl reads both). */
const roles = (n: Node): Array<string> => {
  const labels = n.metadata.labels ?? {}
  const found = new Set<string>()
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith("node-role.kubernetes.io/") && k.length > "node-role.kubernetes.io/".length) {
      found.add(k.slice("node-role.kubernetes.io/".length))
    } else if (k === "kubernetes.io/role" && v !== "") found.add(v)
  }
  return [...found].sort()
}

/**
 * Conditions needing attention: Ready must be True; every other condition (the kubelet's pressure ones,
 * NetworkUnavailable, node-problem-detector's) is a problem flag, nominal only when False — Unknown means
 * the kubelet stopped reporting, which is worth seeing too.
 */
const problems = (n: Node) =>
  (n.status?.conditions ?? []).filter((c) => (c.type === "Ready" ? c.status !== "True" : c.status !== "False"))

const taints = (n: Node): Array<string> =>
  (n.spec?.taints ?? []).map((t) => `${t.key}${t.value !== undefined && t.value !== "" ? `=${t.value}` : ""}:${t.effect}`)

/** The API server normalises quantities ("1000" pods comes back as "1k"); a pod count reads better plain. */
const plain = (q: string | undefined): string => {
  const n = q !== undefined ? quantityValue(q) : undefined
  return n !== undefined && Number.isInteger(n) ? String(n) : q ?? ""
}

const resources = (list: Readonly<Record<string, string>> | undefined) => ({
  cpu: list?.["cpu"] ?? "",
  memory: list?.["memory"] ?? "",
  pods: plain(list?.["pods"])
})

/** "n" or "?" when the pods could not be listed (see podsNote). */
const podCount = (counts: Map<string, number> | undefined, node: string): string =>
  counts === undefined ? "?" : String(counts.get(node) ?? 0)

const podsNote = "pod counts unknown: this context's user may not list pods in all namespaces"

/** The pod count is a courtesy: a user who may read nodes but not pods still gets the rest. */
const countPodsOrUnknown = (cluster: KubeApi, node: string | undefined) =>
  countPods(cluster, node).pipe(Effect.catchTag("Forbidden", () => Effect.succeed(undefined)))

const detail = (n: Node, counts: Map<string, number> | undefined, now: number) => {
  const bad = problems(n)
  return {
    name: n.metadata.name,
    ready: ready(n),
    roles: roles(n),
    ...(n.spec?.unschedulable === true ? { unschedulable: true } : {}),
    conditions: bad.length === 0
      ? "all nominal (Ready=True, no pressure or other problem condition set)"
      : bad.map((c) => ({
        type: c.type,
        status: c.status,
        ...(c.reason !== undefined ? { reason: c.reason } : {}),
        ...(c.message !== undefined ? { message: c.message } : {}),
        ...(typeof c.lastTransitionTime === "string" ? { since: c.lastTransitionTime } : {})
      })),
    taints: taints(n),
    capacity: resources(n.status?.capacity),
    allocatable: resources(n.status?.allocatable),
    pods: counts === undefined ? podsNote : { onNode: counts.get(n.metadata.name) ?? 0, allocatable: plain(n.status?.allocatable?.["pods"]) },
    kubeletVersion: n.status?.nodeInfo?.kubeletVersion ?? "",
    containerRuntime: n.status?.nodeInfo?.containerRuntimeVersion ?? "",
    osImage: n.status?.nodeInfo?.osImage ?? "",
    kernelVersion: n.status?.nodeInfo?.kernelVersion ?? "",
    architecture: n.status?.nodeInfo?.architecture ?? "",
    addresses: (n.status?.addresses ?? []).map((a) => `${a.type}: ${a.address}`),
    age: age(n.metadata.creationTimestamp, now),
    created: n.metadata.creationTimestamp ?? ""
  }
}

const COLUMNS = ["name", "ready", "roles", "pods", "cpu", "memory", "taints", "conditions", "version", "age"]

const row = (n: Node, counts: Map<string, number> | undefined, now: number): Array<string> => {
  const alloc = resources(n.status?.allocatable)
  const cap = resources(n.status?.capacity)
  const bad = problems(n).map((c) => `${c.type}=${c.status}${c.reason !== undefined && c.reason !== "" ? ` (${c.reason})` : ""}`)
  return [
    n.metadata.name,
    ready(n),
    roles(n).join(",") || "<none>",
    `${podCount(counts, n.metadata.name)}/${alloc.pods}`,
    `${alloc.cpu}/${cap.cpu}`,
    `${alloc.memory}/${cap.memory}`,
    taints(n).join(",") || "<none>",
    bad.join(", ") || "<none>",
    n.status?.nodeInfo?.kubeletVersion ?? "",
    age(n.metadata.creationTimestamp, now)
  ]
}

export const nodesSummary = clusterTool({
  name: "nodes_summary",
  description:
    "Summarise the cluster's nodes: readiness, roles, conditions that are not nominal (Ready not True, or MemoryPressure/DiskPressure/PIDPressure/NetworkUnavailable set), taints, allocatable/capacity of cpu, memory and pods, the number of pods on the node (not Succeeded/Failed) and the kubelet version. Without name: one row per node; with name: that node in detail.",
  params: Schema.Struct({
    name: Schema.optionalKey(Name.annotate({ description: "node name; omit to summarise every node" })),
    label_selector: Schema.optionalKey(LabelSelector.annotate({
      description: "only nodes matching this label selector, e.g. node-role.kubernetes.io/worker"
    }))
  }),
  output: Schema.Union([TableOutput, ObjectOutput]),
  annotations: { title: "Summarise nodes", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const now = Date.now()
      if (input.name !== undefined) {
        const node = yield* callJson(access({ verb: "get", resource: "nodes", name: input.name }),
          { path: `/api/v1/nodes/${encodeURIComponent(input.name)}` },
          Node
        )
        const counts = yield* countPodsOrUnknown(cluster, node.metadata.name)
        return document(detail(node, counts, now))
      }
      const nodes = yield* listNodes(cluster, input.label_selector)
      if (nodes.length === 0) {
        const why = input.label_selector !== undefined ? ` matching "${input.label_selector}"` : ""
        return table({
          columns: COLUMNS,
          rows: [],
          summary: `no nodes${why} in context "${cluster.info.name}"${why === "" ? " (no kubelet has registered with this cluster)" : ""}.`
        })
      }
      const counts = nodes.length === 1 && nodes[0] !== undefined
        ? yield* countPodsOrUnknown(cluster, nodes[0].metadata.name)
        : yield* countPodsOrUnknown(cluster, undefined)
      const sorted = [...nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      return table({
        columns: COLUMNS,
        rows: sorted.map((n) => row(n, counts, now)),
        summary: `${nodes.length} node(s). pods: on the node (not Succeeded/Failed)/allocatable; cpu, memory: allocatable/capacity.${counts === undefined ? ` (${podsNote})` : ""}`,
        narrow: "name (one node in detail) or label_selector"
      })
    })
})
