/**
 * API discovery per context: (group, version, kind) → the resource to call (plural name, scope, verbs,
 * subresources). Only the group-version asked for is fetched, into the context's discovery cache (a Cache
 * of the Kube handle, so it goes with the handle when the kubeconfig entry changes). A kind missing from the
 * cache triggers one refresh from the server, so a CRD created a moment ago resolves on the next call.
 *
 * Discovery documents are non-resource URLs that every authenticated user may read (system:discovery), so
 * they need no resource RBAC pre-check.
 */
import { Effect, Schema } from "effect"
import { type KubeError, NotFound } from "../errors.js"
import { decodeAnswer } from "./call.js"
import { type GroupVersion, Kube, type KubeApi, type ResourceInfo } from "./Kube.js"

export type { GroupVersion, ResourceInfo } from "./Kube.js"

const APIResource = Schema.Struct({
  name: Schema.String,
  singularName: Schema.optionalKey(Schema.String),
  namespaced: Schema.Boolean,
  kind: Schema.String,
  verbs: Schema.Array(Schema.String),
  shortNames: Schema.optionalKey(Schema.Array(Schema.String))
})
const APIResourceList = Schema.Struct({ resources: Schema.Array(APIResource) })
const APIGroup = Schema.Struct({ versions: Schema.Array(Schema.Struct({ version: Schema.String })) })
const APIVersions = Schema.Struct({ versions: Schema.Array(Schema.String) })
const APIGroupList = Schema.Struct({ groups: Schema.Array(Schema.Struct({ name: Schema.String })) })
const ServedGroupList = Schema.Struct({
  groups: Schema.Array(Schema.Struct({
    name: Schema.String,
    versions: Schema.Array(Schema.Struct({ version: Schema.String })),
    preferredVersion: Schema.optionalKey(Schema.Struct({ version: Schema.String }))
  }))
})

/** DNS subdomain, or "" for the core group. */
export const GROUP_PATTERN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$/u
/** DNS label, as Kubernetes requires of API versions (v1, v2beta1). */
export const VERSION_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/u

export const apiVersionOf = ({ group, version }: GroupVersion): string => (group === "" ? version : `${group}/${version}`)

/** "apps/v1" → { group: "apps", version: "v1" }; "v1" → the core group. */
export const parseApiVersion = (apiVersion: string): GroupVersion => {
  const slash = apiVersion.indexOf("/")
  return slash < 0 ? { group: "", version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

/** The group as users write it: "", omitted and "core" all mean the core group. */
export const normalizeGroup = (group: string | undefined): string => {
  const g = (group ?? "").trim()
  return g === "core" ? "" : g
}

const gvPath = (gv: GroupVersion): string => (gv.group === "" ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`)

/** kubectl's way to name a resource type: "deployment.apps", "pod". */
export const typeName = (info: Pick<ResourceInfo, "kind" | "group">): string =>
  `${info.kind.toLowerCase()}${info.group !== "" ? `.${info.group}` : ""}`

const toInfos = (gv: GroupVersion, list: typeof APIResourceList.Type): ReadonlyArray<ResourceInfo> => {
  const subresources = new Map<string, Array<string>>()
  for (const r of list.resources) {
    const [parent, sub] = r.name.split("/", 2)
    if (parent !== undefined && sub !== undefined) subresources.set(parent, [...(subresources.get(parent) ?? []), sub])
  }
  return list.resources
    .filter((r) => !r.name.includes("/"))
    .map((r) => ({
      group: gv.group,
      version: gv.version,
      apiVersion: apiVersionOf(gv),
      kind: r.kind,
      resource: r.name,
      namespaced: r.namespaced,
      verbs: r.verbs,
      subresources: subresources.get(r.name) ?? [],
      singular: r.singularName !== undefined && r.singularName !== "" ? r.singularName : r.kind.toLowerCase(),
      shortNames: r.shortNames ?? []
    }))
}

/** Exact kind first; then, leniently, the kind in any case, the plural, the singular or a short name. */
const findKind = (resources: ReadonlyArray<ResourceInfo>, kind: string): ResourceInfo | undefined => {
  const exact = resources.find((r) => r.kind === kind)
  if (exact !== undefined) return exact
  const k = kind.toLowerCase()
  return resources.find((r) => r.kind.toLowerCase() === k) ??
    resources.find((r) => r.resource === k || r.singular === k || r.shortNames.includes(k))
}

/** Why a group-version answered 404: which versions the group serves, or that the group is not served. */
const notServed = (api: DiscoveryClient, gv: GroupVersion): Effect.Effect<never, KubeError> => {
  const context = api.info.name
  const versions: Effect.Effect<ReadonlyArray<string>, KubeError> = gv.group === ""
    ? api.json({ path: "/api" }).pipe(Effect.flatMap(decodeAnswer(APIVersions, context, "/api")), Effect.map((a) => a.versions))
    : api.json({ path: `/apis/${gv.group}` }).pipe(
      Effect.flatMap(decodeAnswer(APIGroup, context, `/apis/${gv.group}`)),
      Effect.map((g) => g.versions.map((v) => v.version))
    )
  return versions.pipe(
    Effect.catchTag("NotFound", () => Effect.succeed<ReadonlyArray<string>>([])),
    Effect.flatMap((served) =>
      served.length > 0
        ? Effect.fail(
          new NotFound({
            context,
            message: `API version ${apiVersionOf(gv)} is not served by context "${context}"`,
            details: `The ${gv.group === "" ? "core group" : `group "${gv.group}"`} serves: ${served.join(", ")}.`
          })
        )
        : api.json({ path: "/apis" }).pipe(
          Effect.flatMap(decodeAnswer(APIGroupList, context, "/apis")),
          Effect.map((l) => l.groups.map((g) => g.name).sort()),
          Effect.orElseSucceed((): ReadonlyArray<string> => []),
          Effect.flatMap((groups) =>
            Effect.fail(
              new NotFound({
                context,
                message: `API group "${gv.group}" is not served by context "${context}"`,
                details: groups.length > 0
                  ? `Served groups: "" (core), ${groups.join(", ")}. A CRD's group is served once the CRD is established.`
                  : "A CRD's group is served once the CRD is established."
              })
            )
          )
        )
    )
  )
}

/** What a discovery fetch needs of a context (the Kube handle fills its cache with it). */
export type DiscoveryClient = Pick<KubeApi, "info" | "json">

/** Fetches one group-version's resources; a group-version that is not served says what is. */
export const fetchGroupVersion = (api: DiscoveryClient, gv: GroupVersion): Effect.Effect<ReadonlyArray<ResourceInfo>, KubeError> =>
  api.json({ path: gvPath(gv) }).pipe(
    Effect.flatMap(decodeAnswer(APIResourceList, api.info.name, gvPath(gv))),
    Effect.map((list) => toInfos(gv, list)),
    Effect.catchTag("NotFound", () => notServed(api, gv))
  )

/**
 * The resource behind (group, version, kind) on this context. A miss in the cache refreshes that
 * group-version once; still missing → NotFound listing the kinds the group-version has.
 */
export const resolveKind = (gvk: GroupVersion & { readonly kind: string }): Effect.Effect<ResourceInfo, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const gv = { group: normalizeGroup(gvk.group), version: gvk.version.trim() }
    // names come from manifests too: never let them shape the request path
    if (!GROUP_PATTERN.test(gv.group) || !VERSION_PATTERN.test(gv.version)) {
      return yield* new NotFound({
        context: kube.info.name,
        message: `"${apiVersionOf(gv)}" is not a valid API version`,
        details: "An API version is \"v1\" (core group) or \"<group>/<version>\", e.g. \"apps/v1\"."
      })
    }
    const hit = findKind(yield* kube.resources(gv), gvk.kind)
    if (hit !== undefined) return hit
    const resources = yield* kube.resources(gv, { refresh: true })
    const found = findKind(resources, gvk.kind)
    if (found !== undefined) return found
    const kinds = [...new Set(resources.map((r) => r.kind))].sort()
    return yield* new NotFound({
      context: kube.info.name,
      message: `Kind "${gvk.kind}" is not served in ${apiVersionOf(gv)} by context "${kube.info.name}"`,
      details: kinds.length > 0 ? `${apiVersionOf(gv)} serves: ${kinds.join(", ")}.` : `${apiVersionOf(gv)} serves no kinds.`
    })
  })

/** API path of a resource collection or object: /api/v1/namespaces/ns/pods/name/log. */
export const resourcePath = (
  info: ResourceInfo,
  opts: { readonly namespace?: string | undefined; readonly name?: string | undefined; readonly subresource?: string | undefined } = {}
): string => {
  const base = gvPath(info)
  const ns = info.namespaced && opts.namespace !== undefined && opts.namespace !== "" ? `/namespaces/${encodeURIComponent(opts.namespace)}` : ""
  const name = opts.name !== undefined ? `/${encodeURIComponent(opts.name)}` : ""
  const sub = opts.name !== undefined && opts.subresource !== undefined ? `/${opts.subresource}` : ""
  return `${base}${ns}/${info.resource}${name}${sub}`
}

/** One API group a context serves: "" is the core group; `versions` start with the preferred one. */
export interface ServedGroup {
  readonly group: string
  readonly versions: ReadonlyArray<string>
}

/** The groups the context serves (core first), from /api and /apis: two small documents any user may read. */
export const servedGroups: Effect.Effect<ReadonlyArray<ServedGroup>, KubeError, Kube> = Effect.gen(function*() {
  const kube = yield* Kube
  const context = kube.info.name
  const [core, apis] = yield* Effect.all([
    kube.json({ path: "/api" }).pipe(Effect.flatMap(decodeAnswer(APIVersions, context, "/api"))),
    kube.json({ path: "/apis" }).pipe(Effect.flatMap(decodeAnswer(ServedGroupList, context, "/apis")))
  ], { concurrency: 2 })
  const preferredFirst = (versions: ReadonlyArray<string>, preferred: string | undefined) =>
    preferred !== undefined && versions.includes(preferred) ? [preferred, ...versions.filter((v) => v !== preferred)] : versions
  return [
    { group: "", versions: core.versions },
    ...apis.groups.map((g) => ({ group: g.name, versions: preferredFirst(g.versions.map((v) => v.version), g.preferredVersion?.version) }))
  ]
})

/**
 * Every kind the context serves, each group in its preferred version, from the discovery cache (one fetch per
 * group-version, then none); a group-version that does not answer (an aggregated API that is down) is left out.
 */
export const servedResources: Effect.Effect<ReadonlyArray<ResourceInfo>, KubeError, Kube> = Effect.gen(function*() {
  const kube = yield* Kube
  const groups = yield* servedGroups
  const lists = yield* Effect.forEach(
    groups.flatMap((g) => (g.versions[0] !== undefined ? [{ group: g.group, version: g.versions[0] }] : [])),
    (gv) => kube.resources(gv).pipe(Effect.orElseSucceed((): ReadonlyArray<ResourceInfo> => [])),
    { concurrency: 8 }
  )
  return lists.flat()
})

/** The served resource a kind names (as resolveKind reads it: exact kind first, then any spelling), in any group. */
export const findServedKind = (resources: ReadonlyArray<ResourceInfo>, kind: string): ResourceInfo | undefined => findKind(resources, kind)
