/**
 * resources_diff: what resources_apply would change. Each object is applied with dryRun=All (so defaulting,
 * admission and field ownership all count, as kubectl diff --server-side does) and compared with the live
 * object as a unified diff of their YAML, without fields that change on every write.
 */
import { Effect, Schema } from "effect"
import { optionsOf, sanitizePair } from "../../output/sanitize.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { NamespaceParam } from "../params.js"
import { DEFAULT_FIELD_MANAGER, FieldManager, Force, Manifest, refOf, where, withPrefix } from "./common.js"
import { applyDocument } from "./apply.js"
import { toYaml, unifiedDiff, withoutNoise } from "./compare.js"
import { parseManifest } from "./manifest.js"

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
  run: (input, cluster) =>
    Effect.gen(function*() {
      const docs = yield* parseManifest(input.manifest)
      const opts = {
        namespace: input.namespace,
        fieldManager: input.field_manager ?? DEFAULT_FIELD_MANAGER,
        force: input.force === true,
        dryRun: true,
        tool: "resources_diff"
      }
      const sections: Array<string> = []
      const summary: Array<{ kind: string; name: string; namespace?: string; status: "new" | "changed" | "no changes" }> = []
      for (const doc of docs) {
        const o = yield* applyDocument(cluster, doc, opts).pipe(
          Effect.mapError((e) => (docs.length === 1 ? e : withPrefix(e, `${doc.kind}/${doc.name} (document ${doc.index} of ${docs.length}): `)))
        )
        const [b, a] = sanitizePair(o.before, o.after, optionsOf(cluster))
        const ref = refOf(o.info, o.name)
        const label = `${ref}${o.namespace !== undefined ? ` -n ${o.namespace}` : ""}`
        const diff = unifiedDiff(
          b !== undefined ? toYaml(withoutNoise(b)) : "",
          toYaml(withoutNoise(a ?? {})),
          o.before !== undefined ? `${label} (live)` : "/dev/null",
          `${label} (after apply)`
        )
        const status = o.before === undefined ? "new" : diff === "" ? "no changes" : "changed"
        summary.push({ kind: o.info.kind, name: o.name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}), status })
        sections.push(diff === "" ? `${ref}${where(o.namespace)}: no changes` : diff)
      }
      const reply: Reply = text({
        text: sections.join("\n\n"),
        data: { objects: summary },
        field: "diff",
        narrow: "fewer documents per call"
      })
      return reply
    })
})
