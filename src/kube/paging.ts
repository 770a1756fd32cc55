/**
 * Lists, the one way: a page of `limit` items (PAGE_SIZE when the caller gives none) with the server's
 * continue token, or every page for answers that need the whole set (sorting, counting, folding). Server-side
 * Tables (kubectl's columns) are asked for with TABLE_ACCEPT.
 */
import { Effect, Schema } from "effect"
import type { ApiRequest } from "../cluster/restClient.js"
import type { KubeError } from "../errors.js"
import { callJson } from "./call.js"
import type { AccessCheck, Kube } from "./Kube.js"
import { ListMeta } from "./meta.js"

/** Lists never pull a whole large cluster into memory: without `limit` the API server pages at this size. */
export const PAGE_SIZE = 500

/** A server-side Table (meta.k8s.io/v1), falling back to the plain list for APIs that cannot render one. */
export const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

/** Objects' metadata only (PartialObjectMetadataList), the smallest form of a list that still names each object. */
export const METADATA_ACCEPT = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io, application/json"

/** A server-side Table (meta.k8s.io/v1): printed columns, cells, and the object's name when asked for. */
export const Table = Schema.Struct({
  kind: Schema.Literal("Table"),
  metadata: Schema.optionalKey(ListMeta),
  columnDefinitions: Schema.Array(Schema.Struct({ name: Schema.String, priority: Schema.optionalKey(Schema.Finite) })),
  rows: Schema.Array(Schema.Struct({
    cells: Schema.Array(Schema.Unknown),
    // null when the list asked for includeObject=None
    object: Schema.optionalKey(Schema.NullOr(Schema.Struct({
      metadata: Schema.optionalKey(Schema.Struct({ namespace: Schema.optionalKey(Schema.String), name: Schema.optionalKey(Schema.String) }))
    })))
  }))
})
export type Table = typeof Table.Type

export interface ListOptions {
  readonly labelSelector?: string | undefined
  readonly fieldSelector?: string | undefined
  readonly limit?: number | undefined
  readonly continue?: string | undefined
}

/** The query of one page: the caller's selectors, its limit (or PAGE_SIZE) and continue token. */
export const pageQuery = (options: ListOptions): Readonly<Record<string, string | number | undefined>> => ({
  labelSelector: options.labelSelector,
  fieldSelector: options.fieldSelector,
  limit: options.limit ?? PAGE_SIZE,
  continue: options.continue
})

interface Page<T> {
  readonly metadata?: { readonly continue?: string | undefined } | undefined
  readonly items: ReadonlyArray<T>
}

/** Follows continue tokens from `first` until the list ends or `maxItems` are read. */
const followPages = <P extends { readonly metadata?: { readonly continue?: string | undefined } | undefined }, T>(
  fetch: (token: string | undefined) => Effect.Effect<P, KubeError, Kube>,
  itemsOf: (page: P) => ReadonlyArray<T>,
  maxItems: number
): Effect.Effect<{ readonly pages: ReadonlyArray<P>; readonly items: Array<T>; readonly complete: boolean }, KubeError, Kube> =>
  Effect.gen(function*() {
    const items: Array<T> = []
    const pages: Array<P> = []
    let token: string | undefined
    do {
      const page = yield* fetch(token)
      pages.push(page)
      items.push(...itemsOf(page))
      token = page.metadata?.continue
    } while (token !== undefined && token !== "" && items.length < maxItems)
    return { pages, items, complete: token === undefined || token === "" }
  })

/**
 * Follows continue tokens until the list ends or `maxItems` are read; `complete` says whether it ended.
 * Pages keep each answer small for the API server; the cap keeps a huge cluster from exhausting us.
 */
export const readAllPages = <T, I>(
  check: AccessCheck,
  request: ApiRequest,
  schema: Schema.Codec<Page<T>, I>,
  maxItems = Number.POSITIVE_INFINITY
): Effect.Effect<{ readonly items: Array<T>; readonly complete: boolean }, KubeError, Kube> =>
  followPages(
    (token) => callJson(check, { ...request, query: { ...request.query, limit: PAGE_SIZE, continue: token } }, schema),
    (page) => page.items,
    maxItems
  ).pipe(Effect.map(({ complete, items }) => ({ items, complete })))

/**
 * Every page of a server-side Table without the objects (kubectl's columns only, the smallest form of a
 * list): the column names and each row's cells, up to `maxRows`.
 */
export const readAllTableRows = (
  check: AccessCheck,
  request: ApiRequest,
  maxRows = Number.POSITIVE_INFINITY
): Effect.Effect<{ readonly columns: ReadonlyArray<string>; readonly rows: Array<ReadonlyArray<unknown>>; readonly complete: boolean }, KubeError, Kube> =>
  followPages(
    (token) =>
      callJson(check, {
        ...request,
        accept: TABLE_ACCEPT,
        query: { ...request.query, includeObject: "None", limit: PAGE_SIZE, continue: token }
      }, Table),
    (page) => page.rows.map((r) => r.cells),
    maxRows
  ).pipe(Effect.map(({ complete, items, pages }) => ({ columns: pages[0]?.columnDefinitions.map((c) => c.name) ?? [], rows: items, complete })))
