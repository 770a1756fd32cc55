/**
 * The telemetry hooks as pure logic, over a recording collector: what each hook records (labels, codes,
 * the in-flight gauge on every exit path) and W3C traceparent parsing. The real scrape and the real OTLP
 * export are proved end to end in test/server/metrics.test.ts and test/server/tracing.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Data, Deferred, Effect, Fiber, Layer } from "effect"
import { loadSettings, parseCli } from "../../src/config/load.js"
import { type Collector, noTelemetry, observe, observedCall, outcomeOf, parseTraceparent, Telemetry } from "../../src/telemetry/telemetry.js"
import type { ToolResult } from "../../src/tool/errorResult.js"

const recording = () => {
  const calls: Array<[string, string, string]> = []
  const durations: Array<[string, number]> = []
  const requests: Array<[string, string, string]> = []
  const waits: Array<[string, number]> = []
  let inFlight = 0
  const collector: Collector = {
    toolCall: (tool, context, outcome) => void calls.push([tool, context, outcome]),
    callDuration: (tool, seconds) => void durations.push([tool, seconds]),
    inFlight: (delta) => void (inFlight += delta),
    apiRequest: (context, method, code) => void requests.push([context, method, code]),
    limiterWait: (context, seconds) => void waits.push([context, seconds]),
    watchSessions: () => Effect.void,
    serveMetrics: undefined
  }
  return { collector, calls, durations, requests, waits, inFlight: () => inFlight }
}

const ok: ToolResult = { content: [{ type: "text", text: "fine" }], structuredContent: { rows: [] } }
const failed = (type: string, cluster: string): ToolResult => ({
  content: [{ type: "text", text: type }],
  structuredContent: { error: { type, message: "m", details: "", cluster, tool: "t" } },
  isError: true
})

class Timeout extends Data.TaggedError("Timeout")<{}> {}
class Forbidden extends Data.TaggedError("Forbidden")<{}> {}

describe("telemetry hooks", () => {
  it.effect("a tool call is counted by tool, context and outcome; an unknown context's name is no label", () =>
    Effect.gen(function*() {
      const r = recording()
      const t = observe(r.collector, false)
      yield* t.toolCall("pods_list", "dev", ok)
      yield* t.toolCall("pods_list", "dev", failed("Forbidden", "dev"))
      yield* t.toolCall("pods_list", undefined, failed("InvalidInput", ""))
      yield* t.toolCall("pods_list", "typed-by-the-caller", failed("UnknownContext", "typed-by-the-caller"))
      expect(r.calls).toEqual([
        ["pods_list", "dev", "ok"],
        ["pods_list", "dev", "Forbidden"],
        ["pods_list", "", "InvalidInput"],
        ["pods_list", "", "UnknownContext"]
      ])
      expect(outcomeOf({ content: [], isError: true })).toBe("InternalError")
    }))

  it.effect("the call wrapper keeps calls in flight and observes a duration per finished call, none for an interrupted one", () =>
    Effect.gen(function*() {
      const r = recording()
      const t = observe(r.collector, false)
      const started = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(t.call("pods_list", undefined)(Effect.andThen(Deferred.succeed(started, undefined), Effect.never)))
      yield* Deferred.await(started)
      expect(r.inFlight()).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(r.inFlight()).toBe(0)
      expect(r.durations).toEqual([])
      yield* t.call("pods_get", undefined)(Effect.succeed(ok))
      expect(r.inFlight()).toBe(0)
      expect(r.durations.map(([tool]) => tool)).toEqual(["pods_get"])
      expect(r.durations[0]?.[1]).toBeGreaterThanOrEqual(0)
    }))

  it.effect("an API request is counted with its status, or timeout / error / canceled", () =>
    Effect.gen(function*() {
      const r = recording()
      const t = observe(r.collector, false)
      const request = t.apiRequest("dev", "GET", "/api/v1/pods")
      yield* request(Effect.succeed({ status: 200 }))
      yield* request(Effect.succeed({ status: 404 }))
      yield* Effect.flip(request(Effect.fail(new Timeout())))
      yield* Effect.flip(request(Effect.fail(new Forbidden())))
      const started = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(request(Effect.andThen(Deferred.succeed(started, undefined), Effect.never)))
      yield* Deferred.await(started)
      yield* Fiber.interrupt(fiber)
      expect(r.requests.map(([, , code]) => code)).toEqual(["200", "404", "timeout", "error", "canceled"])
      expect(new Set(r.requests.map(([context, method]) => `${context} ${method}`))).toEqual(new Set(["dev GET"]))
    }))

  it.effect("the limiter wrapper observes the wait once the limiter lets the request through", () =>
    Effect.gen(function*() {
      const r = recording()
      const t = observe(r.collector, false)
      // a limiter that holds the request 30 ms
      const result = yield* t.limited("dev", (e) => Effect.andThen(Effect.promise(() => new Promise((ok) => setTimeout(ok, 30))), e), Effect.succeed(7))
      expect(result).toBe(7)
      expect(r.waits.map(([c]) => c)).toEqual(["dev"])
      expect(r.waits[0]?.[1]).toBeGreaterThanOrEqual(0.025)
    }))

  it.effect("the adapter's hook uses the Telemetry provided (Telemetry.Test over a recording collector)", () =>
    Effect.gen(function*() {
      const r = recording()
      yield* observedCall("pods_list", undefined)(Effect.succeed(ok)).pipe(Effect.provide(Telemetry.Test(r.collector)))
      expect(r.durations.map(([tool]) => tool)).toEqual(["pods_list"])
      // without it, nothing is recorded
      yield* observedCall("pods_list", undefined)(Effect.succeed(ok))
      expect(r.durations).toHaveLength(1)
    }))

  it.effect("off: the default telemetry records nothing and hands effects through unchanged", () =>
    Effect.gen(function*() {
      const t = yield* Telemetry
      expect(t).toBe(noTelemetry)
      const e = Effect.succeed({ status: 200 })
      expect(t.apiRequest("dev", "GET", "/")(e)).toBe(e)
      expect(t.call("x", undefined)(e)).toBe(e)
      expect(t.serveMetrics).toBeUndefined()
      const settings = yield* parseCli([]).pipe(Effect.flatMap((cli) => loadSettings({ cli, env: {}, cwd: "/" })))
      expect(Telemetry.layer(settings)).toBe(Layer.empty)
    }))
})

describe("W3C traceparent", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
  const spanId = "00f067aa0ba902b7"
  it("a valid header becomes the parent span, with its sampled flag", () => {
    expect(parseTraceparent(`00-${traceId}-${spanId}-01`)).toMatchObject({ _tag: "ExternalSpan", traceId, spanId, sampled: true })
    expect(parseTraceparent(`00-${traceId}-${spanId}-00`)).toMatchObject({ sampled: false })
    expect(parseTraceparent(` 00-${traceId.toUpperCase()}-${spanId}-01 `)).toMatchObject({ traceId })
  })
  it("anything else starts a trace of our own", () => {
    for (
      const bad of [
        undefined,
        42,
        "",
        `00-${traceId}-${spanId}`,
        `00-${traceId.slice(1)}-${spanId}-01`,
        `ff-${traceId}-${spanId}-01`,
        `00-${"0".repeat(32)}-${spanId}-01`,
        `00-${traceId}-${"0".repeat(16)}-01`,
        `00-${traceId}-${spanId}-01-extra`
      ]
    ) expect(parseTraceparent(bad), String(bad)).toBeUndefined()
  })
})

describe("metrics and tracing configuration", () => {
  const load = (argv: Array<string>, env: Record<string, string> = {}) =>
    parseCli(argv).pipe(Effect.flatMap((cli) => loadSettings({ cli, env, cwd: "/" })))

  it.effect("defaults: both off", () =>
    Effect.gen(function*() {
      const s = yield* load([])
      expect(s.metrics).toEqual({ enabled: false, listen: undefined })
      expect(s.tracing).toEqual({ enabled: false, endpoint: "http://127.0.0.1:4318/v1/traces", serviceName: "kube-mcp" })
    }))

  it.effect("from the environment", () =>
    Effect.gen(function*() {
      const s = yield* load([], {
        KUBE_MCP_METRICS_ENABLED: "true",
        KUBE_MCP_METRICS_ADDRESS: "[::1]:9464",
        KUBE_MCP_TRACING_ENABLED: "1",
        KUBE_MCP_TRACING_ENDPOINT: "https://collector.example/v1/traces"
      })
      expect(s.metrics).toEqual({ enabled: true, listen: { host: "::1", port: 9464 } })
      expect(s.tracing).toMatchObject({ enabled: true, endpoint: "https://collector.example/v1/traces" })
    }))

  it.effect("bad values are refused naming the key and the rule", () =>
    Effect.gen(function*() {
      const address = yield* Effect.flip(load([], { KUBE_MCP_METRICS_ENABLED: "true", KUBE_MCP_METRICS_ADDRESS: "9464" }))
      expect(address.message).toContain("metrics.address")
      expect(address.message).toContain("host:port")
      const endpoint = yield* Effect.flip(load([], { KUBE_MCP_TRACING_ENDPOINT: "collector:4318" }))
      expect(endpoint.message).toContain("tracing.endpoint")
      expect(endpoint.message).toContain("http:// or https:// URL")
      const orphan = yield* Effect.flip(load([], { KUBE_MCP_METRICS_ADDRESS: "127.0.0.1:9464" }))
      expect(orphan.message).toContain("metrics.address is set but metrics.enabled is false")
      const nowhere = yield* Effect.flip(load([], { KUBE_MCP_METRICS_ENABLED: "true" }))
      expect(nowhere.message).toContain("set metrics.address")
      // with the http transport there is a listener to serve it on
      const onHttp = yield* load(["--transport", "http"], { KUBE_MCP_METRICS_ENABLED: "true" })
      expect(onHttp.metrics).toEqual({ enabled: true, listen: undefined })
    }))
})
