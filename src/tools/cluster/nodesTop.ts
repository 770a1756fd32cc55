/** nodes_top: node cpu and memory usage from metrics.k8s.io, as `kubectl top node` shows it. */
import { Effect, Schema } from "effect"
import { access } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { cpuMillicores, fetchMetrics, memoryMiB, METRICS_API, quantityValue } from "../../kube/metrics.js"
import { ObjectMeta } from "../../kube/meta.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { LabelSelector, Name } from "../params.js"
import { listNodes, Node } from "./nodes.js"

const NodeMetrics = Schema.Struct({
  metadata: ObjectMeta,
  usage: Schema.Struct({ cpu: Schema.String, memory: Schema.String })
})
type NodeMetrics = typeof NodeMetrics.Type
const NodeMetricsList = Schema.Struct({ items: Schema.Array(NodeMetrics) })

/** kubectl top's arithmetic: millicores rounded up, MiB truncated, percent of allocatable truncated. */
export const usageRow = (name: string, usage: NodeMetrics["usage"] | undefined, allocatable: Readonly<Record<string, string>> | undefined) => {
  const unknown = "<unknown>"
  const cpu = usage !== undefined ? quantityValue(usage.cpu) : undefined
  const memory = usage !== undefined ? quantityValue(usage.memory) : undefined
  const cpuAlloc = allocatable?.["cpu"] !== undefined ? quantityValue(allocatable["cpu"]) : undefined
  const memAlloc = allocatable?.["memory"] !== undefined ? quantityValue(allocatable["memory"]) : undefined
  const millicores = usage !== undefined ? cpuMillicores(usage.cpu) : undefined
  const mib = usage !== undefined ? memoryMiB(usage.memory) : undefined
  const pct = (used: number | undefined, of: number | undefined) =>
    used !== undefined && of !== undefined && of > 0 ? `${Math.floor((used / of) * 100)}%` : unknown
  return [
    name,
    millicores !== undefined ? `${millicores}m` : unknown,
    pct(cpu, cpuAlloc),
    mib !== undefined ? `${mib}Mi` : unknown,
    pct(memory, memAlloc)
  ]
}

export const nodesTop = clusterTool({
  name: "nodes_top",
  description:
    "Show node cpu and memory usage from metrics.k8s.io (like kubectl top node): cpu in millicores, memory in MiB, each with the percentage of the node's allocatable. Fails with MetricsUnavailable when the cluster does not serve metrics.k8s.io (no metrics-server).",
  params: Schema.Struct({
    name: Schema.optionalKey(Name.annotate({ description: "node name; omit for every node" })),
    label_selector: Schema.optionalKey(LabelSelector.annotate({ description: "only nodes matching this label selector, e.g. type=kwok" }))
  }),
  output: TableOutput,
  annotations: { title: "Node resource usage", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      // Nodes first: they give allocatable, and a NotFound for an unknown name before any metrics question.
      const nodes = input.name !== undefined
        ? [
          yield* callJson(access({ verb: "get", resource: "nodes", name: input.name }),
            { path: `/api/v1/nodes/${encodeURIComponent(input.name)}` },
            Node
          )
        ]
        : yield* listNodes(cluster, input.label_selector)
      const metrics = input.name !== undefined
        ? yield* fetchMetrics(access({ verb: "get", resource: "nodes", group: "metrics.k8s.io", name: input.name }),
          { path: `${METRICS_API}/nodes/${encodeURIComponent(input.name)}` },
          NodeMetrics
        ).pipe(
          Effect.map((m) => [m]),
          // served, but no sample for this node yet: show it as <unknown> like kubectl
          Effect.catchTag("NotFound", () => Effect.succeed([]))
        )
        : (yield* fetchMetrics(access({ verb: "list", resource: "nodes", group: "metrics.k8s.io" }),
          { path: `${METRICS_API}/nodes`, query: { labelSelector: input.label_selector } },
          NodeMetricsList
        )).items
      const usage = new Map(metrics.map((m) => [m.metadata.name, m.usage]))
      const sorted = [...nodes].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      const missing = sorted.filter((n) => !usage.has(n.metadata.name)).length
      return table({
        columns: ["name", "cpu", "cpu%", "memory", "memory%"],
        rows: sorted.map((n) => usageRow(n.metadata.name, usage.get(n.metadata.name), n.status?.allocatable)),
        summary: nodes.length === 0
          ? `no nodes in context "${cluster.info.name}".`
          : `cpu in millicores, memory in MiB; % of the node's allocatable.${
            missing > 0 ? ` ${missing} node(s) have no metrics sample yet (<unknown>).` : ""
          }`,
        narrow: "name or label_selector"
      })
    })
})
