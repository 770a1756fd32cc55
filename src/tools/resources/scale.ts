/** resources_scale: read or set replicas through the /scale subresource of any scalable kind (CRDs included). */
import { Effect, Schema } from "effect"
import { access } from "../../kube/Kube.js"
import { InvalidInput } from "../../errors.js"
import { callJson } from "../../kube/call.js"
import { resourcePath, typeName } from "../../kube/discovery.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DEFAULT_FIELD_MANAGER, DryRun, namespaceFor, objectRefFields, refOf, resolveInput, where } from "./common.js"

const Scale = Schema.Struct({
  metadata: Schema.optionalKey(Schema.Struct({ resourceVersion: Schema.optionalKey(Schema.String) })),
  spec: Schema.optionalKey(Schema.Struct({ replicas: Schema.optionalKey(Schema.Finite) })),
  status: Schema.optionalKey(Schema.Struct({ replicas: Schema.optionalKey(Schema.Finite), selector: Schema.optionalKey(Schema.String) }))
})

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
  ...objectRefFields,
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
  run: (input, cluster) =>
    Effect.gen(function*() {
      const info = yield* resolveInput(cluster, input)
      if (!info.subresources.includes("scale")) {
        return yield* new InvalidInput({
          message: `${typeName(info)} has no /scale subresource, so it cannot be scaled (scalable kinds include Deployment, StatefulSet, ReplicaSet)`,
          issues: [{ path: "kind", message: `${info.kind} is not scalable` }]
        })
      }
      const namespace = namespaceFor(info, cluster, input.namespace)
      const path = resourcePath(info, { namespace, name: input.name, subresource: "scale" })
      const base = { group: info.group, resource: info.resource, subresource: "scale", namespace, name: input.name }
      const current = yield* callJson(access({ verb: "get", ...base }), { path }, Scale)
      const ref = refOf(info, input.name)
      const desired = current.spec?.replicas ?? 0
      const ready = current.status?.replicas ?? 0
      if (input.replicas === undefined) {
        const reply: Reply = text({
          text: `${ref}${where(namespace)}: ${desired} desired, ${ready} current${
            current.status?.selector !== undefined ? ` (selector ${current.status.selector})` : ""
          }`,
          data: {
            kind: info.kind,
            name: input.name,
            ...(namespace !== undefined ? { namespace } : {}),
            replicas: desired,
            current_replicas: ready,
            ...(current.status?.selector !== undefined ? { selector: current.status.selector } : {}),
            resourceVersion: current.metadata?.resourceVersion ?? ""
          }
        })
        return reply
      }
      const dryRun = input.dry_run === true
      const updated = desired === input.replicas ? current : yield* callJson(access({ verb: "patch", ...base }),
        {
          method: "PATCH",
          path,
          query: { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: dryRun ? "All" : undefined },
          body: { spec: { replicas: input.replicas } },
          contentType: "application/merge-patch+json"
        },
        Scale
      )
      const rv = updated.metadata?.resourceVersion ?? ""
      const action = desired === input.replicas ? "unchanged" : "scaled"
      const reply: Reply = text({
        text: `${dryRun ? "Dry run: nothing was persisted.\n" : ""}${ref}${where(namespace)} ${
          action === "scaled" ? `scaled from ${desired} to ${input.replicas} replicas` : `unchanged (already ${desired} replicas)`
        } (resourceVersion ${rv})`,
        data: {
          kind: info.kind,
          name: input.name,
          ...(namespace !== undefined ? { namespace } : {}),
          action,
          dry_run: dryRun,
          previous_replicas: desired,
          replicas: input.replicas,
          resourceVersion: rv
        }
      })
      return reply
    })
})
