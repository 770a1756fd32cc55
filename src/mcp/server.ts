/**
 * Builds MCP SDK (v2) `Server`s whose handlers run our Effects on the application's runtime. One factory
 * serves both protocol generations: 2025-11-25 (initialize handshake; stdio, and HTTP sessions) and
 * 2026-07-28 (per-request `_meta` envelope, no session). The SDK is only the protocol layer: listing and
 * dispatch stay in the one adapter (src/tool/adapter.ts).
 */
import { CLIENT_CAPABILITIES_META_KEY, inputRequired, inputResponse, type LoggingLevel, type McpRequestContext, ProtocolError, ProtocolErrorCode, SdkError, SdkErrorCode, Server, type ServerCapabilities, type ServerContext } from "@modelcontextprotocol/server"
import { type Context, Effect, type LogLevel, Result } from "effect"
import { catalog, type CatalogError } from "./catalog/index.js"
import { VERSION } from "../version.js"
import { asCaller, auditCaller, type Caller, callTool, type ConfirmAnswer, type ListedTool, listTools, type Progress } from "../tool/adapter.js"
import { callerOf as identityOf } from "../auth/identity.js"
import type { AnyTool, ToolEnv } from "../tool/tool.js"
import type { Settings } from "../config/settings.js"

/** What a model reads once, so it uses the tools well without the docs: clusters, budgets, paging, masking, resources, prompts. */
export const INSTRUCTIONS = [
  "kube-mcp reaches several Kubernetes clusters (kubeconfig contexts; config_contexts_list lists them).",
  "Every cluster tool takes `context`; name it whenever more than one cluster is configured (otherwise the default context is used).",
  "Read tools also take `contexts` (names or globs such as [\"prod-*\"] or [\"*\"]) to run on many clusters in one call (each cluster's answer or error labelled with its context);",
  "clusters_overview shows every cluster's health, resources_compare what differs between clusters.",
  "Results are compact and capped in size: a cut result says so and how to narrow it (namespace, label_selector, field_selector).",
  "Lists take `limit` and return a `continue` token for the next page of the same context.",
  "Secret values are masked; mutating tools are refused on read-only contexts, and some contexts ask the user to confirm.",
  "Resources: k8s://contexts, and any object as sanitized YAML at k8s://{context}/{group}/{version}/{kind}/{namespace}/{name}",
  "(without {namespace} for cluster-scoped kinds; group `core` for the core API). Prompts guide troubleshooting a workload,",
  "fleet health, comparing a resource across clusters and planning a DR copy."
].join(" ")

/** How long a user has to answer a confirmation before the call is refused (ConfirmationRequired). */
export const CONFIRM_TIMEOUT_MS = 5 * 60 * 1000

/** The key of the confirmation question in a 2026-07-28 input_required result (and of its answer on retry). */
const CONFIRM_KEY = "confirm"
const CONFIRM_SCHEMA = { type: "object" as const, properties: { confirm: { type: "boolean" as const, title: "Run it", default: true } } }

export interface ServerOptions {
  readonly transport: "stdio" | "http"
}

/**
 * Who called, for the audit log. Over HTTP `ctx.http?.authInfo` is what http.ts's authenticate step returned
 * (both generations, sessions or not): where a caller's identity comes from.
 */
const callerOf = (transport: ServerOptions["transport"], ctx: ServerContext): Caller => {
  const identity = identityOf(ctx.http?.authInfo) // set by src/auth over HTTP with auth = "oauth"
  return {
    transport,
    ...(ctx.sessionId !== undefined ? { session: ctx.sessionId } : {}),
    ...(identity !== undefined ? { identity } : {})
  }
}

/** The answer an elicitation result stands for ("accept" only when the box was not unticked). */
const answerOf = (action: "accept" | "decline" | "cancel", content: Record<string, unknown> | undefined): ConfirmAnswer =>
  action === "accept" ? (content?.["confirm"] === false ? "decline" : "accept") : action

/**
 * Whether the client declared elicitation: in its initialize (2025-11-25; a stateless server saw none) or in
 * this request's envelope (2026-07-28).
 */
const canElicit = (server: Server, era: McpRequestContext["era"], ctx: ServerContext): boolean => {
  const envelope: Readonly<Record<string, unknown>> = ctx.mcpReq.envelope ?? {}
  const capabilities: unknown = era === "modern" ? envelope[CLIENT_CAPABILITIES_META_KEY] : server.getClientCapabilities()
  return typeof capabilities === "object" && capabilities !== null && "elicitation" in capabilities && capabilities.elicitation !== undefined
}

/**
 * Asks the user to confirm, by the negotiated generation's mechanism:
 * - 2025-11-25: an elicitation/create request to the client, awaited within the call;
 * - 2026-07-28: there is no server-to-client request. The first round ends the call with an input_required
 *   result (`ask` records the question; nothing has run yet, confirmation comes before any change); the client
 *   asks its user and retries the call with the answer in inputResponses, which this round reads.
 */
const confirmer = (server: Server, era: McpRequestContext["era"], ctx: ServerContext, ask: (question: string) => void) =>
(message: string): Effect.Effect<ConfirmAnswer> => {
  if (!canElicit(server, era, ctx)) return Effect.succeed("unsupported")
  if (era === "modern") {
    const answer = inputResponse(ctx.mcpReq.inputResponses, CONFIRM_KEY)
    if (answer.kind === "elicit") return Effect.succeed(answerOf(answer.action, answer.content))
    return Effect.sync(() => ask(message)).pipe(Effect.andThen(Effect.interrupt))
  }
  return Effect.promise(() =>
    ctx.mcpReq.elicitInput({ mode: "form", message, requestedSchema: CONFIRM_SCHEMA }, { timeout: CONFIRM_TIMEOUT_MS }).then(
      (r): ConfirmAnswer => answerOf(r.action, r.content),
      (e: unknown): ConfirmAnswer => (e instanceof SdkError && e.code === SdkErrorCode.RequestTimeout ? "timeout" : "unsupported")
    )
  )
}

/** The servers of one transport: the SDK's factory, and the way to tell their clients that lists changed. */
export interface McpServers {
  /** A server for one connection, session or request (the SDK calls it). */
  readonly make: (ctx: McpRequestContext) => Server
  /**
   * tools/list_changed and resources/list_changed to every client connected to a server of this factory:
   * 2025-11-25 sessions and stdio directly, 2026-07-28 stdio through its subscriptions/listen streams (the SDK
   * routes it). 2026-07-28 over HTTP has no connection of ours: its listen streams belong to the SDK's handler
   * (http.ts publishes there).
   */
  readonly listChanged: () => void
  /** A log line to every 2025-11-25 client that asked for this level or a lower one with logging/setLevel (with OAuth: its own calls' lines only). */
  readonly log: (level: LogLevel.LogLevel, line: Readonly<Record<string, unknown>>) => void
}

/** MCP's syslog levels, in order, and where Effect's levels fall among them. */
const MCP_LEVELS: ReadonlyArray<LoggingLevel> = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"]
const mcpLevelOf: Record<LogLevel.LogLevel, LoggingLevel | undefined> = {
  All: "debug",
  Trace: "debug",
  Debug: "debug",
  Info: "info",
  Warn: "warning",
  Error: "error",
  Fatal: "critical",
  None: undefined
}

/**
 * One factory per process: the tool listing and lookup are built once and shared by every server it makes
 * (stdio makes one per connection; HTTP one per session or per request, so that cost stays at the SDK's objects).
 */
export const serverFactory = (
  context: Context.Context<ToolEnv>,
  tools: ReadonlyArray<AnyTool>,
  settings: Settings,
  options: ServerOptions
): McpServers => {
  const byName = new Map(tools.map((t) => [t.name, t]))
  // built on the first tools/list, not before initialize is answered (#17: the schemas are most of the start-up's work)
  let listed: { readonly tools: Array<ListedTool> } | undefined
  const listing = () => listed ??= { tools: listTools(tools, settings.readOnly) }
  const run = Effect.runPromiseWith(context)
  /** A catalog answer, or its CatalogError as the JSON-RPC error it names. */
  // the catalog's reads, prompts and completions make API requests as the caller, like tool calls
  const answer = async <A>(effect: Effect.Effect<A, CatalogError, ToolEnv>, ctx: ServerContext): Promise<A> => {
    const result = await run(Effect.result(effect.pipe(asCaller(settings, callerOf(options.transport, ctx)))), { signal: ctx.mcpReq.signal })
    if (Result.isFailure(result)) throw new ProtocolError(result.failure.code, result.failure.message, result.failure.data)
    return result.success
  }
  // servers that hold a connection a notification can travel on (a 2026-07-28 HTTP request is over when answered)
  const connected = new Set<Server>()
  // the level each 2025-11-25 client asked for (none asked, no log lines), and whose client it is: with
  // per-caller identities (OAuth) a client gets only the lines of its own caller's calls, not other people's
  const logLevels = new Map<Server, { readonly rank: number; readonly subject: string | undefined }>()
  const make = ({ era }: McpRequestContext): Server => {
    // logging is deprecated in 2026-07-28 (stderr and OpenTelemetry instead): declared to the old generation only
    const capabilities: ServerCapabilities = {
      tools: { listChanged: true },
      // the contexts resource lists the visible contexts: it changes with them
      resources: { listChanged: true },
      prompts: {},
      completions: {},
      ...(era === "legacy" ? { logging: {} } : {})
    }
    const server = new Server({ name: "kube-mcp", version: VERSION }, { capabilities, instructions: INSTRUCTIONS })
    if (era === "legacy" || options.transport === "stdio") {
      connected.add(server)
      server.onclose = () => {
        connected.delete(server)
        logLevels.delete(server)
      }
    }
    if (era === "legacy") {
      server.setRequestHandler("logging/setLevel", (request, ctx) => {
        logLevels.set(server, { rank: MCP_LEVELS.indexOf(request.params.level), subject: identityOf(ctx.http?.authInfo)?.subject })
        return {}
      })
    }
    // resources, prompts and completion: the catalog (src/mcp/catalog), the same for both generations
    server.setRequestHandler("resources/list", async (_, ctx) => ({ resources: [...await answer(catalog.listResources, ctx)] }))
    server.setRequestHandler("resources/templates/list", () => ({ resourceTemplates: [...catalog.resourceTemplates] }))
    server.setRequestHandler("resources/read", async (request, ctx) => ({
      contents: [...await answer(catalog.readResource(request.params.uri, auditCaller(callerOf(options.transport, ctx))), ctx)]
    }))
    server.setRequestHandler("prompts/list", () => ({ prompts: [...catalog.prompts] }))
    server.setRequestHandler("prompts/get", (request, ctx) => answer(catalog.getPrompt(request.params.name, request.params.arguments ?? {}), ctx))
    server.setRequestHandler("completion/complete", (request, ctx) =>
      answer(catalog.complete(request.params.ref, request.params.argument, request.params.context?.arguments ?? {}), ctx))
    server.setRequestHandler("tools/list", listing)
    server.setRequestHandler("tools/call", async (request, ctx) => {
      const tool = byName.get(request.params.name)
      if (tool === undefined) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool "${request.params.name}". Tools of this server: ${listing().tools.map((t) => t.name).join(", ")}.`)
      }
      const token = request.params._meta?.progressToken
      // one notification per finished context of a call across many contexts, when the client asked for progress
      const progress: Progress | undefined = token === undefined ? undefined : (done, total, message) =>
        Effect.promise(() =>
          ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress: done, total, message } })
            .catch(() => undefined)
        )
      let question: string | undefined
      const confirm = confirmer(server, era, ctx, (q) => {
        question = q
      })
      const traceparent = request.params._meta?.["traceparent"] // W3C trace context: the call's span continues the client's trace
      const call = callTool(tool, request.params.arguments ?? {}, {
        ...(progress !== undefined ? { progress } : {}),
        ...(typeof traceparent === "string" ? { traceparent } : {}),
        confirm,
        caller: callerOf(options.transport, ctx)
      })
      try {
        return await run(call, { signal: ctx.mcpReq.signal })
      } catch (e) {
        if (question === undefined) throw e
        return inputRequired({ inputRequests: { [CONFIRM_KEY]: inputRequired.elicit({ mode: "form", message: question, requestedSchema: CONFIRM_SCHEMA }) } })
      }
    })
    return server
  }
  const listChanged = () => {
    for (const server of connected) {
      void server.sendToolListChanged().catch(() => undefined)
      void server.sendResourceListChanged().catch(() => undefined)
    }
  }
  const log = (level: LogLevel.LogLevel, line: Readonly<Record<string, unknown>>) => {
    const mcpLevel = mcpLevelOf[level]
    if (mcpLevel === undefined) return
    const rank = MCP_LEVELS.indexOf(mcpLevel)
    for (const [server, wanted] of logLevels) {
      if (rank >= wanted.rank && (wanted.subject === undefined || line["subject"] === wanted.subject)) void server.sendLoggingMessage({ level: mcpLevel, logger: "kube-mcp", data: line }).catch(() => undefined)
    }
  }
  return { make, listChanged, log }
}
