/**
 * Draining a node as `kubectl drain` does: cordon it, list its pods, decide for each with kubectl's filters,
 * evict the others through the Eviction API (policy/v1), so PodDisruptionBudgets are honoured, and wait for
 * them to be gone, all within one deadline. An eviction a budget refuses (429) is retried on a Schedule until
 * the deadline and then reported as blocked with the budget's words.
 *
 * kubectl's filters, in its order:
 * - a pod already terminating (deletionTimestamp set) is skipped (kubectl evicts it again and waits; here it is
 *   reported, not waited for);
 * - DaemonSet-managed pods are skipped (kubectl --ignore-daemonsets; the DaemonSet controller ignores
 *   unschedulable, so evicting them only makes them come back). Unlike kubectl, an orphan whose DaemonSet is
 *   gone is skipped too, not deleted with force;
 * - mirror pods (annotation kubernetes.io/config.mirror) are skipped: the kubelet owns them;
 * - pods with emptyDir volumes are refused unless `deleteEmptyDirData` (their data is lost);
 * - pods without a controller are refused unless `force` (nothing recreates them).
 * Finished pods (Succeeded/Failed) pass the last two. As with kubectl, one refused pod stops the drain before
 * any eviction (the node stays cordoned).
 */
import { Clock, Data, Effect, Schedule, Schema } from "effect"
import type { KubeError } from "../errors.js"
import { callJson } from "./call.js"
import { access, type Kube } from "./Kube.js"
import { ListMeta, OwnerReference } from "./meta.js"
import { type Schedulability, setUnschedulable } from "./nodes.js"
import { readAllPages } from "./paging.js"
import { podPath } from "./pods.js"
import { selectorValue } from "./scope.js"

/** The pod fields the filters and the eviction read. */
export const DrainPod = Schema.Struct({
  metadata: Schema.Struct({
    name: Schema.String,
    namespace: Schema.String,
    uid: Schema.optionalKey(Schema.String),
    deletionTimestamp: Schema.optionalKey(Schema.NullOr(Schema.String)),
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
  }),
  spec: Schema.optionalKey(Schema.Struct({
    volumes: Schema.optionalKey(Schema.Array(Schema.Struct({
      name: Schema.String,
      emptyDir: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown)))
    })))
  })),
  status: Schema.optionalKey(Schema.Struct({ phase: Schema.optionalKey(Schema.String) }))
})
export type DrainPod = typeof DrainPod.Type

const DrainPodList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(DrainPod) })

export interface DrainOptions {
  /** Evict pods no controller manages (kubectl --force). */
  readonly force: boolean
  /** Evict pods with emptyDir volumes, losing their data (kubectl --delete-emptydir-data). */
  readonly deleteEmptyDirData: boolean
  /** The pods' grace period; undefined: each pod's own terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds: number | undefined
  /** Everything (evictions, their retries, waiting for the pods to go) ends by then. */
  readonly timeoutSeconds: number
  /** Server-side dry run of the cordon and of every eviction (a budget that would refuse shows as blocked). */
  readonly dryRun: boolean
}

export type PodStatus = "evicted" | "terminating" | "would be evicted" | "blocked" | "skipped" | "not attempted"

export interface PodOutcome {
  readonly namespace: string
  readonly name: string
  readonly status: PodStatus
  /** Why it was skipped, blocked or not attempted; what to know about an eviction (local data lost). */
  readonly reason?: string
  /** Eviction requests sent (more than one when a budget refused and the request was retried). */
  readonly attempts?: number
}

export interface DrainReport {
  readonly node: string
  readonly cordon: Schedulability["action"]
  readonly dryRun: boolean
  /** Every pod that has to leave did (or, in a dry run, would be evicted now). */
  readonly complete: boolean
  /** Set when kubectl's filters refused pods, so nothing was evicted. */
  readonly refused: string | undefined
  /** In namespace/name order. */
  readonly pods: ReadonlyArray<PodOutcome>
  readonly elapsedMs: number
}

/** kubectl's annotation of a static pod's mirror. */
export const MIRROR_ANNOTATION = "kubernetes.io/config.mirror"

export type Verdict =
  | { readonly _tag: "evict"; readonly note?: string }
  | { readonly _tag: "skip"; readonly reason: string }
  | { readonly _tag: "refuse"; readonly reason: string }

/** What kubectl drain does with one pod of the node (see the module comment). */
export const drainVerdict = (pod: DrainPod, opts: Pick<DrainOptions, "force" | "deleteEmptyDirData">): Verdict => {
  const m = pod.metadata
  if (typeof m.deletionTimestamp === "string") return { _tag: "skip", reason: `already terminating (deletion requested at ${m.deletionTimestamp})` }
  const controller = m.ownerReferences?.find((o) => o.controller === true)
  if (controller?.kind === "DaemonSet") return { _tag: "skip", reason: `managed by DaemonSet ${controller.name} (it ignores cordons; kubectl --ignore-daemonsets)` }
  if (m.annotations?.[MIRROR_ANNOTATION] !== undefined) return { _tag: "skip", reason: "mirror pod of a static pod (the kubelet manages it)" }
  const finished = pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed"
  const refusals: Array<string> = []
  const notes: Array<string> = []
  const emptyDirs = (pod.spec?.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name)
  if (!finished && emptyDirs.length > 0) {
    const what = `uses emptyDir volume(s) ${emptyDirs.join(", ")}, whose data is lost on eviction`
    if (opts.deleteEmptyDirData) notes.push(`${what} (delete_emptydir_data)`)
    else refusals.push(`${what}; pass delete_emptydir_data: true to evict it anyway`)
  }
  if (!finished && controller === undefined) {
    const what = "not managed by a controller (ReplicaSet, StatefulSet, Job, …): nothing recreates it"
    if (opts.force) notes.push(`${what} (force)`)
    else refusals.push(`${what}; pass force: true to evict it anyway`)
  }
  if (refusals.length > 0) return { _tag: "refuse", reason: refusals.join("; ") }
  return notes.length > 0 ? { _tag: "evict", note: notes.join("; ") } : { _tag: "evict" }
}

/** Every pod bound to the node, in all namespaces. */
export const podsOnNode = (node: string): Effect.Effect<Array<DrainPod>, KubeError, Kube> =>
  readAllPages(
    access({ verb: "list", resource: "pods" }),
    { path: "/api/v1/pods", query: { fieldSelector: `spec.nodeName=${selectorValue(node)}` } },
    DrainPodList
  ).pipe(Effect.map((r) => r.items))

/** A budget (or the API server) refused the eviction for now. */
class Blocked extends Data.TaggedError("Blocked")<{ readonly reason: string; readonly retriable: boolean }> {}

/** Between two eviction attempts of a pod a budget protects (kubectl waits 5 s). */
export const EVICTION_RETRY_MS = 2_000
/** Between two looks at an evicted pod that is still there. */
export const DELETION_POLL_MS = 1_000

const evictOnce = (pod: DrainPod, opts: DrainOptions): Effect.Effect<"accepted" | "gone", KubeError | Blocked, Kube> => {
  const { name, namespace } = pod.metadata
  return callJson(access({ verb: "create", resource: "pods", subresource: "eviction", namespace, name }), {
    method: "POST",
    path: `${podPath(namespace, name)}/eviction`,
    body: {
      apiVersion: "policy/v1",
      kind: "Eviction",
      metadata: { name, namespace },
      deleteOptions: {
        ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
        ...(opts.dryRun ? { dryRun: ["All"] } : {})
      }
    },
    // a 429 here is a PodDisruptionBudget's "not now": retried on the drain's own schedule
    retryTooManyRequests: false
  }, Schema.Unknown).pipe(
    Effect.as<"accepted" | "gone">("accepted"),
    Effect.catchTag("NotFound", () => Effect.succeed<"accepted" | "gone">("gone")),
    Effect.catchTag("ApiError", (e) =>
      Effect.fail(
        e.code === 429
          ? new Blocked({ reason: [e.message, e.details].filter((s) => s !== undefined && s !== "").join(" "), retriable: true })
          // e.g. 500 "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
          : new Blocked({ reason: e.message, retriable: false })
      ))
  )
}

/** The pod of that name is still the one evicted (not gone, not replaced by a new pod of the same name). */
const stillThere = (pod: DrainPod): Effect.Effect<boolean, KubeError, Kube> =>
  callJson(
    access({ verb: "get", resource: "pods", namespace: pod.metadata.namespace, name: pod.metadata.name }),
    { path: podPath(pod.metadata.namespace, pod.metadata.name) },
    DrainPod
  ).pipe(
    Effect.map((p) => pod.metadata.uid === undefined || p.metadata.uid === pod.metadata.uid),
    Effect.catchTag("NotFound", () => Effect.succeed(false))
  )

/** Polls until the pod is gone or the deadline; true when it is gone. */
const waitGone = (pod: DrainPod, deadline: number): Effect.Effect<boolean, KubeError, Kube> =>
  Effect.gen(function*() {
    for (;;) {
      if (!(yield* stillThere(pod))) return true
      if ((yield* Clock.currentTimeMillis) + DELETION_POLL_MS > deadline) return false
      yield* Effect.sleep(DELETION_POLL_MS)
    }
  })

/** Evicts one pod, retrying while a budget refuses and time remains, then waits for it to be gone. */
const evictPod = (pod: DrainPod, note: string | undefined, opts: DrainOptions, deadline: number): Effect.Effect<PodOutcome, never, Kube> =>
  Effect.gen(function*() {
    const base = { namespace: pod.metadata.namespace, name: pod.metadata.name }
    const noted = note !== undefined ? { reason: note } : {}
    let attempts = 0
    const retryable = (e: KubeError | Blocked) =>
      e._tag === "Blocked" && e.retriable && !opts.dryRun
        ? Effect.map(Clock.currentTimeMillis, (now) => now + EVICTION_RETRY_MS <= deadline)
        : Effect.succeed(false)
    const answer = yield* Effect.suspend(() => {
      attempts++
      return evictOnce(pod, opts)
    }).pipe(Effect.retry({ schedule: Schedule.spaced(EVICTION_RETRY_MS), while: retryable }), Effect.result)
    if (answer._tag === "Failure") {
      const e = answer.failure
      const why = e._tag === "Blocked"
        ? e.reason
        : `${e._tag}: ${e.message}`
      const waited = e._tag === "Blocked" && e.retriable && !opts.dryRun ? ` (still refused after ${attempts} attempt(s) within the timeout)` : ""
      return { ...base, status: "blocked", reason: `${why}${waited}`, attempts }
    }
    if (opts.dryRun) return { ...base, status: "would be evicted", ...noted, attempts }
    if (answer.success === "gone") return { ...base, status: "evicted", ...noted, attempts }
    const gone = yield* waitGone(pod, deadline).pipe(
      Effect.catch((e) => Effect.succeed(`could not confirm it is gone: ${e._tag}: ${e.message}`))
    )
    return gone === true
      ? { ...base, status: "evicted", ...noted, attempts }
      : {
        ...base,
        status: "terminating",
        reason: [note, typeof gone === "string" ? gone : "eviction accepted; the pod was still shutting down when the timeout ended"]
          .filter((s) => s !== undefined)
          .join("; "),
        attempts
      }
  })

const EVICTION_CONCURRENCY = 8

/** Cordons the node and evicts its pods as kubectl drain does (see the module comment). */
export const drainNode = (node: string, opts: DrainOptions): Effect.Effect<DrainReport, KubeError, Kube> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const deadline = start + opts.timeoutSeconds * 1000
    const cordon = yield* setUnschedulable(node, true, opts.dryRun)
    const pods = (yield* podsOnNode(cordon.name)).sort((a, b) =>
      a.metadata.namespace.localeCompare(b.metadata.namespace) || a.metadata.name.localeCompare(b.metadata.name)
    )
    const judged = pods.map((pod) => ({ pod, verdict: drainVerdict(pod, opts) }))
    const refusedCount = judged.filter((j) => j.verdict._tag === "refuse").length
    const refused = refusedCount > 0
      ? `${refusedCount} pod(s) cannot be evicted without force or delete_emptydir_data (see their reasons), so no pod was evicted; the node stays cordoned`
      : undefined
    const outcomes = yield* Effect.forEach(judged, ({ pod, verdict }): Effect.Effect<PodOutcome, never, Kube> => {
      const base = { namespace: pod.metadata.namespace, name: pod.metadata.name }
      switch (verdict._tag) {
        case "skip":
          return Effect.succeed({ ...base, status: "skipped", reason: verdict.reason })
        case "refuse":
          return Effect.succeed({ ...base, status: "blocked", reason: verdict.reason })
        case "evict":
          return refused !== undefined
            ? Effect.succeed({ ...base, status: "not attempted", reason: "the drain stopped before evicting: other pods were refused" })
            : evictPod(pod, verdict.note, opts, deadline)
      }
    }, { concurrency: EVICTION_CONCURRENCY })
    const done: ReadonlyArray<PodStatus> = opts.dryRun ? ["would be evicted", "skipped"] : ["evicted", "skipped"]
    return {
      node: cordon.name,
      cordon: cordon.action,
      dryRun: opts.dryRun,
      complete: outcomes.every((o) => done.includes(o.status)),
      refused,
      pods: outcomes,
      elapsedMs: (yield* Clock.currentTimeMillis) - start
    }
  })
