/** pods_delete: delete one pod (optionally as a server-side dry run) and say exactly what happened. */
import { Effect, Schema } from "effect"
import { access } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { document } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam } from "../params.js"
import { namespaceOf, podPath } from "./schema.js"

/** DELETE answers with the pod as it now is (deletionTimestamp set while it terminates) or a Status. */
const DeleteAnswer = Schema.Struct({
  kind: Schema.optionalKey(Schema.String),
  metadata: Schema.optionalKey(Schema.Struct({
    resourceVersion: Schema.optionalKey(Schema.String),
    deletionTimestamp: Schema.optionalKey(Schema.String),
    deletionGracePeriodSeconds: Schema.optionalKey(Schema.Finite),
    finalizers: Schema.optionalKey(Schema.Array(Schema.String))
  }))
})

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
  run: (input, cluster) =>
    Effect.gen(function*() {
      const namespace = namespaceOf(input.namespace, cluster.info.namespace)
      const dryRun = input.dry_run === true
      const answer = yield* callJson(access({ verb: "delete", resource: "pods", namespace, name: input.name }),
        {
          method: "DELETE",
          path: podPath(namespace, input.name),
          body: {
            apiVersion: "v1",
            kind: "DeleteOptions",
            ...(input.grace_period_seconds !== undefined ? { gracePeriodSeconds: input.grace_period_seconds } : {}),
            ...(dryRun ? { dryRun: ["All"] } : {})
          }
        },
        DeleteAnswer
      )
      const meta = answer.kind === "Status" ? undefined : answer.metadata
      const grace = meta?.deletionGracePeriodSeconds
      const result: typeof DeleteResult.Type = {
        result: dryRun ? "deleted (dry run)" : "deleted",
        name: input.name,
        namespace,
        ...(meta?.resourceVersion !== undefined ? { resource_version: meta.resourceVersion } : {}),
        ...(dryRun
          ? {}
          : meta?.deletionTimestamp !== undefined && grace !== undefined && grace > 0
          ? { terminating: `the pod shuts down within ${grace}s (deletion requested at ${meta.deletionTimestamp})` }
          : meta?.finalizers !== undefined && meta.finalizers.length > 0
          ? { terminating: `the pod is removed once its finalizers are done: ${meta.finalizers.join(", ")}` }
          : {})
      }
      return document(result, "yaml")
    })
})
