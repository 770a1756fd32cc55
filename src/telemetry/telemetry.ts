/**
 * Telemetry: Prometheus metrics and OpenTelemetry traces, behind one service so the call sites (the tool
 * adapter, the REST client, the rate limiter, the session table) each carry a single hook. Off unless
 * `[metrics]` or `[tracing]` enable it: the default is a no-op whose hooks return their argument unchanged,
 * and neither prom-client nor the OTLP exporter is loaded (they are imported only when enabled).
 */
import { Cause, Context, Effect, Exit, Layer, type Scope, Tracer } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import type { Settings } from "../config/settings.js"
import type { ToolResult } from "../tool/errorResult.js"

/** The answer of one API request as the hooks see it. */
export interface Answered {
  readonly status: number
}

type Wrap = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

export interface TelemetryApi {
  /**
   * Wraps one whole tool call: the calls-in-flight gauge, its duration, and with tracing the call's span, a
   * child of the client's trace when `traceparent` (W3C trace context from `params._meta`) is given.
   */
  readonly call: (tool: string, traceparent: string | undefined) => Wrap
  /**
   * A tool call finished: counted by tool, context and outcome (`ok` or the error type). `context` is the one
   * context the call ran on; "" for none, several, or one that does not exist.
   */
  readonly toolCall: (tool: string, context: string | undefined, result: ToolResult) => Effect.Effect<void>
  /**
   * Wraps one API request (its 429 retries and timeout included): counted by context, method and status
   * code, or `timeout`, `error` (no answer) or `canceled` (the call was cancelled); traced as a child span.
   */
  readonly apiRequest: (context: string, method: string, path: string) => <A extends Answered, E extends { readonly _tag: string }, R>(
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
  /** Runs `effect` through the context's rate limiter `limiter`, observing how long it waited for a token. */
  readonly limited: <A, E, R>(context: string, limiter: Wrap, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The number of open MCP sessions, read at each scrape, while the scope lasts. */
  readonly watchSessions: (size: () => number) => Effect.Effect<void, never, Scope.Scope>
  /** Answers `GET /metrics` on the HTTP transport's listener; undefined when metrics are not served there. */
  readonly serveMetrics: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
}

const identity: Wrap = (effect) => effect

/** The `code` label of a request that got no status: it timed out, had no answer, or its call was cancelled. */
const failureCode = (cause: Cause.Cause<{ readonly _tag: string }>): string => {
  if (Cause.hasInterruptsOnly(cause)) return "canceled"
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" && error.value._tag === "Timeout" ? "timeout" : "error"
}

/** Nothing collected, nothing traced: every hook costs a function call. */
export const noTelemetry: TelemetryApi = {
  call: () => identity,
  toolCall: () => Effect.void,
  apiRequest: () => identity,
  limited: (_context, limiter, effect) => limiter(effect),
  watchSessions: () => Effect.void,
  serveMetrics: undefined
}

/** `effect` as one observed tool call (see TelemetryApi.call): the adapter's hook. */
export const observedCall = (tool: string, traceparent: string | undefined): Wrap => (effect) =>
  Effect.flatMap(Effect.service(Telemetry), (telemetry) => telemetry.call(tool, traceparent)(effect))

/** The error type of a failed result, "ok" otherwise (a fixed set: the error tags of docs/tools.md). */
export const outcomeOf = (result: ToolResult): string => {
  if (result.isError !== true) return "ok"
  const error = result.structuredContent?.["error"]
  return typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : "InternalError"
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/u

/**
 * A W3C `traceparent` header value as the parent of our span; undefined when absent or malformed (then the
 * call starts a trace of its own), or when the ids are the all-zero invalid ones.
 */
export const parseTraceparent = (value: unknown): Tracer.ExternalSpan | undefined => {
  if (typeof value !== "string") return undefined
  const m = TRACEPARENT.exec(value.trim().toLowerCase())
  if (m === null || m[1] === "ff") return undefined
  const [, , traceId = "", spanId = "", flags = "00"] = m
  if (/^0+$/u.test(traceId) || /^0+$/u.test(spanId)) return undefined
  return Tracer.externalSpan({ traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 })
}

/** What the Prometheus side records (prometheus.ts); synchronous, so a hook adds no Effect of its own. */
export interface Collector {
  readonly toolCall: (tool: string, context: string, outcome: string) => void
  readonly callDuration: (tool: string, seconds: number) => void
  readonly inFlight: (delta: 1 | -1) => void
  readonly apiRequest: (context: string, method: string, code: string) => void
  readonly limiterWait: (context: string, seconds: number) => void
  readonly watchSessions: (size: () => number) => Effect.Effect<void, never, Scope.Scope>
  readonly serveMetrics: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
}

/** The hooks over a collector (metrics on) and/or Effect's tracer (tracing on). */
export const observe = (collect: Collector | undefined, tracing: boolean): TelemetryApi => {
  const measured = (tool: string): Wrap => collect === undefined ? identity : (effect) =>
    Effect.suspend(() => {
      // real time (not Effect's Clock, whose milliseconds are too coarse for a cached call), read synchronously
      const started = performance.now()
      collect.inFlight(1)
      return Effect.onExit(effect, (exit) =>
        Effect.sync(() => {
          collect.inFlight(-1)
          // an interrupted call has no result and is not counted either
          if (Exit.isSuccess(exit)) collect.callDuration(tool, (performance.now() - started) / 1000)
        }))
    })
  const callSpan = (tool: string, traceparent: string | undefined): Wrap => (effect) => {
    const parent = parseTraceparent(traceparent)
    return Effect.withSpan(effect, `tools/call ${tool}`, {
      kind: "server",
      attributes: { "mcp.tool.name": tool },
      ...(parent !== undefined ? { parent } : {})
    })
  }
  return {
    call: tracing ? (tool, traceparent) => (effect) => measured(tool)(callSpan(tool, traceparent)(effect)) : measured,
    toolCall: (tool, context, result) => {
      const outcome = outcomeOf(result)
      // an unknown context's name is the caller's input: not a label (unbounded)
      const where = outcome === "UnknownContext" ? "" : context ?? ""
      collect?.toolCall(tool, where, outcome)
      return tracing ? Effect.annotateCurrentSpan({ "k8s.context": where, "mcp.tool.outcome": outcome }) : Effect.void
    },
    apiRequest: (context, method, path) => (effect) => {
      const measured = collect === undefined ? effect : Effect.onExit(effect, (exit) =>
        Effect.sync(() => collect.apiRequest(context, method, Exit.isSuccess(exit) ? String(exit.value.status) : failureCode(exit.cause))))
      return tracing
        ? Effect.withSpan(
          Effect.tap(measured, (a) => Effect.annotateCurrentSpan("http.response.status_code", a.status)),
          `kube ${method}`,
          { kind: "client", attributes: { "k8s.context": context, "http.request.method": method, "url.path": path } }
        )
        : measured
    },
    limited: collect === undefined ? (_context, limiter, effect) => limiter(effect) : (context, limiter, effect) =>
      Effect.suspend(() => {
        // real time waited (not Effect's Clock): a measurement, read synchronously
        const asked = performance.now()
        return limiter(Effect.suspend(() => {
          collect.limiterWait(context, (performance.now() - asked) / 1000)
          return effect
        }))
      }),
    watchSessions: collect === undefined ? () => Effect.void : collect.watchSessions,
    serveMetrics: collect?.serveMetrics
  }
}

/**
 * The telemetry `settings` ask for. prom-client and the OTLP tracer are each imported only when enabled;
 * the tracing layer also provides Effect's Tracer, so the spans the hooks open are exported.
 */
const live = (settings: Settings) => {
  const { metrics, tracing } = settings
  if (!metrics.enabled && !tracing.enabled) return Layer.empty
  const hooks = Layer.effect(
    Telemetry,
    Effect.gen(function*() {
      const collect = metrics.enabled ? yield* (yield* Effect.promise(() => import("./prometheus.js"))).prometheus(settings) : undefined
      return observe(collect, tracing.enabled)
    })
  )
  if (!tracing.enabled) return hooks
  return Layer.merge(hooks, Layer.unwrap(Effect.promise(() => import("./tracing.js")).pipe(Effect.map((m) => m.otlpTracer(settings)))))
}

/**
 * The telemetry service. Off unless main provides `Telemetry.layer(settings)`: tools and tests that do not
 * observe need nothing (the default is `noTelemetry`).
 */
export class Telemetry extends Context.Reference<TelemetryApi>("kube-mcp/Telemetry", { defaultValue: () => noTelemetry }) {
  /** What `[metrics]` and `[tracing]` ask for; nothing (not even a module load) when both are off. */
  static readonly layer = live
  /** The hooks over a given collector (a test's recording one), with or without Effect's spans. */
  static readonly Test = (collect: Collector, tracing = false) => Layer.succeed(Telemetry, observe(collect, tracing))
}
