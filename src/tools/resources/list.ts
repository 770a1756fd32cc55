/**
 * resources_list: any kind, as kubectl get shows it (the server's own columns), the fields named by `columns`
 * (custom-columns), or the sanitized items as YAML/JSON.
 */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { parseColumns } from "../../kube/columns.js"
import { type Listed, listItems, listProjected, listRows } from "../../kube/objects.js"
import { document, ObjectOutput, type Reply, table, TableOutput } from "../../output/reply.js"
import { InvalidInput } from "../../errors.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, Columns, Continue, FieldSelector, gvkFields, LabelSelector, Limit, listOptionsOf, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  namespace: Schema.optionalKey(NamespaceParam),
  all_namespaces: Schema.optionalKey(AllNamespaces),
  label_selector: Schema.optionalKey(LabelSelector),
  field_selector: Schema.optionalKey(FieldSelector),
  limit: Schema.optionalKey(Limit),
  continue: Schema.optionalKey(Continue),
  output: Schema.optionalKey(Schema.Literals(["summary", "yaml", "json"]).annotate({
    description: "summary (default): a table with the columns kubectl get shows for the kind; yaml/json: the items " +
      "themselves (managedFields and last-applied removed, Secret values masked)"
  })),
  columns: Schema.optionalKey(Columns)
})

const narrow = "limit and continue, label_selector, field_selector or a namespace"

const cappedNote = (l: Listed): string | undefined =>
  l.capped !== undefined
    ? `showing ${l.capped.shown} of ${l.capped.total}: this API ignores limit/continue; narrow with a namespace or label_selector`
    : undefined

const scopeLabel = (l: Listed): string =>
  !l.info.namespaced ? " (cluster-scoped)" : l.namespace === undefined ? " in all namespaces" : ` in namespace "${l.namespace}"`

export const resourcesList = clusterTool({
  name: "resources_list",
  description: "List objects of any kind (built-in or CRD) named by group/version/kind, e.g. group \"apps\", version \"v1\", " +
    "kind \"Deployment\". Default output is a compact table with the columns kubectl get shows for that kind " +
    "(e.g. ready/up-to-date/available for Deployments, printer columns for CRDs); output yaml/json returns the items; " +
    "columns (kubectl custom-columns, e.g. \"NAME:.metadata.name,IMAGE:.spec.template.spec.containers[*].image\") returns just the fields you name. " +
    "Paged with limit/continue; filter with label_selector/field_selector. Secret values are always masked.",
  params: Params,
  output: Schema.Union([TableOutput, ObjectOutput]),
  annotations: { title: "List resources", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      // a large limit is read page by page only until the answer's budget is full
      const query = { ...listOptionsOf(input), budgetBytes: (yield* AppSettings).maxBytes }
      const output = input.output ?? "summary"
      if (input.columns !== undefined && output !== "summary") {
        return yield* new InvalidInput({
          message: `columns and output "${output}" exclude each other: columns gives a table of the fields named`,
          issues: [{ path: "columns", message: "give columns or output yaml/json, not both" }]
        })
      }
      if (output !== "summary") {
        const l = yield* listItems(input, query, "resources_list")
        const note = cappedNote(l)
        const metadata = {
          ...(note !== undefined ? { note } : {}),
          ...(l.continue !== undefined && l.continue !== "" ? { continue: l.continue } : {}),
          ...(l.remaining !== undefined ? { remainingItemCount: l.remaining } : {})
        }
        const reply: Reply = document({ apiVersion: l.info.apiVersion, kind: `${l.info.kind}List`, metadata, items: l.items }, output, narrow)
        return reply
      }
      const l = input.columns !== undefined
        ? yield* listProjected(input, query, yield* parseColumns(input.columns), "resources_list")
        : yield* listRows(input, query, "resources_list")
      const note = cappedNote(l)
      const reply: Reply = table({
        columns: l.columns,
        rows: l.rows,
        headers: input.columns !== undefined ? "as-given" : "upper",
        continue: l.continue,
        narrow,
        summary: `${l.rows.length} ${l.info.resource}${l.info.group !== "" ? `.${l.info.group}` : ""}${scopeLabel(l)}${
          l.remaining !== undefined && l.remaining > 0 ? ` (${l.remaining} more)` : ""
        }${note !== undefined ? ` (${note})` : ""}`
      })
      return reply
    })
})
