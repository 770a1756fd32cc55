/** Builds an MCP SDK `Server` whose tool handlers run our Effects on the application's runtime. */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js"
import { type Context, Effect } from "effect"
import { VERSION } from "../version.js"
import { callerOf } from "../auth/identity.js"
import { callTool, type ConfirmAnswer, listTools, type Progress } from "../tool/adapter.js"
import type { AnyTool, ToolEnv } from "../tool/tool.js"
import type { Settings } from "../config/settings.js"

export const INSTRUCTIONS =
  "kube-mcp reaches several Kubernetes clusters. Every cluster tool takes an optional `context` " +
  "(see config_contexts_list); name it explicitly when more than one cluster is configured. Read tools also take " +
  "`contexts` (names or globs such as [\"prod-*\"] or [\"*\"]) to run on many clusters in one call; clusters_overview " +
  "shows every cluster's health and resources_compare what differs between clusters. Results are compact " +
  "and capped; lists take limit/continue. Secret values are masked."

/**
 * A JSON-RPC error the SDK sends as `{ code, message }`. Not McpError: its message already carries an
 * "MCP error -32602:" prefix, and the client adds its own, so the user read the prefix twice.
 */
class ProtocolError extends Error {
  constructor(readonly code: number, message: string) {
    super(message)
  }
}

/**
 * One factory per process: the tool listing and lookup are built once and shared by every server it makes
 * (stdio makes one; HTTP one per session, so per-session cost stays at the SDK's own objects).
 */
/** How long a user has to answer a confirmation before the call is refused (ConfirmationRequired). */
export const CONFIRM_TIMEOUT_MS = 5 * 60 * 1000

export interface ServerOptions {
  readonly transport: "stdio" | "http"
  /** False where the transport has no way to send the client a request (stateless HTTP). */
  readonly canElicit: boolean
}

export const serverFactory = (
  context: Context.Context<ToolEnv>,
  tools: ReadonlyArray<AnyTool>,
  settings: Settings,
  options: ServerOptions
): () => Server => {
  const byName = new Map(tools.map((t) => [t.name, t]))
  const listed = { tools: listTools(tools, settings.readOnly) }
  const names = listed.tools.map((t) => t.name).join(", ")
  const run = Effect.runPromiseWith(context)
  return () => {
    const server = new Server(
      { name: "kube-mcp", version: VERSION },
      { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS }
    )
    server.setRequestHandler(ListToolsRequestSchema, () => listed)
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const tool = byName.get(request.params.name)
      if (tool === undefined) {
        throw new ProtocolError(ErrorCode.InvalidParams, `Unknown tool "${request.params.name}". Tools of this server: ${names}.`)
      }
      const token = request.params._meta?.progressToken
      // one notification per finished context of a call across many contexts, when the client asked for progress
      const progress: Progress | undefined = token === undefined ? undefined : (done, total, message) =>
        Effect.promise(() =>
          extra.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: done, total, message } })
            .catch(() => undefined)
        )
      const confirm = (message: string): Effect.Effect<ConfirmAnswer> =>
        Effect.promise(async (): Promise<ConfirmAnswer> => {
          if (!options.canElicit || server.getClientCapabilities()?.elicitation === undefined) return "unsupported"
          // not tied to this request: over HTTP with JSON answers it travels on the session's GET stream
          const answer = await server.elicitInput(
            { message, requestedSchema: { type: "object", properties: { confirm: { type: "boolean", title: "Run it", default: true } } } },
            { timeout: CONFIRM_TIMEOUT_MS }
          ).catch((e: unknown) => (e instanceof McpError && e.code === ErrorCode.RequestTimeout ? "timeout" as const : "unsupported" as const))
          if (typeof answer === "string") return answer
          return answer.action === "accept" ? (answer.content?.["confirm"] === false ? "decline" : "accept") : answer.action
        })
      const identity = callerOf(extra.authInfo) // set by src/auth over HTTP with auth = "oauth"
      const caller = {
        transport: options.transport,
        ...(extra.sessionId !== undefined ? { session: extra.sessionId } : {}),
        ...(identity !== undefined ? { identity } : {})
      }
      const traceparent = request.params._meta?.["traceparent"] // W3C trace context: the call's span continues the client's trace
      return run(
        callTool(tool, request.params.arguments ?? {}, {
          ...(progress !== undefined ? { progress } : {}),
          ...(typeof traceparent === "string" ? { traceparent } : {}),
          confirm,
          caller
        }),
        { signal: extra.signal }
      )
    })
    return server
  }
}
