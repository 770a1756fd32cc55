/**
 * resources_diff: what resources_apply would change. Each object is applied with dryRun=All and compared with
 * the live object as a unified diff of their YAML, without fields that change on every write.
 */
import { Effect, Schema } from "effect"
import { diffManifest } from "../../kube/apply.js"
import { Manifest, parseManifest } from "../../kube/manifest.js"
import { DEFAULT_FIELD_MANAGER, inNamespace, refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { FieldManager, Force, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  manifest: Manifest,
  namespace: Schema.optionalKey(NamespaceParam.annotate({
    description: "namespace for namespaced objects whose metadata names none (default: the context's namespace)"
  })),
  field_manager: Schema.optionalKey(FieldManager),
  force: Schema.optionalKey(Force)
})

const DiffOutput = Schema.Struct({
  objects: Schema.Array(Schema.Struct({
    kind: Schema.String,
    name: Schema.String,
    namespace: Schema.optionalKey(Schema.String),
    status: Schema.Literals(["new", "changed", "no changes"])
  })),
  diff: Schema.String.annotate({ description: "unified diff (---live +++after apply) of every object, in manifest order" })
})

export const resourcesDiff = clusterTool({
  name: "resources_diff",
  description: "Show what resources_apply would change, without changing anything: each object of the manifest is " +
    "applied server-side with dry run and compared with the live object as a unified diff (---live +++after apply) of " +
    "their YAML, ignoring resourceVersion, generation, uid, creationTimestamp and managedFields. An object that does " +
    "not exist yet shows as all added; \"no changes\" when applying would change nothing. Secret values are masked " +
    "(a changed value shows as \"<masked: n bytes, changed>\").",
  params: Params,
  output: DiffOutput,
  annotations: { title: "Diff resources against the cluster", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const diffs = yield* diffManifest(yield* parseManifest(input.manifest), {
        namespace: input.namespace,
        fieldManager: input.field_manager ?? DEFAULT_FIELD_MANAGER,
        force: input.force === true,
        tool: "resources_diff"
      })
      const reply: Reply = text({
        text: diffs.map((d) => (d.diff === "" ? `${refOf(d.info, d.name)}${inNamespace(d.namespace)}: no changes` : d.diff)).join("\n\n"),
        data: {
          objects: diffs.map((d) => ({ kind: d.info.kind, name: d.name, ...(d.namespace !== undefined ? { namespace: d.namespace } : {}), status: d.status }))
        },
        field: "diff",
        narrow: "fewer documents per call"
      })
      return reply
    })
})
