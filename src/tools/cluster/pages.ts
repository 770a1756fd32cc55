/** Reading every page of a list: tools whose answer needs the whole set (sorting, counting, folding). */
import { Effect, type Schema } from "effect"
import type { AccessCheck, ClusterHandle } from "../../cluster/handle.js"
import type { ApiRequest } from "../../cluster/restClient.js"
import type { KubeError } from "../../errors.js"
import { callJson } from "../../kube/call.js"

interface Page<T> {
  readonly metadata?: { readonly continue?: string | undefined } | undefined
  readonly items: ReadonlyArray<T>
}

export const PAGE_SIZE = 500

/**
 * Follows continue tokens until the list ends or `maxItems` are read; `complete` says whether it ended.
 * Pages keep each answer small for the API server; the cap keeps a huge cluster from exhausting us.
 */
export const readAllPages = <T, I>(
  cluster: ClusterHandle,
  check: AccessCheck,
  request: ApiRequest,
  schema: Schema.Codec<Page<T>, I>,
  maxItems = Number.POSITIVE_INFINITY
): Effect.Effect<{ readonly items: Array<T>; readonly complete: boolean }, KubeError> =>
  Effect.gen(function*() {
    const items: Array<T> = []
    let token: string | undefined
    do {
      const page = yield* callJson(cluster, check, { ...request, query: { ...request.query, limit: PAGE_SIZE, continue: token } }, schema)
      items.push(...page.items)
      token = page.metadata?.continue
    } while (token !== undefined && token !== "" && items.length < maxItems)
    return { items, complete: token === undefined || token === "" }
  })
