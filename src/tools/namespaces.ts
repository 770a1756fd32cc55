/** namespaces_list: the first cluster tool, and the shape every list tool follows. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../config/appSettings.js"
import { parseColumns } from "../kube/columns.js"
import { listNamespaces, listNamespacesProjected } from "../kube/namespaces.js"
import { table, TableOutput } from "../output/reply.js"
import { clusterTool } from "../tool/tool.js"
import { Columns, Continue, LabelSelector, Limit } from "./params.js"

export const namespacesList = clusterTool({
  name: "namespaces_list",
  description: "List the namespaces of a cluster: name, status, age; or the fields you name with columns (kubectl custom-columns), " +
    "e.g. \"NAME:.metadata.name,TEAM:.metadata.labels.team\".",
  params: Schema.Struct({
    label_selector: Schema.optionalKey(LabelSelector),
    limit: Schema.optionalKey(Limit),
    continue: Schema.optionalKey(Continue),
    columns: Schema.optionalKey(Columns)
  }),
  output: TableOutput,
  annotations: { title: "List namespaces", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      // a large limit is read page by page only until the answer's budget is full
      const options = { labelSelector: input.label_selector, limit: input.limit, continue: input.continue, budgetBytes: (yield* AppSettings).maxBytes }
      if (input.columns !== undefined) {
        const projected = yield* listNamespacesProjected(options, yield* parseColumns(input.columns))
        return table({ ...projected, headers: "as-given", narrow: "label_selector, or limit and continue" })
      }
      const page = yield* listNamespaces(options)
      return table({
        columns: ["name", "status", "age"],
        rows: page.namespaces.map((ns) => [ns.name, ns.status, ns.age]),
        continue: page.continue,
        narrow: "label_selector, or limit and continue"
      })
    })
})
