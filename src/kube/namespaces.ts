/** Namespaces: the fields read and the one list (one page, as every paged list tool answers). */
import { Clock, Effect, Schema } from "effect"
import type { KubeError } from "../errors.js"
import { optionsOf, sanitizeObject } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { type ColumnSpec, project } from "./columns.js"
import { access, Kube } from "./Kube.js"
import { age, ListMeta, ObjectMeta } from "./meta.js"
import { type ListOptions, pageQuery } from "./paging.js"

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

const listPage = <A, I>(options: Omit<ListOptions, "fieldSelector">, schema: Schema.Codec<A, I>): Effect.Effect<A, KubeError, Kube> =>
  callJson(access({ verb: "list", resource: "namespaces", clusterScoped: true }), { path: "/api/v1/namespaces", query: pageQuery(options) }, schema)

/** One page of namespaces (`limit`, `continue`; field selectors are not offered for namespaces). */
export const listNamespaces = (options: Omit<ListOptions, "fieldSelector">): Effect.Effect<NamespacePage, KubeError, Kube> =>
  Effect.gen(function*() {
    const list = yield* listPage(options, NamespaceList)
    const now = yield* Clock.currentTimeMillis
    return {
      namespaces: list.items.map((ns) => ({ name: ns.metadata.name, status: ns.status?.phase ?? "", age: age(ns.metadata.creationTimestamp, now) })),
      continue: list.metadata?.continue
    }
  })

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
    const kube = yield* Kube
    const list = yield* listPage(options, NamespaceObjectList)
    const opts = optionsOf(kube)
    return { ...project(spec, list.items.map((ns) => sanitizeObject(ns, opts))), continue: list.metadata?.continue }
  })
