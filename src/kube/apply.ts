/**
 * Server-side apply of manifests, and diffs of what it would change: each document is read first, so the
 * outcome says exactly what happened (created, configured with the changed fields, or unchanged); the first
 * failure stops the rest and carries its document's position (errors.ts ManifestPosition).
 */
import { Effect, Option, Schedule, Schema } from "effect"
import { atDocument, InvalidInput, type KubeError, type ManifestPosition } from "../errors.js"
import { toYaml, unifiedDiff } from "../output/diff.js"
import { isRecord, optionsOf, sanitizePair } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { changedPaths, specOnly, withoutNoise } from "./compare.js"
import { parseApiVersion, type ResourceInfo, resolveKind, resourcePath } from "./discovery.js"
import { access, Kube } from "./Kube.js"
import type { ManifestDoc } from "./manifest.js"
import { checkOn, getObject, KubeObject, refOf, requireVerb, type Target } from "./objects.js"

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none. */
  readonly namespace: string | undefined
  readonly fieldManager: string
  readonly force: boolean
  readonly dryRun: boolean
  readonly tool: string
}

export type Action = "created" | "configured" | "unchanged"

export interface ApplyOutcome extends Target {
  /** The live object before (undefined: it did not exist). */
  readonly before: KubeObject | undefined
  /** What the server answered: the object after apply (or as it would be, with dry run). */
  readonly after: KubeObject
  readonly action: Action
  /** Changed fields, sanitized (Secret values masked). */
  readonly changes: ReadonlyArray<string>
  /** CRDs applied for real: whether discovery served the new kind within 15 s. */
  readonly established?: boolean
}

const ManagedFields = Schema.Struct({
  metadata: Schema.optionalKey(Schema.Struct({
    managedFields: Schema.optionalKey(Schema.Array(Schema.Struct({
      manager: Schema.optionalKey(Schema.String),
      operation: Schema.optionalKey(Schema.String),
      fieldsV1: Schema.optionalKey(Schema.Unknown)
    })))
  }))
})
const decodeManagedFields = Schema.decodeUnknownOption(ManagedFields)

/** The fields a manager owns through Apply, as comparable text. */
const appliedFields = (obj: unknown, manager: string): string => {
  const m = decodeManagedFields(obj)
  const entries = Option.isSome(m) ? m.value.metadata?.managedFields ?? [] : []
  return JSON.stringify(entries.filter((e) => e.manager === manager && e.operation === "Apply").map((e) => e.fieldsV1))
}

const inputError = (path: string, message: string) => new InvalidInput({ message, issues: [{ path, message }] })

/** Server-side apply of one document (fieldValidation=Strict), read before so the outcome says what happened. */
export const applyDocument = (doc: ManifestDoc, opts: ApplyOptions): Effect.Effect<ApplyOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const info = yield* resolveKind({ ...parseApiVersion(doc.apiVersion), kind: doc.kind })
    if (info.kind !== doc.kind) {
      return yield* inputError("kind", `kind "${doc.kind}" must be spelt exactly as the API serves it: "${info.kind}"`)
    }
    yield* requireVerb(info, "patch", opts.tool)
    const explicit = opts.namespace !== undefined && opts.namespace !== "" ? opts.namespace : undefined
    if (info.namespaced && doc.namespace !== undefined && explicit !== undefined && doc.namespace !== explicit) {
      return yield* inputError(
        "namespace",
        `${refOf(info, doc.name)} names namespace "${doc.namespace}" but the namespace parameter is "${explicit}"; remove one of them`
      )
    }
    const target: Target = { info, name: doc.name, namespace: info.namespaced ? doc.namespace ?? explicit ?? kube.info.namespace : undefined }
    const { namespace: _dropped, ...metaRest } = isRecord(doc.object["metadata"]) ? doc.object["metadata"] : {}
    // cluster-scoped objects carry no namespace; namespaced ones get the one resolved above
    const body = { ...doc.object, metadata: { ...metaRest, ...(target.namespace !== undefined ? { namespace: target.namespace } : {}) } }

    const before = yield* getObject(target).pipe(
      Effect.map(Option.some),
      Effect.catchTag("NotFound", () => Effect.succeed(Option.none<KubeObject>()))
    )
    // apply that creates needs create as well as patch
    if (Option.isNone(before)) yield* kube.authorize(access({ verb: "create", group: info.group, resource: info.resource, namespace: target.namespace, clusterScoped: !info.namespaced }))
    const after = yield* callJson(checkOn(target, "patch"), {
      method: "PATCH",
      path: resourcePath(info, target),
      query: {
        fieldManager: opts.fieldManager,
        force: opts.force ? "true" : undefined,
        dryRun: opts.dryRun ? "All" : undefined,
        // unknown or duplicate fields are errors, as with kubectl: a typo must not be dropped silently
        fieldValidation: "Strict"
      },
      body: JSON.stringify(body),
      contentType: "application/apply-patch+yaml"
    }, KubeObject)
    const live = Option.getOrUndefined(before)
    const [b, a] = sanitizePair(live, after, optionsOf(kube))
    // status is left out: controllers write it between our read and our apply, which is not this apply's doing
    const changes = b !== undefined && a !== undefined ? changedPaths(specOnly(b), specOnly(a)) : []
    // The resourceVersion cannot tell (controllers may write in between): the apply configured something if it
    // changed a field or this manager's field ownership.
    const ownershipChanged = live !== undefined && appliedFields(live, opts.fieldManager) !== appliedFields(after, opts.fieldManager)
    const action: Action = live === undefined ? "created" : changes.length > 0 || ownershipChanged ? "configured" : "unchanged"
    return { ...target, before: live, after, action, changes }
  })

const CrdView = Schema.Struct({
  spec: Schema.Struct({
    group: Schema.String,
    names: Schema.Struct({ kind: Schema.String }),
    versions: Schema.Array(Schema.Struct({ name: Schema.String, served: Schema.Boolean }))
  })
})

const isCrd = (info: ResourceInfo) => info.group === "apiextensions.k8s.io" && info.kind === "CustomResourceDefinition"

/**
 * After a CRD is applied, wait (bounded) until discovery serves its kind, so the very next call can use it.
 * Returns whether it got there.
 */
const awaitCrdServed = (crd: KubeObject): Effect.Effect<boolean, never, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const view = Schema.decodeUnknownOption(CrdView)(crd)
    if (Option.isNone(view)) return false
    const { group, names, versions } = view.value.spec
    // Served in discovery first; then the first list may still answer 429 "storage is (re)initializing" while
    // the new resource's watch cache fills, so one list (limit 1) must succeed too. A list this user may not
    // make is no reason to wait.
    const served = Effect.forEach(versions.filter((v) => v.served), (v) =>
      kube.resources({ group, version: v.name }, { refresh: true }).pipe(
        Effect.flatMap((resources): Effect.Effect<unknown, KubeError | string, Kube> => {
          const info = resources.find((r) => r.kind === names.kind)
          return info === undefined ? Effect.fail("not yet served") : callJson(
            access({ verb: "list", group: info.group, resource: info.resource, clusterScoped: !info.namespaced }),
            { path: resourcePath(info), query: { limit: 1 } },
            KubeObject
          ).pipe(Effect.catchTag("Forbidden", () => Effect.void))
        })
      ))
    return yield* served.pipe(
      Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo({ duration: "15 seconds" }))),
      Effect.as(true),
      Effect.orElseSucceed(() => false)
    )
  })

/** Where in the manifest a failure happened; `others` says what became of the documents around it. */
const positionOf = (doc: ManifestDoc, total: number, others?: string): ManifestPosition => ({
  index: doc.index,
  total,
  kind: doc.kind,
  name: doc.name,
  ...(others !== undefined ? { others } : {})
})

/** "Already applied: configmap/a created. Not attempted: 1 later document(s)." */
const progressNote = (doc: ManifestDoc, total: number, done: ReadonlyArray<ApplyOutcome>, dryRun: boolean): string =>
  `${
    done.length > 0
      ? `${dryRun ? "Dry run of the earlier ones" : "Already applied"}: ${done.map((d) => `${refOf(d.info, d.name)} ${d.action}`).join(", ")}. `
      : "Nothing was applied. "
  }${total - doc.index > 0 ? `Not attempted: ${total - doc.index} later document(s).` : ""}`

/**
 * Applies the documents in order; the first failure stops the rest and carries its document's position. A CRD
 * applied for real is waited for until its kind is served.
 */
export const applyManifest = (
  docs: ReadonlyArray<ManifestDoc>,
  opts: ApplyOptions
): Effect.Effect<ReadonlyArray<ApplyOutcome>, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const done: Array<ApplyOutcome> = []
    for (const doc of docs) {
      const outcome = yield* applyDocument(doc, opts).pipe(
        Effect.mapError((e) => (docs.length === 1 ? e : atDocument(e, positionOf(doc, docs.length, progressNote(doc, docs.length, done, opts.dryRun)))))
      )
      const established = !opts.dryRun && isCrd(outcome.info) ? yield* awaitCrdServed(outcome.after) : undefined
      done.push({ ...outcome, ...(established !== undefined ? { established } : {}) })
    }
    return done
  })

export interface DiffOutcome extends Target {
  readonly status: "new" | "changed" | "no changes"
  /** Unified diff (---live +++after apply) of the YAML without the fields every write changes; "" if none. */
  readonly diff: string
}

/**
 * What applying would change, per document: a dry-run apply (defaulting, admission and field ownership all
 * count, as with kubectl diff --server-side) compared with the live object, both sanitized.
 */
export const diffManifest = (
  docs: ReadonlyArray<ManifestDoc>,
  opts: Omit<ApplyOptions, "dryRun">
): Effect.Effect<ReadonlyArray<DiffOutcome>, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const out: Array<DiffOutcome> = []
    for (const doc of docs) {
      const o = yield* applyDocument(doc, { ...opts, dryRun: true }).pipe(
        Effect.mapError((e) => (docs.length === 1 ? e : atDocument(e, positionOf(doc, docs.length))))
      )
      const [b, a] = sanitizePair(o.before, o.after, optionsOf(kube))
      const label = `${refOf(o.info, o.name)}${o.namespace !== undefined ? ` -n ${o.namespace}` : ""}`
      const diff = unifiedDiff(
        b !== undefined ? toYaml(withoutNoise(b)) : "",
        toYaml(withoutNoise(a ?? {})),
        o.before !== undefined ? `${label} (live)` : "/dev/null",
        `${label} (after apply)`
      )
      out.push({ info: o.info, name: o.name, namespace: o.namespace, status: o.before === undefined ? "new" : diff === "" ? "no changes" : "changed", diff })
    }
    return out
  })
