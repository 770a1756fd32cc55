/** resources_scale: read or set replicas through the /scale subresource of any scalable kind (CRDs included). */
import { Effect, Schema } from "effect"
import { inNamespace, readScale, refOf, setScale } from "../../kube/objects.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, gvkFields, Name, NamespaceParam } from "../params.js"

const ScaleOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  action: Schema.optionalKey(Schema.Literals(["scaled", "unchanged"]).annotate({ description: "absent when only reading" })),
  dry_run: Schema.optionalKey(Schema.Boolean),
  previous_replicas: Schema.optionalKey(Schema.Finite),
  replicas: Schema.Finite.annotate({ description: "desired replicas (after the change, when one was asked)" }),
  current_replicas: Schema.optionalKey(Schema.Finite),
  selector: Schema.optionalKey(Schema.String),
  resourceVersion: Schema.String
})

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  replicas: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 1_000_000 })).annotate({
    description: "desired replica count; omit to read the current scale"
  })),
  dry_run: Schema.optionalKey(DryRun)
})

export const resourcesScale = clusterTool({
  name: "resources_scale",
  description: "Read or set the replicas of a scalable object (Deployment, StatefulSet, ReplicaSet, or a CRD with a scale " +
    "subresource) through its /scale subresource. Without replicas: desired and current replicas and the selector. " +
    "With replicas: the change from the previous count and the resulting resourceVersion; dry_run checks without persisting.",
  params: Params,
  output: ScaleOutput,
  annotations: { title: "Scale a resource", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      if (input.replicas === undefined) {
        const s = yield* readScale(input, "resources_scale")
        const reply: Reply = text({
          text: `${refOf(s.info, s.name)}${inNamespace(s.namespace)}: ${s.replicas} desired, ${s.current} current${
            s.selector !== undefined ? ` (selector ${s.selector})` : ""
          }`,
          data: {
            kind: s.info.kind,
            name: s.name,
            ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
            replicas: s.replicas,
            current_replicas: s.current,
            ...(s.selector !== undefined ? { selector: s.selector } : {}),
            resourceVersion: s.resourceVersion
          }
        })
        return reply
      }
      const dryRun = input.dry_run === true
      const c = yield* setScale(input, input.replicas, dryRun, "resources_scale")
      const reply: Reply = text({
        text: `${dryRun ? `${DRY_RUN_NOTE}\n` : ""}${refOf(c.info, c.name)}${inNamespace(c.namespace)} ${
          c.action === "scaled" ? `scaled from ${c.previous} to ${c.replicas} replicas` : `unchanged (already ${c.previous} replicas)`
        } (resourceVersion ${c.resourceVersion})`,
        data: {
          kind: c.info.kind,
          name: c.name,
          ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
          action: c.action,
          dry_run: dryRun,
          previous_replicas: c.previous,
          replicas: c.replicas,
          resourceVersion: c.resourceVersion
        }
      })
      return reply
    })
})
