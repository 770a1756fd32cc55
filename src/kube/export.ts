/**
 * Export of clean, re-appliable manifests (resources_export) and their copy to another context
 * (resources_copy): the objects of one kind are listed through objects.ts (sanitized there: managedFields
 * and last-applied gone, Secret values masked unless the context reveals them), objects that only a
 * controller creates are skipped with the reason, and the rest are cleaned of what the source cluster wrote
 * into them (`cleanObject`, one function, each rule with its reason). The copy applies them one by one with
 * apply.ts, so each object gets its own outcome (created/configured/unchanged) or its own error.
 */
import { Effect, Option } from "effect"
import { dump } from "js-yaml"
import { type InvalidInput, type KubeError } from "../errors.js"
import { isRecord, optionsOf, sanitizeObject } from "../output/sanitize.js"
import { type ApplyOutcome, applyManifest } from "./apply.js"
import type { ResourceInfo } from "./discovery.js"
import { Kube } from "./Kube.js"
import type { ManifestDoc } from "./manifest.js"
import { getObject, type Gvk, type KubeObject, listAllObjects, metaOf, resolveTarget } from "./objects.js"

// ---- the cleaning rules (pure) ----

/**
 * Metadata the API server writes on every object. None of it can be carried to another object: applied on
 * another cluster (or after a delete) it would be refused or mean something else.
 */
const SERVER_METADATA: Readonly<Record<string, string>> = {
  uid: "the object's identity on this cluster; the target assigns its own",
  resourceVersion: "optimistic-concurrency token of this cluster's etcd; applied elsewhere it is a conflict",
  creationTimestamp: "set by the server when the object is created",
  generation: "counter of spec changes, kept by the server",
  managedFields: "field ownership of this cluster's writers, not part of the object's intent",
  selfLink: "deprecated server-written URL of the object",
  deletionTimestamp: "the object is being deleted here; the copy must not start out deleted",
  deletionGracePeriodSeconds: "belongs to a deletion in progress here"
}

/**
 * Annotations that controllers (or kubectl) write: their state, not the user's intent. Copied, they would
 * mislead the target's controllers (a Deployment revision, a PVC bound to a volume that does not exist there).
 */
export const CONTROLLER_ANNOTATIONS: Readonly<Record<string, string>> = {
  "kubectl.kubernetes.io/last-applied-configuration": "kubectl's copy of the last applied manifest (may hold Secret values)",
  "deployment.kubernetes.io/revision": "the Deployment controller's rollout counter",
  "deployment.kubernetes.io/desired-replicas": "written on ReplicaSets by the Deployment controller",
  "deployment.kubernetes.io/max-replicas": "written on ReplicaSets by the Deployment controller",
  "deprecated.daemonset.template.generation": "the DaemonSet controller's template counter",
  "endpoints.kubernetes.io/last-change-trigger-time": "the endpoints controller's bookkeeping",
  "control-plane.alpha.kubernetes.io/leader": "a leader-election record of this cluster",
  "pv.kubernetes.io/bind-completed": "the PV controller's binding state on this cluster",
  "pv.kubernetes.io/bound-by-controller": "the PV controller's binding state on this cluster",
  "volume.beta.kubernetes.io/storage-provisioner": "set by the PV controller from this cluster's StorageClass",
  "volume.kubernetes.io/storage-provisioner": "set by the PV controller from this cluster's StorageClass",
  "volume.kubernetes.io/selected-node": "a node of this cluster chosen by the scheduler",
  "kubernetes.io/service-account.uid": "the uid of a ServiceAccount on this cluster",
  "batch.kubernetes.io/job-tracking": "the Job controller's bookkeeping"
}

/** Labels the Job controller puts on a Job's generated selector and template (the Job's uid on this cluster). */
const JOB_UID_LABELS = ["controller-uid", "batch.kubernetes.io/controller-uid", "job-name", "batch.kubernetes.io/job-name"]

const withoutKeys = (record: Record<string, unknown>, drop: (key: string) => boolean): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => !drop(k)))

/** `record[key]` cleaned by `f`; the key is left out when `f` leaves nothing. */
const mapField = (
  record: Record<string, unknown>,
  key: string,
  f: (value: Record<string, unknown>) => Record<string, unknown>
): Record<string, unknown> => {
  const value = record[key]
  if (!isRecord(value)) return record
  const cleaned = f(value)
  return Object.keys(cleaned).length > 0 ? { ...record, [key]: cleaned } : withoutKeys(record, (k) => k === key)
}

const uidOf = (ref: unknown): string | undefined => (isRecord(ref) && typeof ref["uid"] === "string" ? ref["uid"] : undefined)

const cleanMetadata = (meta: Record<string, unknown>, exported: ReadonlySet<string>): Record<string, unknown> => {
  let out = withoutKeys(meta, (k) => k in SERVER_METADATA)
  out = mapField(out, "annotations", (a) => withoutKeys(a, (k) => k in CONTROLLER_ANNOTATIONS))
  // An owner that is not exported does not exist where the manifest goes: the garbage collector deletes an
  // object whose owners are all gone, so a dangling reference would get the copy deleted.
  const owners = out["ownerReferences"]
  if (Array.isArray(owners)) {
    const kept = owners.filter((o) => {
      const uid = uidOf(o)
      return uid !== undefined && exported.has(uid)
    })
    out = kept.length > 0 ? { ...out, ownerReferences: kept } : withoutKeys(out, (k) => k === "ownerReferences")
  }
  return out
}

/** Fields of `spec` that the cluster filled in, by kind. */
const cleanSpec = (kind: string, spec: Record<string, unknown>): Record<string, unknown> => {
  switch (kind) {
    case "Service":
      // The cluster IP is allocated from this cluster's service CIDR; on another cluster it may be taken or out
      // of range. "None" (a headless Service) is the user's choice and stays.
      return spec["clusterIP"] === "None" ? spec : withoutKeys(spec, (k) => k === "clusterIP" || k === "clusterIPs")
    case "Pod":
      // The node the scheduler chose here; a node of that name is unlikely to exist on the target.
      return withoutKeys(spec, (k) => k === "nodeName")
    case "PersistentVolumeClaim":
      // The PersistentVolume it is bound to on this cluster; the target binds or provisions its own.
      return withoutKeys(spec, (k) => k === "volumeName")
    case "Job": {
      // Unless the user chose the selector, the Job controller generated it from this Job's uid; the server
      // refuses a new Job that carries it. Left out, the target generates its own.
      if (spec["manualSelector"] === true) return spec
      const withoutSelector = withoutKeys(spec, (k) => k === "selector")
      return mapField(withoutSelector, "template", (t) =>
        mapField(t, "metadata", (m) => mapField(m, "labels", (l) => withoutKeys(l, (k) => JOB_UID_LABELS.includes(k)))))
    }
    default:
      return spec
  }
}

/** apiVersion, kind and metadata first, as manifests are written. */
const MANIFEST_ORDER = ["apiVersion", "kind", "metadata"]

/**
 * An object as a manifest that can be applied again, here or on another cluster: what the source cluster
 * wrote into it is removed (server metadata, controller annotations, allocated or scheduled fields, owner
 * references to objects not exported) and `status` goes (it is observed state, written by controllers and
 * ignored by apply). `exported` holds the uids of the objects exported together with it: references to
 * them stay.
 */
export const cleanObject = (obj: KubeObject, exported: ReadonlySet<string> = new Set()): KubeObject => {
  const kind = typeof obj["kind"] === "string" ? obj["kind"] : ""
  let out = withoutKeys(obj, (k) => k === "status")
  out = mapField(out, "metadata", (m) => cleanMetadata(m, exported))
  out = mapField(out, "spec", (s) => cleanSpec(kind, s))
  const ordered: Record<string, unknown> = {}
  for (const k of MANIFEST_ORDER) if (k in out) ordered[k] = out[k]
  for (const [k, v] of Object.entries(out)) if (!MANIFEST_ORDER.includes(k)) ordered[k] = v
  return ordered
}

/** Namespaces every cluster has: they exist on the target already and are not the user's to copy. */
const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"]

/**
 * Why an object is not exported, or undefined: objects that only a controller creates exist (or will) on the
 * target by that controller's doing; a copy would fight it or dangle.
 */
export const controllerMade = (obj: KubeObject, exported: ReadonlySet<string> = new Set()): string | undefined => {
  const kind = obj["kind"]
  const meta = metaOf(obj)
  const owner = meta.ownerReferences?.find((o) => o.controller === true && (o.uid === undefined || !exported.has(o.uid)))
  if (owner !== undefined) return `created by its controller ${owner.kind}/${owner.name}; copy the ${owner.kind} and it creates this`
  const name = meta.name ?? ""
  if (kind === "ConfigMap" && name === "kube-root-ca.crt") return "published in every namespace by kube-controller-manager (the cluster's root CA)"
  if (kind === "ServiceAccount" && name === "default") return "created in every namespace by kube-controller-manager"
  if (kind === "Secret" && obj["type"] === "kubernetes.io/service-account-token") {
    return "a ServiceAccount token: the token controller writes each cluster's own"
  }
  if (kind === "Endpoints" && (meta.labels?.["endpoints.kubernetes.io/managed-by"] !== undefined ||
    meta.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"] !== undefined)) {
    return "written by the endpoints controller for its Service; copy the Service"
  }
  if (kind === "EndpointSlice" && meta.labels?.["endpointslice.kubernetes.io/managed-by"] !== undefined) {
    return "written by the EndpointSlice controller for its Service; copy the Service"
  }
  if (kind === "Namespace" && SYSTEM_NAMESPACES.includes(name)) return "exists on every cluster"
  if (kind === "Event") return "events are this cluster's history, not configuration"
  return undefined
}

/** A multi-document YAML manifest; `comments` go first, as `#` lines. */
export const manifestYaml = (objects: ReadonlyArray<KubeObject>, comments: ReadonlyArray<string> = []): string =>
  [
    ...comments.map((c) => `# ${c}`),
    ...objects.map((o, i) => `${i > 0 || comments.length > 0 ? "---\n" : ""}${dump(o, { lineWidth: -1, noRefs: true })}`.trimEnd())
  ].join("\n") + "\n"

// ---- export ----

/** At most this many objects per call: a manifest is for one namespace's worth of a kind, not a fleet's. */
export const MAX_EXPORT = 500

export interface ExportQuery {
  readonly namespace?: string | undefined
  readonly allNamespaces?: boolean | undefined
  readonly labelSelector?: string | undefined
  /** Only these objects (listed first, then picked by name). */
  readonly names?: ReadonlyArray<string> | undefined
}

export interface ObjectName {
  readonly name: string
  readonly namespace: string | undefined
}

export interface ExportedObject extends ObjectName {
  readonly object: KubeObject
}

export interface SkippedObject extends ObjectName {
  readonly reason: string
}

export interface Exported {
  readonly info: ResourceInfo
  /** The namespace listed; undefined: all namespaces, or a cluster-scoped kind. */
  readonly namespace: string | undefined
  readonly objects: ReadonlyArray<ExportedObject>
  readonly skipped: ReadonlyArray<SkippedObject>
  /** Names asked for that do not exist (or do not match the selector). */
  readonly missing: ReadonlyArray<string>
  /** Secret values are masked (the context does not reveal them): the manifest cannot be applied as it is. */
  readonly masked: boolean
  /** More than MAX_EXPORT objects matched; the rest were left out. */
  readonly more: boolean
}

const isSecretKind = (info: ResourceInfo): boolean => info.group === "" && info.kind === "Secret"

/**
 * The objects of one kind (every page through objects.ts, up to MAX_EXPORT), sanitized as every output is,
 * controller-made ones skipped, the rest cleaned.
 */
export const exportObjects = (gvk: Gvk, query: ExportQuery, tool: string): Effect.Effect<Exported, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const listed = yield* listAllObjects(gvk, { namespace: query.namespace, allNamespaces: query.allNamespaces, labelSelector: query.labelSelector }, MAX_EXPORT + 1, tool)
    // managedFields and last-applied go, Secret values are masked unless this context reveals them
    const items = listed.items.map((o) => sanitizeObject(o, optionsOf(kube)))
    const wanted = query.names !== undefined ? new Set(query.names) : undefined
    const picked = wanted !== undefined ? items.filter((o) => wanted.has(metaOf(o).name ?? "")) : items
    const more = picked.length > MAX_EXPORT || !listed.complete
    const kept = picked.slice(0, MAX_EXPORT)
    // the uids exported together: owner references to them stay (objects of one kind owning each other)
    const candidates = new Set(kept.flatMap((o) => (metaOf(o).uid !== undefined ? [metaOf(o).uid ?? ""] : [])))
    const objects: Array<ExportedObject> = []
    const skipped: Array<SkippedObject> = []
    for (const o of kept) {
      const m = metaOf(o)
      const reason = controllerMade(o, candidates)
      if (reason !== undefined) skipped.push({ name: m.name ?? "", namespace: m.namespace, reason })
      else objects.push({ name: m.name ?? "", namespace: m.namespace, object: cleanObject(o, candidates) })
    }
    const found = new Set(kept.map((o) => metaOf(o).name ?? ""))
    return {
      info: listed.info,
      namespace: listed.namespace,
      objects,
      skipped,
      missing: (query.names ?? []).filter((n) => !found.has(n)),
      masked: isSecretKind(listed.info) && !kube.settings.revealSecrets && objects.length > 0,
      more
    }
  })

// ---- copy: apply exported objects on the target ----

export interface CopyOptions {
  /** Namespace of the copies (namespaced kinds); undefined: each object's own. */
  readonly toNamespace: string | undefined
  readonly fieldManager: string
  readonly dryRun: boolean
  readonly tool: string
}

export type CopyResult =
  | (ObjectName & { readonly action: "created" | "configured" | "unchanged"; readonly outcome: ApplyOutcome | undefined; readonly note?: string })
  | (ObjectName & { readonly action: "failed"; readonly error: { readonly type: string; readonly message: string } })

/**
 * The namespace the copies go to, created when it does not exist (with dry run: reported as it would be).
 * Returns what was done to it, or undefined when it existed.
 */
export const ensureNamespace = (
  name: string,
  opts: Omit<CopyOptions, "toNamespace">
): Effect.Effect<ApplyOutcome | "would be created" | undefined, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const target = yield* resolveTarget({ version: "v1", kind: "Namespace", name }, "get", opts.tool)
    const existing = yield* getObject(target).pipe(
      Effect.map(Option.some),
      Effect.catchTag("NotFound", () => Effect.succeed(Option.none<KubeObject>()))
    )
    if (Option.isSome(existing)) return undefined
    const [outcome] = yield* applyManifest([namespaceDoc(name)], {
      namespace: undefined,
      fieldManager: opts.fieldManager,
      force: false,
      dryRun: opts.dryRun,
      tool: opts.tool
    })
    return outcome ?? "would be created"
  })

const namespaceDoc = (name: string): ManifestDoc => ({
  index: 1,
  apiVersion: "v1",
  kind: "Namespace",
  name,
  namespace: undefined,
  object: { apiVersion: "v1", kind: "Namespace", metadata: { name } }
})

/**
 * The copy of one exported object on the target: namespace remapped and owner references left out (they name
 * uids of the source cluster, which mean nothing on the target: its garbage collector would delete the copy).
 */
export const copyOf = (o: ExportedObject, toNamespace: string | undefined): KubeObject => {
  const meta = isRecord(o.object["metadata"]) ? o.object["metadata"] : {}
  const rest = withoutKeys(meta, (k) => k === "ownerReferences" || k === "namespace")
  const namespace = toNamespace ?? o.namespace
  return { ...o.object, metadata: { ...rest, ...(o.namespace !== undefined && namespace !== undefined ? { namespace } : {}) } }
}

/**
 * Applies each exported object on the target, in order; a failure is that object's result and the others
 * go on. `namespaceMissing` (dry run only): the namespace does not exist yet, so the server cannot dry-run
 * objects into it; they are reported as they would be created, unchecked.
 */
export const applyCopies = (
  objects: ReadonlyArray<ExportedObject>,
  opts: CopyOptions & { readonly namespaceMissing: boolean }
): Effect.Effect<ReadonlyArray<CopyResult>, never, Kube> =>
  Effect.forEach(objects, (o) => {
    const object = copyOf(o, opts.toNamespace)
    const namespace = o.namespace !== undefined ? opts.toNamespace ?? o.namespace : undefined
    if (opts.dryRun && opts.namespaceMissing && namespace !== undefined) {
      const result: CopyResult = {
        name: o.name,
        namespace,
        action: "created",
        outcome: undefined,
        note: `namespace "${namespace}" does not exist yet, so the server could not dry-run this object`
      }
      return Effect.succeed(result)
    }
    const doc: ManifestDoc = {
      index: 1,
      apiVersion: typeof object["apiVersion"] === "string" ? object["apiVersion"] : "",
      kind: typeof object["kind"] === "string" ? object["kind"] : "",
      name: o.name,
      namespace,
      object
    }
    return applyManifest([doc], { namespace, fieldManager: opts.fieldManager, force: false, dryRun: opts.dryRun, tool: opts.tool }).pipe(
      Effect.map((outcomes): CopyResult => {
        const outcome = outcomes[0]
        return { name: o.name, namespace, action: outcome?.action ?? "unchanged", outcome }
      }),
      Effect.catch((e) => Effect.succeed<CopyResult>({ name: o.name, namespace, action: "failed", error: { type: e._tag, message: e.message } }))
    )
  })
