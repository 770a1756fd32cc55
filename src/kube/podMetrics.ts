/** Pod cpu and memory usage from metrics.k8s.io, as `kubectl top pod` computes it. */
import { Effect, Schema } from "effect"
import { type KubeError, NotFound } from "../errors.js"
import { access, Kube } from "./Kube.js"
import { ObjectMeta } from "./meta.js"
import { cpuMillicores, fetchMetrics, memoryMiB } from "./metrics.js"
import { getPod } from "./pods.js"

const Usage = Schema.Struct({ cpu: Schema.optionalKey(Schema.String), memory: Schema.optionalKey(Schema.String) })
const PodMetrics = Schema.Struct({
  metadata: ObjectMeta,
  timestamp: Schema.optionalKey(Schema.String),
  window: Schema.optionalKey(Schema.String),
  containers: Schema.Array(Schema.Struct({ name: Schema.String, usage: Usage })).pipe(Schema.withDecodingDefaultKey(Effect.succeed([])))
})
type PodMetrics = typeof PodMetrics.Type
const PodMetricsList = Schema.Struct({ items: Schema.Array(PodMetrics) })

/** One pod's usage; undefined when a container's sample is missing or malformed. */
export interface PodUsage {
  readonly namespace: string
  readonly name: string
  /** Millicores. */
  readonly cpu: number | undefined
  /** MiB. */
  readonly memory: number | undefined
}

const sum = (values: ReadonlyArray<number | undefined>): number | undefined =>
  values.every((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v ?? 0), 0) : undefined

/** kubectl sums the containers' usage, each converted to millicores and MiB first. */
const usageOf = (m: PodMetrics): PodUsage => ({
  namespace: m.metadata.namespace ?? "",
  name: m.metadata.name,
  cpu: sum(m.containers.map((c) => (c.usage.cpu !== undefined ? cpuMillicores(c.usage.cpu) : undefined))),
  memory: sum(m.containers.map((c) => (c.usage.memory !== undefined ? memoryMiB(c.usage.memory) : undefined)))
})

const byName = (a: PodUsage, b: PodUsage): number => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)
const descending = (key: "cpu" | "memory") => (a: PodUsage, b: PodUsage): number => (b[key] ?? -1) - (a[key] ?? -1) || byName(a, b)

const onePod = (namespace: string, name: string): Effect.Effect<PodMetrics, KubeError, Kube> =>
  fetchMetrics(
    access({ verb: "get", resource: "pods", group: "metrics.k8s.io", namespace, name }),
    { path: `namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(name)}` },
    PodMetrics
  ).pipe(
    // the group is served: either the pod does not exist (getPod's NotFound) or it has no sample yet
    Effect.catchTag("NotFound", (e) =>
      Effect.gen(function*() {
        yield* getPod(namespace, name)
        return yield* new NotFound({
          context: (yield* Kube).info.name,
          message: `Pod "${namespace}/${name}" has no metrics yet`,
          details: `metrics-server reports a pod once it has two samples (about 15-30 s after it starts). ${e.message}`
        })
      }))
  )

export interface TopPodsOptions {
  /** One namespace, or undefined for every namespace. */
  readonly namespace: string | undefined
  readonly labelSelector?: string | undefined
  /** Highest first; omitted: namespace/name order. */
  readonly sortBy?: "cpu" | "memory" | undefined
}

/** Usage of the pods of a namespace (or of every namespace), sorted. */
export const topPods = (options: TopPodsOptions): Effect.Effect<ReadonlyArray<PodUsage>, KubeError, Kube> =>
  fetchMetrics(
    access({ verb: "list", resource: "pods", group: "metrics.k8s.io", namespace: options.namespace }),
    {
      path: options.namespace === undefined ? "pods" : `namespaces/${encodeURIComponent(options.namespace)}/pods`,
      query: { labelSelector: options.labelSelector }
    },
    PodMetricsList
  ).pipe(Effect.map((list) => list.items.map(usageOf).sort(options.sortBy !== undefined ? descending(options.sortBy) : byName)))

/** One pod's usage; NotFound says whether the pod is missing or has no sample yet. */
export const topPod = (namespace: string, name: string): Effect.Effect<PodUsage, KubeError, Kube> => Effect.map(onePod(namespace, name), usageOf)
