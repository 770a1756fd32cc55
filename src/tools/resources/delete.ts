/** resources_delete: delete one object of any kind; says whether it is gone or still terminating (finalizers, grace). */
import { Effect, Schema } from "effect"
import { access } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { resourcePath } from "../../kube/discovery.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DryRun, KubeObject, metaOf, namespaceFor, objectRefFields, refOf, requireVerb, resolveInput, typeOf, where } from "./common.js"

const Params = Schema.Struct({
  ...objectRefFields,
  propagation_policy: Schema.optionalKey(Schema.Literals(["Foreground", "Background", "Orphan"]).annotate({
    description: "what happens to dependents (e.g. a Deployment's ReplicaSets): Background (delete them after the owner, " +
      "the usual default), Foreground (owner waits until they are gone) or Orphan (keep them)"
  })),
  grace_period_seconds: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 86_400 })).annotate({
    description: "seconds the object gets to terminate gracefully (pods); 0 deletes immediately"
  })),
  dry_run: Schema.optionalKey(DryRun)
})

const DeleteOutput = Schema.Struct({
  kind: Schema.String,
  apiVersion: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  action: Schema.Literals(["deleted", "would be deleted", "terminating"]),
  dry_run: Schema.Boolean,
  resourceVersion: Schema.optionalKey(Schema.String),
  finalizers: Schema.optionalKey(Schema.Array(Schema.String))
})

export const resourcesDelete = clusterTool({
  name: "resources_delete",
  description: "Delete one object of any kind by group/version/kind and name. Reports whether it is deleted or still " +
    "terminating (finalizers or a grace period pending), with its last resourceVersion. propagation_policy decides " +
    "what happens to dependents; dry_run checks the deletion without performing it.",
  params: Params,
  output: DeleteOutput,
  annotations: { title: "Delete a resource", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const info = yield* resolveInput(cluster, input)
      yield* requireVerb(info, "delete", "resources_delete")
      const namespace = namespaceFor(info, cluster, input.namespace)
      const answer = yield* callJson(access({ verb: "delete", group: info.group, resource: info.resource, namespace, name: input.name }),
        {
          method: "DELETE",
          path: resourcePath(info, { namespace, name: input.name }),
          query: {
            propagationPolicy: input.propagation_policy,
            gracePeriodSeconds: input.grace_period_seconds,
            dryRun: input.dry_run === true ? "All" : undefined
          }
        },
        KubeObject
      )
      // the server answers with a Status when the object is gone at once, else with the object as it now is
      const gone = typeOf(answer).kind === "Status"
      const meta = gone ? {} : metaOf(answer)
      const finalizers = meta.finalizers ?? []
      const dryRun = input.dry_run === true
      const state = dryRun
        ? "would be deleted"
        : gone || meta.deletionTimestamp === undefined
        ? "deleted"
        : finalizers.length > 0
        ? `terminating: waiting for finalizers ${finalizers.join(", ")}`
        : "terminating (deletion in progress)"
      const reply: Reply = text({
        text: `${dryRun ? "Dry run: nothing was deleted.\n" : ""}${refOf(info, input.name)} ${state}${where(namespace)}${
          meta.resourceVersion !== undefined ? ` (resourceVersion ${meta.resourceVersion})` : ""
        }`,
        data: {
          kind: info.kind,
          apiVersion: info.apiVersion,
          name: input.name,
          ...(namespace !== undefined ? { namespace } : {}),
          action: dryRun ? "would be deleted" : gone || meta.deletionTimestamp === undefined ? "deleted" : "terminating",
          dry_run: dryRun,
          ...(meta.resourceVersion !== undefined ? { resourceVersion: meta.resourceVersion } : {}),
          ...(finalizers.length > 0 && !dryRun ? { finalizers } : {})
        }
      })
      return reply
    })
})
