/**
 * A context's Kube handle on a fake client: the RBAC decision cache and its TTL, the per-context rate limiter
 * and the discovery cache, timed with TestClock (no sleeps). The same properties are proved end to end against
 * the real API server in test/server/limits.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { ApiIdentity } from "../../src/auth/identity.js"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { resolveKind } from "../../src/kube/discovery.js"
import { access, Kube } from "../../src/kube/Kube.js"
import { fakeServer, makeTestKube, testKubeLayer } from "../support/kube.js"

const SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
const review = (allowed: boolean) => ({ status: { allowed, reason: allowed ? "" : "no RBAC rule" } })
const isReview = (req: ApiRequest) => req.method === "POST" && req.path === SSAR
const reviews = (requests: ReadonlyArray<string>) => requests.filter((r) => r.startsWith(`POST ${SSAR}`)).length

/** Lets forked calls run until they block (on the limiter or the clock). */
const settle = Effect.promise(() => new Promise((r) => setImmediate(r))).pipe(Effect.repeat({ times: 20 }))

describe("Kube handle", () => {
  const listPods = access({ verb: "list", resource: "pods", namespace: "default" })

  it.effect("caches an RBAC decision for rbac_cache_ttl, then asks again", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) => (isReview(req) ? { status: 201, body: review(true) } : { body: {} }))
      const kube = yield* makeTestKube(server, { settings: { requireRbac: true }, rbacCacheTtlMs: 5000 })
      yield* kube.authorize(listPods)
      yield* kube.authorize(listPods)
      expect(reviews(server.requests)).toBe(1)
      yield* TestClock.adjust("4999 millis")
      yield* kube.authorize(listPods)
      expect(reviews(server.requests)).toBe(1)
      yield* TestClock.adjust("1 millis")
      yield* kube.authorize(listPods)
      expect(reviews(server.requests)).toBe(2)
      // another check is another decision
      yield* kube.authorize(access({ verb: "get", resource: "pods", namespace: "default", name: "a" }))
      expect(reviews(server.requests)).toBe(3)
    }))

  it.effect("a denial is a Forbidden that names verb and resource; a failed review is not cached", () =>
    Effect.gen(function*() {
      let failReview = true
      const server = fakeServer((req) =>
        isReview(req)
          ? failReview
            ? { status: 500, body: { kind: "Status", code: 500, reason: "InternalError", message: "etcd is away" } }
            : { status: 201, body: review(false) }
          : { body: {} }
      )
      const kube = yield* makeTestKube(server, { settings: { requireRbac: true } })
      const first = yield* Effect.flip(kube.authorize(listPods))
      expect(first._tag).toBe("ApiError")
      failReview = false
      const denied = yield* Effect.flip(kube.authorize(listPods))
      expect(denied._tag).toBe("Forbidden")
      expect(denied.message).toBe(`User of context "test" may not list pods in namespace "default"`)
      expect(reviews(server.requests)).toBe(2)
    }))

  it.effect("decisions are kept per caller: one impersonated user's allow never answers another's question", () =>
    Effect.gen(function*() {
      // the review is sent as the caller it is for: the fake answers by who asks
      const server = fakeServer((req) =>
        isReview(req)
          ? Effect.gen(function*() {
            const who = yield* ApiIdentity
            return { status: 201, body: review(who._tag === "Impersonate" && who.user === "bob") }
          })
          : { body: {} }
      )
      const kube = yield* makeTestKube(server, { settings: { requireRbac: true } })
      const as = (user: string) => Effect.provideService(ApiIdentity, { _tag: "Impersonate", user, groups: [] })
      yield* kube.authorize(listPods).pipe(as("bob"))
      const alice = yield* Effect.flip(kube.authorize(listPods).pipe(as("alice")))
      expect(alice.message).toBe(`User "alice" (impersonated on context "test") may not list pods in namespace "default"`)
      yield* kube.authorize(listPods).pipe(as("bob"))
      expect(yield* Effect.flip(kube.authorize(listPods).pipe(as("alice")))).toMatchObject({ _tag: "Forbidden" })
      // the server's own identity is a caller of its own
      expect(yield* Effect.flip(kube.authorize(listPods))).toMatchObject({ _tag: "Forbidden" })
      expect(reviews(server.requests)).toBe(3)
    }))

  it.effect("without require_rbac no review is sent", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: {} }))
      const kube = yield* makeTestKube(server)
      yield* kube.authorize(listPods)
      expect(server.requests).toEqual([])
    }))

  it.effect("rate limit: burst requests at once, then one per 1/qps seconds", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: { ok: true } }))
      const kube = yield* makeTestKube(server, { settings: { qps: 1, burst: 2 } })
      const calls = yield* Effect.forkChild(Effect.forEach([1, 2, 3, 4], (i) => kube.text({ path: `/r${i}` }), { concurrency: 4 }))
      yield* settle
      expect(server.requests.length).toBe(2)
      yield* TestClock.adjust("999 millis")
      yield* settle
      expect(server.requests.length).toBe(2)
      yield* TestClock.adjust("1 millis")
      yield* settle
      expect(server.requests.length).toBe(3)
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(calls)
      expect(server.requests.length).toBe(4)
    }))

  it.effect("discovery: one fetch per group-version; a kind missing from the cache asks the server once more", () =>
    Effect.gen(function*() {
      let kinds = ["Deployment"]
      const server = fakeServer(() => ({
        body: {
          resources: kinds.map((kind) => ({ name: `${kind.toLowerCase()}s`, kind, namespaced: true, verbs: ["get", "list"] }))
        }
      }))
      const found = yield* Effect.gen(function*() {
        const a = yield* resolveKind({ group: "apps", version: "v1", kind: "Deployment" })
        const b = yield* resolveKind({ group: "apps", version: "v1", kind: "deployments" })
        expect(server.requests).toEqual(["GET /apis/apps/v1"])
        kinds = ["Deployment", "Widget"]
        const c = yield* resolveKind({ group: "apps", version: "v1", kind: "Widget" })
        expect(server.requests).toEqual(["GET /apis/apps/v1", "GET /apis/apps/v1"])
        return [a.resource, b.resource, c.resource]
      }).pipe(Effect.provide(testKubeLayer(server)))
      expect(found).toEqual(["deployments", "deployments", "widgets"])
      const kube = yield* Effect.provide(Effect.service(Kube), testKubeLayer(server))
      expect(kube.info.name).toBe("test")
    }))
})
