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
  /**
   * The answer's byte budget: a `limit` above PAGE_SIZE is read in pages of PAGE_SIZE, and reading stops
   * once the rows read would fill it (the continue token then resumes after the last page read).
   */
  readonly budgetBytes?: number | undefined
}

/** One page of a chunked read: what it holds (already reduced to what is kept) and the server's token. */
interface Chunk<T> {
  readonly items: ReadonlyArray<T>
  readonly continue: string | undefined
  readonly remaining: number | undefined
  /** Some aggregated APIs ignore limit and answer everything. */
  readonly ignoredLimit: boolean
}

/** A row's share of the answer: its cells as JSON strings, about what either rendering spends on it. */
export const rowBytes = (row: ReadonlyArray<string>): number => row.reduce((n, c) => n + c.length + 3, 2)

/**
 * One page of `limit` items as the caller sees it (one request up to PAGE_SIZE), read from the API server in
 * pages of at most PAGE_SIZE:
 * a large limit (5000) never holds more than one page's answer at a time, and reading stops early once the
 * kept items' `sizeOf` passes `budgetBytes` (more would be cut by the budgeter anyway).
 */
const readChunked = <T, E, R>(
  options: ListOptions,
  fetch: (limit: number, token: string | undefined) => Effect.Effect<Chunk<T>, E, R>,
  sizeOf: (item: T) => number
): Effect.Effect<Chunk<T>, E, R> =>
  Effect.gen(function*() {
    const limit = options.limit ?? PAGE_SIZE
    // one page needs no measuring: nothing follows it
    const budget = limit > PAGE_SIZE ? options.budgetBytes ?? Number.POSITIVE_INFINITY : Number.POSITIVE_INFINITY
    const items: Array<T> = []
    let token = options.continue
    let bytes = 0
    let last: Chunk<T>
    do {
      last = yield* fetch(Math.min(PAGE_SIZE, limit - items.length), token)
      for (const item of last.items) {
        items.push(item)
        if (budget !== Number.POSITIVE_INFINITY) bytes += sizeOf(item)
      }
      token = last.continue
    } while (limit > PAGE_SIZE && !last.ignoredLimit && token !== undefined && token !== "" && items.length < limit && bytes <= budget)
    return { items, continue: token, remaining: last.remaining, ignoredLimit: last.ignoredLimit }
  })

/** The query of one page: the caller's selectors, its limit (or PAGE_SIZE) and continue token. */
export const pageQuery = (options: ListOptions): Readonly<Record<string, string | number | undefined>> => ({
  labelSelector: options.labelSelector,
  fieldSelector: options.fieldSelector,
  limit: options.limit ?? PAGE_SIZE,
  continue: options.continue
})

/** What every list answer carries besides its items. */
export interface ListPage {
  readonly metadata?: { readonly continue?: string | undefined; readonly remainingItemCount?: number | undefined } | undefined
}

/**
 * One page of a list tool: `request` (its query with the caller's selectors) read with readChunked, each
 * answer decoded with `schema` and reduced at once by `keep` to one item per object (rows, projected
 * columns, sanitized objects), so no more than one page of API JSON is held at a time.
 */
export const readList = <A extends ListPage, I, T>(
  check: AccessCheck,
  request: ApiRequest,
  options: ListOptions,
  schema: Schema.Codec<A, I>,
  keep: (page: A) => ReadonlyArray<T>,
  sizeOf: (item: T) => number
): Effect.Effect<Chunk<T>, KubeError, Kube> =>
  readChunked(
    options,
    (limit, token) =>
      Effect.map(callJson(check, { ...request, query: { ...request.query, limit, continue: token } }, schema), (list) => {
        const items = keep(list)
        // some aggregated APIs ignore limit and answer everything
        return { items, continue: list.metadata?.continue, remaining: list.metadata?.remainingItemCount, ignoredLimit: items.length > limit }
      }),
    sizeOf
  )

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
