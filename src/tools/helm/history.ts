/** helm_history: the revisions of one release, decoded from the release Secrets. */
import { Effect, Schema } from "effect"
import { releaseHistory } from "../../kube/helm.js"
import { namespaceOr } from "../../kube/scope.js"
import { type Reply, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { NamespaceParam, ReleaseName } from "../params.js"

export const helmHistory = clusterTool({
  name: "helm_history",
  description: "The revisions of a helm release (like helm history): revision, when it was deployed, status, chart, app " +
    "version and description, oldest first. Read from the release Secrets; no helm binary needed.",
  params: Schema.Struct({
    name: ReleaseName,
    namespace: Schema.optionalKey(NamespaceParam),
    max: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1000 })).annotate({
      description: "only the newest this many revisions"
    }))
  }),
  subject: "helm release",
  output: TableOutput,
  annotations: { title: "Helm release history", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const all = yield* releaseHistory(namespace, input.name)
      const shown = input.max !== undefined ? all.slice(-input.max) : all
      const reply: Reply = table({
        columns: ["revision", "updated", "status", "chart", "app version", "description"],
        rows: shown.map((r) => [String(r.revision), r.updated, r.status, r.chart, r.appVersion, r.description]),
        narrow: "max",
        summary: `${shown.length} of ${all.length} revision(s) of release "${input.name}" in namespace "${namespace}"`
      })
      return reply
    })
})
