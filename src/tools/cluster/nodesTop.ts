/** nodes_top: node cpu and memory usage from metrics.k8s.io, as `kubectl top node` shows it. */
import { Effect, Schema } from "effect"
import { access, type AccessCheck, type ClusterHandle } from "../../cluster/handle.js"
import type { ApiRequest } from "../../cluster/restClient.js"
import { type KubeError, MetricsUnavailable } from "../../errors.js"
import { callJson } from "../../kube/call.js"
import { ObjectMeta } from "../../kube/meta.js"
import { table } from "../../mcp/reply.js"
import { clusterTool } from "../../mcp/tool.js"
import { LabelSelector, Name } from "../params.js"
import { listNodes, Node } from "./nodes.js"
import { parseQuantity } from "./quantity.js"

const METRICS = "/apis/metrics.k8s.io/v1beta1"

const NodeMetrics = Schema.Struct({
  metadata: ObjectMeta,
  usage: Schema.Struct({ cpu: Schema.String, memory: Schema.String })
})
type NodeMetrics = typeof NodeMetrics.Type
const NodeMetricsList = Schema.Struct({ items: Schema.Array(NodeMetrics) })


/**
 * A metrics.k8s.io call. When it fails with 404 or 503 we ask discovery whether the group is served at all:
 * 404 there means no APIService (no metrics-server), 503 means it is registered but its backend is down;
 * both are MetricsUnavailable. A 404 while the group is served stays NotFound (e.g. no sample yet).
 * Callers reach the API server before this, so a 503 here is not the cluster being unreachable.
 */
const metricsCall = <A, I>(cluster: ClusterHandle, check: AccessCheck, req: ApiRequest, schema: Schema.Schema<A, I, never>) =>
  callJson(cluster, check, req, schema).pipe(
    Effect.catchIf(
      (e): e is KubeError => e._tag === "NotFound" || e._tag === "Unavailable" || (e._tag === "ApiError" && e.code === 503),
      (original) =>
        // Discovery is a non-resource URL every authenticated user may read: nothing for the RBAC pre-check.
        cluster.json({ path: METRICS }).pipe(
          Effect.matchEffect({
            onSuccess: () => Effect.fail(original),
            onFailure: (probe) =>
              probe._tag === "NotFound" || probe._tag === "Unavailable" || (probe._tag === "ApiError" && probe.code === 503)
                ? Effect.fail(
                  new MetricsUnavailable({
                    context: cluster.info.name,
                    message: `metrics.k8s.io is not served by context "${cluster.info.name}"`,
                    details: probe._tag === "NotFound"
                      ? "No metrics API is registered (install metrics-server to get node and pod usage)."
                      : `The metrics API is registered but not answering: ${probe.message}`
                  })
                )
                : Effect.fail(original)
          })
        )
    )
  )

const MiB = 1024 * 1024

/** kubectl top's arithmetic: millicores rounded up, MiB truncated, percent of allocatable truncated. */
export const usageRow = (name: string, usage: NodeMetrics["usage"] | undefined, allocatable: Readonly<Record<string, string>> | undefined) => {
  const unknown = "<unknown>"
  const cpu = usage !== undefined ? parseQuantity(usage.cpu) : undefined
  const memory = usage !== undefined ? parseQuantity(usage.memory) : undefined
  const cpuAlloc = allocatable?.["cpu"] !== undefined ? parseQuantity(allocatable["cpu"]) : undefined
  const memAlloc = allocatable?.["memory"] !== undefined ? parseQuantity(allocatable["memory"]) : undefined
  const pct = (used: number | undefined, of: number | undefined) =>
    used !== undefined && of !== undefined && of > 0 ? `${Math.floor((used / of) * 100)}%` : unknown
  return [
    name,
    cpu !== undefined ? `${Math.ceil(Math.round(cpu * 1e9) / 1e6)}m` : unknown,
    pct(cpu, cpuAlloc),
    memory !== undefined ? `${Math.floor(memory / MiB)}Mi` : unknown,
    pct(memory, memAlloc)
  ]
}

export const nodesTop = clusterTool({
  name: "nodes_top",
  description:
    "Show node cpu and memory usage from metrics.k8s.io (like kubectl top node): cpu in millicores, memory in MiB, each with the percentage of the node's allocatable. Fails with MetricsUnavailable when the cluster does not serve metrics.k8s.io (no metrics-server).",
  params: Schema.Struct({
    name: Schema.optional(Name.annotations({ description: "node name; omit for every node" })),
    label_selector: Schema.optional(LabelSelector.annotations({ description: "only nodes matching this label selector, e.g. type=kwok" }))
  }),
  annotations: { title: "Node resource usage", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      // Nodes first: they give allocatable, and a NotFound for an unknown name before any metrics question.
      const nodes = input.name !== undefined
        ? [
          yield* callJson(
            cluster,
            access({ verb: "get", resource: "nodes", name: input.name }),
            { path: `/api/v1/nodes/${encodeURIComponent(input.name)}` },
            Node
          )
        ]
        : yield* listNodes(cluster, input.label_selector)
      const metrics = input.name !== undefined
        ? yield* metricsCall(
          cluster,
          access({ verb: "get", resource: "nodes", group: "metrics.k8s.io", name: input.name }),
          { path: `${METRICS}/nodes/${encodeURIComponent(input.name)}` },
          NodeMetrics
        ).pipe(
          Effect.map((m) => [m]),
          // served, but no sample for this node yet: show it as <unknown> like kubectl
          Effect.catchTag("NotFound", () => Effect.succeed([]))
        )
        : (yield* metricsCall(
          cluster,
          access({ verb: "list", resource: "nodes", group: "metrics.k8s.io" }),
          { path: `${METRICS}/nodes`, query: { labelSelector: input.label_selector } },
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
