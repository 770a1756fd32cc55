/** Namespaces: the fields read and the one list (one page, as every paged list tool answers). */
import { Clock, Effect, Schema } from "effect"
import type { KubeError } from "../errors.js"
import { optionsOf, sanitizeObject } from "../output/sanitize.js"
import { type ColumnSpec, projectRow } from "./columns.js"
import { access, Kube } from "./Kube.js"
import { age, ListMeta, ObjectMeta } from "./meta.js"
import { type ListOptions, type ListPage, pageQuery, readList, rowBytes } from "./paging.js"

export const Namespace = Schema.Struct({
  metadata: ObjectMeta,
  status: Schema.optionalKey(Schema.Struct({ phase: Schema.optionalKey(Schema.String) }))
})
export type Namespace = typeof Namespace.Type

const NamespaceList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(Namespace) })

export interface NamespaceRow {
  readonly name: string
  /** Active or Terminating ("" if the server did not say). */
  readonly status: string
  readonly age: string
}

export interface NamespacePage {
  readonly namespaces: ReadonlyArray<NamespaceRow>
  /** The token of the next page, if any. */
  readonly continue: string | undefined
}

/**
 * One page of namespaces read with readList (a large limit in pages of PAGE_SIZE, up to the budget), each
 * page decoded with `schema` and reduced by `keep` at once.
 */
const readNamespaces = <A extends ListPage, I, T>(
  options: Omit<ListOptions, "fieldSelector">,
  schema: Schema.Codec<A, I>,
  keep: (page: A, now: number) => ReadonlyArray<T>,
  sizeOf: (item: T) => number
): Effect.Effect<{ readonly items: ReadonlyArray<T>; readonly continue: string | undefined }, KubeError, Kube> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    return yield* readList(
      access({ verb: "list", resource: "namespaces", clusterScoped: true }),
      { path: "/api/v1/namespaces", query: pageQuery(options) },
      options,
      schema,
      (list) => keep(list, now),
      sizeOf
    )
  })

/** One page of namespaces (`limit`, `continue`; field selectors are not offered for namespaces). */
export const listNamespaces = (options: Omit<ListOptions, "fieldSelector">): Effect.Effect<NamespacePage, KubeError, Kube> =>
  Effect.map(
    readNamespaces(
      options,
      NamespaceList,
      (list, now) => list.items.map((ns) => ({ name: ns.metadata.name, status: ns.status?.phase ?? "", age: age(ns.metadata.creationTimestamp, now) })),
      (r) => rowBytes([r.name, r.status, r.age])
    ),
    (page) => ({ namespaces: page.items, continue: page.continue })
  )

const NamespaceObjectList = Schema.Struct({
  metadata: Schema.optionalKey(ListMeta),
  items: Schema.Array(Schema.Record(Schema.String, Schema.Unknown))
})

/** One page of whole namespaces (sanitized) projected to custom columns (kubectl -o custom-columns). */
export const listNamespacesProjected = (
  options: Omit<ListOptions, "fieldSelector">,
  spec: ColumnSpec
): Effect.Effect<{ readonly columns: ReadonlyArray<string>; readonly rows: ReadonlyArray<ReadonlyArray<string>>; readonly continue: string | undefined }, KubeError, Kube> =>
  Effect.gen(function*() {
    const opts = optionsOf(yield* Kube)
    const page = yield* readNamespaces(options, NamespaceObjectList, (list) => list.items.map((ns) => projectRow(spec, sanitizeObject(ns, opts))), rowBytes)
    return { columns: spec.columns.map((c) => c.header), rows: page.items, continue: page.continue }
  })
