/**
 * Names of the objects of any kind, one page at a time, for completion: metadata only
 * (PartialObjectMetadataList), so a page of large objects stays small. Authorized like any list (policy, RBAC).
 */
import { Effect, Schema } from "effect"
import type { KubeError } from "../errors.js"
import { callJson } from "./call.js"
import { resourcePath } from "./discovery.js"
import { access, type Kube, type ResourceInfo } from "./Kube.js"
import { ListMeta } from "./meta.js"
import { METADATA_ACCEPT, pageQuery } from "./paging.js"

const NameList = Schema.Struct({
  metadata: Schema.optionalKey(ListMeta),
  items: Schema.Array(Schema.Struct({ metadata: Schema.Struct({ name: Schema.String }) }))
})

export interface NamePage {
  readonly names: ReadonlyArray<string>
  /** More objects exist beyond this page. */
  readonly more: boolean
}

/** One page of names: in `namespace` for a namespaced kind, every namespace when it is undefined. */
export const listNames = (info: ResourceInfo, namespace: string | undefined, limit: number): Effect.Effect<NamePage, KubeError, Kube> =>
  callJson(
    access({ verb: "list", group: info.group, resource: info.resource, namespace, clusterScoped: !info.namespaced }),
    { path: resourcePath(info, { namespace }), query: pageQuery({ limit }), accept: METADATA_ACCEPT },
    NameList
  ).pipe(Effect.map((list) => ({ names: list.items.map((i) => i.metadata.name), more: (list.metadata?.continue ?? "") !== "" })))
