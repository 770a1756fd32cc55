/**
 * Streamable HTTP transport: POST/GET/DELETE /mcp, plus /healthz and /readyz. Guards every /mcp
 * request: Host (DNS rebinding) and Origin checks, and the optional bearer token.
 */
import * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"
import { Effect, Layer } from "effect"
import { createServer } from "node:http"
import { randomUUID, timingSafeEqual } from "node:crypto"
import { AppSettings } from "../config/appSettings.js"
import type { Settings } from "../config/settings.js"
import { ClusterRegistry } from "../cluster/registry.js"
import { makeServer } from "./server.js"
import type { AnyTool, ToolEnv } from "./tool.js"

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]", "::1"]

const isLoopback = (host: string) => LOOPBACK_HOSTS.includes(host) || host.startsWith("127.")

const hostName = (hostHeader: string): string => {
  const h = hostHeader.trim().toLowerCase()
  return h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.split(":")[0] ?? h
}

/** Which Host headers are acceptable: loopback names (and the bind host) unless configured otherwise. */
export const hostAllowed = (settings: Settings, hostHeader: string | undefined): boolean => {
  const configured = settings.http.allowedHosts.map((h) => h.toLowerCase())
  if (hostHeader === undefined) return false
  const name = hostName(hostHeader)
  if (configured.includes(name) || configured.includes(hostHeader.toLowerCase())) return true
  if (isLoopback(name)) return true
  const bind = settings.http.host.toLowerCase()
  if (name === bind) return true
  // bound to all interfaces with no allow-list: in-cluster Services reach us by many names
  return (bind === "0.0.0.0" || bind === "::") && configured.length === 0
}

/** Browsers always send Origin; a page from a foreign site must not drive the server. */
export const originAllowed = (settings: Settings, origin: string | undefined): boolean => {
  if (origin === undefined || origin === "") return true
  if (settings.http.allowedOrigins.includes(origin) || settings.http.allowedOrigins.includes("*")) return true
  try {
    return isLoopback(new URL(origin).hostname.replace(/^\[(.*)\]$/, "[$1]"))
  } catch {
    return false
  }
}

const tokenMatches = (expected: string, header: string | undefined): boolean => {
  const given = header?.startsWith("Bearer ") === true ? header.slice(7).trim() : undefined
  if (given === undefined) return false
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const jsonError = (status: number, message: string, headers: Record<string, string> = {}) =>
  HttpServerResponse.unsafeJson({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }, { status, headers })

interface Session {
  readonly transport: WebStandardStreamableHTTPServerTransport
  readonly close: () => Promise<void>
}

const makeMcpHandler = (tools: ReadonlyArray<AnyTool>) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<ToolEnv>()
    const settings = yield* AppSettings
    const sessions = new Map<string, Session>()
    yield* Effect.addFinalizer(() =>
      Effect.promise(() => Promise.allSettled([...sessions.values()].map((s) => s.close()))).pipe(Effect.asVoid)
    )

    const stateless = async (request: Request): Promise<Response> => {
      if (request.method !== "POST") {
        return Response.json({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed in stateless mode" }, id: null }, { status: 405, headers: { allow: "POST" } })
      }
      const server = makeServer(runtime, tools, settings)
      const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true })
      await server.connect(transport)
      try {
        return await transport.handleRequest(request)
      } finally {
        void server.close()
      }
    }

    const stateful = async (request: Request): Promise<Response> => {
      const id = request.headers.get("mcp-session-id")
      if (id !== null) {
        const session = sessions.get(id)
        if (session === undefined) {
          return Response.json({ jsonrpc: "2.0", error: { code: -32001, message: "Session not found" }, id: null }, { status: 404 })
        }
        return session.transport.handleRequest(request)
      }
      const server = makeServer(runtime, tools, settings)
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sid) => {
          sessions.set(sid, { transport, close: () => server.close() })
        },
        onsessionclosed: (sid) => {
          sessions.delete(sid)
        }
      })
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
      }
      await server.connect(transport)
      const response = await transport.handleRequest(request)
      if (transport.sessionId === undefined) void server.close() // not an initialize: nothing to keep
      return response
    }

    return HttpApp.fromWebHandler(settings.http.stateless ? stateless : stateful)
  })

const guarded = (settings: Settings, app: HttpApp.Default<unknown, never>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const headers = request.headers
    if (!hostAllowed(settings, headers["host"])) {
      return jsonError(403, `Host "${headers["host"] ?? ""}" is not allowed (add it to server.http.allowed_hosts)`)
    }
    if (!originAllowed(settings, headers["origin"])) {
      return jsonError(403, `Origin "${headers["origin"] ?? ""}" is not allowed (add it to server.http.allowed_origins)`)
    }
    if (settings.http.authToken !== undefined && !tokenMatches(settings.http.authToken, headers["authorization"])) {
      return jsonError(401, "Missing or invalid bearer token", { "www-authenticate": "Bearer" })
    }
    return yield* app
  })

export const HttpTransportLive = (tools: ReadonlyArray<AnyTool>) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const settings = yield* AppSettings
    const mcp = yield* makeMcpHandler(tools)
    const ready = Effect.gen(function*() {
      const registry = yield* ClusterRegistry
      const { contexts } = yield* registry.contexts
      return contexts.length > 0
        ? HttpServerResponse.unsafeJson({ status: "ready", contexts: contexts.length })
        : HttpServerResponse.unsafeJson({ status: "not ready", reason: "no usable context" }, { status: 503 })
    })
    const router = HttpRouter.empty.pipe(
      HttpRouter.get("/healthz", HttpServerResponse.text("ok")),
      HttpRouter.get("/readyz", ready),
      HttpRouter.all("/mcp", guarded(settings, mcp))
    )
    return HttpServer.serve(router).pipe(
      HttpServer.withLogAddress,
      Layer.provide(NodeHttpServer.layer(createServer, { port: settings.http.port, host: settings.http.host }))
    )
  }))
