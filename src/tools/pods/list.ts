/** pods_list: kubectl get pods -o wide, compact and paged by the API server. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { parseColumns } from "../../kube/columns.js"
import { listPods, listPodsProjected } from "../../kube/pods.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, Columns, Continue, FieldSelector, LabelSelector, Limit, listOptionsOf, NamespaceParam } from "../params.js"

const COLUMNS = ["name", "ready", "status", "restarts", "age", "node", "ip"]

export const podsList = clusterTool({
  name: "pods_list",
  description:
    "List pods as `kubectl get pods -o wide` shows them: name, ready (ready/total containers), status (kubectl's reason such as CrashLoopBackOff, Completed, Init:0/1, Terminating, not just the phase), restarts, age, node, ip; namespace too with all_namespaces. " +
    "Or any fields you name with columns (kubectl custom-columns), e.g. the images of every pod: columns \"NAME:.metadata.name,IMAGES:.spec.containers[*].image\". " +
    "Paged by the API server: pass limit, then the returned continue token for the next page.",
  params: Schema.Struct({
    namespace: Schema.optionalKey(NamespaceParam.annotate({ description: "namespace to list; omit for the context's namespace" })),
    all_namespaces: Schema.optionalKey(AllNamespaces.annotate({ description: "list pods of every namespace (ignores namespace)" })),
    label_selector: Schema.optionalKey(LabelSelector),
    field_selector: Schema.optionalKey(FieldSelector.annotate({
      description: "field selector, e.g. status.phase=Running or spec.nodeName=node-1"
    })),
    limit: Schema.optionalKey(Limit),
    continue: Schema.optionalKey(Continue),
    columns: Schema.optionalKey(Columns)
  }),
  output: TableOutput,
  annotations: { title: "List pods", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const narrow = (all: boolean) =>
        `limit (then continue), label_selector, field_selector (e.g. status.phase!=Running)${all ? " or a namespace instead of all_namespaces" : ""}`
      // a large limit is read page by page only until the answer's budget is full
      const options = { ...listOptionsOf(input), budgetBytes: (yield* AppSettings).maxBytes }
      if (input.columns !== undefined) {
        const projected = yield* listPodsProjected(options, yield* parseColumns(input.columns))
        return table({
          columns: projected.columns,
          rows: projected.rows,
          headers: "as-given",
          continue: projected.continue,
          ...(projected.rows.length === 0 && !projected.scope.all ? { summary: `namespace "${projected.scope.namespace}"` } : {}),
          narrow: narrow(projected.scope.all)
        })
      }
      const page = yield* listPods(options)
      const all = page.scope.all
      return table({
        columns: all ? ["namespace", ...COLUMNS] : COLUMNS,
        rows: page.pods.map((p) => [...(all ? [p.namespace] : []), p.name, p.ready, p.status, p.restarts, p.age, p.node, p.ip]),
        continue: page.continue,
        ...(page.pods.length === 0 && !page.scope.all ? { summary: `namespace "${page.scope.namespace}"` } : {}),
        narrow: narrow(all)
      })
    })
})
