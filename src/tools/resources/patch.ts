/** resources_patch: merge, JSON or strategic-merge patch of one object, reporting the fields that changed. */
import { Effect, Schema } from "effect"
import { CORE_SCHEMA, load } from "js-yaml"
import { access } from "../../kube/Kube.js"
import { type ApiError, InvalidInput } from "../../errors.js"
import { callJson } from "../../kube/call.js"
import { resourcePath, typeName } from "../../kube/discovery.js"
import { isRecord, optionsOf, sanitizePair } from "../../output/sanitize.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DEFAULT_FIELD_MANAGER, DryRun, KubeObject, metaOf, namespaceFor, objectRefFields, refOf, requireVerb, resolveInput, where } from "./common.js"
import { changedPaths, specOnly } from "./compare.js"
import { getObject } from "./get.js"

const CONTENT_TYPES = {
  merge: "application/merge-patch+json",
  json: "application/json-patch+json",
  strategic: "application/strategic-merge-patch+json"
} as const

const Params = Schema.Struct({
  ...objectRefFields,
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

const badPatch = (message: string) => new InvalidInput({ message: `Invalid patch: ${message}`, issues: [{ path: "patch", message }] })

const parsePatch = (patch: string | Readonly<Record<string, unknown>> | ReadonlyArray<unknown>, type: keyof typeof CONTENT_TYPES) =>
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
  run: (input, cluster) =>
    Effect.gen(function*() {
      const type = input.patch_type ?? "merge"
      const patch = yield* parsePatch(input.patch, type)
      const info = yield* resolveInput(cluster, input)
      yield* requireVerb(info, "patch", "resources_patch")
      const namespace = namespaceFor(info, cluster, input.namespace)
      const before = yield* getObject(cluster, info, input.name, namespace)
      const after = yield* callJson(access({ verb: "patch", group: info.group, resource: info.resource, namespace, name: input.name }),
        {
          method: "PATCH",
          path: resourcePath(info, { namespace, name: input.name }),
          query: { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: input.dry_run === true ? "All" : undefined },
          body: patch,
          contentType: CONTENT_TYPES[type]
        },
        KubeObject
      ).pipe(
        Effect.catchTag("ApiError", (e): Effect.Effect<never, ApiError | InvalidInput> =>
          e.code === 415 && type === "strategic"
            ? Effect.fail(new InvalidInput({
              message: `${typeName(info)} does not support strategic merge patch (custom resources do not); use patch_type "merge" or "json"`,
              issues: [{ path: "patch_type", message: "strategic merge patch is not supported for this kind" }]
            }))
            : Effect.fail(e))
      )
      const [b, a] = sanitizePair(before, after, optionsOf(cluster))
      // status is left out: controllers write it concurrently, and a patch of the main resource does not change it
      const changes = changedPaths(specOnly(b ?? {}), specOnly(a ?? {}))
      const rv = metaOf(after).resourceVersion ?? ""
      const action = changes.length > 0 ? "patched" : "unchanged"
      const reply: Reply = text({
        text: [
          ...(input.dry_run === true ? ["Dry run: nothing was persisted."] : []),
          `${refOf(info, input.name)} ${action}${where(namespace)} (resourceVersion ${rv})`,
          ...changes.map((c) => `  ${c}`)
        ].join("\n"),
        data: {
          kind: info.kind,
          apiVersion: info.apiVersion,
          name: input.name,
          ...(namespace !== undefined ? { namespace } : {}),
          action,
          dry_run: input.dry_run === true,
          resourceVersion: rv,
          changes
        }
      })
      return reply
    })
})
