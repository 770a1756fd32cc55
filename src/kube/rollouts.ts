/**
 * Rollouts of Deployments, StatefulSets and DaemonSets as kubectl rollout does them: status computed with
 * kubectl's rules and words (kubectl/pkg/polymorphichelpers/rollout_status.go), an optional bounded wait
 * (wait.ts's poll), restart (the restartedAt annotation on the pod template, time from the Clock), and undo
 * to the previous or a given revision (a Deployment from its ReplicaSets, the others from their
 * ControllerRevisions, as kubectl's rollback.go). Writes go through objects.ts's patch, which reports the
 * fields that changed.
 */
import { Clock, Effect, Option, Schema } from "effect"
import { InvalidInput, type KubeError, NotFound, Timeout } from "../errors.js"
import { isRecord, LAST_APPLIED } from "../output/sanitize.js"
import { decodeAnswer } from "./call.js"
import { changedPaths } from "./compare.js"
import { Kube } from "./Kube.js"
import { LabelSelector, OwnerReference, selectorText } from "./meta.js"
import {
  getObject,
  inNamespace,
  KubeObject,
  listAllObjects,
  type PatchOutcome,
  patchObject,
  type PatchType,
  refOf,
  resolveTarget,
  type Target
} from "./objects.js"
import { pollUntil, seconds, type WaitProgress } from "./wait.js"

export const ROLLOUT_KINDS = ["Deployment", "StatefulSet", "DaemonSet"] as const
export type RolloutKind = typeof ROLLOUT_KINDS[number]

export interface RolloutRef {
  readonly kind: RolloutKind
  readonly name: string
  readonly namespace?: string | undefined
}

const appsRef = (ref: RolloutRef) => ({ group: "apps", version: "v1", kind: ref.kind, name: ref.name, namespace: ref.namespace })

export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
export const REVISION = "deployment.kubernetes.io/revision"
const POD_TEMPLATE_HASH = "pod-template-hash"

// ---- the fields read ----

const Condition = Schema.Struct({
  type: Schema.String,
  status: Schema.String,
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String)
})


const Count = Schema.optionalKey(Schema.Finite)

/** What the three kinds' rollout status reads (each kind has some of these; the API omits zeros). */
export const WorkloadView = Schema.Struct({
  metadata: Schema.Struct({
    name: Schema.String,
    uid: Schema.optionalKey(Schema.String),
    generation: Count,
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
  }),
  spec: Schema.optionalKey(Schema.Struct({
    replicas: Count,
    paused: Schema.optionalKey(Schema.Boolean),
    selector: Schema.optionalKey(LabelSelector),
    template: Schema.optionalKey(KubeObject),
    updateStrategy: Schema.optionalKey(Schema.Struct({
      type: Schema.optionalKey(Schema.String),
      rollingUpdate: Schema.optionalKey(Schema.Struct({ partition: Count }))
    }))
  })),
  status: Schema.optionalKey(Schema.Struct({
    observedGeneration: Count,
    replicas: Count,
    updatedReplicas: Count,
    readyReplicas: Count,
    availableReplicas: Count,
    currentReplicas: Count,
    currentRevision: Schema.optionalKey(Schema.String),
    updateRevision: Schema.optionalKey(Schema.String),
    desiredNumberScheduled: Count,
    updatedNumberScheduled: Count,
    numberAvailable: Count,
    conditions: Schema.optionalKey(Schema.Array(Condition))
  }))
})
export type WorkloadView = typeof WorkloadView.Type

/** An object that does not have the fields its kind must have is the server's fault, reported as such. */
const viewOf = (obj: unknown): Effect.Effect<WorkloadView, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    return yield* decodeAnswer(WorkloadView, kube.info.name, "a workload's rollout fields")(obj)
  })

// ---- status, as kubectl computes it ----

/** done: rolled out; waiting: kubectl keeps watching; failed: kubectl stops with an error (progress deadline, strategy). */
export type RolloutState = "done" | "waiting" | "failed"

export interface RolloutVerdict {
  readonly state: RolloutState
  /** kubectl's own words for it. */
  readonly message: string
}

const n = (v: number | undefined): number => v ?? 0

/** kubectl's DeploymentStatusViewer. */
export const deploymentStatus = (d: WorkloadView): RolloutVerdict => {
  const name = d.metadata.name
  const s = d.status ?? {}
  if (n(d.metadata.generation) > n(s.observedGeneration)) return { state: "waiting", message: "Waiting for deployment spec update to be observed..." }
  const progressing = s.conditions?.find((c) => c.type === "Progressing")
  if (progressing?.reason === "ProgressDeadlineExceeded") return { state: "failed", message: `deployment "${name}" exceeded its progress deadline` }
  const replicas = d.spec?.replicas
  if (replicas !== undefined && n(s.updatedReplicas) < replicas) {
    return { state: "waiting", message: `Waiting for deployment "${name}" rollout to finish: ${n(s.updatedReplicas)} out of ${replicas} new replicas have been updated...` }
  }
  if (n(s.replicas) > n(s.updatedReplicas)) {
    return { state: "waiting", message: `Waiting for deployment "${name}" rollout to finish: ${n(s.replicas) - n(s.updatedReplicas)} old replicas are pending termination...` }
  }
  if (n(s.availableReplicas) < n(s.updatedReplicas)) {
    return {
      state: "waiting",
      message: `Waiting for deployment "${name}" rollout to finish: ${n(s.availableReplicas)} of ${n(s.updatedReplicas)} updated replicas are available...`
    }
  }
  return { state: "done", message: `deployment "${name}" successfully rolled out` }
}

/** kubectl's DaemonSetStatusViewer. */
export const daemonSetStatus = (d: WorkloadView): RolloutVerdict => {
  const name = d.metadata.name
  const s = d.status ?? {}
  const strategy = d.spec?.updateStrategy?.type
  if (strategy !== undefined && strategy !== "RollingUpdate") return { state: "failed", message: "rollout status is only available for RollingUpdate strategy type" }
  if (n(d.metadata.generation) > n(s.observedGeneration)) return { state: "waiting", message: "Waiting for daemon set spec update to be observed..." }
  if (n(s.updatedNumberScheduled) < n(s.desiredNumberScheduled)) {
    return {
      state: "waiting",
      message: `Waiting for daemon set "${name}" rollout to finish: ${n(s.updatedNumberScheduled)} out of ${n(s.desiredNumberScheduled)} new pods have been updated...`
    }
  }
  if (n(s.numberAvailable) < n(s.desiredNumberScheduled)) {
    return {
      state: "waiting",
      message: `Waiting for daemon set "${name}" rollout to finish: ${n(s.numberAvailable)} of ${n(s.desiredNumberScheduled)} updated pods are available...`
    }
  }
  return { state: "done", message: `daemon set "${name}" successfully rolled out` }
}

/** kubectl's StatefulSetStatusViewer. */
export const statefulSetStatus = (d: WorkloadView): RolloutVerdict => {
  const s = d.status ?? {}
  const strategy = d.spec?.updateStrategy
  if (strategy?.type !== undefined && strategy.type !== "RollingUpdate") {
    return { state: "failed", message: "rollout status is only available for RollingUpdate strategy type" }
  }
  if (n(s.observedGeneration) === 0 || n(d.metadata.generation) > n(s.observedGeneration)) {
    return { state: "waiting", message: "Waiting for statefulset spec update to be observed..." }
  }
  const replicas = d.spec?.replicas
  if (replicas !== undefined && n(s.readyReplicas) < replicas) return { state: "waiting", message: `Waiting for ${replicas - n(s.readyReplicas)} pods to be ready...` }
  if (strategy?.rollingUpdate !== undefined) {
    const partition = strategy.rollingUpdate.partition
    if (replicas !== undefined && partition !== undefined && n(s.updatedReplicas) < replicas - partition) {
      return {
        state: "waiting",
        message: `Waiting for partitioned roll out to finish: ${n(s.updatedReplicas)} out of ${replicas - partition} new pods have been updated...`
      }
    }
    return { state: "done", message: `partitioned roll out complete: ${n(s.updatedReplicas)} new pods have been updated...` }
  }
  if (s.updateRevision !== s.currentRevision) {
    return {
      state: "waiting",
      message: `waiting for statefulset rolling update to complete ${n(s.updatedReplicas)} pods at revision ${s.updateRevision ?? ""}...`
    }
  }
  return { state: "done", message: `statefulset rolling update complete ${n(s.currentReplicas)} pods at revision ${s.currentRevision ?? ""}...` }
}

export const verdictOf = (kind: RolloutKind, view: WorkloadView): RolloutVerdict =>
  kind === "Deployment" ? deploymentStatus(view) : kind === "StatefulSet" ? statefulSetStatus(view) : daemonSetStatus(view)

export interface RolloutStatus extends Target, RolloutVerdict {
  readonly kind: RolloutKind
  readonly generation: number
  readonly observedGeneration: number
  /** Deployment: its revision annotation; StatefulSet: status.updateRevision. */
  readonly revision: string | undefined
  /** desired / updated / ready / available, as the kind counts them. */
  readonly counts: Readonly<Record<string, number>>
}

const countsOf = (kind: RolloutKind, v: WorkloadView): Record<string, number> => {
  const s = v.status ?? {}
  return kind === "DaemonSet"
    ? { desired: n(s.desiredNumberScheduled), updated: n(s.updatedNumberScheduled), available: n(s.numberAvailable) }
    : {
      desired: n(v.spec?.replicas),
      current: n(s.replicas),
      updated: n(s.updatedReplicas),
      ready: n(s.readyReplicas),
      ...(kind === "Deployment" ? { available: n(s.availableReplicas) } : {})
    }
}

const statusOf = (kind: RolloutKind, target: Target) =>
  Effect.gen(function*() {
    const view = yield* viewOf(yield* getObject(target))
    const status: RolloutStatus = {
      ...target,
      kind,
      ...verdictOf(kind, view),
      generation: n(view.metadata.generation),
      observedGeneration: n(view.status?.observedGeneration),
      revision: kind === "Deployment" ? view.metadata.annotations?.[REVISION] : kind === "StatefulSet" ? view.status?.updateRevision : undefined,
      counts: countsOf(kind, view)
    }
    return status
  })

export interface RolloutWatch {
  readonly status: RolloutStatus
  readonly polls: number
  readonly elapsedMs: number
}

/**
 * kubectl rollout status: the status now, or with `timeoutMs` polled until it is done or failed; still
 * waiting at the deadline is a Timeout naming kubectl's last line.
 */
export const rolloutStatus = (
  ref: RolloutRef,
  tool: string,
  wait?: { readonly timeoutMs: number; readonly progress?: WaitProgress; readonly intervalMs?: number }
): Effect.Effect<RolloutWatch, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const target = yield* resolveTarget(appsRef(ref), "get", tool)
    const observe = statusOf(ref.kind, target)
    if (wait === undefined) return { status: yield* observe, polls: 1, elapsedMs: 0 }
    const what = `${refOf(target.info, target.name)}${inNamespace(target.namespace)}`
    const polled = yield* pollUntil({
      observe,
      met: (s) => s.state !== "waiting",
      describe: (s) => s.message,
      timeoutMs: wait.timeoutMs,
      ...(wait.progress !== undefined ? { progress: wait.progress } : {}),
      ...(wait.intervalMs !== undefined ? { intervalMs: wait.intervalMs } : {})
    })
    if (!polled.met || polled.last === undefined) {
      return yield* new Timeout({
        context: kube.info.name,
        message: `timed out after ${seconds(wait.timeoutMs)} waiting for ${what} to roll out`,
        details: `Last seen (poll ${polled.polls}): ${polled.last?.message ?? "no answer yet"}`
      })
    }
    return { status: polled.last, polls: polled.polls, elapsedMs: polled.elapsedMs }
  })

// ---- restart ----

export interface RestartOutcome extends PatchOutcome {
  readonly restartedAt: string
}

const paused = (target: Target, what: string) =>
  new InvalidInput({
    message: what,
    details: `Resume it first (resources_patch with {"spec":{"paused":false}}), then try again.`,
    issues: [{ path: "name", message: `${refOf(target.info, target.name)} is paused` }]
  })

/** kubectl rollout restart: the pod template's restartedAt annotation set to now (RFC 3339), so every pod is replaced. */
export const restartRollout = (ref: RolloutRef, dryRun: boolean, tool: string): Effect.Effect<RestartOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const target = yield* resolveTarget(appsRef(ref), "patch", tool)
    const view = yield* viewOf(yield* getObject(target))
    if (view.spec?.paused === true) return yield* paused(target, `can't restart paused deployment (run rollout resume first)`)
    const restartedAt = new Date(yield* Clock.currentTimeMillis).toISOString().replace(/\.\d{3}Z$/u, "Z")
    const patched = yield* patchObject(appsRef(ref), {
      type: "strategic",
      value: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
      dryRun
    }, tool)
    return { ...patched, restartedAt }
  })

// ---- undo ----

const Revisioned = Schema.Struct({
  metadata: Schema.Struct({
    name: Schema.String,
    annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
  }),
  /** ControllerRevision: its number and the strategic merge patch that restores it. */
  revision: Schema.optionalKey(Schema.Finite),
  data: Schema.optionalKey(KubeObject),
  /** ReplicaSet: the pod template it runs. */
  spec: Schema.optionalKey(Schema.Struct({ template: Schema.optionalKey(KubeObject) }))
})
type Revisioned = typeof Revisioned.Type
const decodeRevisioned = Schema.decodeUnknownOption(Revisioned)

/** One revision of a workload: its number, where it is kept, and the pod template it runs. */
export interface Revision {
  readonly revision: number
  /** The ReplicaSet or ControllerRevision. */
  readonly source: string
  readonly template: Readonly<Record<string, unknown>>
  readonly annotations: Readonly<Record<string, string>>
  /** The ControllerRevision's patch (StatefulSet, DaemonSet). */
  readonly data: Readonly<Record<string, unknown>> | undefined
}

const ownedBy = (uid: string | undefined) => (r: Revisioned): boolean =>
  uid !== undefined && (r.metadata.ownerReferences ?? []).some((o) => o.controller === true && o.uid === uid)

const withoutKey = (rec: unknown, key: string): Record<string, unknown> | undefined =>
  isRecord(rec) ? Object.fromEntries(Object.entries(rec).filter(([k]) => k !== key)) : undefined

/** A pod template without the pod-template-hash label the Deployment controller adds to its ReplicaSets. */
export const withoutHash = (template: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const meta = template["metadata"]
  if (!isRecord(meta)) return { ...template }
  const labels = withoutKey(meta["labels"], POD_TEMPLATE_HASH)
  return { ...template, metadata: { ...meta, ...(labels !== undefined ? { labels } : {}) } }
}

/** The template a ControllerRevision restores (its patch's spec.template, without the `$patch` directive). */
const revisionTemplate = (data: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> => {
  const spec = data?.["spec"]
  return (isRecord(spec) ? withoutKey(spec["template"], "$patch") : undefined) ?? {}
}

/** The workload's revisions, oldest first: ReplicaSets (Deployment) or ControllerRevisions it controls. */
const revisionsOf = (kind: RolloutKind, target: Target, view: WorkloadView, tool: string) =>
  Effect.gen(function*() {
    const listed = yield* listAllObjects(
      { group: "apps", version: "v1", kind: kind === "Deployment" ? "ReplicaSet" : "ControllerRevision" },
      { namespace: target.namespace, labelSelector: selectorText(view.spec?.selector) },
      1000,
      tool
    )
    return listed.items
      .flatMap((item) => Option.toArray(decodeRevisioned(item)))
      .filter(ownedBy(view.metadata.uid))
      .flatMap((r): Array<Revision> => {
        const annotations = r.metadata.annotations ?? {}
        const number = kind === "Deployment" ? Number(annotations[REVISION] ?? "") : r.revision
        if (number === undefined || !Number.isInteger(number) || number <= 0) return []
        const template = kind === "Deployment" ? withoutHash(r.spec?.template ?? {}) : revisionTemplate(r.data)
        return [{ revision: number, source: r.metadata.name, template, annotations, data: r.data }]
      })
      .sort((a, b) => a.revision - b.revision)
  })

/** kubectl's deploymentRevision: revision `to`, or with 0 the second newest. */
export const pickRevision = (kind: RolloutKind, name: string, history: ReadonlyArray<Revision>, to: number): Revision | string => {
  if (to > 0) return history.find((r) => r.revision === to) ?? `unable to find specified revision ${to} in history`
  if (kind === "Deployment") return history.at(-2) ?? `no rollout history found for deployment "${name}"`
  return history.at(-2) ?? "no last revision to roll back to"
}

/** The Deployment annotations a rollback keeps from the Deployment rather than taking from the ReplicaSet (kubectl's annotationsToSkip). */
const KEPT_ANNOTATIONS = new Set([
  LAST_APPLIED,
  REVISION,
  "deployment.kubernetes.io/revision-history",
  "deployment.kubernetes.io/desired-replicas",
  "deployment.kubernetes.io/max-replicas",
  "deprecated.deployment.rollback.to"
])

export interface UndoOutcome extends Target {
  readonly kind: RolloutKind
  readonly action: "rolled back" | "skipped"
  readonly toRevision: number
  /** The ReplicaSet or ControllerRevision restored. */
  readonly source: string
  /** The revisions found, oldest first. */
  readonly revisions: ReadonlyArray<number>
  readonly resourceVersion: string
  /** Fields that changed, as path: before → after (patch's report). */
  readonly changes: ReadonlyArray<string>
}

/**
 * kubectl rollout undo: a Deployment gets the pod template of the ReplicaSet with that revision (its
 * pod-template-hash label removed) and that ReplicaSet's annotations, in one JSON patch; a StatefulSet or
 * DaemonSet gets its ControllerRevision's patch. Skipped when the template already matches; a paused
 * Deployment is refused as kubectl does.
 */
export const undoRollout = (ref: RolloutRef, toRevision: number, dryRun: boolean, tool: string): Effect.Effect<UndoOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const target = yield* resolveTarget(appsRef(ref), "patch", tool)
    const live = yield* getObject(target)
    const view = yield* viewOf(live)
    if (ref.kind === "Deployment" && view.spec?.paused === true) {
      return yield* paused(target, "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")
    }
    const history = yield* revisionsOf(ref.kind, target, view, tool)
    const picked = pickRevision(ref.kind, target.name, history, toRevision)
    if (typeof picked === "string") {
      return yield* new NotFound({
        context: kube.info.name,
        message: `${refOf(target.info, target.name)}${inNamespace(target.namespace)}: ${picked}`,
        details: history.length > 0 ? `Revisions found: ${history.map((r) => r.revision).join(", ")}.` : "No revisions found."
      })
    }
    const base = { ...target, kind: ref.kind, toRevision: picked.revision, source: picked.source, revisions: history.map((r) => r.revision) }
    if (changedPaths(view.spec?.template ?? {}, picked.template).length === 0) {
      return { ...base, action: "skipped", resourceVersion: "", changes: [] }
    }
    const annotations = {
      ...Object.fromEntries(Object.entries(view.metadata.annotations ?? {}).filter(([k]) => KEPT_ANNOTATIONS.has(k))),
      ...Object.fromEntries(Object.entries(picked.annotations).filter(([k]) => !KEPT_ANNOTATIONS.has(k)))
    }
    const patch: { readonly type: PatchType; readonly value: Readonly<Record<string, unknown>> | ReadonlyArray<unknown> } = ref.kind === "Deployment"
      ? { type: "json", value: [{ op: "replace", path: "/spec/template", value: picked.template }, { op: "replace", path: "/metadata/annotations", value: annotations }] }
      : { type: "strategic", value: picked.data ?? {} }
    const patched = yield* patchObject(appsRef(ref), { ...patch, dryRun }, tool)
    return { ...base, action: "rolled back", resourceVersion: patched.resourceVersion, changes: patched.changes }
  })
