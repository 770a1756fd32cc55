/** pods_delete: delete one pod (optionally as a server-side dry run) and say exactly what happened. */
import { Effect, Schema } from "effect"
import { deletePod } from "../../kube/pods.js"
import { namespaceOr } from "../../kube/scope.js"
import { document } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam } from "../params.js"

const DeleteResult = Schema.Struct({
  result: Schema.Literals(["deleted", "deleted (dry run)"]),
  name: Schema.String,
  namespace: Schema.String,
  resource_version: Schema.optionalKey(Schema.String),
  terminating: Schema.optionalKey(Schema.String)
})

export const podsDelete = clusterTool({
  name: "pods_delete",
  description:
    "Delete a pod. Its controller (Deployment, Job, ...) may create a replacement. Reports \"deleted\" or \"deleted (dry run)\" and the resulting resourceVersion; a pod with a grace period keeps terminating for up to that many seconds.",
  params: Schema.Struct({
    name: Name.annotate({ description: "pod name" }),
    namespace: Schema.optionalKey(NamespaceParam),
    grace_period_seconds: Schema.optionalKey(
      Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 86_400 })).annotate({
        description: "seconds the pod gets to shut down; 0 deletes immediately; omit for the pod's own terminationGracePeriodSeconds"
      })
    ),
    dry_run: Schema.optionalKey(Schema.Boolean.annotate({ description: "validate the deletion on the server without deleting" }))
  }),
  output: DeleteResult,
  annotations: { title: "Delete a pod", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const deleted = yield* deletePod(namespace, input.name, { gracePeriodSeconds: input.grace_period_seconds, dryRun: input.dry_run })
      const result: typeof DeleteResult.Type = {
        result: input.dry_run === true ? "deleted (dry run)" : "deleted",
        name: input.name,
        namespace,
        ...(deleted.resourceVersion !== undefined ? { resource_version: deleted.resourceVersion } : {}),
        ...(deleted.terminating !== undefined ? { terminating: deleted.terminating } : {})
      }
      return document(result, "yaml")
    })
})
