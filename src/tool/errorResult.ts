/** The one mapping from typed errors to MCP tool results (`isError: true`, the seed's error shape). */
import { Schema } from "effect"
import type { ToolError } from "../errors.js"

export interface ToolResult {
  [key: string]: unknown
  content: Array<{ type: "text"; text: string }>
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

/** `structuredContent` of a failed call; the type's own fields (verb, causes, issues, …) follow the five. */
export const ErrorOutput = Schema.Struct({
  error: Schema.StructWithRest(
    Schema.Struct({
      type: Schema.String.annotate({ description: "UnknownContext, Forbidden, NotFound, Invalid, InvalidInput, … (docs/tools.md)" }),
      message: Schema.String,
      details: Schema.String,
      cluster: Schema.String.annotate({ description: "the context the call ran against (empty before one was chosen)" }),
      tool: Schema.String
    }),
    [Schema.Record(Schema.String, Schema.Unknown)]
  )
})

const COMMON = new Set(["_tag", "context", "message", "details"])

/** The fields an error class declares beyond the common ones (available, verb, causes, issues, code, …). */
const extras = (e: ToolError): Record<string, unknown> =>
  Object.fromEntries(Object.entries(e).filter(([k, v]) => !COMMON.has(k) && v !== undefined))

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
