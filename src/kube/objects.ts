/**
 * Objects of any kind, built-in or CRD, named by group/version/kind: the operations behind the resources_*
 * tools (server-side apply and diff of manifests are in apply.ts). Discovery (discovery.ts) turns the kind into its resource, scope and verbs; every request goes
 * through call.ts (RBAC pre-check, limiter, decoding). Objects are kept whole (any kind has any fields) and
 * read through views decoded from them; whatever is returned to be shown is sanitized (output/sanitize.ts).
 */
import { Clock, Effect, Option, Schema } from "effect"
import { CORE_SCHEMA, load } from "js-yaml"
import { type ApiError, InvalidInput, type KubeError } from "../errors.js"
import { isRecord, isSecret, optionsOf, sanitizeObject, sanitizePair } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { type ColumnSpec, project } from "./columns.js"
import { changedPaths, specOnly } from "./compare.js"
import { parseApiVersion, type ResourceInfo, resolveKind, resourcePath, typeName } from "./discovery.js"
import { countOf, eventsFor, lastSeen } from "./events.js"
import { access, type AccessCheck, Kube } from "./Kube.js"
import { age, ListMeta, OwnerReference } from "./meta.js"
import { PAGE_SIZE, pageQuery, readAllPages, Table, TABLE_ACCEPT } from "./paging.js"
import { listScope, namespaceOr } from "./scope.js"

// ---- how callers name a kind, and the options of writes ----

export const DEFAULT_FIELD_MANAGER = "kube-mcp"

// ---- objects: kept whole, read through views ----

/** Any object the API server returns, kept whole for output. */
export const KubeObject = Schema.Record(Schema.String, Schema.Unknown)
export type KubeObject = typeof KubeObject.Type


/** The metadata fields read (decoded from a copy; the object itself stays whole). */
const MetaView = Schema.Struct({
  name: Schema.optionalKey(Schema.String),
  namespace: Schema.optionalKey(Schema.String),
  uid: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.optionalKey(Schema.String),
  generation: Schema.optionalKey(Schema.Finite),
  creationTimestamp: Schema.optionalKey(Schema.String),
  deletionTimestamp: Schema.optionalKey(Schema.String),
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  annotations: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  finalizers: Schema.optionalKey(Schema.Array(Schema.String)),
  ownerReferences: Schema.optionalKey(Schema.Array(OwnerReference))
})
export type MetaView = typeof MetaView.Type
const ObjectView = Schema.Struct({
  apiVersion: Schema.optionalKey(Schema.String),
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(MetaView)
})
const decodeView = Schema.decodeUnknownOption(ObjectView)

export const metaOf = (obj: unknown): MetaView => {
  const view = decodeView(obj)
  return Option.isSome(view) ? view.value.metadata ?? {} : {}
}
const kindOf = (obj: unknown): string | undefined => {
  const view = decodeView(obj)
  return Option.isSome(view) ? view.value.kind : undefined
}

const Conditions = Schema.Struct({
  status: Schema.optionalKey(Schema.Struct({
    phase: Schema.optionalKey(Schema.String),
    conditions: Schema.optionalKey(Schema.Array(Schema.Struct({
      type: Schema.String,
      status: Schema.String,
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String)
    })))
  }))
})
const decodeConditions = Schema.decodeUnknownOption(Conditions)

export interface StatusLines {
  readonly phase?: string
  readonly conditions?: Array<string>
}

/** "Available=True (MinimumReplicasAvailable)" lines, and the phase, when the object has them. */
export const statusLines = (obj: unknown): StatusLines => {
  const s = decodeConditions(obj)
  if (Option.isNone(s) || s.value.status === undefined) return {}
  const { conditions, phase } = s.value.status
  return {
    ...(phase !== undefined ? { phase } : {}),
    ...(conditions !== undefined && conditions.length > 0
      ? {
        conditions: conditions.map((c) =>
          `${c.type}=${c.status}${c.reason !== undefined && c.reason !== "" ? ` (${c.reason})` : ""}${
            c.message !== undefined && c.message !== "" && c.status !== "True" ? `: ${c.message}` : ""
          }`
        )
      }
      : {})
  }
}

// ---- naming: kind → resource, object → where it lives ----

export interface Gvk {
  readonly group?: string | undefined
  readonly version: string
  readonly kind: string
}

/** One object as a caller names it; an omitted namespace is the context's (for namespaced kinds). */
export interface ObjectRef extends Gvk {
  readonly name: string
  readonly namespace?: string | undefined
}

/** One object, resolved: its resource and the namespace it is addressed in (undefined: cluster-scoped). */
export interface Target {
  readonly info: ResourceInfo
  readonly name: string
  readonly namespace: string | undefined
}

/** kubectl's reference to an object: deployment.apps/web. */
export const refOf = (info: Pick<ResourceInfo, "kind" | "group">, name: string): string => `${typeName(info)}/${name}`

/** ` in namespace "x"`, or nothing for cluster scope: for sentences about an object. */
export const inNamespace = (namespace: string | undefined): string => (namespace !== undefined ? ` in namespace "${namespace}"` : "")

/** Refuses a verb the resource does not offer (discovery lists them) before any request is made. */
export const requireVerb = (info: ResourceInfo, verb: string, tool: string): Effect.Effect<void, InvalidInput> =>
  info.verbs.includes(verb)
    ? Effect.void
    : Effect.fail(
      new InvalidInput({
        message: `${typeName(info)} does not support "${verb}" (its verbs: ${info.verbs.join(", ") || "none"}), so ${tool} cannot act on it`,
        issues: [{ path: "kind", message: `${info.kind} does not support ${verb}` }]
      })
    )

/** The resource behind group/version/kind; with `verb`, refused unless the resource offers it (`tool` says who asks). */
export const resolveResource = (gvk: Gvk, verb: string | undefined, tool: string): Effect.Effect<ResourceInfo, KubeError | InvalidInput, Kube> =>
  resolveKind({ group: gvk.group ?? "", version: gvk.version, kind: gvk.kind }).pipe(
    Effect.tap((info) => (verb !== undefined ? requireVerb(info, verb, tool) : Effect.void))
  )

const namespaceIn = (info: ResourceInfo, namespace: string | undefined, contextNamespace: string): string | undefined =>
  info.namespaced ? namespaceOr(namespace, contextNamespace) : undefined

/** The object a caller names, resolved; `verb` as for resolveResource. */
export const resolveTarget = (ref: ObjectRef, verb: string | undefined, tool: string): Effect.Effect<Target, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const info = yield* resolveResource(ref, verb, tool)
    return { info, name: ref.name, namespace: namespaceIn(info, ref.namespace, kube.info.namespace) }
  })

/** What an operation on the object asks permission for (RBAC pre-check). */
export const checkOn = (t: Target, verb: string, subresource?: string): AccessCheck =>
  access({ verb, group: t.info.group, resource: t.info.resource, subresource, namespace: t.namespace, name: t.name, clusterScoped: !t.info.namespaced })

// ---- get ----

/** The object as the API server has it (for reading; sanitize before showing). */
export const getObject = (t: Target): Effect.Effect<KubeObject, KubeError, Kube> =>
  callJson(checkOn(t, "get"), { path: resourcePath(t.info, t) }, KubeObject)

/** The object fit to show: managedFields and last-applied removed, Secret values masked unless revealed. */
export const getShown = (t: Target): Effect.Effect<KubeObject, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    return sanitizeObject(yield* getObject(t), optionsOf(kube), t.info.kind)
  })


const decodeTable = Schema.decodeUnknownOption(Table)

const cellText = (cell: unknown): string =>
  cell === null || cell === undefined
    ? "<none>"
    : typeof cell === "string"
    ? cell
    : typeof cell === "number" || typeof cell === "boolean"
    ? String(cell)
    : JSON.stringify(cell)

/** The default (priority 0) columns of a server Table, lower-cased like the other tools' columns. */
const tableColumns = (t: Table): { names: Array<string>; indexes: Array<number> } => {
  const indexes = t.columnDefinitions.flatMap((c, i) => ((c.priority ?? 0) === 0 ? [i] : []))
  return { names: indexes.map((i) => (t.columnDefinitions[i]?.name ?? "").toLowerCase()), indexes }
}

/** Keys of a top-level data map with their sizes (Secret values masked by the sanitized object already). */
const dataKeys = (obj: Record<string, unknown>, secret: boolean): Record<string, string> | undefined => {
  const data = obj["data"]
  if (!isRecord(data)) return undefined
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, secret || typeof v !== "string" ? cellText(v) : `${Buffer.byteLength(v)} bytes`])
  )
}

/** A compact view of one object: kubectl get's columns for its kind, labels, owner, conditions, data keys. */
export const getSummary = (t: Target): Effect.Effect<Record<string, unknown>, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const answer = yield* callJson(checkOn(t, "get"), {
      path: resourcePath(t.info, t),
      query: { includeObject: "Object" },
      accept: TABLE_ACCEPT
    }, KubeObject)
    const table = decodeTable(answer)
    // with includeObject=Object the row carries the whole object; without Table support the answer is the object
    const rawRow = Option.isSome(table) ? answer["rows"] : undefined
    const firstRow = Array.isArray(rawRow) ? rawRow[0] : undefined
    const rawObject = Option.isSome(table) ? (isRecord(firstRow) && isRecord(firstRow["object"]) ? firstRow["object"] : {}) : answer
    const obj = sanitizeObject(rawObject, optionsOf(kube), t.info.kind)
    const m = metaOf(obj)
    const columns: Record<string, string> = {}
    if (Option.isSome(table)) {
      const { indexes, names } = tableColumns(table.value)
      const cells = table.value.rows[0]?.cells ?? []
      names.forEach((n, i) => {
        if (n !== "name" && n !== "age") columns[n] = cellText(cells[indexes[i] ?? -1])
      })
    }
    const owner = m.ownerReferences?.find((o) => o.controller === true) ?? m.ownerReferences?.[0]
    const data = dataKeys(obj, isSecret(obj, t.info.kind))
    const now = yield* Clock.currentTimeMillis
    return {
      kind: t.info.kind,
      apiVersion: t.info.apiVersion,
      name: m.name ?? t.name,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      age: age(m.creationTimestamp, now),
      ...(m.creationTimestamp !== undefined ? { created: m.creationTimestamp } : {}),
      ...columns,
      ...statusLines(obj),
      ...(m.labels !== undefined ? { labels: m.labels } : {}),
      ...(m.annotations !== undefined ? { annotations: m.annotations } : {}),
      ...(owner !== undefined ? { owner: `${owner.kind}/${owner.name}` } : {}),
      ...(m.deletionTimestamp !== undefined ? { deleting_since: m.deletionTimestamp } : {}),
      ...(m.finalizers !== undefined && m.finalizers.length > 0 ? { finalizers: m.finalizers } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {})
    }
  })

// ---- list ----

export interface ListQuery {
  readonly namespace?: string | undefined
  readonly allNamespaces?: boolean | undefined
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly limit?: number | undefined
  readonly continue?: string | undefined
}

/** What a page of a listing says besides its items. */
export interface Listed {
  readonly info: ResourceInfo
  /** The namespace listed; undefined: every namespace, or a cluster-scoped kind. */
  readonly namespace: string | undefined
  readonly continue: string | undefined
  readonly remaining: number | undefined
  /** Some aggregated APIs (metrics.k8s.io) ignore limit and answer everything: cut here to `shown` of `total`. */
  readonly capped: { readonly shown: number; readonly total: number } | undefined
}

export interface ObjectRows extends Listed {
  readonly columns: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

export interface ObjectItems extends Listed {
  /** Sanitized, each with its apiVersion and kind (typed lists omit them). */
  readonly items: ReadonlyArray<KubeObject>
}

const PlainList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(KubeObject) })

const cap = <A>(all: ReadonlyArray<A>, limit: number): { kept: ReadonlyArray<A>; capped: Listed["capped"] } =>
  all.length > limit ? { kept: all.slice(0, limit), capped: { shown: limit, total: all.length } } : { kept: all, capped: undefined }

/** The page request of a listing, after the namespace rule and the verb check. */
const listRequest = (gvk: Gvk, query: ListQuery, tool: string) =>
  Effect.gen(function*() {
    const kube = yield* Kube
    // cluster-scoped kinds ignore the namespace; the pair is still refused, as for every list
    yield* listScope({ namespace: query.namespace, all_namespaces: query.allNamespaces }, kube.info.namespace)
    const info = yield* resolveResource(gvk, "list", tool)
    const namespace = query.allNamespaces === true ? undefined : namespaceIn(info, query.namespace, kube.info.namespace)
    return {
      kube,
      info,
      namespace,
      limit: query.limit ?? PAGE_SIZE,
      check: access({ verb: "list", group: info.group, resource: info.resource, namespace, clusterScoped: !info.namespaced }),
      request: { path: resourcePath(info, { namespace }), query: pageQuery(query) }
    }
  })

/**
 * One page as kubectl get shows it: the server-side Table's default columns (CRD printer columns included),
 * a namespace column across namespaces; name and age from the plain list where the API renders no Table.
 */
export const listRows = (gvk: Gvk, query: ListQuery, tool: string): Effect.Effect<ObjectRows, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const { check, info, limit, namespace, request } = yield* listRequest(gvk, query, tool)
    const answer = yield* callJson(check, { ...request, accept: TABLE_ACCEPT }, KubeObject)
    const showNamespace = info.namespaced && namespace === undefined
    const table = decodeTable(answer)
    if (Option.isSome(table)) {
      const { indexes, names } = tableColumns(table.value)
      const { capped, kept } = cap(table.value.rows, limit)
      return {
        info,
        namespace,
        columns: [...(showNamespace ? ["namespace"] : []), ...names],
        rows: kept.map((r) => [...(showNamespace ? [r.object?.metadata?.namespace ?? ""] : []), ...indexes.map((i) => cellText(r.cells[i]))]),
        continue: table.value.metadata?.continue,
        remaining: table.value.metadata?.remainingItemCount,
        capped
      }
    }
    const list = yield* Schema.decodeUnknownEffect(PlainList)(answer).pipe(Effect.orDie)
    const now = yield* Clock.currentTimeMillis
    const { capped, kept } = cap(list.items, limit)
    return {
      info,
      namespace,
      columns: [...(showNamespace ? ["namespace"] : []), "name", "age"],
      rows: kept.map((item) => {
        const m = metaOf(item)
        return [...(showNamespace ? [m.namespace ?? ""] : []), m.name ?? "", age(m.creationTimestamp, now)]
      }),
      continue: list.metadata?.continue,
      remaining: list.metadata?.remainingItemCount,
      capped
    }
  })

/** One page of the objects themselves, sanitized. */
export const listItems = (gvk: Gvk, query: ListQuery, tool: string): Effect.Effect<ObjectItems, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const { check, info, kube, limit, namespace, request } = yield* listRequest(gvk, query, tool)
    const list = yield* callJson(check, request, PlainList)
    const { capped, kept } = cap(list.items, limit)
    const opts = optionsOf(kube)
    return {
      info,
      namespace,
      items: kept.map((item) => sanitizeObject({ apiVersion: info.apiVersion, kind: info.kind, ...item }, opts)),
      continue: list.metadata?.continue,
      remaining: list.metadata?.remainingItemCount,
      capped
    }
  })

/**
 * One page of the objects projected to custom columns (kubectl -o custom-columns): whole objects are read,
 * sanitized first (Secret values stay masked unless the context reveals them), then each becomes a row.
 */
export const listProjected = (gvk: Gvk, query: ListQuery, spec: ColumnSpec, tool: string): Effect.Effect<ObjectRows, KubeError | InvalidInput, Kube> =>
  Effect.map(listItems(gvk, query, tool), (l) => {
    const { columns, rows } = project(spec, l.items)
    return { info: l.info, namespace: l.namespace, continue: l.continue, remaining: l.remaining, capped: l.capped, columns, rows }
  })

/**
 * Every page of the objects as the API server has them, up to `maxItems` (for reading and comparing;
 * sanitize before showing). `complete` is false when the cap stopped the read.
 */
export const listAllObjects = (
  gvk: Gvk,
  query: Pick<ListQuery, "namespace" | "allNamespaces" | "labelSelector" | "fieldSelector">,
  maxItems: number,
  tool: string
): Effect.Effect<{ readonly info: ResourceInfo; readonly namespace: string | undefined; readonly items: ReadonlyArray<KubeObject>; readonly complete: boolean }, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const { check, info, namespace, request } = yield* listRequest(gvk, query, tool)
    const { complete, items } = yield* readAllPages(check, request, PlainList, maxItems)
    return { info, namespace, items: items.map((item) => ({ apiVersion: info.apiVersion, kind: info.kind, ...item })), complete }
  })

// ---- patch ----

const PATCH_CONTENT_TYPES = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json"
} as const
export type PatchType = keyof typeof PATCH_CONTENT_TYPES

const badPatch = (message: string) => new InvalidInput({ message: `Invalid patch: ${message}`, issues: [{ path: "patch", message }] })

/** The patch as a value of its type's shape: JSON/YAML text parsed; json patches are arrays, the others objects. */
const parsePatch = (patch: string | Readonly<Record<string, unknown>> | ReadonlyArray<unknown>, type: PatchType) =>
  Effect.gen(function*() {
    const value: unknown = typeof patch === "string"
      ? yield* Effect.try({
        try: () => load(patch, { schema: CORE_SCHEMA }),
        catch: (e) => badPatch(`not valid JSON or YAML: ${e instanceof Error ? e.message : String(e)}`)
      })
      : patch
    if (type === "json" && !Array.isArray(value)) return yield* badPatch("a json patch is an array of operations ({op, path, value})")
    if (type !== "json" && !isRecord(value)) return yield* badPatch(`a ${type} patch is an object`)
    return value
  })

export interface PatchOutcome extends Target {
  readonly action: "patched" | "unchanged"
  readonly resourceVersion: string
  /** Changed fields, sanitized, without status. */
  readonly changes: ReadonlyArray<string>
}

export const patchObject = (
  ref: ObjectRef,
  patch: { readonly type: PatchType; readonly value: string | Readonly<Record<string, unknown>> | ReadonlyArray<unknown>; readonly dryRun: boolean },
  tool: string
): Effect.Effect<PatchOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const body = yield* parsePatch(patch.value, patch.type)
    const target = yield* resolveTarget(ref, "patch", tool)
    const before = yield* getObject(target)
    const after = yield* callJson(checkOn(target, "patch"), {
      method: "PATCH",
      path: resourcePath(target.info, target),
      query: { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: patch.dryRun ? "All" : undefined },
      body,
      contentType: PATCH_CONTENT_TYPES[patch.type]
    }, KubeObject).pipe(
      Effect.catchTag("ApiError", (e): Effect.Effect<never, ApiError | InvalidInput> =>
        e.code === 415 && patch.type === "strategic"
          ? Effect.fail(new InvalidInput({
            message: `${typeName(target.info)} does not support strategic merge patch (custom resources do not); use patch_type "merge" or "json"`,
            issues: [{ path: "patch_type", message: "strategic merge patch is not supported for this kind" }]
          }))
          : Effect.fail(e))
    )
    const [b, a] = sanitizePair(before, after, optionsOf(kube))
    // status is left out: controllers write it concurrently, and a patch of the main resource does not change it
    const changes = changedPaths(specOnly(b ?? {}), specOnly(a ?? {}))
    return { ...target, action: changes.length > 0 ? "patched" : "unchanged", resourceVersion: metaOf(after).resourceVersion ?? "", changes }
  })

// ---- scale ----

const Scale = Schema.Struct({
  metadata: Schema.optionalKey(Schema.Struct({ resourceVersion: Schema.optionalKey(Schema.String) })),
  spec: Schema.optionalKey(Schema.Struct({ replicas: Schema.optionalKey(Schema.Finite) })),
  status: Schema.optionalKey(Schema.Struct({ replicas: Schema.optionalKey(Schema.Finite), selector: Schema.optionalKey(Schema.String) }))
})

export interface ScaleState extends Target {
  /** Desired replicas. */
  readonly replicas: number
  /** Current replicas. */
  readonly current: number
  readonly selector: string | undefined
  readonly resourceVersion: string
}

export interface ScaleChange extends Target {
  readonly action: "scaled" | "unchanged"
  readonly previous: number
  readonly replicas: number
  readonly resourceVersion: string
}

/** A scalable object (one with a /scale subresource: Deployment, StatefulSet, ReplicaSet, CRDs that declare it). */
const scaleTarget = (ref: ObjectRef, tool: string) =>
  Effect.gen(function*() {
    const target = yield* resolveTarget(ref, undefined, tool)
    if (!target.info.subresources.includes("scale")) {
      return yield* new InvalidInput({
        message: `${typeName(target.info)} has no /scale subresource, so it cannot be scaled (scalable kinds include Deployment, StatefulSet, ReplicaSet)`,
        issues: [{ path: "kind", message: `${target.info.kind} is not scalable` }]
      })
    }
    const scale = yield* callJson(checkOn(target, "get", "scale"), { path: resourcePath(target.info, { ...target, subresource: "scale" }) }, Scale)
    return { target, scale }
  })

/** Desired and current replicas and the selector, through /scale. */
export const readScale = (ref: ObjectRef, tool: string): Effect.Effect<ScaleState, KubeError | InvalidInput, Kube> =>
  scaleTarget(ref, tool).pipe(Effect.map(({ scale, target }) => ({
    ...target,
    replicas: scale.spec?.replicas ?? 0,
    current: scale.status?.replicas ?? 0,
    selector: scale.status?.selector,
    resourceVersion: scale.metadata?.resourceVersion ?? ""
  })))

/** Sets the desired replicas through /scale (merge patch); unchanged when it already has them. */
export const setScale = (ref: ObjectRef, replicas: number, dryRun: boolean, tool: string): Effect.Effect<ScaleChange, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const { scale, target } = yield* scaleTarget(ref, tool)
    const previous = scale.spec?.replicas ?? 0
    const updated = previous === replicas ? scale : yield* callJson(checkOn(target, "patch", "scale"), {
      method: "PATCH",
      path: resourcePath(target.info, { ...target, subresource: "scale" }),
      query: { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: dryRun ? "All" : undefined },
      body: { spec: { replicas } },
      contentType: "application/merge-patch+json"
    }, Scale)
    return { ...target, action: previous === replicas ? "unchanged" : "scaled", previous, replicas, resourceVersion: updated.metadata?.resourceVersion ?? "" }
  })

// ---- delete ----

export interface DeleteOptions {
  readonly propagationPolicy?: "Foreground" | "Background" | "Orphan" | undefined
  readonly gracePeriodSeconds?: number | undefined
  readonly dryRun: boolean
}

export interface DeleteOutcome extends Target {
  /** "terminating": the object still exists, with a deletionTimestamp (finalizers or a grace period pending). */
  readonly action: "deleted" | "would be deleted" | "terminating"
  readonly resourceVersion: string | undefined
  readonly finalizers: ReadonlyArray<string>
}

export const deleteObject = (ref: ObjectRef, opts: DeleteOptions, tool: string): Effect.Effect<DeleteOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const target = yield* resolveTarget(ref, "delete", tool)
    const answer = yield* callJson(checkOn(target, "delete"), {
      method: "DELETE",
      path: resourcePath(target.info, target),
      query: { propagationPolicy: opts.propagationPolicy, gracePeriodSeconds: opts.gracePeriodSeconds, dryRun: opts.dryRun ? "All" : undefined }
    }, KubeObject)
    // the server answers with a Status when the object is gone at once, else with the object as it now is
    const gone = kindOf(answer) === "Status"
    const meta = gone ? {} : metaOf(answer)
    return {
      ...target,
      action: opts.dryRun ? "would be deleted" : gone || meta.deletionTimestamp === undefined ? "deleted" : "terminating",
      resourceVersion: meta.resourceVersion,
      finalizers: meta.finalizers ?? []
    }
  })

// ---- describe ----

export interface EventRow {
  readonly type: string
  readonly reason: string
  readonly age: string
  readonly from: string
  readonly count: number
  readonly message: string
}

export interface OwnerLink {
  /** deployment.apps/web, or Kind/name when the owner could not be read. */
  readonly ref: string
  /** Why the chain ends here: the error reading the owner. */
  readonly note?: string
}

export interface Description extends Target {
  /** Sanitized. */
  readonly object: KubeObject
  readonly meta: MetaView
  readonly age: string
  readonly status: StatusLines
  /** The controller chain, nearest first. */
  readonly owners: ReadonlyArray<OwnerLink>
  /** Newest first; `note` when they could not be read. */
  readonly events: { readonly rows: ReadonlyArray<EventRow>; readonly note: string | undefined }
}

/** One step up an object's owner chain: the owner resolved and read, or why it could not be. */
export interface OwnerHop {
  readonly owner: OwnerReference
  /** Set when the owner was read. */
  readonly found?: { readonly info: ResourceInfo; readonly object: KubeObject; readonly namespace: string | undefined }
  /** Why the chain ends here: the error resolving or reading the owner. */
  readonly note?: string
}

/**
 * Follows ownerReferences upwards (the controller, else the first owner), resolving each owner's kind through
 * discovery; nearest first, at most `max` steps. An owner that cannot be read ends the chain with a note.
 */
export const ownerHops = (start: ReadonlyArray<OwnerReference> | undefined, namespace: string | undefined, max = 10) =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const chain: Array<OwnerHop> = []
    let refs = start ?? []
    const seen = new Set<string>()
    while (chain.length < max) {
      const owner = refs.find((r) => r.controller === true) ?? refs[0]
      if (owner === undefined || (owner.uid !== undefined && seen.has(owner.uid))) break
      if (owner.uid !== undefined) seen.add(owner.uid)
      const hop = yield* resolveKind({ ...parseApiVersion(owner.apiVersion), kind: owner.kind }).pipe(
        Effect.flatMap((info) => {
          const ns = namespaceIn(info, namespace, kube.info.namespace)
          return getObject({ info, name: owner.name, namespace: ns }).pipe(
            Effect.map((object): OwnerHop => ({ owner, found: { info, object, namespace: ns } }))
          )
        }),
        Effect.catch((e) => Effect.succeed<OwnerHop>({ owner, note: `${e._tag}: ${e.message}` }))
      )
      chain.push(hop)
      if (hop.found === undefined) break
      refs = metaOf(hop.found.object).ownerReferences ?? []
    }
    return chain
  })

/** The controller chain as describe shows it: references, with the reason where it ends early. */
const ownerChain = (start: ReadonlyArray<OwnerReference> | undefined, namespace: string | undefined) =>
  ownerHops(start, namespace).pipe(Effect.map((hops) =>
    hops.map((h): OwnerLink =>
      h.found !== undefined ? { ref: refOf(h.found.info, h.owner.name) } : { ref: `${h.owner.kind}/${h.owner.name}`, note: h.note ?? "" }
    )
  ))

/** What kubectl describe shows: the object, its owner chain (Pod → ReplicaSet → Deployment) and its events. */
export const describeObject = (ref: ObjectRef, tool: string): Effect.Effect<Description, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const target = yield* resolveTarget(ref, "get", tool)
    const object = sanitizeObject(yield* getObject(target), optionsOf(kube), target.info.kind)
    const meta = metaOf(object)
    const owners = yield* ownerChain(meta.ownerReferences, target.namespace)
    const now = yield* Clock.currentTimeMillis
    const events = meta.uid !== undefined
      ? yield* eventsFor({ kind: target.info.kind, name: meta.name ?? target.name, namespace: target.namespace, uid: meta.uid }).pipe(
        Effect.map((list) => ({
          rows: list.map((e): EventRow => ({
            type: e.type ?? "",
            reason: e.reason ?? "",
            age: age(lastSeen(e), now),
            from: e.source?.component ?? e.reportingComponent ?? "",
            count: countOf(e),
            message: (e.message ?? "").trim()
          })),
          note: undefined
        })),
        Effect.catch((e) => Effect.succeed({ rows: [], note: `not readable (${e._tag}: ${e.message})` }))
      )
      : { rows: [], note: undefined }
    return { ...target, object, meta, age: age(meta.creationTimestamp, now), status: statusLines(object), owners, events }
  })
