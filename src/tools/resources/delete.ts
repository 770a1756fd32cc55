/** resources_delete: delete one object of any kind; says whether it is gone or still terminating (finalizers, grace). */
import { Effect, Schema } from "effect"
import { deleteObject, inNamespace, refOf } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DryRun, gvkFields, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
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
  run: (input) =>
    Effect.gen(function*() {
      const dryRun = input.dry_run === true
      const d = yield* deleteObject(input, {
        propagationPolicy: input.propagation_policy,
        gracePeriodSeconds: input.grace_period_seconds,
        dryRun
      }, "resources_delete")
      const state = d.action !== "terminating"
        ? d.action
        : d.finalizers.length > 0
        ? `terminating: waiting for finalizers ${d.finalizers.join(", ")}`
        : "terminating (deletion in progress)"
      const reply: Reply = text({
        text: `${dryRun ? "Dry run: nothing was deleted.\n" : ""}${refOf(d.info, d.name)} ${state}${inNamespace(d.namespace)}${
          d.resourceVersion !== undefined ? ` (resourceVersion ${d.resourceVersion})` : ""
        }`,
        data: {
          kind: d.info.kind,
          apiVersion: d.info.apiVersion,
          name: d.name,
          ...(d.namespace !== undefined ? { namespace: d.namespace } : {}),
          action: d.action,
          dry_run: dryRun,
          ...(d.resourceVersion !== undefined ? { resourceVersion: d.resourceVersion } : {}),
          ...(d.finalizers.length > 0 && !dryRun ? { finalizers: d.finalizers } : {})
        }
      })
      return reply
    })
})
