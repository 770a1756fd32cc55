/**
 * resources_apply: server-side apply of one or many objects (PATCH application/apply-patch+yaml). Each object
 * is read first, so the report says exactly what happened: created, configured (with the changed fields) or
 * unchanged, and the resulting resourceVersion. applyDocument is shared with resources_diff (dry run).
 */
import { Effect, Option, Schedule, Schema } from "effect"
import { access, type Kube, type KubeApi } from "../../kube/Kube.js"
import { Invalid, InvalidInput, type KubeError } from "../../errors.js"
import { callJson } from "../../kube/call.js"
import { parseApiVersion, type ResourceInfo, resolveKind, resourcePath } from "../../kube/discovery.js"
import { isRecord, optionsOf, sanitizePair } from "../../output/sanitize.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { NamespaceParam } from "../params.js"
import {
  DEFAULT_FIELD_MANAGER,
  DryRun,
  FieldManager,
  Force,
  KubeObject,
  Manifest,
  metaOf,
  refOf,
  requireVerb,
  where,
  withPrefix
} from "./common.js"
import { changedPaths, specOnly } from "./compare.js"
import { getObject } from "./get.js"
import { type ManifestDoc, parseManifest } from "./manifest.js"

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none. */
  readonly namespace: string | undefined
  readonly fieldManager: string
  readonly force: boolean
  readonly dryRun: boolean
  readonly tool: string
}

export type Action = "created" | "configured" | "unchanged"

export interface ApplyOutcome {
  readonly info: ResourceInfo
  readonly name: string
  readonly namespace: string | undefined
  /** The live object before (undefined: it did not exist). */
  readonly before: Record<string, unknown> | undefined
  /** What the server answered: the object after apply (or as it would be, with dry run). */
  readonly after: Record<string, unknown>
  readonly action: Action
  /** Changed fields, sanitized (Secret values masked). */
  readonly changes: ReadonlyArray<string>
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

/**
 * The API server answers 500 when an applied object does not fit the kind's schema (an unknown field):
 * "failed to create typed patch object (ns/name; apps/v1, Kind=Deployment): .spec.replicaz: field not declared
 * in schema". That is the caller's field error, so it is reported as Invalid with the field.
 */
const typedPatchError = (e: KubeError): KubeError => {
  if (e._tag !== "ApiError" || e.code !== 500) return e
  const m = /failed to create typed patch object \([^)]*\): (\S+): (.+)$/.exec(e.message)
  if (m === null) return e
  const field = (m[1] ?? "").replace(/^\./, "")
  const reason = m[2] ?? ""
  return new Invalid({
    context: e.context,
    message: e.message,
    causes: [{ field, message: reason, reason: "FieldValueInvalid" }],
    details: `${field}: ${reason} (check the spelling and the nesting of the field)`
  })
}

const inputError = (path: string, message: string) => new InvalidInput({ message, issues: [{ path, message }] })

export const applyDocument = (
  cluster: KubeApi,
  doc: ManifestDoc,
  opts: ApplyOptions
): Effect.Effect<ApplyOutcome, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
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
    const namespace = info.namespaced ? doc.namespace ?? explicit ?? cluster.info.namespace : undefined
    const { namespace: _dropped, ...metaRest } = isRecord(doc.object["metadata"]) ? doc.object["metadata"] : {}
    // cluster-scoped objects carry no namespace; namespaced ones get the one resolved above
    const body = { ...doc.object, metadata: { ...metaRest, ...(namespace !== undefined ? { namespace } : {}) } }

    const before = yield* getObject(cluster, info, doc.name, namespace).pipe(
      Effect.map(Option.some),
      Effect.catchTag("NotFound", () => Effect.succeed(Option.none<Record<string, unknown>>()))
    )
    if (Option.isNone(before)) {
      // apply that creates needs create as well as patch
      yield* cluster.authorize(access({ verb: "create", group: info.group, resource: info.resource, namespace }))
    }
    const after = yield* callJson(access({ verb: "patch", group: info.group, resource: info.resource, namespace, name: doc.name }),
      {
        method: "PATCH",
        path: resourcePath(info, { namespace, name: doc.name }),
        query: {
          fieldManager: opts.fieldManager,
          force: opts.force ? "true" : undefined,
          dryRun: opts.dryRun ? "All" : undefined,
          // unknown or duplicate fields are errors, as with kubectl: a typo must not be dropped silently
          fieldValidation: "Strict"
        },
        body: JSON.stringify(body),
        contentType: "application/apply-patch+yaml"
      },
      KubeObject
    ).pipe(Effect.mapError(typedPatchError))
    const live = Option.getOrUndefined(before)
    const [b, a] = sanitizePair(live, after, optionsOf(cluster))
    // status is left out: controllers write it between our read and our apply, which is not this apply's doing
    const changes = b !== undefined && a !== undefined ? changedPaths(specOnly(b), specOnly(a)) : []
    // The resourceVersion cannot tell (controllers may write in between): the apply configured something if it
    // changed a field or this manager's field ownership.
    const ownershipChanged = live !== undefined && appliedFields(live, opts.fieldManager) !== appliedFields(after, opts.fieldManager)
    const action: Action = live === undefined ? "created" : changes.length > 0 || ownershipChanged ? "configured" : "unchanged"
    return { info, name: doc.name, namespace, before: live, after, action, changes }
  })

const CrdView = Schema.Struct({
  spec: Schema.Struct({
    group: Schema.String,
    names: Schema.Struct({ kind: Schema.String }),
    versions: Schema.Array(Schema.Struct({ name: Schema.String, served: Schema.Boolean }))
  })
})

/**
 * After a CRD is applied, wait (bounded) until discovery serves its kind, so the very next call can use it.
 * Returns whether it got there.
 */
const awaitCrdServed = (cluster: KubeApi, crd: Record<string, unknown>): Effect.Effect<boolean, never, Kube> => {
  const view = Schema.decodeUnknownOption(CrdView)(crd)
  if (Option.isNone(view)) return Effect.succeed(false)
  const { group, names, versions } = view.value.spec
  const served = versions.filter((v) => v.served)
  // Served in discovery first; then the first list may still answer 429 "storage is (re)initializing" while
  // the new resource's watch cache fills, so one list (limit 1) must succeed too. A list this user may not
  // make is no reason to wait.
  const check = Effect.forEach(served, (v) =>
    cluster.resources({ group, version: v.name }, { refresh: true }).pipe(
      Effect.flatMap((resources): Effect.Effect<unknown, KubeError | string, Kube> => {
        const info = resources.find((r) => r.kind === names.kind)
        return info === undefined ? Effect.fail("not yet served") : callJson(access({ verb: "list", group: info.group, resource: info.resource }),
          { path: resourcePath(info), query: { limit: 1 } },
          KubeObject
        ).pipe(Effect.catchTag("Forbidden", () => Effect.void))
      })
    ))
  return check.pipe(
    Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.upTo({ duration: "15 seconds" }))),
    Effect.as(true),
    Effect.orElseSucceed(() => false)
  )
}

const Params = Schema.Struct({
  manifest: Manifest,
  namespace: Schema.optionalKey(NamespaceParam.annotate({
    description: "namespace for namespaced objects whose metadata names none (default: the context's namespace); " +
      "an object naming a different namespace is refused"
  })),
  field_manager: Schema.optionalKey(FieldManager),
  force: Schema.optionalKey(Force),
  dry_run: Schema.optionalKey(DryRun)
})

const ApplyOutput = Schema.Struct({
  dry_run: Schema.Boolean,
  results: Schema.Array(Schema.Struct({
    kind: Schema.String,
    apiVersion: Schema.String,
    name: Schema.String,
    namespace: Schema.optionalKey(Schema.String),
    action: Schema.Literals(["created", "configured", "unchanged"]),
    resourceVersion: Schema.String,
    changes: Schema.optionalKey(Schema.Array(Schema.String).annotate({ description: "the fields that changed, as path: before → after" })),
    established: Schema.optionalKey(Schema.Boolean.annotate({ description: "CRDs: whether discovery serves the new kind" }))
  }))
})

const isCrd = (o: ApplyOutcome) => o.info.group === "apiextensions.k8s.io" && o.info.kind === "CustomResourceDefinition"

export const resourcesApply = clusterTool({
  name: "resources_apply",
  description: "Create or update objects with server-side apply (like kubectl apply --server-side). manifest is a JSON " +
    "object, an array of objects, or YAML/JSON text with one or many documents; objects are applied in order and the " +
    "first failure stops the rest. Reports per object: created, configured (with the fields that changed) or unchanged, " +
    "and the resulting resourceVersion. A field owned by another field manager fails with Conflict unless force is set. " +
    "dry_run shows the outcome without persisting. Secret values never appear in the report. A CRD is applied and " +
    "waited for until its kind is served.",
  params: Params,
  output: ApplyOutput,
  annotations: { title: "Apply resources", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const docs = yield* parseManifest(input.manifest)
      const opts: ApplyOptions = {
        namespace: input.namespace,
        fieldManager: input.field_manager ?? DEFAULT_FIELD_MANAGER,
        force: input.force === true,
        dryRun: input.dry_run === true,
        tool: "resources_apply"
      }
      const done: Array<ApplyOutcome & { readonly established?: boolean }> = []
      for (const doc of docs) {
        const outcome = yield* applyDocument(cluster, doc, opts).pipe(
          Effect.mapError((e) =>
            docs.length === 1 ? e : withPrefix(
              e,
              `${doc.kind}/${doc.name} (document ${doc.index} of ${docs.length}): `,
              `${
                done.length > 0
                  ? `${opts.dryRun ? "Dry run of the earlier ones" : "Already applied"}: ${done.map((d) => `${refOf(d.info, d.name)} ${d.action}`).join(", ")}. `
                  : "Nothing was applied. "
              }${
                docs.length - doc.index > 0 ? `Not attempted: ${docs.length - doc.index} later document(s).` : ""
              }`
            )
          )
        )
        const established = !opts.dryRun && isCrd(outcome) ? yield* awaitCrdServed(cluster, outcome.after) : undefined
        done.push({ ...outcome, ...(established !== undefined ? { established } : {}) })
      }
      const lines = done.flatMap((o) => [
        `${refOf(o.info, o.name)} ${o.action}${where(o.namespace)} (resourceVersion ${metaOf(o.after).resourceVersion ?? "?"})${
          o.established === false ? " — not yet served by discovery after 15 s" : ""
        }`,
        ...(o.action === "configured" && o.changes.length === 0 ? ["  only field ownership (managedFields) changed"] : []),
        ...o.changes.map((c) => `  ${c}`)
      ])
      const reply: Reply = text({
        text: [...(opts.dryRun ? ["Dry run: nothing was persisted."] : []), ...lines].join("\n"),
        data: {
          dry_run: opts.dryRun,
          results: done.map((o) => ({
            kind: o.info.kind,
            apiVersion: o.info.apiVersion,
            name: o.name,
            ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
            action: o.action,
            resourceVersion: metaOf(o.after).resourceVersion ?? "",
            ...(o.changes.length > 0 ? { changes: o.changes } : {}),
            ...(o.established !== undefined ? { established: o.established } : {})
          }))
        },
        narrow: "fewer documents per call"
      })
      return reply
    })
})
