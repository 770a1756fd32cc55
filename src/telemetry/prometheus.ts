/**
 * The Prometheus side of telemetry (loaded only when `[metrics] enabled`): prom-client's registry with the
 * server's metrics and Node's default process metrics, served at GET /metrics on the HTTP transport's
 * listener (http.ts calls `serveMetrics` behind its guards) or on a listener of its own (`metrics.address`).
 * Label children are made once per label combination and kept: a hook on the hot path allocates nothing
 * once its labels have been seen (tools, contexts, methods, outcomes and status codes are all small sets).
 */
import { Effect, Schema } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client"
import type { Settings } from "../config/settings.js"
import { VERSION } from "../version.js"
import type { Collector } from "./telemetry.js"

/** `metrics.address` could not be bound: startup fails with this, exit code 1. */
export class MetricsListenError extends Schema.TaggedError<MetricsListenError>()("MetricsListenError", { message: Schema.String }) {}

/** A label child per value, made on first use. */
const byLabel = <C>(make: (a: string) => C) => {
  const children = new Map<string, C>()
  return (a: string): C => {
    let child = children.get(a)
    if (child === undefined) children.set(a, child = make(a))
    return child
  }
}

/** A label child per three values, one map level per label: no key string is built per lookup. */
const byLabels = <C>(make: (a: string, b: string, c: string) => C) => {
  const root = new Map<string, Map<string, Map<string, C>>>()
  return (a: string, b: string, c: string): C => {
    let level1 = root.get(a)
    if (level1 === undefined) root.set(a, level1 = new Map())
    let level2 = level1.get(b)
    if (level2 === undefined) level1.set(b, level2 = new Map())
    let child = level2.get(c)
    if (child === undefined) level2.set(c, child = make(a, b, c))
    return child
  }
}

/** Tool calls take from a millisecond (a cached list) to minutes (a rollout wait, a helm install). */
const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]
/** Most requests wait for no token; a throttled context waits up to burst/qps seconds. */
const WAIT_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10]

export const prometheus = (settings: Settings) =>
  Effect.gen(function*() {
    const register = new Registry()
    const registers = [register]
    collectDefaultMetrics({ register })
    new Gauge({ name: "kube_mcp_build_info", help: "Always 1; the server's version as a label.", labelNames: ["version"], registers })
      .set({ version: VERSION }, 1)
    const calls = new Counter({
      name: "kube_mcp_tool_calls_total",
      help: "Tool calls by tool, context (empty: none, several, or one that does not exist) and outcome (ok or the error type).",
      labelNames: ["tool", "context", "outcome"],
      registers
    })
    const durations = new Histogram({
      name: "kube_mcp_tool_call_duration_seconds",
      help: "Duration of tool calls, from arguments received to result ready (audit record written), by tool.",
      labelNames: ["tool"],
      buckets: CALL_BUCKETS,
      registers
    })
    const inFlight = new Gauge({ name: "kube_mcp_tool_calls_in_flight", help: "Tool calls running now.", registers })
    const requests = new Counter({
      name: "kube_mcp_api_requests_total",
      help: "Requests to Kubernetes API servers by context, method and final HTTP status code (timeout: no answer within the context's timeout; error: no answer; canceled: the call was cancelled).",
      labelNames: ["context", "method", "code"],
      registers
    })
    const waits = new Histogram({
      name: "kube_mcp_rate_limiter_wait_seconds",
      help: "Time an API request waited for its context's rate limiter (qps/burst) before it was sent.",
      labelNames: ["context"],
      buckets: WAIT_BUCKETS,
      registers
    })
    let sessions: (() => number) | undefined
    new Gauge({
      name: "kube_mcp_sessions_open",
      help: "Open MCP sessions of the HTTP transport.",
      registers,
      collect() {
        this.set(sessions?.() ?? 0)
      }
    })

    const call = byLabels((tool, context, outcome) => calls.labels(tool, context, outcome))
    const duration = byLabel((tool) => durations.labels(tool))
    const request = byLabels((context, method, code) => requests.labels(context, method, code))
    const wait = byLabel((context) => waits.labels(context))

    const scrape = async (req: IncomingMessage, res: ServerResponse) => {
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" })
        return void res.end("GET /metrics\n")
      }
      const body = await register.metrics()
      res.writeHead(200, { "content-type": register.contentType, "content-length": Buffer.byteLength(body) })
      res.end(req.method === "HEAD" ? undefined : body)
    }

    const listen = settings.metrics.listen
    if (listen !== undefined) {
      const server = createServer((req, res) => {
        const path = (req.url ?? "/").split("?")[0]
        if (path !== "/metrics") {
          res.writeHead(404, { "content-type": "text/plain" })
          return void res.end("not found: this listener serves GET /metrics only\n")
        }
        scrape(req, res).catch(() => {
          if (!res.headersSent) res.writeHead(500)
          res.end()
        })
      })
      const where = `${listen.host.includes(":") ? `[${listen.host}]` : listen.host}:${listen.port}`
      yield* Effect.acquireRelease(
        Effect.callback<void, MetricsListenError>((resume) => {
          server.once("error", (e) => resume(Effect.fail(new MetricsListenError({ message: `metrics.address: cannot listen on ${where}: ${e.message}` }))))
          server.listen(listen.port, listen.host, () => resume(Effect.void))
        }),
        () =>
          Effect.callback<void>((resume) => {
            server.close(() => resume(Effect.void))
            server.closeAllConnections()
          })
      )
      yield* Effect.logInfo(`serving metrics on http://${where}/metrics`)
    }

    const collector: Collector = {
      toolCall: (tool, context, outcome) => call(tool, context, outcome).inc(),
      callDuration: (tool, seconds) => duration(tool).observe(seconds),
      inFlight: (delta) => inFlight.inc(delta),
      apiRequest: (context, method, code) => request(context, method, code).inc(),
      limiterWait: (context, seconds) => wait(context).observe(seconds),
      watchSessions: (size) =>
        Effect.acquireRelease(Effect.sync(() => {
          sessions = size
        }), () =>
          Effect.sync(() => {
            sessions = undefined
          })),
      serveMetrics: listen === undefined ? scrape : undefined
    }
    return collector
  })
