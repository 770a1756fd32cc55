/** resources_get: one object of any kind, as YAML (default), JSON or a compact summary. */
import { Effect, Schema } from "effect"
import { getShown, getSummary, refOf, resolveTarget } from "../../kube/objects.js"
import { document, ObjectOutput, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { gvkFields, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  output: Schema.optionalKey(Schema.Literals(["yaml", "json", "summary"]).annotate({
    description: "yaml (default): the whole object with managedFields and the last-applied annotation removed and Secret " +
      "values masked; json: the same as JSON; summary: kubectl get's columns plus labels, owner, conditions and data keys"
  }))
})

export const resourcesGet = clusterTool({
  name: "resources_get",
  description: "Get one object of any kind (built-in or CRD) by group/version/kind and name. Default output is the whole " +
    "object as YAML, like kubectl get -o yaml but with metadata.managedFields and the last-applied annotation removed " +
    "and Secret values masked (keys and sizes kept). output \"summary\" gives a compact view: kubectl's columns for the " +
    "kind, labels, owner, conditions and data keys; output \"json\" the object as JSON.",
  params: Params,
  output: ObjectOutput,
  annotations: { title: "Get a resource", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const target = yield* resolveTarget(input, "get", "resources_get")
      const output = input.output ?? "yaml"
      const reply: Reply = output === "summary"
        ? document(yield* getSummary(target), "yaml")
        : document(yield* getShown(target), output, `output "summary" for a compact view of ${refOf(target.info, input.name)}`)
      return reply
    })
})
