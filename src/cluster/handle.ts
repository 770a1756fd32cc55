/**
 * A context's Kube handle (kube/Kube.ts): its REST client, rate limiter, timeout, RBAC decision cache,
 * discovery and OpenAPI caches. Built lazily on a context's first use and kept until its kubeconfig entry changes.
 * `makeKube` takes the REST client as an argument, so tests build a real handle over a fake client.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Cache, Duration, Effect, Equal, Exit, Hash, Schema, type Scope } from "effect"
import { ApiIdentity, type ApiCredentials, callerKey } from "../auth/identity.js"
import type { RateLimiter } from "effect/persistence"
import type { ContextSettings } from "../config/settings.js"
import { ApiError, Forbidden, type KubeError } from "../errors.js"
import { apiVersionOf, fetchGroupVersion, parseApiVersion } from "../kube/discovery.js"
import { makeOpenApiCache } from "../kube/openapi.js"
import { policyRefusal } from "../kube/policy.js"
import type { AccessCheck, GroupVersion, KubeApi } from "../kube/Kube.js"
import type { ContextInfo } from "./registry.js"
import { Telemetry } from "../telemetry/telemetry.js"
import { type ApiRequest, makeRestClient, type RestClient } from "./restClient.js"

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

export interface KubeOptions {
  readonly info: ContextInfo
  readonly kubeConfig: KubeConfig
  readonly settings: ContextSettings
  readonly rbacCacheTtlMs: number
  readonly withLimiter: WithLimiter
}

/**
 * The key of one cached RBAC decision: what is asked and for whom. In impersonate and passthrough modes the API
 * server sees each caller as a different user, so one caller's "allowed" must never answer another's question.
 */
class Decision implements Equal.Equal {
  private readonly caller: string
  constructor(readonly check: AccessCheck, readonly as: ApiCredentials) {
    this.caller = callerKey(as)
  }
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof Decision && that.caller === this.caller && Equal.equals(this.check, that.check)
  }
  [Hash.symbol](): number {
    return Hash.combine(Hash.string(this.caller))(Hash.hash(this.check))
  }
}

/** Group-versions whose discovery is kept per context (a cluster serves a few dozen). */
const DISCOVERY_CAPACITY = 512

/** A live handle: a REST client for the context, released with the scope. */
export const makeHandle = (options: KubeOptions): Effect.Effect<KubeApi, KubeError, Scope.Scope> =>
  Effect.flatMap(makeRestClient(options.info.name, options.kubeConfig, options.settings.timeoutMs), (client) => makeKube(client, options))

/** A handle over any REST client (the live one, or a test's). */
export const makeKube = (
  client: RestClient,
  { info, kubeConfig, rbacCacheTtlMs, settings, withLimiter }: KubeOptions
): Effect.Effect<KubeApi> =>
  Effect.gen(function*() {
    // client-go semantics: `burst` tokens at once, refilled at `qps` per second (one token per window/limit)
    const limited = withLimiter({
      algorithm: "token-bucket",
      onExceeded: "delay",
      key: info.name,
      limit: settings.burst,
      window: Duration.millis((settings.burst * 1000) / settings.qps)
    })
    // with onExceeded "delay" and the in-memory store the limiter waits, it never fails
    const telemetry = yield* Telemetry
    const limit = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      telemetry.limited(info.name, (e) => limited(e).pipe(Effect.catchTag("RateLimiterError", (e) => Effect.die(e))), effect)
    const text = (req: ApiRequest) => limit(client.text(req))
    const json = (req: ApiRequest) =>
      Effect.flatMap(text(req), (body) =>
        Effect.try({
          try: (): unknown => (body === "" ? {} : JSON.parse(body)),
          catch: () =>
            new ApiError({ context: info.name, code: 200, message: `${req.path} answered with a body that is not JSON`, details: body.slice(0, 200) })
        }))

    // the review runs as the caller the decision is for (a cache lookup does not run in the asking call)
    const review = ({ as, check }: Decision) =>
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
        Effect.map((r) => r.status),
        Effect.provideService(ApiIdentity, as)
      )
    const decisions = yield* Cache.makeWith(review, {
      capacity: 10_000,
      // errors are never cached: a flaky review must not stick
      timeToLive: (exit) => (Exit.isFailure(exit) ? Duration.zero : Duration.millis(rbacCacheTtlMs))
    })
    const rbac = (check: AccessCheck): Effect.Effect<void, KubeError> =>
      settings.requireRbac
        ? Effect.gen(function*() {
          const as = yield* ApiIdentity
          const status = yield* Cache.get(decisions, new Decision(check, as))
          if (status.allowed) return
          const who = as._tag === "Server"
            ? `User of context "${info.name}"`
            : as._tag === "Impersonate"
            ? `User "${as.user}" (impersonated on context "${info.name}")`
            : `User "${as.user}" (own token, context "${info.name}")`
          return yield* new Forbidden({
            context: info.name,
            message: `${who} may not ${check.verb} ${
              check.group !== "" ? `${check.resource}.${check.group}` : check.resource
            }${check.subresource !== "" ? `/${check.subresource}` : ""}${check.namespace !== "" ? ` in namespace "${check.namespace}"` : " (cluster scope)"}`,
            details: `Refused by the RBAC pre-check (SelfSubjectAccessReview)${status.reason !== undefined && status.reason !== "" ? `: ${status.reason}` : ""}; no request was sent.`,
            verb: check.verb,
            resource: check.subresource !== "" ? `${check.resource}/${check.subresource}` : check.resource,
            group: check.group,
            ...(check.namespace !== "" ? { namespace: check.namespace } : {})
          })
        })
        : Effect.void
    // the server's own policy first: it refuses without asking the cluster anything
    const authorize = (check: AccessCheck): Effect.Effect<void, KubeError> => {
      const refusal = policyRefusal(settings, info.name, check)
      return refusal !== undefined ? Effect.fail(refusal) : rbac(check)
    }

    // discovery of one group-version, kept until a kind is missing from it (then asked again); errors are not kept
    const discovery = yield* Cache.makeWith((apiVersion: string) => fetchGroupVersion({ info, json }, parseApiVersion(apiVersion)), {
      capacity: DISCOVERY_CAPACITY,
      timeToLive: (exit) => (Exit.isFailure(exit) ? Duration.zero : Duration.infinity)
    })
    const resources = (gv: GroupVersion, options?: { readonly refresh?: boolean }) => {
      const key = apiVersionOf(gv)
      return options?.refresh === true
        ? Effect.andThen(Cache.invalidate(discovery, key), Cache.get(discovery, key))
        : Cache.get(discovery, key)
    }

    // OpenAPI v3 documents (resources_explain): the index for a minute, each document by its hash-carrying URL
    const openApi = yield* makeOpenApiCache({ info, json })

    return { info, settings, server: client.server, kubeConfig, text, json, throttle: limit, authorize, resources, openApi }
  })
