/** resources_patch: merge, JSON or strategic-merge patch of one object, reporting the fields that changed. */
import { Effect, Schema } from "effect"
import { inNamespace, patchObject, refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, gvkFields, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  patch_type: Schema.optionalKey(Schema.Literals(["merge", "json", "strategic"]).annotate({
    description: "merge (default): JSON merge patch (RFC 7386), works for every kind; json: JSON patch (RFC 6902), " +
      "an array of operations; strategic: Kubernetes strategic merge patch (built-in kinds only, merges lists by key)"
  })),
  patch: Schema.Union([
    Schema.Record(Schema.String, Schema.Unknown),
    Schema.Array(Schema.Unknown).check(Schema.isMaxLength(1000)),
    Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024 * 1024))
  ]).annotate({
    description: "the patch: an object (merge, strategic), an array of operations (json), or the same as JSON/YAML text, " +
      "e.g. {\"spec\":{\"replicas\":3}} or [{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]"
  }),
  dry_run: Schema.optionalKey(DryRun)
})

const PatchOutput = Schema.Struct({
  kind: Schema.String,
  apiVersion: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  action: Schema.Literals(["patched", "unchanged"]),
  dry_run: Schema.Boolean,
  resourceVersion: Schema.String,
  changes: Schema.Array(Schema.String).annotate({ description: "the fields that changed, as path: before → after" })
})

export const resourcesPatch = clusterTool({
  name: "resources_patch",
  description: "Patch one object of any kind: merge (default), json or strategic patch. Reports patched or unchanged, the " +
    "fields that changed and the resulting resourceVersion; dry_run shows the outcome without persisting. Secret values " +
    "are masked in the report.",
  params: Params,
  output: PatchOutput,
  annotations: { title: "Patch a resource", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const dryRun = input.dry_run === true
      const p = yield* patchObject(input, { type: input.patch_type ?? "merge", value: input.patch, dryRun }, "resources_patch")
      const reply: Reply = text({
        text: [
          ...(dryRun ? [DRY_RUN_NOTE] : []),
          `${refOf(p.info, p.name)} ${p.action}${inNamespace(p.namespace)} (resourceVersion ${p.resourceVersion})`,
          ...p.changes.map((c) => `  ${c}`)
        ].join("\n"),
        data: {
          kind: p.info.kind,
          apiVersion: p.info.apiVersion,
          name: p.name,
          ...(p.namespace !== undefined ? { namespace: p.namespace } : {}),
          action: p.action,
          dry_run: dryRun,
          resourceVersion: p.resourceVersion,
          changes: p.changes
        }
      })
      return reply
    })
})
