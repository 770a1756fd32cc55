/** pods_top: pod cpu and memory usage from metrics.k8s.io, as `kubectl top pod` shows it. */
import { Effect, Schema } from "effect"
import { topPod, topPods } from "../../kube/podMetrics.js"
import { namespaceOr } from "../../kube/scope.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, LabelSelector, Name, NamespaceParam } from "../params.js"

const fmt = (v: number | undefined, unit: string) => (v !== undefined ? `${v}${unit}` : "<unknown>")

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
  run: (input, kube) =>
    Effect.gen(function*() {
      const all = input.all_namespaces === true && input.name === undefined
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const usage = input.name !== undefined
        ? [yield* topPod(namespace, input.name)]
        : yield* topPods({ namespace: all ? undefined : namespace, labelSelector: input.label_selector, sortBy: input.sort_by })
      return table({
        columns: all ? ["namespace", "name", "cpu", "memory"] : ["name", "cpu", "memory"],
        rows: usage.map((r) => [...(all ? [r.namespace] : []), r.name, fmt(r.cpu, "m"), fmt(r.memory, "Mi")]),
        summary: usage.length === 0
          ? `No pod metrics${all ? "" : ` in namespace "${namespace}"`} (new pods show up about 15-30 s after they start).`
          : "cpu in millicores (1000m = 1 core), memory in MiB; summed over each pod's containers.",
        narrow: "name, label_selector, or a namespace"
      })
    })
})
