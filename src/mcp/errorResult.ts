/** The one mapping from typed errors to MCP tool results (`isError: true`, the seed's error shape). */
import type { ToolError } from "../errors.js"

export interface ToolResult {
  [key: string]: unknown
  content: Array<{ type: "text"; text: string }>
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

/** Fields beyond the common five that help a caller act on the error. */
const extras = (e: ToolError): Record<string, unknown> => {
  switch (e._tag) {
    case "UnknownContext":
      return { available: e.available }
    case "Forbidden":
      return {
        ...(e.verb !== undefined ? { verb: e.verb } : {}),
        ...(e.resource !== undefined ? { resource: e.resource } : {}),
        ...(e.namespace !== undefined ? { namespace: e.namespace } : {})
      }
    case "Invalid":
      return e.causes.length > 0 ? { causes: e.causes } : {}
    case "InvalidInput":
      return { issues: e.issues }
    case "ApiError":
      return { code: e.code, ...(e.reason !== undefined ? { reason: e.reason } : {}) }
    default:
      return {}
  }
}

export const errorResult = (e: ToolError, tool: string, cluster: string | undefined): ToolResult => {
  const where = "context" in e ? e.context : cluster
  const error = {
    type: e._tag,
    message: e.message,
    details: e.details ?? "",
    cluster: where ?? "",
    tool,
    ...extras(e)
  }
  const lines = [`${e._tag}: ${e.message}${where !== undefined && where !== "" ? ` [context ${where}]` : ""}`]
  if (e.details !== undefined && e.details !== "") lines.push(e.details)
  return { isError: true, content: [{ type: "text", text: lines.join("\n") }], structuredContent: { error } }
}

/** A defect (a bug of ours): the client learns that, never the stack trace; the log has the rest. */
export const internalErrorResult = (tool: string, cluster: string | undefined): ToolResult => ({
  isError: true,
  content: [{ type: "text", text: `InternalError: ${tool} failed unexpectedly; the server log has the details.` }],
  structuredContent: {
    error: { type: "InternalError", message: `${tool} failed unexpectedly`, details: "See the kube-mcp server log (stderr).", cluster: cluster ?? "", tool }
  }
})
