/** helm_get: one revision of a release (values, manifest, notes, hooks), decoded from its Secret. */
import { Effect, Schema } from "effect"
import { getRelease, releaseDetails, type ReleasePart } from "../../kube/helm.js"
import { releaseFields } from "../../kube/helmWrite.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { NamespaceParam, ReleaseName, Revision } from "../params.js"

const PARTS: ReadonlyArray<ReleasePart> = ["values", "manifest", "notes", "hooks"]

const Hook = Schema.Struct({ name: Schema.String, kind: Schema.String, events: Schema.Array(Schema.String), manifest: Schema.String })

const GetOutput = Schema.Struct({
  release: Schema.String,
  namespace: Schema.String,
  revision: Schema.Finite,
  status: Schema.String,
  chart: Schema.String,
  app_version: Schema.String,
  updated: Schema.String,
  description: Schema.String,
  values_masked: Schema.optionalKey(Schema.String.annotate({ description: "present when the values are masked: why, and how to see them" })),
  values: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  manifest: Schema.optionalKey(Schema.String),
  notes: Schema.optionalKey(Schema.String),
  hooks: Schema.optionalKey(Schema.Array(Hook))
})

export const helmGet = clusterTool({
  name: "helm_get",
  description: "Show one revision of a helm release (like helm get): its user-supplied values (or all computed values), " +
    "the rendered manifest, the chart's notes and its hooks. Values are masked like Secret values (keys kept, each value " +
    "replaced by its size) unless the context reveals secrets, since values often hold passwords; Secrets in the " +
    "manifest are masked too. Read from the release Secrets; no helm binary needed.",
  params: Schema.Struct({
    name: ReleaseName,
    namespace: Schema.optionalKey(NamespaceParam),
    revision: Schema.optionalKey(Revision),
    show: Schema.optionalKey(Schema.Array(Schema.Literals(["values", "manifest", "notes", "hooks"])).check(Schema.isMinLength(1), Schema.isMaxLength(4)).annotate({
      description: "which parts to show; default all four: values, manifest, notes, hooks"
    })),
    all_values: Schema.optionalKey(Schema.Boolean.annotate({
      description: "values as computed (the chart's defaults merged with the user-supplied ones, like helm get values --all) instead of the user-supplied ones only"
    }))
  }),
  subject: "helm release",
  output: GetOutput,
  annotations: { title: "Get a helm release", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const r = yield* getRelease(namespace, input.name, input.revision)
      const parts = input.show ?? PARTS
      const reveal = kube.settings.revealSecrets
      const details = releaseDetails(r, parts, { allValues: input.all_values === true, revealSecrets: reveal })
      const result: typeof GetOutput.Type = {
        ...releaseFields(r),
        updated: r.updated,
        ...(parts.includes("values") && !reveal
          ? { values_masked: "values are masked (each shown as its size) because they often hold passwords; a context with reveal_secrets = true shows them" }
          : {}),
        ...details
      }
      const reply: Reply = document(result, "yaml", "show (one part at a time) or revision")
      return reply
    })
})
