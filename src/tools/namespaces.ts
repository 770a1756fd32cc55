/** namespaces_list: the first cluster tool, and the shape every list tool follows. */
import { Effect, Schema } from "effect"
import { listNamespaces } from "../kube/namespaces.js"
import { table, TableOutput } from "../output/reply.js"
import { clusterTool } from "../tool/tool.js"
import { Continue, LabelSelector, Limit } from "./params.js"

export const namespacesList = clusterTool({
  name: "namespaces_list",
  description: "List the namespaces of a cluster: name, status, age.",
  params: Schema.Struct({
    label_selector: Schema.optionalKey(LabelSelector),
    limit: Schema.optionalKey(Limit),
    continue: Schema.optionalKey(Continue)
  }),
  output: TableOutput,
  annotations: { title: "List namespaces", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const page = yield* listNamespaces({ labelSelector: input.label_selector, limit: input.limit, continue: input.continue })
      return table({
        columns: ["name", "status", "age"],
        rows: page.namespaces.map((ns) => [ns.name, ns.status, ns.age]),
        continue: page.continue,
        narrow: "label_selector, or limit and continue"
      })
    })
})
