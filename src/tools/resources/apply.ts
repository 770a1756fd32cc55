/**
 * resources_apply: server-side apply of one or many objects. Each object is read first, so the report says
 * exactly what happened: created, configured (with the changed fields) or unchanged, and the resulting
 * resourceVersion.
 */
import { Effect, Schema } from "effect"
import { applyManifest } from "../../kube/apply.js"
import { Manifest, parseManifest } from "../../kube/manifest.js"
import { DEFAULT_FIELD_MANAGER, inNamespace, metaOf, refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, FieldManager, Force, NamespaceParam } from "../params.js"

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
  run: (input) =>
    Effect.gen(function*() {
      const dryRun = input.dry_run === true
      const done = yield* applyManifest(yield* parseManifest(input.manifest), {
        namespace: input.namespace,
        fieldManager: input.field_manager ?? DEFAULT_FIELD_MANAGER,
        force: input.force === true,
        dryRun,
        tool: "resources_apply"
      })
      const lines = done.flatMap((o) => [
        `${refOf(o.info, o.name)} ${o.action}${inNamespace(o.namespace)} (resourceVersion ${metaOf(o.after).resourceVersion ?? "?"})${
          o.established === false ? " — not yet served by discovery after 15 s" : ""
        }`,
        ...(o.action === "configured" && o.changes.length === 0 ? ["  only field ownership (managedFields) changed"] : []),
        ...o.changes.map((c) => `  ${c}`)
      ])
      const reply: Reply = text({
        text: [...(dryRun ? [DRY_RUN_NOTE] : []), ...lines].join("\n"),
        data: {
          dry_run: dryRun,
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
