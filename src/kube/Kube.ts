/**
 * Kube: one context's API access, the service every operation in kube/ runs on. The registry builds one per
 * context (cluster/handle.ts: REST client with its release, rate limiter, RBAC decision cache, discovery
 * and OpenAPI caches) and the tool runner provides the one a call resolved to; tests provide one over a fake client.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Context, Data, type Effect } from "effect"
import type { ContextInfo } from "../cluster/registry.js"
import type { ApiRequest } from "../cluster/restClient.js"
import type { ContextSettings } from "../config/settings.js"
import type { KubeError } from "../errors.js"
import type { OpenApiSchemas } from "./openapi.js"

/**
 * What an operation asks permission for (RBAC pre-check and the context's policy). namespace "" with a
 * namespaced resource means every namespace; `clusterScoped` resources (nodes, namespaces, CRDs…) have none.
 */
export class AccessCheck extends Data.Class<{
  readonly verb: string
  readonly group: string
  readonly resource: string
  readonly subresource: string
  readonly namespace: string
  readonly name: string
  readonly clusterScoped: boolean
}> {}

export const access = (a: {
  verb: string
  resource: string
  group?: string | undefined
  subresource?: string | undefined
  namespace?: string | undefined
  name?: string | undefined
  /** Nodes, namespaces, cluster-scoped CRDs; unset = a namespaced resource. */
  clusterScoped?: boolean | undefined
}): AccessCheck =>
  new AccessCheck({
    verb: a.verb,
    resource: a.resource,
    group: a.group ?? "",
    subresource: a.subresource ?? "",
    namespace: a.namespace ?? "",
    name: a.name ?? "",
    clusterScoped: a.clusterScoped ?? false
  })

export interface GroupVersion {
  /** "" = the core group. */
  readonly group: string
  readonly version: string
}

/** One served resource type, as discovery describes it. */
export interface ResourceInfo extends GroupVersion {
  readonly kind: string
  /** "v1" or "apps/v1". */
  readonly apiVersion: string
  /** The plural resource name used in paths and RBAC, e.g. "deployments". */
  readonly resource: string
  readonly namespaced: boolean
  readonly verbs: ReadonlyArray<string>
  /** e.g. ["scale", "status"]. */
  readonly subresources: ReadonlyArray<string>
  readonly singular: string
  readonly shortNames: ReadonlyArray<string>
}

export interface KubeApi {
  readonly info: ContextInfo
  readonly settings: ContextSettings
  readonly server: string
  /** The context's kubeconfig, current-context set to it (for streaming APIs such as exec). */
  readonly kubeConfig: KubeConfig
  /** Rate-limited, timed-out call returning the body text. */
  readonly text: (req: ApiRequest) => Effect.Effect<string, KubeError>
  /** Same as `text`, parsed as JSON. */
  readonly json: (req: ApiRequest) => Effect.Effect<unknown, KubeError>
  /** The context's rate limiter, for calls that do not go through `text` (exec WebSockets). */
  readonly throttle: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** With require_rbac: a cached SelfSubjectAccessReview; a denial fails before any request is made. */
  readonly authorize: (check: AccessCheck) => Effect.Effect<void, KubeError>
  /**
   * The resources a group-version serves, from the context's discovery cache; `refresh` asks the server
   * again (a kind just created by a CRD).
   */
  readonly resources: (gv: GroupVersion, options?: { readonly refresh?: boolean }) => Effect.Effect<ReadonlyArray<ResourceInfo>, KubeError>
  /**
   * The component schemas of a group-version's OpenAPI v3 document, from the context's OpenAPI cache
   * (kube/openapi.ts); `refresh` reads the index again (a CRD created or changed a moment ago).
   */
  readonly openApi: (gv: GroupVersion, options?: { readonly refresh?: boolean }) => Effect.Effect<OpenApiSchemas, KubeError>
}

export class Kube extends Context.Service<Kube, KubeApi>()("kube-mcp/Kube") {}
