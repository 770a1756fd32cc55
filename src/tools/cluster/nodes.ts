/** nodes_summary: the health and size of nodes at a glance, one node in depth (kube/nodes.ts reads them). */
import { Effect, Schema } from "effect"
import { type NodeSummary, summarizeNode, summarizeNodes } from "../../kube/nodes.js"
import { document, ObjectOutput, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { LabelSelector, Name } from "../params.js"

const COLUMNS = ["name", "ready", "roles", "pods", "cpu", "memory", "taints", "conditions", "version", "age"]

const podsNote = "pod counts unknown: this context's user may not list pods in all namespaces"

const detail = (n: NodeSummary) => ({
  name: n.name,
  ready: n.ready,
  roles: n.roles,
  ...(n.unschedulable ? { unschedulable: true } : {}),
  conditions: n.problems.length === 0
    ? "all nominal (Ready=True, no pressure or other problem condition set)"
    : n.problems.map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(c.message !== undefined ? { message: c.message } : {}),
      ...(typeof c.lastTransitionTime === "string" ? { since: c.lastTransitionTime } : {})
    })),
  taints: n.taints,
  capacity: n.capacity,
  allocatable: n.allocatable,
  pods: n.pods === undefined ? podsNote : { onNode: n.pods, allocatable: n.allocatable.pods },
  kubeletVersion: n.kubeletVersion,
  containerRuntime: n.containerRuntime,
  osImage: n.osImage,
  kernelVersion: n.kernelVersion,
  architecture: n.architecture,
  addresses: n.addresses,
  age: n.age,
  created: n.created ?? ""
})

const row = (n: NodeSummary): Array<string> => [
  n.name,
  n.ready,
  n.roles.join(",") || "<none>",
  `${n.pods ?? "?"}/${n.allocatable.pods}`,
  `${n.allocatable.cpu}/${n.capacity.cpu}`,
  `${n.allocatable.memory}/${n.capacity.memory}`,
  n.taints.join(",") || "<none>",
  n.problems.map((c) => `${c.type}=${c.status}${c.reason !== undefined && c.reason !== "" ? ` (${c.reason})` : ""}`).join(", ") || "<none>",
  n.kubeletVersion,
  n.age
]

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
  run: (input, kube) =>
    Effect.gen(function*() {
      if (input.name !== undefined) return document(detail(yield* summarizeNode(input.name)))
      const { nodes, podsCounted } = yield* summarizeNodes(input.label_selector)
      if (nodes.length === 0) {
        const why = input.label_selector !== undefined ? ` matching "${input.label_selector}"` : ""
        return table({
          columns: COLUMNS,
          rows: [],
          summary: `no nodes${why} in context "${kube.info.name}"${why === "" ? " (no kubelet has registered with this cluster)" : ""}.`
        })
      }
      return table({
        columns: COLUMNS,
        rows: nodes.map(row),
        summary: `${nodes.length} node(s). pods: on the node (not Succeeded/Failed)/allocatable; cpu, memory: allocatable/capacity.${podsCounted ? "" : ` (${podsNote})`}`,
        narrow: "name (one node in detail) or label_selector"
      })
    })
})
