/**
 * Pods: the Pod Schema (the fields kube-mcp reads; decoding keeps only these), their paths, and the
 * operations on them: get (decoded, raw, or with its recent events), list one page, delete. Which container a
 * call means is in podContainers.ts; logs, exec and metrics in logs.ts, exec.ts and podMetrics.ts; how a pod's
 * state reads (kubectl's columns, the summary) in podStatus.ts.
 */
import { Clock, Effect, Schema, SchemaTransformation } from "effect"
import type { InvalidInput, KubeError } from "../errors.js"
import { optionsOf, sanitizeObject } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { type ColumnSpec, projectRow } from "./columns.js"
import { type Event, eventsFor } from "./events.js"
import { access, Kube } from "./Kube.js"
import { ageOfHumanDuration, ListMeta, ObjectMeta, OwnerReference } from "./meta.js"
import { type ListOptions, type ListPage, pageQuery, readList, rowBytes, Table, TABLE_ACCEPT } from "./paging.js"
import { podRow, type PodRow } from "./podStatus.js"
import { type ListScope, listScope } from "./scope.js"

const Str = Schema.optionalKey(Schema.String)
/** metav1.Time fields serialize a zero time as null. */
const Time = Schema.optionalKey(
  Schema.NullOr(Schema.String).pipe(
    Schema.decodeTo(Schema.UndefinedOr(Schema.String), SchemaTransformation.transform({ decode: (v) => v ?? undefined, encode: (v) => v ?? null }))
  )
)

const Waiting = Schema.Struct({ reason: Str, message: Str })
const Running = Schema.Struct({ startedAt: Time })
const Terminated = Schema.Struct({
  exitCode: Schema.optionalKey(Schema.Finite),
  signal: Schema.optionalKey(Schema.Finite),
  reason: Str,
  message: Str,
  startedAt: Time,
  finishedAt: Time
})
export const ContainerState = Schema.Struct({
  waiting: Schema.optionalKey(Waiting),
  running: Schema.optionalKey(Running),
  terminated: Schema.optionalKey(Terminated)
})
export type ContainerState = typeof ContainerState.Type

export const ContainerStatus = Schema.Struct({
  name: Schema.String,
  image: Str,
  ready: Schema.optionalKey(Schema.Boolean),
  started: Schema.optionalKey(Schema.Boolean),
  restartCount: Schema.optionalKey(Schema.Finite),
  state: Schema.optionalKey(ContainerState),
  lastState: Schema.optionalKey(ContainerState)
})
export type ContainerStatus = typeof ContainerStatus.Type

export const Container = Schema.Struct({
  name: Schema.String,
  image: Str,
  /** "Always" on an init container makes it a sidecar (restartable init container). */
  restartPolicy: Str
})
export type Container = typeof Container.Type

export const PodCondition = Schema.Struct({
  type: Schema.String,
  status: Schema.String,
  reason: Str,
  message: Str,
  lastTransitionTime: Time
})

export const Pod = Schema.Struct({
  metadata: Schema.Struct({
    ...ObjectMeta.fields,
    uid: Str,
    deletionTimestamp: Time,
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
  }),
  spec: Schema.optionalKey(Schema.Struct({
    nodeName: Str,
    containers: Schema.Array(Container).pipe(Schema.withDecodingDefaultKey(Effect.succeed([]))),
    initContainers: Schema.optionalKey(Schema.Array(Container)),
    ephemeralContainers: Schema.optionalKey(Schema.Array(Container))
  })),
  status: Schema.optionalKey(Schema.Struct({
    phase: Str,
    reason: Str,
    message: Str,
    podIP: Str,
    podIPs: Schema.optionalKey(Schema.Array(Schema.Struct({ ip: Schema.String }))),
    hostIP: Str,
    qosClass: Str,
    startTime: Time,
    nominatedNodeName: Str,
    conditions: Schema.optionalKey(Schema.Array(PodCondition)),
    containerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus)),
    initContainerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus)),
    ephemeralContainerStatuses: Schema.optionalKey(Schema.Array(ContainerStatus))
  }))
})
export type Pod = typeof Pod.Type

const PodList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(Pod) })
/** A list answered with TABLE_ACCEPT: the Table, or the plain list from a server that renders none. */
const PodTableOrList = Schema.Union([Table, PodList])

/** A pod kept whole, for yaml/json output. */
const AnyObject = Schema.Record(Schema.String, Schema.Unknown)

export const podPath = (namespace: string, name?: string): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods${name !== undefined ? `/${encodeURIComponent(name)}` : ""}`

const getCheck = (namespace: string, name: string) => access({ verb: "get", resource: "pods", namespace, name })

/** One pod, decoded to the fields above. */
export const getPod = (namespace: string, name: string): Effect.Effect<Pod, KubeError, Kube> =>
  callJson(getCheck(namespace, name), { path: podPath(namespace, name) }, Pod)

/** One pod as the API server sent it (every field). */
export const getPodObject = (namespace: string, name: string): Effect.Effect<Readonly<Record<string, unknown>>, KubeError, Kube> =>
  callJson(getCheck(namespace, name), { path: podPath(namespace, name) }, AnyObject)

export interface ListPodsOptions extends ListOptions {
  readonly namespace?: string | undefined
  readonly allNamespaces?: boolean | undefined
}

export interface PodPage {
  readonly scope: ListScope
  readonly pods: ReadonlyArray<PodRow>
  readonly continue: string | undefined
}

/**
 * One page of pods (`limit`, `continue`) read with readList (a large limit in pages of PAGE_SIZE, up to the
 * budget), each page decoded with `schema` (as a Table with `table`) and reduced by `keep` at once.
 */
const readPods = <A extends ListPage, I, T>(
  options: ListPodsOptions,
  schema: Schema.Codec<A, I>,
  keep: (page: A, scope: ListScope, now: number) => ReadonlyArray<T>,
  sizeOf: (item: T) => number,
  table?: { readonly includeObject: "None" | "Metadata" }
): Effect.Effect<{ readonly scope: ListScope; readonly items: ReadonlyArray<T>; readonly continue: string | undefined }, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const scope = yield* listScope({ namespace: options.namespace, all_namespaces: options.allNamespaces }, kube.info.namespace)
    const namespace = scope.all ? undefined : scope.namespace
    const now = yield* Clock.currentTimeMillis
    const read = yield* readList(
      access({ verb: "list", resource: "pods", namespace }),
      {
        path: namespace === undefined ? "/api/v1/pods" : podPath(namespace),
        query: { ...pageQuery(options), ...(table !== undefined ? { includeObject: table.includeObject } : {}) },
        ...(table !== undefined ? { accept: TABLE_ACCEPT } : {})
      },
      options,
      schema,
      (list) => keep(list, scope, now),
      sizeOf
    )
    return { scope, items: read.items, continue: read.continue }
  })

/** A row's share of the answer (its cells as JSON strings). */
const podRowBytes = (p: PodRow): number => p.namespace.length + p.name.length + p.ready.length + p.status.length + p.restarts.length + p.age.length + p.node.length + p.ip.length + 26

/** The cells of the API server's pod Table that a PodRow reads (printPod: what `kubectl get pods -o wide` shows). */
const TABLE_CELLS = ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"] as const

const RESTARTS = /^(\d+) \((.+) ago\)$/

/** A row of the server-side pod Table as a PodRow; durations in the form `age` gives them. */
const tableRow = (table: Table, namespaceOf: (row: Table["rows"][number]) => string) => {
  const at = Object.fromEntries(TABLE_CELLS.map((c) => [c, table.columnDefinitions.findIndex((d) => d.name === c)]))
  const cell = (row: Table["rows"][number], column: typeof TABLE_CELLS[number]): string => {
    const v = row.cells[at[column] ?? -1]
    return typeof v === "string" ? v : typeof v === "number" ? String(v) : "<none>"
  }
  return (row: Table["rows"][number]): PodRow => {
    const restarts = cell(row, "Restarts")
    const last = RESTARTS.exec(restarts)
    return {
      namespace: namespaceOf(row),
      name: cell(row, "Name"),
      ready: cell(row, "Ready"),
      status: cell(row, "Status"),
      restarts: last !== null ? `${last[1]} (${ageOfHumanDuration(last[2] ?? "")} ago)` : restarts,
      age: ageOfHumanDuration(cell(row, "Age")),
      node: cell(row, "Node"),
      ip: cell(row, "IP")
    }
  }
}

/**
 * One page of pods (`limit`, `continue`), each read as `kubectl get pods -o wide` shows it. The API server
 * renders the columns itself (its Table is kubectl's printPod, reasons included): about 16 KB per 100 pods
 * against 404 KB of Pod objects, and nothing to decode per pod. The objects' metadata comes along only when
 * the namespace column needs it (all namespaces); an API server that cannot render a Table answers with the
 * plain list, read as before.
 */
export const listPods = (options: ListPodsOptions): Effect.Effect<PodPage, KubeError | InvalidInput, Kube> =>
  Effect.map(
    readPods(options, PodTableOrList, (list, scope, now) => {
      if (!("columnDefinitions" in list)) return list.items.map((pod) => podRow(pod, now))
      const fallback = scope.all ? "" : scope.namespace
      return list.rows.map(tableRow(list, (r) => r.object?.metadata?.namespace ?? fallback))
    }, podRowBytes, { includeObject: options.allNamespaces === true ? "Metadata" : "None" }),
    ({ items, ...page }) => ({ ...page, pods: items })
  )

const PodObjectList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(AnyObject) })

export interface ProjectedPodPage {
  readonly scope: ListScope
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly continue: string | undefined
}

/** One page of whole pods (sanitized: managedFields, last-applied dropped) projected to custom columns. */
export const listPodsProjected = (options: ListPodsOptions, spec: ColumnSpec): Effect.Effect<ProjectedPodPage, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const opts = optionsOf(yield* Kube)
    const page = yield* readPods(options, PodObjectList, (list) => list.items.map((pod) => projectRow(spec, sanitizeObject(pod, opts, "Pod"))), rowBytes)
    return { scope: page.scope, columns: spec.columns.map((c) => c.header), rows: page.items, continue: page.continue }
  })

/** Events shown with a pod: the newest few are what explains its state. */
export const MAX_POD_EVENTS = 10

export interface PodWithEvents {
  readonly pod: Pod
  /** This pod's (this incarnation's) events, newest first, at most MAX_POD_EVENTS. */
  readonly events: ReadonlyArray<Event>
  /** Why the events could not be read (a denial does not fail the get). */
  readonly eventsHidden?: string
}

/**
 * A pod and its recent events in one round trip: the events are selected by the pod's name so both requests
 * go out together; events of an earlier pod of the same name are then dropped by uid.
 */
export const getPodWithEvents = (namespace: string, name: string): Effect.Effect<PodWithEvents, KubeError, Kube> =>
  Effect.gen(function*() {
    // selected by name, so both requests go out together; the uid is known only once the pod is
    const events = eventsFor({ kind: "Pod", name, namespace }).pipe(
      Effect.map((items): { readonly items: ReadonlyArray<Event>; readonly hidden?: string } => ({ items })),
      Effect.catchTags({
        Forbidden: (e) => Effect.succeed({ items: [], hidden: e.message }),
        ApiError: (e) => Effect.succeed({ items: [], hidden: e.message })
      })
    )
    const [pod, named] = yield* Effect.all([getPod(namespace, name), events], { concurrency: 2 })
    const uid = pod.metadata.uid
    const mine = named.items
      .filter((e) => uid === undefined || e.involvedObject?.uid === undefined || e.involvedObject.uid === uid)
      .slice(0, MAX_POD_EVENTS)
    return { pod, events: mine, ...(named.hidden !== undefined ? { eventsHidden: named.hidden } : {}) }
  })

/** DELETE answers with the pod as it now is (deletionTimestamp set while it terminates) or a Status. */
const DeleteAnswer = Schema.Struct({
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(Schema.Struct({
    resourceVersion: Schema.optionalKey(Schema.String),
    deletionTimestamp: Schema.optionalKey(Schema.String),
    deletionGracePeriodSeconds: Schema.optionalKey(Schema.Finite),
    finalizers: Schema.optionalKey(Schema.Array(Schema.String))
  }))
})

export interface DeletedPod {
  readonly resourceVersion?: string
  /** How the pod goes away when it does not at once (a grace period, finalizers); never for a dry run. */
  readonly terminating?: string
}

/** Deletes a pod (`dryRun`: validated by the server, nothing deleted). */
export const deletePod = (
  namespace: string,
  name: string,
  options: { readonly gracePeriodSeconds?: number | undefined; readonly dryRun?: boolean | undefined }
): Effect.Effect<DeletedPod, KubeError, Kube> =>
  Effect.gen(function*() {
    const dryRun = options.dryRun === true
    const answer = yield* callJson(
      access({ verb: "delete", resource: "pods", namespace, name }),
      {
        method: "DELETE",
        path: podPath(namespace, name),
        body: {
          apiVersion: "v1",
          kind: "DeleteOptions",
          ...(options.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: options.gracePeriodSeconds } : {}),
          ...(dryRun ? { dryRun: ["All"] } : {})
        }
      },
      DeleteAnswer
    )
    const meta = answer.kind === "Status" ? undefined : answer.metadata
    const grace = meta?.deletionGracePeriodSeconds
    const terminating = dryRun
      ? undefined
      : meta?.deletionTimestamp !== undefined && grace !== undefined && grace > 0
      ? `the pod shuts down within ${grace}s (deletion requested at ${meta.deletionTimestamp})`
      : meta?.finalizers !== undefined && meta.finalizers.length > 0
      ? `the pod is removed once its finalizers are done: ${meta.finalizers.join(", ")}`
      : undefined
    return {
      ...(meta?.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
      ...(terminating !== undefined ? { terminating } : {})
    }
  })
