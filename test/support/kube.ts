/**
 * The Kube test layer: a real Kube handle (rate limiter, RBAC cache, discovery cache, error mapping) over a
 * fake REST client that answers from the test's own function, so kube/ operations are tested in
 * milliseconds with TestClock. The end-to-end suites against the real control plane stay the proof.
 */
import { KubeConfig } from "@kubernetes/client-node"
import { Effect, Layer } from "effect"
import { RateLimiter } from "effect/persistence"
import { makeKube } from "../../src/cluster/handle.js"
import type { ApiRequest, RestClient } from "../../src/cluster/restClient.js"
import { buildPath } from "../../src/cluster/restClient.js"
import { statusToError } from "../../src/cluster/apiStatus.js"
import type { ContextSettings } from "../../src/config/settings.js"
import type { KubeError } from "../../src/errors.js"
import { Kube, type KubeApi } from "../../src/kube/Kube.js"

/** An answer of the fake API server: a status and a body (JSON values are serialised). */
export interface FakeAnswer {
  readonly status?: number
  readonly body: unknown
}

export interface FakeServer {
  /** Every request the handle sent, in order, as "METHOD /path?query". */
  readonly requests: Array<string>
  readonly client: RestClient
}

/** A REST client that answers each request with `respond`; non-2xx answers go through the real error mapping. */
export const fakeServer = (respond: (req: ApiRequest) => FakeAnswer | Effect.Effect<FakeAnswer, KubeError>): FakeServer => {
  const requests: Array<string> = []
  const client: RestClient = {
    server: "https://fake.invalid",
    text: (req) =>
      Effect.gen(function*() {
        requests.push(`${req.method ?? "GET"} ${buildPath(req)}`)
        const out = respond(req)
        const answer = Effect.isEffect(out) ? yield* out : out
        const status = answer.status ?? 200
        const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body)
        if (status >= 200 && status < 300) return body
        return yield* Effect.fail(statusToError({ context: "test", method: req.method ?? "GET", path: req.path, status, body }))
      })
  }
  return { requests, client }
}

export const TEST_SETTINGS: ContextSettings = {
  readOnly: false,
  requireRbac: false,
  qps: 1000,
  burst: 1000,
  timeoutMs: 30_000,
  revealSecrets: false,
  deniedResources: [],
  allowedNamespaces: [],
  confirmDestructive: false
}

/** A Kube handle named "test" (namespace "default") over the fake client. */
export const makeTestKube = (
  server: FakeServer,
  options: { readonly settings?: Partial<ContextSettings>; readonly rbacCacheTtlMs?: number; readonly namespace?: string } = {}
): Effect.Effect<KubeApi> =>
  Effect.gen(function*() {
    const withLimiter = yield* RateLimiter.makeWithRateLimiter.pipe(
      Effect.provide(RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory)))
    )
    return yield* makeKube(server.client, {
      info: { name: "test", cluster: "test-cluster", user: "test-user", namespace: options.namespace ?? "default" },
      kubeConfig: new KubeConfig(),
      settings: { ...TEST_SETTINGS, ...options.settings },
      rbacCacheTtlMs: options.rbacCacheTtlMs ?? 5000,
      withLimiter
    })
  })

/** The Kube layer of a test: `Effect.provide(testKubeLayer(server))`. */
export const testKubeLayer = (server: FakeServer, options?: Parameters<typeof makeTestKube>[1]): Layer.Layer<Kube> =>
  Layer.effect(Kube, makeTestKube(server, options))
