/**
 * A per-context handle: the API client, that context's rate limiter, timeout and RBAC decision cache.
 * Built lazily on a context's first use and kept until its kubeconfig entry changes.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Cache, Data, Duration, Effect, Exit, Schema, type Scope } from "effect"
import type { RateLimiter } from "effect/persistence"
import type { ContextSettings } from "../config/settings.js"
import { ApiError, Forbidden, type KubeError } from "../errors.js"
import type { ContextInfo } from "./registry.js"
import { type ApiRequest, makeRestClient } from "./restClient.js"

/** What a tool asks permission for; namespace "" = cluster scope. */
export class AccessCheck extends Data.Class<{
  readonly verb: string
  readonly group: string
  readonly resource: string
  readonly subresource: string
  readonly namespace: string
  readonly name: string
}> {}

export const access = (a: {
  verb: string
  resource: string
  group?: string | undefined
  subresource?: string | undefined
  namespace?: string | undefined
  name?: string | undefined
}): AccessCheck =>
  new AccessCheck({
    verb: a.verb,
    resource: a.resource,
    group: a.group ?? "",
    subresource: a.subresource ?? "",
    namespace: a.namespace ?? "",
    name: a.name ?? ""
  })

export interface ClusterHandle {
  readonly info: ContextInfo
  readonly settings: ContextSettings
  readonly server: string
  /** The context's kubeconfig, current-context set to it (for streaming APIs such as exec). */
  readonly kubeConfig: KubeConfig
  /** Rate-limited, timed-out call returning the body text. */
  readonly text: (req: ApiRequest) => Effect.Effect<string, KubeError>
  /** The context's rate limiter, for calls that do not go through `text` (exec WebSockets). */
  readonly throttle: <A, E>(effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** Same as `text`, parsed as JSON. */
  readonly json: (req: ApiRequest) => Effect.Effect<unknown, KubeError>
  /** With require_rbac: a cached SelfSubjectAccessReview; a denial fails before any request is made. */
  readonly authorize: (check: AccessCheck) => Effect.Effect<void, KubeError>
}

const ReviewStatus = Schema.Struct({
  status: Schema.Struct({
    allowed: Schema.Boolean,
    denied: Schema.optionalKey(Schema.Boolean),
    reason: Schema.optionalKey(Schema.String)
  })
})
const decodeReview = Schema.decodeUnknownEffect(Schema.fromJsonString(ReviewStatus))

/** The server's rate limiter, keyed by context (see registry.ts). */
export type WithLimiter = Effect.Success<typeof RateLimiter.makeWithRateLimiter>

export const makeHandle = (
  info: ContextInfo,
  kubeConfig: KubeConfig,
  settings: ContextSettings,
  rbacCacheTtlMs: number,
  withLimiter: WithLimiter
): Effect.Effect<ClusterHandle, KubeError, Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* makeRestClient(info.name, kubeConfig, settings.timeoutMs)
    // client-go semantics: `burst` tokens at once, refilled at `qps` per second (one token per window/limit)
    const limited = withLimiter({
      algorithm: "token-bucket",
      onExceeded: "delay",
      key: info.name,
      limit: settings.burst,
      window: Duration.millis((settings.burst * 1000) / settings.qps)
    })
    // with onExceeded "delay" and the in-memory store the limiter waits, it never fails
    const limit = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      limited(effect).pipe(Effect.catchTag("RateLimiterError", (e) => Effect.die(e)))
    const text = (req: ApiRequest) => limit(client.text(req))
    const json = (req: ApiRequest) =>
      Effect.flatMap(text(req), (body) =>
        Effect.try({
          try: (): unknown => (body === "" ? {} : JSON.parse(body)),
          catch: () =>
            new ApiError({ context: info.name, code: 200, message: `${req.path} answered with a body that is not JSON`, details: body.slice(0, 200) })
        }))

    const review = (check: AccessCheck) =>
      text({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: {
            resourceAttributes: {
              verb: check.verb,
              group: check.group,
              resource: check.resource,
              ...(check.subresource !== "" ? { subresource: check.subresource } : {}),
              ...(check.namespace !== "" ? { namespace: check.namespace } : {}),
              ...(check.name !== "" ? { name: check.name } : {})
            }
          }
        }
      }).pipe(
        Effect.flatMap((body) => Effect.orDie(decodeReview(body))),
        Effect.map((r) => r.status)
      )
    const decisions = yield* Cache.makeWith(review, {
      capacity: 10_000,
      // errors are never cached: a flaky review must not stick
      timeToLive: (exit) => (Exit.isFailure(exit) ? Duration.zero : Duration.millis(rbacCacheTtlMs))
    })
    const authorize = (check: AccessCheck): Effect.Effect<void, KubeError> =>
      settings.requireRbac
        ? Effect.flatMap(Cache.get(decisions, check), (status) =>
          status.allowed ? Effect.void : Effect.fail(
            new Forbidden({
              context: info.name,
              message: `User of context "${info.name}" may not ${check.verb} ${
                check.group !== "" ? `${check.resource}.${check.group}` : check.resource
              }${check.subresource !== "" ? `/${check.subresource}` : ""}${check.namespace !== "" ? ` in namespace "${check.namespace}"` : " (cluster scope)"}`,
              details: `Refused by the RBAC pre-check (SelfSubjectAccessReview)${status.reason !== undefined && status.reason !== "" ? `: ${status.reason}` : ""}; no request was sent.`,
              verb: check.verb,
              resource: check.subresource !== "" ? `${check.resource}/${check.subresource}` : check.resource,
              group: check.group,
              ...(check.namespace !== "" ? { namespace: check.namespace } : {})
            })
          ))
        : Effect.void

    return { info, settings, server: client.server, kubeConfig, text, json, throttle: limit, authorize }
  })
