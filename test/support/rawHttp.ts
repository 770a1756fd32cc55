/**
 * Raw Streamable HTTP requests, below the SDK client: what a client that never sends DELETE does. Used by
 * the session tests and bench/sessions.ts.
 */
export const MCP_HEADERS = { "content-type": "application/json", accept: "application/json, text/event-stream" } as const

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "kube-mcp-raw", version: "0" } }
})

/** POST an initialize to `mcpUrl` (…/mcp); the answer's `mcp-session-id` header names the new session. */
export const initialize = (mcpUrl: string): Promise<Response> => fetch(mcpUrl, { method: "POST", headers: MCP_HEADERS, body: INITIALIZE })
