/**
 * OpenTelemetry traces from the real server process: a loopback OTLP/HTTP receiver (a node:http server
 * capturing the JSON exports), a real MCP client that sends W3C `traceparent` in `params._meta`, and the real
 * control plane. The tool call's span must continue the client's trace, and each API request must be its
 * child span with context, method and status code.
 */
import { createServer, type Server } from "node:http"
import { randomBytes } from "node:crypto"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort, retry, startStdio, type StdioServer } from "../support/mcp.js"

// the parts of an OTLP/JSON export the assertions read (decoding fails loudly on anything else)
const OtlpAttribute = Schema.Struct({
  key: Schema.String,
  value: Schema.Struct({
    stringValue: Schema.optionalKey(Schema.String),
    intValue: Schema.optionalKey(Schema.Union([Schema.String, Schema.Number])),
    boolValue: Schema.optionalKey(Schema.Boolean)
  })
})
const OtlpSpan = Schema.Struct({
  traceId: Schema.String,
  spanId: Schema.String,
  parentSpanId: Schema.optionalKey(Schema.String),
  name: Schema.String,
  kind: Schema.Number,
  attributes: Schema.Array(OtlpAttribute)
})
type OtlpSpan = typeof OtlpSpan.Type
const OtlpExport = Schema.Struct({
  resourceSpans: Schema.Array(Schema.Struct({
    resource: Schema.Struct({ attributes: Schema.Array(OtlpAttribute) }),
    scopeSpans: Schema.Array(Schema.Struct({ spans: Schema.Array(OtlpSpan) }))
  }))
})
const decodeExport = Schema.decodeUnknownSync(Schema.fromJsonString(OtlpExport))

const attr = (span: OtlpSpan, key: string): unknown => {
  const v = span.attributes.find((a) => a.key === key)?.value
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.boolValue)
}

/** An OTLP/HTTP JSON receiver on loopback: every export it was sent, and what content types they came with. */
const receiver = async () => {
  const exports: Array<typeof OtlpExport.Type> = []
  const contentTypes: Array<string> = []
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/v1/traces") {
        contentTypes.push(req.headers["content-type"] ?? "")
        exports.push(decodeExport(Buffer.concat(chunks).toString("utf8")))
      }
      res.writeHead(200, { "content-type": "application/json" })
      res.end("{}")
    })
  })
  const port = await freePort()
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok))
  const spans = () => exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)))
  return { url: `http://127.0.0.1:${port}/v1/traces`, exports, contentTypes, spans, close: () => new Promise<void>((ok) => server.close(() => ok())) }
}

describe("tracing: OTLP/HTTP export continuing the client's trace", () => {
  let otlp: Awaited<ReturnType<typeof receiver>>
  let server: StdioServer
  beforeAll(async () => {
    otlp = await receiver()
    server = await startStdio({
      config: `[tracing]\nenabled = true\nendpoint = "${otlp.url}"\nservice_name = "kube-mcp-under-test"\n`
    })
  }, 60_000)
  afterAll(async () => {
    await server.close()
    await otlp.close()
  })

  it("a span per tool call, child of the traceparent in _meta, and a child span per API request", async () => {
    const traceId = randomBytes(16).toString("hex")
    const clientSpanId = randomBytes(8).toString("hex")
    const result = await server.client.callTool({
      name: "namespaces_list",
      arguments: { context: "dev-cluster" },
      _meta: { traceparent: `00-${traceId}-${clientSpanId}-01` }
    })
    expect(result.isError).not.toBe(true)

    const call = await retry(async () => {
      const found = otlp.spans().find((s) => s.traceId === traceId && s.name === "tools/call namespaces_list")
      if (found === undefined) throw new Error("no tool call span exported yet")
      return found
    }, "the tool call's span at the receiver", 20_000, 250)
    expect(call.parentSpanId).toBe(clientSpanId)
    expect(call.kind).toBe(2) // SERVER
    expect(attr(call, "mcp.tool.name")).toBe("namespaces_list")
    expect(attr(call, "k8s.context")).toBe("dev-cluster")
    expect(attr(call, "mcp.tool.outcome")).toBe("ok")

    const requests = await retry(async () => {
      const found = otlp.spans().filter((s) => s.traceId === traceId && s.parentSpanId === call.spanId && s.name.startsWith("kube "))
      if (found.length === 0) throw new Error("no API request span exported yet")
      return found
    }, "the API request spans", 20_000, 250)
    for (const r of requests) {
      expect(r.kind).toBe(3) // CLIENT
      expect(attr(r, "k8s.context")).toBe("dev-cluster")
      expect(attr(r, "http.request.method")).toBe("GET")
      expect(attr(r, "http.response.status_code")).toBe(200)
    }
    expect(requests.map((r) => attr(r, "url.path"))).toContain("/api/v1/namespaces")

    expect(otlp.contentTypes.every((t) => t.startsWith("application/json"))).toBe(true)
    const service = otlp.exports[0]?.resourceSpans[0]?.resource.attributes.find((a) => a.key === "service.name")
    expect(service?.value.stringValue).toBe("kube-mcp-under-test")
  })

  it("a call without traceparent starts a trace of its own; a failed call's span carries its outcome", async () => {
    const before = new Set(otlp.spans().map((s) => s.spanId))
    const r = await server.client.callTool({ name: "namespaces_list", arguments: { context: "restricted" } })
    expect(r.isError).toBe(true)
    const span = await retry(async () => {
      const found = otlp.spans().find((s) => !before.has(s.spanId) && s.name === "tools/call namespaces_list")
      if (found === undefined) throw new Error("not exported yet")
      return found
    }, "the failed call's span", 20_000, 250)
    expect(span.parentSpanId ?? "").toBe("")
    expect(attr(span, "mcp.tool.outcome")).toBe("Forbidden")
    const child = await retry(async () => {
      const found = otlp.spans().find((s) => s.parentSpanId === span.spanId)
      if (found === undefined) throw new Error("not exported yet")
      return found
    }, "the refused request's span", 20_000, 250)
    expect(attr(child, "http.response.status_code")).toBe(403)
  })
})
