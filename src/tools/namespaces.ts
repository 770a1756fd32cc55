/** namespaces_list: the first cluster tool, and the shape every list tool follows. */
import { Effect, Schema } from "effect"
import { PAGE_SIZE } from "../kube/paging.js"
import { access } from "../kube/Kube.js"
import { callJson } from "../kube/call.js"
import { age, ListMeta, ObjectMeta } from "../kube/meta.js"
import { table, TableOutput } from "../output/reply.js"
import { clusterTool } from "../tool/tool.js"
import { Continue, LabelSelector, Limit } from "./params.js"

const NamespaceList = Schema.Struct({
  metadata: Schema.optionalKey(ListMeta),
  items: Schema.Array(Schema.Struct({
    metadata: ObjectMeta,
    status: Schema.optionalKey(Schema.Struct({ phase: Schema.optionalKey(Schema.String) }))
  }))
})

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
  run: (input, cluster) =>
    Effect.gen(function*() {
      const list = yield* callJson(access({ verb: "list", resource: "namespaces" }),
        { path: "/api/v1/namespaces", query: { labelSelector: input.label_selector, limit: input.limit ?? PAGE_SIZE, continue: input.continue } },
        NamespaceList
      )
      const now = Date.now()
      return table({
        columns: ["name", "status", "age"],
        rows: list.items.map((ns) => [ns.metadata.name, ns.status?.phase ?? "", age(ns.metadata.creationTimestamp, now)]),
        continue: list.metadata?.continue,
        narrow: "label_selector, or limit and continue"
      })
    })
})
