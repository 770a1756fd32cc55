/** nodes_top: node cpu and memory usage from metrics.k8s.io, as `kubectl top node` shows it. */
import { Effect, Schema } from "effect"
import { topNode, topNodes } from "../../kube/nodes.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { LabelSelector, Name } from "../params.js"

const fmt = (v: number | undefined, unit: string) => (v !== undefined ? `${v}${unit}` : "<unknown>")

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
  run: (input, kube) =>
    Effect.gen(function*() {
      const usage = input.name !== undefined ? [yield* topNode(input.name)] : yield* topNodes(input.label_selector)
      const missing = usage.filter((u) => !u.sampled).length
      return table({
        columns: ["name", "cpu", "cpu%", "memory", "memory%"],
        rows: usage.map((u) => [u.name, fmt(u.cpu, "m"), fmt(u.cpuPercent, "%"), fmt(u.memory, "Mi"), fmt(u.memoryPercent, "%")]),
        summary: usage.length === 0
          ? `no nodes in context "${kube.info.name}".`
          : `cpu in millicores, memory in MiB; % of the node's allocatable.${
            missing > 0 ? ` ${missing} node(s) have no metrics sample yet (<unknown>).` : ""
          }`,
        narrow: "name or label_selector"
      })
    })
})
