/**
 * GET /metrics against the real server process and the real control plane: a known set of tool calls (ok,
 * Forbidden through the restricted user, NotFound, an unknown context, a per-context ReadOnly refusal) made
 * by a real MCP client over Streamable HTTP, then a real scrape whose counters must match exactly. Also the
 * sessions gauge over initialize/DELETE, the guards /metrics shares with /mcp, and the separate metrics
 * listener of a stdio-only server.
 */
import { spawnSync } from "node:child_process"
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  call,
  clusterInfo,
  connectHttp,
  freePort,
  type HttpServerProcess,
  NODE_ARGS,
  REPO,
  startHttp,
  startStdio,
  type StdioServer,
  writeTemp
} from "../support/mcp.js"
import { type Exposition, parseExposition, samplesOf, total } from "../support/prometheus.js"
import { initialize, MCP_HEADERS } from "../support/rawHttp.js"

const scrape = async (url: string, headers: Record<string, string> = {}): Promise<Exposition> => {
  const r = await fetch(`${url}/metrics`, { headers })
  expect(r.status).toBe(200)
  expect(r.headers.get("content-type")).toContain("text/plain; version=0.0.4")
  return parseExposition(await r.text())
}

/** A GET with a Host header of our choosing (fetch does not let one set Host). */
const getWithHost = (url: string, path: string, host: string) =>
  new Promise<number>((ok, fail) => {
    const req = request(`${url}${path}`, { headers: { host } }, (res) => {
      res.resume()
      ok(res.statusCode ?? 0)
    })
    req.on("error", fail)
    req.end()
  })

const closeSession = (url: string, id: string) =>
  fetch(`${url}/mcp`, { method: "DELETE", headers: { ...MCP_HEADERS, "mcp-session-id": id, "mcp-protocol-version": "2025-06-18" } })

/** The calls made, and the (tool, context, outcome) series each must land in. */
const CALLS: ReadonlyArray<{ tool: string; args: Record<string, unknown>; context: string; outcome: string }> = [
  { tool: "namespaces_list", args: { context: "dev-cluster" }, context: "dev-cluster", outcome: "ok" },
  { tool: "namespaces_list", args: { context: "dev-cluster" }, context: "dev-cluster", outcome: "ok" },
  { tool: "namespaces_list", args: { context: "dev-cluster" }, context: "dev-cluster", outcome: "ok" },
  { tool: "pods_list", args: { context: "restricted", namespace: "team-a" }, context: "restricted", outcome: "ok" },
  // the restricted user may not list namespaces: the API server answers 403
  { tool: "namespaces_list", args: { context: "restricted" }, context: "restricted", outcome: "Forbidden" },
  { tool: "namespaces_list", args: { context: "restricted" }, context: "restricted", outcome: "Forbidden" },
  { tool: "pods_get", args: { context: "dev-cluster", namespace: "default", name: "no-such-pod-metrics" }, context: "dev-cluster", outcome: "NotFound" },
  // the caller's input is not a label: an unknown context counts under context ""
  { tool: "namespaces_list", args: { context: "no-such-context-4711" }, context: "", outcome: "UnknownContext" },
  // read_only on prod-cluster: refused before any request is sent
  { tool: "pods_delete", args: { context: "prod-cluster", namespace: "production", name: "anything" }, context: "prod-cluster", outcome: "ReadOnly" }
]

const expectedCounts = (): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const c of CALLS) {
    const key = `${c.tool}|${c.context}|${c.outcome}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

describe("GET /metrics on the HTTP listener", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config: "[metrics]\nenabled = true\n\n[contexts.\"prod-cluster\"]\nread_only = true\n" })
  }, 60_000)
  afterAll(() => server.stop())

  it("counts every tool call by tool, context and outcome, and every API request by context, method and code", async () => {
    const client = await connectHttp(server.url)
    for (const c of CALLS) {
      const r = await call(client, c.tool, c.args)
      expect(r.isError ? r.error?.type : "ok", `${c.tool} ${JSON.stringify(c.args)}`).toBe(c.outcome)
    }
    const m = await scrape(server.url)

    // tool calls: exactly the series made, with exactly these counts
    const seen = new Map(samplesOf(m, "kube_mcp_tool_calls_total").map((s) => [`${s.labels["tool"]}|${s.labels["context"]}|${s.labels["outcome"]}`, s.value]))
    expect(seen).toEqual(expectedCounts())
    expect(m.types.get("kube_mcp_tool_calls_total")).toBe("counter")

    // latency: one observation per call, per tool; every observation within the +Inf bucket
    expect(m.types.get("kube_mcp_tool_call_duration_seconds")).toBe("histogram")
    for (const tool of new Set(CALLS.map((c) => c.tool))) {
      const n = CALLS.filter((c) => c.tool === tool).length
      expect(total(m, "kube_mcp_tool_call_duration_seconds_count", { tool }), tool).toBe(n)
      expect(total(m, "kube_mcp_tool_call_duration_seconds_bucket", { tool, le: "+Inf" }), tool).toBe(n)
      expect(total(m, "kube_mcp_tool_call_duration_seconds_sum", { tool })).toBeGreaterThan(0)
    }

    // API requests: 200s on dev-cluster and for the restricted user's pod list, its 403s, the missing pod's 404
    expect(total(m, "kube_mcp_api_requests_total", { context: "dev-cluster", method: "GET", code: "200" })).toBeGreaterThanOrEqual(3)
    expect(total(m, "kube_mcp_api_requests_total", { context: "dev-cluster", method: "GET", code: "404" })).toBeGreaterThanOrEqual(1)
    expect(total(m, "kube_mcp_api_requests_total", { context: "restricted", method: "GET", code: "200" })).toBeGreaterThanOrEqual(1)
    expect(total(m, "kube_mcp_api_requests_total", { context: "restricted", method: "GET", code: "403" })).toBe(2)
    // the ReadOnly refusal sent nothing, and an unknown context has no client
    expect(samplesOf(m, "kube_mcp_api_requests_total", { context: "prod-cluster" })).toEqual([])
    expect(samplesOf(m, "kube_mcp_api_requests_total").map((s) => s.labels["context"]).sort()).not.toContain("no-such-context-4711")

    // the limiter observed each request once before sending it
    for (const context of ["dev-cluster", "restricted"]) {
      expect(total(m, "kube_mcp_rate_limiter_wait_seconds_count", { context }), context).toBe(total(m, "kube_mcp_api_requests_total", { context }))
    }

    // nothing running between calls; one session (this client's) open
    expect(total(m, "kube_mcp_tool_calls_in_flight")).toBe(0)
    expect(total(m, "kube_mcp_sessions_open")).toBe(1)

    // the library's process metrics
    expect(total(m, "process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024)
    expect(total(m, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0)
    expect(samplesOf(m, "nodejs_eventloop_lag_seconds")).toHaveLength(1)
    expect(samplesOf(m, "kube_mcp_build_info")[0]?.value).toBe(1)

    // the scrape is no tool call: counts are unchanged on a second one
    const again = await scrape(server.url)
    expect(total(again, "kube_mcp_tool_calls_total")).toBe(CALLS.length)
    await client.close()
  })

  it("the sessions gauge follows sessions opened and closed with DELETE", async () => {
    const base = total(await scrape(server.url), "kube_mcp_sessions_open")
    const ids: Array<string> = []
    for (let i = 0; i < 3; i++) {
      const r = await initialize(`${server.url}/mcp`)
      expect(r.status).toBe(200)
      ids.push(r.headers.get("mcp-session-id") ?? "")
    }
    expect(total(await scrape(server.url), "kube_mcp_sessions_open")).toBe(base + 3)
    expect((await closeSession(server.url, ids[0] ?? "")).status).toBe(200)
    expect((await closeSession(server.url, ids[1] ?? "")).status).toBe(200)
    expect(total(await scrape(server.url), "kube_mcp_sessions_open")).toBe(base + 1)
    await closeSession(server.url, ids[2] ?? "")
    expect(total(await scrape(server.url), "kube_mcp_sessions_open")).toBe(base)
  })

  it("is behind the /mcp guards: a foreign Host is refused; POST is not a scrape", async () => {
    expect(await getWithHost(server.url, "/metrics", "evil.example:80")).toBe(403)
    expect(await getWithHost(server.url, "/metrics", "localhost")).toBe(200)
    expect((await fetch(`${server.url}/metrics`, { method: "POST" })).status).toBe(405)
  })
})

describe("GET /metrics with a bearer token", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config: "[metrics]\nenabled = true\n", env: { KUBE_MCP_HTTP_TOKEN: "metrics-test-token" } })
  }, 60_000)
  afterAll(() => server.stop())

  it("needs the same token as /mcp", async () => {
    const without = await fetch(`${server.url}/metrics`)
    expect(without.status).toBe(401)
    expect(await without.text()).not.toContain("kube_mcp_")
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401)
    const m = await scrape(server.url, { authorization: "Bearer metrics-test-token" })
    expect(samplesOf(m, "kube_mcp_build_info")).toHaveLength(1)
  })
})

describe("metrics off (the default)", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp()
  }, 60_000)
  afterAll(() => server.stop())

  it("serves no /metrics", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404)
  })
})

describe("metrics.address: a stdio-only server's own metrics listener", () => {
  let server: StdioServer
  let url: string
  beforeAll(async () => {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    // prod-cluster throttled to one request per 500 ms, so its limiter waits are measurable
    server = await startStdio({
      config: `[metrics]\nenabled = true\naddress = "127.0.0.1:${port}"\n\n[contexts."prod-cluster"]\nqps = 2\nburst = 1\n`
    })
  }, 60_000)
  afterAll(() => server.close())

  it("counts the stdio calls and serves only /metrics", async () => {
    for (let i = 0; i < 2; i++) expect((await call(server.client, "namespaces_list", { context: "dev-cluster" })).isError).toBe(false)
    expect((await call(server.client, "namespaces_list", { context: "restricted" })).error?.type).toBe("Forbidden")
    const m = await scrape(url)
    expect(total(m, "kube_mcp_tool_calls_total", { tool: "namespaces_list", context: "dev-cluster", outcome: "ok" })).toBe(2)
    expect(total(m, "kube_mcp_tool_calls_total", { tool: "namespaces_list", context: "restricted", outcome: "Forbidden" })).toBe(1)
    expect(total(m, "kube_mcp_tool_calls_total")).toBe(3)
    expect(total(m, "kube_mcp_api_requests_total", { context: "restricted", code: "403" })).toBe(1)
    expect(total(m, "kube_mcp_sessions_open")).toBe(0)
    expect((await fetch(`${url}/mcp`, { method: "POST" })).status).toBe(404)
    expect((await fetch(`${url}/`)).status).toBe(404)
  })

  it("observes the rate limiter's waits: a context throttled to 2 qps, burst 1, waits about 500 ms per request", async () => {
    for (let i = 0; i < 3; i++) expect((await call(server.client, "namespaces_list", { context: "prod-cluster" })).isError).toBe(false)
    const m = await scrape(url)
    const requests = total(m, "kube_mcp_api_requests_total", { context: "prod-cluster" })
    expect(requests).toBeGreaterThanOrEqual(3)
    expect(total(m, "kube_mcp_rate_limiter_wait_seconds_count", { context: "prod-cluster" })).toBe(requests)
    // the first request takes the one token; each later one waits for the next
    expect(total(m, "kube_mcp_rate_limiter_wait_seconds_sum", { context: "prod-cluster" })).toBeGreaterThan(0.4 * (requests - 1))
    expect(total(m, "kube_mcp_rate_limiter_wait_seconds_bucket", { context: "prod-cluster", le: "0.1" })).toBeLessThanOrEqual(1)
  })
})

describe("metrics: startup refusals", () => {
  const run = (config: string) =>
    spawnSync(process.execPath, [...NODE_ARGS, "--config", writeTemp("config.toml", config), "--kubeconfig", clusterInfo().kubeconfig], {
      cwd: REPO,
      input: "",
      encoding: "utf8",
      timeout: 30_000
    })

  it("metrics.enabled without the http transport or an address: exit 2 saying what to set", () => {
    const r = run("[metrics]\nenabled = true\n")
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("metrics.enabled: /metrics is served on the HTTP transport's listener")
    expect(r.stderr).toContain("metrics.address")
  })

  it("an address already in use: exit 1 naming metrics.address", async () => {
    const blocker = await startHttp()
    try {
      const r = run(`[metrics]\nenabled = true\naddress = "${new URL(blocker.url).host}"\n`)
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(`metrics.address: cannot listen on ${new URL(blocker.url).host}`)
    } finally {
      await blocker.stop()
    }
  }, 60_000)
})
