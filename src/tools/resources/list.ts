/** resources_list: any kind, as kubectl get shows it (the server's own columns), or the sanitized items as YAML/JSON. */
import { Effect, Option, Schema } from "effect"
import { PAGE_SIZE } from "../../kube/paging.js"
import { listScope } from "../../kube/scope.js"
import { access, type KubeApi } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { type ResourceInfo, resourcePath } from "../../kube/discovery.js"
import { age, ListMeta } from "../../kube/meta.js"
import { optionsOf, sanitizeObject } from "../../output/sanitize.js"
import { document, ObjectOutput, type Reply, table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, Continue, FieldSelector, LabelSelector, Limit, NamespaceParam } from "../params.js"
import { Group, Kind, KubeObject, metaOf, namespaceFor, requireVerb, resolveInput, Version } from "./common.js"

/** Ask for the server-side Table (kubectl's columns, CRD printer columns included); plain JSON where unsupported. */
export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

const TableAnswer = Schema.Struct({
  kind: Schema.Literal("Table"),
  metadata: Schema.optionalKey(ListMeta),
  columnDefinitions: Schema.Array(Schema.Struct({ name: Schema.String, priority: Schema.optionalKey(Schema.Finite) })),
  rows: Schema.Array(Schema.Struct({
    cells: Schema.Array(Schema.Unknown),
    object: Schema.optionalKey(Schema.Struct({
      metadata: Schema.optionalKey(Schema.Struct({ namespace: Schema.optionalKey(Schema.String), name: Schema.optionalKey(Schema.String) }))
    }))
  }))
})
export type TableAnswer = typeof TableAnswer.Type
export const decodeTable = Schema.decodeUnknownOption(TableAnswer)

const PlainList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(KubeObject) })

export const cellText = (cell: unknown): string =>
  cell === null || cell === undefined
    ? "<none>"
    : typeof cell === "string"
    ? cell
    : typeof cell === "number" || typeof cell === "boolean"
    ? String(cell)
    : JSON.stringify(cell)

/** The default (priority 0) columns of a server Table, lower-cased like the other tools' columns. */
export const tableColumns = (t: TableAnswer): { names: Array<string>; indexes: Array<number> } => {
  const indexes = t.columnDefinitions.flatMap((c, i) => ((c.priority ?? 0) === 0 ? [i] : []))
  return { names: indexes.map((i) => (t.columnDefinitions[i]?.name ?? "").toLowerCase()), indexes }
}

const Params = Schema.Struct({
  group: Schema.optionalKey(Group),
  version: Version,
  kind: Kind,
  namespace: Schema.optionalKey(NamespaceParam),
  all_namespaces: Schema.optionalKey(AllNamespaces),
  label_selector: Schema.optionalKey(LabelSelector),
  field_selector: Schema.optionalKey(FieldSelector),
  limit: Schema.optionalKey(Limit),
  continue: Schema.optionalKey(Continue),
  output: Schema.optionalKey(Schema.Literals(["summary", "yaml", "json"]).annotate({
    description: "summary (default): a table with the columns kubectl get shows for the kind; yaml/json: the items " +
      "themselves (managedFields and last-applied removed, Secret values masked)"
  }))
})

const scopeLabel = (info: ResourceInfo, namespace: string | undefined): string =>
  !info.namespaced ? " (cluster-scoped)" : namespace === undefined ? " in all namespaces" : ` in namespace "${namespace}"`

export const resourcesList = clusterTool({
  name: "resources_list",
  description: "List objects of any kind (built-in or CRD) named by group/version/kind, e.g. group \"apps\", version \"v1\", " +
    "kind \"Deployment\". Default output is a compact table with the columns kubectl get shows for that kind " +
    "(e.g. ready/up-to-date/available for Deployments, printer columns for CRDs); output yaml/json returns the items. " +
    "Paged with limit/continue; filter with label_selector/field_selector. Secret values are always masked.",
  params: Params,
  output: Schema.Union([TableOutput, ObjectOutput]),
  annotations: { title: "List resources", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      // cluster-scoped kinds ignore the namespace; the pair is still refused, as for every list tool
      yield* listScope(input, cluster.info.namespace)
      const info = yield* resolveInput(cluster, input)
      yield* requireVerb(info, "list", "resources_list")
      const namespace = input.all_namespaces === true ? undefined : namespaceFor(info, cluster, input.namespace)
      const request = {
        path: resourcePath(info, { namespace }),
        query: { labelSelector: input.label_selector, fieldSelector: input.field_selector, limit: input.limit ?? PAGE_SIZE, continue: input.continue }
      }
      const check = access({ verb: "list", group: info.group, resource: info.resource, namespace })
      const output = input.output ?? "summary"
      return output === "summary"
        ? yield* summary(cluster, info, namespace, check, request, input.limit ?? PAGE_SIZE)
        : yield* items(cluster, info, check, request, output, input.limit ?? PAGE_SIZE)
    })
})

type Check = ReturnType<typeof access>
interface ListRequest {
  readonly path: string
  readonly query: Readonly<Record<string, string | number | undefined>>
}

const narrowHint = "limit and continue, label_selector, field_selector or a namespace"

/** Some aggregated APIs (metrics.k8s.io) ignore limit and return everything: cap here, and say so. */
const capped = <A>(all: ReadonlyArray<A>, limit: number | undefined): { kept: ReadonlyArray<A>; note: string } =>
  limit !== undefined && all.length > limit
    ? { kept: all.slice(0, limit), note: ` (showing ${limit} of ${all.length}: this API ignores limit/continue; narrow with a namespace or label_selector)` }
    : { kept: all, note: "" }

const summary = (
  cluster: KubeApi,
  info: ResourceInfo,
  namespace: string | undefined,
  check: Check,
  request: ListRequest,
  limit: number | undefined
) =>
  Effect.gen(function*() {
    const answer = yield* callJson(check, { ...request, accept: TABLE_ACCEPT }, KubeObject)
    const showNamespace = info.namespaced && namespace === undefined
    const t = decodeTable(answer)
    let columns: Array<string>
    let rows: Array<Array<string>>
    let cont: string | undefined
    let remaining: number | undefined
    if (Option.isSome(t)) {
      const { indexes, names } = tableColumns(t.value)
      columns = [...(showNamespace ? ["namespace"] : []), ...names]
      rows = t.value.rows.map((r) => [
        ...(showNamespace ? [r.object?.metadata?.namespace ?? ""] : []),
        ...indexes.map((i) => cellText(r.cells[i]))
      ])
      cont = t.value.metadata?.continue
      remaining = t.value.metadata?.remainingItemCount
    } else {
      // aggregated APIs may not serve Tables: name and age from the plain list
      const list = yield* Schema.decodeUnknownEffect(PlainList)(answer).pipe(Effect.orDie)
      const now = Date.now()
      columns = [...(showNamespace ? ["namespace"] : []), "name", "age"]
      rows = list.items.map((item) => {
        const m = metaOf(item)
        return [...(showNamespace ? [m.namespace ?? ""] : []), m.name ?? "", age(m.creationTimestamp, now)]
      })
      cont = list.metadata?.continue
      remaining = list.metadata?.remainingItemCount
    }
    const { kept, note } = capped(rows, limit)
    const reply: Reply = table({
      columns,
      rows: kept,
      continue: cont,
      narrow: narrowHint,
      summary: `${kept.length} ${info.resource}${info.group !== "" ? `.${info.group}` : ""}${scopeLabel(info, namespace)}${
        remaining !== undefined && remaining > 0 ? ` (${remaining} more)` : ""
      }${note}`
    })
    return reply
  })

const items = (
  cluster: KubeApi,
  info: ResourceInfo,
  check: Check,
  request: ListRequest,
  format: "yaml" | "json",
  limit: number | undefined
) =>
  Effect.gen(function*() {
    const list = yield* callJson(check, request, PlainList)
    const opts = optionsOf(cluster)
    const { kept, note } = capped(list.items, limit)
    const meta = {
      ...(note !== "" ? { note: note.trim().replace(/^\(|\)$/g, "") } : {}),
      ...(list.metadata?.continue !== undefined && list.metadata.continue !== "" ? { continue: list.metadata.continue } : {}),
      ...(list.metadata?.remainingItemCount !== undefined ? { remainingItemCount: list.metadata.remainingItemCount } : {})
    }
    // typed lists omit each item's apiVersion/kind; put them back so every item reads as a whole object
    const data = {
      apiVersion: info.apiVersion,
      kind: `${info.kind}List`,
      metadata: meta,
      items: kept.map((item) => sanitizeObject({ apiVersion: info.apiVersion, kind: info.kind, ...item }, opts))
    }
    const reply: Reply = document(data, format, narrowHint)
    return reply
  })
