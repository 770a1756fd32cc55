/** helm_list: the releases of a namespace (or all), decoded from the release Secrets: no helm binary needed. */
import { Clock, Effect, Schema } from "effect"
import { listReleases } from "../../kube/helm.js"
import { age } from "../../kube/meta.js"
import { listScope } from "../../kube/scope.js"
import { type Reply, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, NamespaceParam } from "../params.js"

const STATUSES = ["deployed", "failed", "pending-install", "pending-upgrade", "pending-rollback", "uninstalling", "uninstalled", "superseded", "unknown"] as const

export const helmList = clusterTool({
  name: "helm_list",
  description: "List helm releases (like helm list): name, namespace, revision, status, chart, app version and when the " +
    "newest revision was deployed. Read from the release records the cluster stores (Secrets of type helm.sh/release.v1), " +
    "so no helm binary is needed; a context that may not read secrets cannot list releases. Runs across contexts with `contexts`.",
  params: Schema.Struct({
    namespace: Schema.optionalKey(NamespaceParam),
    all_namespaces: Schema.optionalKey(AllNamespaces),
    status: Schema.optionalKey(Schema.Literals(STATUSES).annotate({
      description: "only releases whose newest revision has this status; omit for every release (uninstalled ones kept with --keep-history included)"
    }))
  }),
  subject: "helm release",
  output: TableOutput,
  annotations: { title: "List helm releases", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const scope = yield* listScope(input, kube.info.namespace)
      const releases = (yield* listReleases(scope.all ? "" : scope.namespace)).filter((r) => input.status === undefined || r.status === input.status)
      const now = yield* Clock.currentTimeMillis
      const reply: Reply = table({
        columns: ["name", "namespace", "revision", "status", "chart", "app version", "updated"],
        rows: releases.map((r) => [r.name, r.namespace, String(r.revision), r.status, r.chart, r.appVersion, r.updated === "" ? "" : `${r.updated.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/u, "")} (${age(r.updated, now)} ago)`]),
        narrow: "a namespace or status",
        summary: `${releases.length} release(s)${scope.all ? " in all namespaces" : ` in namespace "${scope.namespace}"`}`
      })
      return reply
    })
})
