/**
 * Streamable HTTP transport: POST/GET/DELETE /mcp, plus /healthz and /readyz, on node:http.
 * Every /mcp request goes guards (Host against DNS rebinding, Origin) → authenticate → MCP.
 * MCP serves both protocol generations (SDK v2):
 * - 2026-07-28 requests (the per-request `_meta` envelope; classified by the SDK's own isLegacyRequest) go to
 *   the SDK's stateless per-request handler, in both modes;
 * - 2025-11-25 traffic (initialize, Mcp-Session-Id) goes to our session table (stateful mode) or to a server
 *   of its own per request (stateless mode).
 */
import { type AuthInfo, createMcpHandler, DEFAULT_MAX_REQUEST_BODY_SIZE, isLegacyRequest } from "@modelcontextprotocol/server"
import { type NodeIncomingMessageLike, NodeStreamableHTTPServerTransport, toNodeHandler, toWebRequest } from "@modelcontextprotocol/node"
import { Effect, Schema } from "effect"
import { randomUUID } from "node:crypto"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { HttpAuth } from "../auth/httpAuth.js"
import { authInfo } from "../auth/identity.js"
import { Telemetry } from "../telemetry/telemetry.js"
import { AppSettings } from "../config/appSettings.js"
import { formatDuration } from "../config/duration.js"
import type { Settings } from "../config/settings.js"
import { ClusterRegistry } from "../cluster/registry.js"
import { clientNode } from "../kube/clientNode.js"
import { forwardLogs } from "../log.js"
import { serverFactory } from "./server.js"
import { makeSessionTable, type SessionEntry } from "./sessions.js"
import type { AnyTool, ToolEnv } from "../tool/tool.js"

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
    return isLoopback(new URL(origin).hostname)
  } catch {
    return false
  }
}

/** What the SDK hands to tool handlers as `ctx.http.authInfo` (node transports read `req.auth`). */
type AuthedRequest = IncomingMessage & { auth?: AuthInfo }

/** The request as the SDK's web-standard leg reads it (its type spells optional fields for exact optionals). */
const nodeLike = (req: AuthedRequest): NodeIncomingMessageLike => ({
  method: req.method ?? "GET",
  url: req.url ?? "/",
  headers: req.headers,
  ...(req.auth !== undefined ? { auth: req.auth } : {}),
  [Symbol.asyncIterator]: () => req[Symbol.asyncIterator]()
})

const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers })
  res.end(text)
}

const rpcError = (res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}) =>
  sendJson(res, status, { jsonrpc: "2.0", error: { code, message }, id: null }, headers)

/** The address could not be bound (in use, no permission): startup fails with this, exit code 1. */
export class ListenError extends Schema.TaggedError<ListenError>()("ListenError", { message: Schema.String }) {}

interface Session extends SessionEntry {
  readonly transport: NodeStreamableHTTPServerTransport
  /** With OAuth, the subject that opened it: a session is bound to its user (MCP security best practices). */
  readonly owner: string | undefined
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null && !Array.isArray(v)

type Body = { readonly ok: true; readonly value: unknown } | { readonly ok: false }

const hasProgressToken = (message: unknown): boolean =>
  isRecord(message) && isRecord(message["params"]) && isRecord(message["params"]["_meta"]) &&
  message["params"]["_meta"]["progressToken"] !== undefined

/** Whether a POST asks for progress (then its answer is streamed, so notifications can precede it). */
const asksProgress = (body: unknown): boolean => Array.isArray(body) ? body.some(hasProgressToken) : hasProgressToken(body)

/** The POST body as JSON, read once (it decides the generation, then goes to the SDK parsed); bounded. */
const readJson = async (req: IncomingMessage, res: ServerResponse): Promise<Body> => {
  const chunks: Array<Buffer> = []
  let size = 0
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += b.length
    if (size > DEFAULT_MAX_REQUEST_BODY_SIZE) {
      rpcError(res, 413, -32000, `Request body larger than ${DEFAULT_MAX_REQUEST_BODY_SIZE} bytes`, { connection: "close" })
      return { ok: false }
    }
    chunks.push(b)
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) }
  } catch {
    rpcError(res, 400, -32700, "Parse error: the body is not JSON")
    return { ok: false }
  }
}

export const serveHttp = (tools: ReadonlyArray<AnyTool>) =>
  Effect.gen(function*() {
    const settings = yield* AppSettings
    const registry = yield* ClusterRegistry
    const telemetry = yield* Telemetry
    const auth = yield* HttpAuth
    const writeTools = new Set(tools.filter((t) => !t.annotations.readOnlyHint).map((t) => t.name))
    const isWrite = (name: string) => writeTools.has(name)
    const context = yield* Effect.context<ToolEnv>()
    const run = Effect.runPromiseWith(context)
    const servers = serverFactory(context, tools, settings, { transport: "http" })
    const onerror = (e: Error) => void run(Effect.logDebug("MCP HTTP transport error", e.message)).catch(() => undefined)
    // 2026-07-28: one server per request; JSON answers unless a notification (progress) comes first, then SSE
    const modernHandler = createMcpHandler(servers.make, { legacy: "reject", onerror })
    const modern = toNodeHandler(modernHandler, { onerror })
    yield* Effect.addFinalizer(() => Effect.promise(() => modernHandler.close()))
    yield* registry.onContextsChanged(() => {
      servers.listChanged()
      modernHandler.notify.toolsChanged()
      modernHandler.notify.resourcesChanged()
    })
    yield* forwardLogs(servers.log)
    const sessions = yield* makeSessionTable<Session>({
      maxSessions: settings.http.maxSessions,
      idleTimeoutMs: settings.http.sessionIdleTimeoutMs
    })
    const idleText = formatDuration(settings.http.sessionIdleTimeoutMs)

    const ready = async (res: ServerResponse) => {
      const { contexts } = await run(registry.contexts)
      if (contexts.length > 0) sendJson(res, 200, { status: "ready", contexts: contexts.length })
      else sendJson(res, 503, { status: "not ready", reason: "no usable context" })
    }

    /** 2025-11-25 without sessions: one server per request; SSE only when the call asked for progress. */
    const perRequest = async (req: AuthedRequest, res: ServerResponse, body: unknown) => {
      const server = servers.make({ era: "legacy" })
      const transport = new NodeStreamableHTTPServerTransport({ enableJsonResponse: !asksProgress(body) })
      res.on("close", () => void server.close())
      await server.connect(transport)
      await transport.handleRequest(req, res, body)
    }

    const inSession = (id: string, req: AuthedRequest, res: ServerResponse, owner: string | undefined, parsed: unknown) => {
      const found = sessions.touch(id)
      // another user's session is as good as unknown to this caller
      if (found._tag === "Live" && found.session.owner !== owner) return rpcError(res, 404, -32001, "Session not found; send a new initialize request")
      if (found._tag === "Live") return found.session.transport.handleRequest(req, res, parsed)
      // 404 tells the client to start a new session (MCP spec, session management)
      return found._tag === "Expired"
        ? rpcError(res, 404, -32001, `Session expired: idle for more than ${idleText}; send a new initialize request`)
        : rpcError(res, 404, -32001, "Session not found; send a new initialize request")
    }

    /** 2025-11-25 without a session id: an initialize opens a session; anything else is answered and dropped. */
    const newSession = async (req: AuthedRequest, res: ServerResponse, body: unknown, owner: string | undefined) => {
      if (sessions.isFull()) {
        return rpcError(res, 503, -32000, `Too many open MCP sessions (server.http.max_sessions = ${settings.http.maxSessions}); ` +
          `close unused sessions with DELETE /mcp, wait for idle ones to expire (${idleText}), or raise max_sessions`, { "retry-after": "30" })
      }
      const server = servers.make({ era: "legacy" })
      const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        // SSE answers: a session has one response mode, and progress and elicitation must travel with their call
        enableJsonResponse: false,
        onsessioninitialized: (sid) => {
          sessions.add(sid, { transport, owner, close: () => server.close(), lastSeen: 0 })
        },
        onsessionclosed: (sid) => {
          sessions.remove(sid)
        }
      })
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.remove(transport.sessionId)
      }
      await server.connect(transport)
      await transport.handleRequest(req, res, body)
      if (transport.sessionId === undefined) void server.close() // not an initialize: nothing to keep
    }

    const { stateless } = settings.http
    /** `parsed`: the body src/auth already read (to check scopes); `owner`: the OAuth subject, if any. */
    const mcp = async (req: AuthedRequest, res: ServerResponse, parsed: unknown, owner: string | undefined) => {
      const id = req.headers["mcp-session-id"]
      if (!stateless && typeof id === "string") return inSession(id, req, res, owner, parsed)
      if (req.method !== "POST") {
        return stateless ? rpcError(res, 405, -32000, "Method not allowed in stateless mode", { allow: "POST" }) : newSession(req, res, undefined, owner)
      }
      const read: Body = parsed !== undefined ? { ok: true, value: parsed } : await readJson(req, res)
      if (!read.ok) return
      // the generation is the SDK's call (the 2026-07-28 envelope), so routing never disagrees with its handler
      if (!(await isLegacyRequest(await toWebRequest(nodeLike(req), read.value), read.value))) return modern(nodeLike(req), res, read.value)
      return stateless ? perRequest(req, res, read.value) : newSession(req, res, read.value, owner)
    }

    const handle = async (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? "/").split("?")[0]
      if (path === "/healthz" && req.method === "GET") {
        res.writeHead(200, { "content-type": "text/plain" })
        return res.end("ok")
      }
      if (path === "/readyz" && req.method === "GET") return ready(res)
      const known = path?.startsWith("/.well-known/") === true && req.method === "GET" ? auth.wellKnown(path, req) : undefined
      if (known !== undefined) return sendJson(res, known.status, known.body, known.headers)
      // GET /metrics, when served here, sits behind the same guards as /mcp (token included)
      const serveMetrics = path === "/metrics" ? telemetry.serveMetrics : undefined
      if (path !== "/mcp" && serveMetrics === undefined) return sendJson(res, 404, { error: "not found" })
      if (!hostAllowed(settings, req.headers.host)) {
        return rpcError(res, 403, -32000, `Host "${req.headers.host ?? ""}" is not allowed (add it to server.http.allowed_hosts)`)
      }
      if (!originAllowed(settings, req.headers.origin)) {
        return rpcError(res, 403, -32000, `Origin "${req.headers.origin ?? ""}" is not allowed (add it to server.http.allowed_origins)`)
      }
      // --- auth hook (src/auth): one decision, a refusal or the caller; the SDK hands req.auth to tool handlers
      const decision = await run(auth.check(req, isWrite))
      if (decision._tag === "Refuse") return sendJson(res, decision.answer.status, decision.answer.body, decision.answer.headers)
      if (serveMetrics !== undefined) return serveMetrics(req, res)
      const authed: AuthedRequest = req
      if (decision.identity !== undefined) authed.auth = authInfo(decision.identity)
      return mcp(authed, res, decision.body, decision.identity?.subject)
    }

    const httpServer = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        run(Effect.logError("HTTP request failed", e instanceof Error ? e.message : String(e))).catch(() => undefined)
        if (!res.headersSent) rpcError(res, 500, -32603, "Internal error")
        else res.end()
      })
    })
    yield* Effect.acquireRelease(
      Effect.callback<void, ListenError>((resume) => {
        httpServer.once("error", (e) =>
          resume(Effect.fail(new ListenError({ message: `cannot listen on ${settings.http.host}:${settings.http.port}: ${e.message}` }))))
        httpServer.listen(settings.http.port, settings.http.host, () => resume(Effect.void))
      }),
      () =>
        Effect.callback<void>((resume) => {
          // open SSE streams would hold close() forever (the session table closes the sessions themselves)
          httpServer.close(() => resume(Effect.void))
          httpServer.closeAllConnections()
        })
    )
    yield* Effect.logInfo(`serving MCP on http://${settings.http.host.includes(":") ? `[${settings.http.host}]` : settings.http.host}:${settings.http.port}/mcp`)
    void clientNode() // warm up before the first tool call
    return yield* Effect.never
  }).pipe(Effect.scoped, Effect.provide(HttpAuth.layer))
