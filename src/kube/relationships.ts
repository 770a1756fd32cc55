/**
 * How one object relates to others, as a tree: its owners up the ownerReferences chain (Pod → ReplicaSet →
 * Deployment, each owner's kind resolved through discovery) and what hangs below it: the objects it owns
 * (listed by the owner's label selector where it has one, then kept by owner uid), a Service's
 * EndpointSlices (label kubernetes.io/service-name) and their Pods (targetRef), an Ingress's backend
 * Services, a PVC's volume (spec.volumeName) and the Pods that mount it, a PV's claim.
 *
 * Bounded: at most MAX_OBJECTS objects and MAX_DEPTH levels below the object, every listing capped; the
 * answer says where it was cut. A lookup that fails (RBAC, a kind not served) becomes a note, not a failure.
 */
import { Clock, Effect, Option, Schema } from "effect"
import type { InvalidInput, KubeError } from "../errors.js"
import { resolveKind, type ResourceInfo } from "./discovery.js"
import { Kube } from "./Kube.js"
import { type Gvk, getObject, type KubeObject, listAllObjects, metaOf, type ObjectRef, ownerHops, resolveTarget, statusLines, type Target } from "./objects.js"
import { podStatus } from "./podStatus.js"
import { Pod } from "./pods.js"
import { LabelSelector, selectorText } from "./meta.js"

export const MAX_OBJECTS = 100
export const MAX_DEPTH = 4
/** Objects read per listing (the candidates before the owner filter). */
const MAX_LISTED = 500

export interface RelationRow {
  /** Negative for owners (-1: the direct owner), 0 for the object, positive below it. */
  readonly depth: number
  /** self, owner, owns, endpoint slice, endpoint, backend, volume, claim, mounted by. */
  readonly relation: string
  readonly kind: string
  readonly name: string
  /** "" for cluster-scoped objects. */
  readonly namespace: string
  readonly status: string
}

export interface Relationships extends Target {
  /** Owners first (the topmost first), then the object, then the tree below it depth-first. */
  readonly rows: ReadonlyArray<RelationRow>
  readonly owners: number
  readonly dependents: number
  /** Where the tree was cut, and lookups that failed. */
  readonly notes: ReadonlyArray<string>
}

// ---- the fields read ----

const Backend = Schema.Struct({ service: Schema.optionalKey(Schema.Struct({ name: Schema.String })) })
const Finite = Schema.optionalKey(Schema.Finite)
const Str = Schema.optionalKey(Schema.String)

const View = Schema.Struct({
  spec: Schema.optionalKey(Schema.Struct({
    // a map (Service, ReplicationController) or a LabelSelector (Deployment, ReplicaSet, Job…)
    selector: Schema.optionalKey(Schema.Union([Schema.Record(Schema.String, Schema.String), LabelSelector])),
    replicas: Finite,
    type: Str,
    clusterIP: Str,
    volumeName: Str,
    claimRef: Schema.optionalKey(Schema.Struct({ name: Schema.String, namespace: Str })),
    defaultBackend: Schema.optionalKey(Backend),
    rules: Schema.optionalKey(Schema.Array(Schema.Struct({
      http: Schema.optionalKey(Schema.Struct({ paths: Schema.Array(Schema.Struct({ backend: Backend })) }))
    }))),
    volumes: Schema.optionalKey(Schema.Array(Schema.Struct({
      persistentVolumeClaim: Schema.optionalKey(Schema.Struct({ claimName: Schema.String }))
    })))
  })),
  status: Schema.optionalKey(Schema.Struct({
    replicas: Finite,
    readyReplicas: Finite,
    numberReady: Finite,
    desiredNumberScheduled: Finite
  })),
  // EndpointSlice
  endpoints: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.Struct({
    conditions: Schema.optionalKey(Schema.Struct({ ready: Schema.optionalKey(Schema.NullOr(Schema.Boolean)) })),
    targetRef: Schema.optionalKey(Schema.Struct({ kind: Str, name: Schema.String, namespace: Str }))
  }))))
})
type View = typeof View.Type
const decodeView = Schema.decodeUnknownOption(View)
const viewOf = (obj: unknown): View => Option.getOrElse(decodeView(obj), (): View => ({}))
const decodePod = Schema.decodeUnknownOption(Pod)

type Selector = NonNullable<NonNullable<View["spec"]>["selector"]>

/** A selector as the API takes it in labelSelector: matchLabels and matchExpressions, or a plain map. */
export const selectorString = (selector: Selector | undefined): string => {
  if (selector === undefined) return ""
  const structured = Schema.is(LabelSelector)(selector) && ("matchLabels" in selector || "matchExpressions" in selector)
  if (structured) return selectorText(selector)
  return Object.entries(selector).filter((e): e is [string, string] => typeof e[1] === "string").map(([k, v]) => `${k}=${v}`).join(",")
}

// ---- how an object reads in one cell ----

/** The few words of state a person looks at: a Pod's status, replicas ready, endpoints ready, a phase, a condition. */
export const statusOf = (kind: string, obj: KubeObject, now: number): string => {
  if (kind === "Pod") {
    const pod = decodePod(obj)
    if (Option.isSome(pod)) {
      const s = podStatus(pod.value, now)
      return `${s.status} ${s.ready}`
    }
  }
  const v = viewOf(obj)
  if (kind === "EndpointSlice") {
    const endpoints = v.endpoints ?? []
    return `${endpoints.filter((e) => e.conditions?.ready !== false).length}/${endpoints.length} endpoints ready`
  }
  if (kind === "Service") return [v.spec?.type ?? "ClusterIP", v.spec?.clusterIP].filter((p) => p !== undefined && p !== "").join(" ")
  if (v.status?.desiredNumberScheduled !== undefined) return `${v.status.numberReady ?? 0}/${v.status.desiredNumberScheduled} ready`
  const desired = v.spec?.replicas ?? v.status?.replicas
  if (desired !== undefined && (v.status?.readyReplicas !== undefined || v.status?.replicas !== undefined || kind.endsWith("Set") || kind === "Deployment")) {
    return `${v.status?.readyReplicas ?? 0}/${desired} ready`
  }
  const { conditions, phase } = statusLines(obj)
  if (phase !== undefined) return phase
  const main = conditions?.find((c) => /^(Ready|Available|Complete|Established)=/u.test(c)) ?? conditions?.[0]
  return main ?? ""
}

// ---- the walk ----

interface Node {
  readonly info: ResourceInfo
  readonly object: KubeObject
}

const APPS = (kind: string): Gvk => ({ group: "apps", version: "v1", kind })
const POD: Gvk = { version: "v1", kind: "Pod" }
const SERVICE: Gvk = { version: "v1", kind: "Service" }
const PVC: Gvk = { version: "v1", kind: "PersistentVolumeClaim" }
const PV: Gvk = { version: "v1", kind: "PersistentVolume" }
const ENDPOINT_SLICE: Gvk = { group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice" }
const JOB: Gvk = { group: "batch", version: "v1", kind: "Job" }

/** The kinds each workload kind creates and owns; `selector`: its own selector matches them. */
const OWNED: Readonly<Record<string, ReadonlyArray<{ readonly gvk: Gvk; readonly selector: boolean }>>> = {
  "apps/Deployment": [{ gvk: APPS("ReplicaSet"), selector: true }],
  "apps/ReplicaSet": [{ gvk: POD, selector: true }],
  "apps/StatefulSet": [{ gvk: POD, selector: true }, { gvk: PVC, selector: false }],
  "apps/DaemonSet": [{ gvk: POD, selector: true }],
  "batch/Job": [{ gvk: POD, selector: true }],
  "batch/CronJob": [{ gvk: JOB, selector: false }],
  "/ReplicationController": [{ gvk: POD, selector: true }]
}
/** Kinds whose dependents are found by their own rules (or that own nothing worth a search). */
const OWN_RULES = new Set(["/Pod", "/Service", "/PersistentVolumeClaim", "/PersistentVolume", "/ConfigMap", "/Secret", "networking.k8s.io/Ingress", "discovery.k8s.io/EndpointSlice", "/Event", "events.k8s.io/Event"])
/** What any other namespaced kind (CRDs, operators' objects) most likely owns: searched for the object asked about only. */
const USUAL_DEPENDENTS: ReadonlyArray<Gvk> = [
  APPS("Deployment"),
  APPS("StatefulSet"),
  APPS("DaemonSet"),
  APPS("ReplicaSet"),
  JOB,
  POD,
  SERVICE,
  { version: "v1", kind: "ConfigMap" },
  PVC
]

const keyOf = (info: Pick<ResourceInfo, "group" | "kind">): string => `${info.group}/${info.kind}`

/**
 * The relationships of one object: owners up, dependents down (see the module comment), as rows of a tree.
 * The object itself must be readable; everything around it is best effort, with notes.
 */
export const relationshipsOf = (ref: ObjectRef, tool: string): Effect.Effect<Relationships, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const target = yield* resolveTarget(ref, "get", tool)
    const root: Node = { info: target.info, object: yield* getObject(target) }
    const now = yield* Clock.currentTimeMillis
    const notes: Array<string> = []
    const seen = new Set<string>()
    let cut = false
    const idOf = (n: Node): string => {
      const m = metaOf(n.object)
      return m.uid ?? `${keyOf(n.info)}/${m.namespace ?? ""}/${m.name ?? ""}`
    }
    const rowOf = (n: Node, depth: number, relation: string): RelationRow => {
      const m = metaOf(n.object)
      return { depth, relation, kind: n.info.kind, name: m.name ?? "", namespace: m.namespace ?? "", status: statusOf(n.info.kind, n.object, now) }
    }
    const note = (what: string) => (e: KubeError | InvalidInput) =>
      Effect.sync(() => {
        notes.push(`${what}: ${e._tag}: ${e.message}`)
        return []
      })
    /** Every object of a kind in a namespace (matching a selector), capped. */
    const list = (gvk: Gvk, namespace: string | undefined, labelSelector?: string) =>
      listAllObjects(gvk, { namespace, ...(labelSelector !== undefined && labelSelector !== "" ? { labelSelector } : {}) }, MAX_LISTED, tool).pipe(
        Effect.map(({ complete, info, items }) => {
          if (!complete) notes.push(`only the first ${MAX_LISTED} ${info.resource} of namespace "${namespace ?? ""}" were looked at`)
          return items.map((object): Node => ({ info, object }))
        })
      )
    const getNode = (gvk: Gvk, name: string, namespace: string | undefined) =>
      resolveKind({ group: gvk.group ?? "", version: gvk.version, kind: gvk.kind }).pipe(
        Effect.flatMap((info) => getObject({ info, name, namespace: info.namespaced ? namespace : undefined }).pipe(Effect.map((object): Node => ({ info, object }))))
      )

    /** The objects directly below `n`, each with how it relates to `n`. */
    const childrenOf = (n: Node, isRoot: boolean): Effect.Effect<ReadonlyArray<{ readonly node: Node; readonly relation: string }>, never, Kube> =>
      Effect.gen(function*() {
        const m = metaOf(n.object)
        const namespace = m.namespace
        const name = m.name ?? ""
        const spec = viewOf(n.object).spec
        const key = keyOf(n.info)
        const ownedBy = (candidates: ReadonlyArray<Node>) =>
          candidates.filter((c) => (metaOf(c.object).ownerReferences ?? []).some((o) => o.uid !== undefined && o.uid === m.uid))

        if (key === "/Service") {
          const slices = yield* list(ENDPOINT_SLICE, namespace, `kubernetes.io/service-name=${name}`).pipe(Effect.catch(note(`endpoint slices of ${name}`)))
          return slices.map((node) => ({ node, relation: "endpoint slice" }))
        }
        if (key === "discovery.k8s.io/EndpointSlice") {
          const targets = (viewOf(n.object).endpoints ?? []).flatMap((e) =>
            e.targetRef !== undefined && (e.targetRef.kind ?? "Pod") === "Pod" ? [{ name: e.targetRef.name, namespace: e.targetRef.namespace ?? namespace }] : []
          )
          const pods: Array<{ node: Node; relation: string }> = []
          for (const t of targets) {
            if (pods.length + seen.size >= MAX_OBJECTS) break
            const pod = yield* getNode(POD, t.name, t.namespace).pipe(
              Effect.map((node) => [node]),
              Effect.catch(note(`pod ${t.name} of endpoint slice ${name}`))
            )
            pods.push(...pod.map((node) => ({ node, relation: "endpoint" })))
          }
          return pods
        }
        if (key === "networking.k8s.io/Ingress") {
          const names = [
            ...(spec?.defaultBackend?.service !== undefined ? [spec.defaultBackend.service.name] : []),
            ...(spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).flatMap((p) => (p.backend.service !== undefined ? [p.backend.service.name] : [])))
          ]
          const services: Array<{ node: Node; relation: string }> = []
          for (const s of [...new Set(names)]) {
            const found = yield* getNode(SERVICE, s, namespace).pipe(Effect.map((node) => [node]), Effect.catch(note(`backend service ${s}`)))
            services.push(...found.map((node) => ({ node, relation: "backend" })))
          }
          return services
        }
        if (key === "/PersistentVolumeClaim") {
          const volume = spec?.volumeName !== undefined && spec.volumeName !== ""
            ? yield* getNode(PV, spec.volumeName, undefined).pipe(Effect.map((node) => [node]), Effect.catch(note(`volume ${spec.volumeName}`)))
            : []
          const pods = yield* list(POD, namespace).pipe(Effect.catch(note(`pods of namespace ${namespace ?? ""}`)))
          const mounting = pods.filter((p) => (viewOf(p.object).spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === name))
          return [...volume.map((node) => ({ node, relation: "volume" })), ...mounting.map((node) => ({ node, relation: "mounted by" }))]
        }
        if (key === "/PersistentVolume") {
          const claim = spec?.claimRef
          if (claim === undefined) return []
          const found = yield* getNode(PVC, claim.name, claim.namespace).pipe(Effect.map((node) => [node]), Effect.catch(note(`claim ${claim.name}`)))
          return found.map((node) => ({ node, relation: "claim" }))
        }
        const owned = OWNED[key]
        if (owned !== undefined) {
          const selector = selectorString(spec?.selector)
          const found: Array<{ node: Node; relation: string }> = []
          for (const o of owned) {
            const candidates = yield* list(o.gvk, namespace, o.selector ? selector : undefined).pipe(Effect.catch(note(`${o.gvk.kind} of ${name}`)))
            found.push(...ownedBy(candidates).map((node) => ({ node, relation: "owns" })))
          }
          return found
        }
        // any other kind: the usual owned kinds of its namespace, for the object asked about only
        if (!isRoot || OWN_RULES.has(key) || namespace === undefined || m.uid === undefined) return []
        const found: Array<{ node: Node; relation: string }> = []
        for (const gvk of USUAL_DEPENDENTS) {
          const candidates = yield* list(gvk, namespace).pipe(Effect.catch(() => Effect.succeed<ReadonlyArray<Node>>([])))
          found.push(...ownedBy(candidates).map((node) => ({ node, relation: "owns" })))
        }
        return found
      })

    const rows: Array<RelationRow> = []
    const down = (n: Node, depth: number): Effect.Effect<void, never, Kube> =>
      Effect.gen(function*() {
        if (depth > MAX_DEPTH) return
        const children = yield* childrenOf(n, depth === 1)
        for (const c of children) {
          const id = idOf(c.node)
          if (seen.has(id)) continue
          if (seen.size >= MAX_OBJECTS) {
            cut = true
            return
          }
          seen.add(id)
          rows.push(rowOf(c.node, depth, c.relation))
          if (depth < MAX_DEPTH) yield* down(c.node, depth + 1)
          else if (OWNED[keyOf(c.node.info)] !== undefined || keyOf(c.node.info) === "/Service") cut = true
        }
      })

    // owners, topmost first
    const meta = metaOf(root.object)
    const hops = yield* ownerHops(meta.ownerReferences, target.namespace)
    const owners: Array<RelationRow> = []
    hops.forEach((h, i) => {
      if (h.found !== undefined) {
        seen.add(idOf(h.found))
        owners.push(rowOf(h.found, -(i + 1), "owner"))
      } else {
        owners.push({ depth: -(i + 1), relation: "owner", kind: h.owner.kind, name: h.owner.name, namespace: target.namespace ?? "", status: "not readable" })
        notes.push(`owner ${h.owner.kind}/${h.owner.name}: ${h.note ?? ""}`)
      }
    })
    seen.add(idOf(root))
    yield* down(root, 1)
    if (cut) notes.unshift(`cut at ${MAX_OBJECTS} objects or ${MAX_DEPTH} levels below; ask about a dependent for its own tree`)
    return {
      ...target,
      rows: [...owners.reverse(), rowOf(root, 0, "self"), ...rows],
      owners: owners.length,
      dependents: rows.length,
      notes
    }
  })

