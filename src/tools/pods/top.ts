/** pods_top: pod cpu and memory usage from metrics.k8s.io, as `kubectl top pod` shows it. */
import { Effect, Schema } from "effect"
import { access } from "../../kube/Kube.js"
import { NotFound } from "../../errors.js"
import { ObjectMeta } from "../../kube/meta.js"
import { cpuMillicores, fetchMetrics, memoryMiB } from "../../kube/metrics.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, LabelSelector, Name, NamespaceParam } from "../params.js"
import { getPod, namespaceOf } from "./schema.js"

const Usage = Schema.Struct({ cpu: Schema.optionalKey(Schema.String), memory: Schema.optionalKey(Schema.String) })
const PodMetrics = Schema.Struct({
  metadata: ObjectMeta,
  timestamp: Schema.optionalKey(Schema.String),
  window: Schema.optionalKey(Schema.String),
  containers: Schema.Array(Schema.Struct({ name: Schema.String, usage: Usage })).pipe(Schema.withDecodingDefaultKey(Effect.succeed([])))
})
type PodMetrics = typeof PodMetrics.Type
const PodMetricsList = Schema.Struct({ items: Schema.Array(PodMetrics) })

interface Row {
  readonly namespace: string
  readonly name: string
  readonly cpu: number | undefined
  readonly memory: number | undefined
}

const sum = (values: ReadonlyArray<number | undefined>): number | undefined =>
  values.every((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined

/** kubectl sums the containers' usage, each converted to millicores and MiB first. */
const rowOf = (m: PodMetrics): Row => ({
  namespace: m.metadata.namespace ?? "",
  name: m.metadata.name,
  cpu: sum(m.containers.map((c) => (c.usage.cpu !== undefined ? cpuMillicores(c.usage.cpu) : undefined))),
  memory: sum(m.containers.map((c) => (c.usage.memory !== undefined ? memoryMiB(c.usage.memory) : undefined)))
})

const descending = (key: "cpu" | "memory") => (a: Row, b: Row): number =>
  (b[key] ?? -1) - (a[key] ?? -1) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)

export const podsTop = clusterTool({
  name: "pods_top",
  description:
    "Show pod cpu (millicores) and memory (MiB) usage from metrics.k8s.io, summed over the pod's containers, like kubectl top pod. Fails with MetricsUnavailable when the cluster does not serve metrics.k8s.io (no metrics-server).",
  params: Schema.Struct({
    namespace: Schema.optionalKey(NamespaceParam),
    all_namespaces: Schema.optionalKey(AllNamespaces.annotate({ description: "pods of every namespace (ignores namespace)" })),
    name: Schema.optionalKey(Name.annotate({ description: "one pod's usage; omit for every pod of the namespace" })),
    label_selector: Schema.optionalKey(LabelSelector),
    sort_by: Schema.optionalKey(Schema.Literals(["cpu", "memory"]).annotate({
      description: "sort by cpu or memory, highest first; omit for namespace/name order"
    }))
  }),
  output: TableOutput,
  annotations: { title: "Pod resource usage", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const all = input.all_namespaces === true && input.name === undefined
      const namespace = namespaceOf(input.namespace, cluster.info.namespace)
      const metrics: ReadonlyArray<PodMetrics> = input.name !== undefined
        ? [
          yield* fetchMetrics(access({ verb: "get", resource: "pods", group: "metrics.k8s.io", namespace, name: input.name }),
            { path: `namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(input.name)}` },
            PodMetrics
          ).pipe(
            // the group is served: either the pod does not exist or it has no sample yet
            Effect.catchTag("NotFound", (e) =>
              getPod(cluster, namespace, input.name ?? "").pipe(
                Effect.flatMap(() =>
                  Effect.fail(
                    new NotFound({
                      context: cluster.info.name,
                      message: `Pod "${namespace}/${input.name}" has no metrics yet`,
                      details: `metrics-server reports a pod once it has two samples (about 15-30 s after it starts). ${e.message}`
                    })
                  )
                )
              ))
          )
        ]
        : (yield* fetchMetrics(access({ verb: "list", resource: "pods", group: "metrics.k8s.io", namespace: all ? undefined : namespace }),
          {
            path: all ? "pods" : `namespaces/${encodeURIComponent(namespace)}/pods`,
            query: { labelSelector: input.label_selector }
          },
          PodMetricsList
        )).items
      const rows = metrics.map(rowOf)
      const sorted = [...rows].sort(
        input.sort_by !== undefined ? descending(input.sort_by) : (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)
      )
      const fmt = (v: number | undefined, unit: string) => (v !== undefined ? `${v}${unit}` : "<unknown>")
      return table({
        columns: all ? ["namespace", "name", "cpu", "memory"] : ["name", "cpu", "memory"],
        rows: sorted.map((r) => [...(all ? [r.namespace] : []), r.name, fmt(r.cpu, "m"), fmt(r.memory, "Mi")]),
        summary: rows.length === 0
          ? `No pod metrics${all ? "" : ` in namespace "${namespace}"`} (new pods show up about 15-30 s after they start).`
          : "cpu in millicores (1000m = 1 core), memory in MiB; summed over each pod's containers.",
        narrow: "name, label_selector, or a namespace"
      })
    })
})
