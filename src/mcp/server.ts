/** Builds an MCP SDK `Server` whose tool handlers run our Effects on the application's runtime. */
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js"
import { Runtime } from "effect"
import { VERSION } from "../version.js"
import { callTool, listTools } from "./adapter.js"
import type { AnyTool, ToolEnv } from "./tool.js"
import type { Settings } from "../config/settings.js"

export const INSTRUCTIONS =
  "kube-mcp reaches several Kubernetes clusters. Every cluster tool takes an optional `context` " +
  "(see config_contexts_list); name it explicitly when more than one cluster is configured. Results are compact " +
  "and capped; lists take limit/continue. Secret values are masked."

export const makeServer = (runtime: Runtime.Runtime<ToolEnv>, tools: ReadonlyArray<AnyTool>, settings: Settings): Server => {
  const server = new Server(
    { name: "kube-mcp", version: VERSION },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS }
  )
  const byName = new Map(tools.map((t) => [t.name, t]))
  const listed = listTools(tools, settings.readOnly)
  const run = Runtime.runPromise(runtime)
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }))
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    const tool = byName.get(request.params.name)
    if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`)
    return run(callTool(tool, request.params.arguments ?? {}), { signal: extra.signal })
  })
  return server
}
