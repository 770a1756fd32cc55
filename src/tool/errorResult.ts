/** The one mapping from typed errors to MCP tool results (`isError: true`, the seed's error shape). */
import { Schema } from "effect"
import { ToolError } from "../errors.js"
import type { ContextFailure } from "../output/reply.js"

export interface ToolResult {
  [key: string]: unknown
  content: Array<{ type: "text"; text: string }>
  structuredContent?: Record<string, unknown>
  isError?: boolean
}

/**
 * `structuredContent` of a failed call; the type's own fields (verb, causes, issues, document, …) follow the
 * five, as the error's Schema encodes them.
 */
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

/** Shown in the five fields every error result has. */
const COMMON = new Set(["_tag", "context", "message", "details"])

const encodeError = Schema.encodeSync(ToolError)

/** The fields the error's class declares beyond the common ones, as its own Schema encodes them. */
const ownFields = (e: ToolError): Record<string, unknown> =>
  Object.fromEntries(Object.entries(encodeError(e)).filter(([k, v]) => !COMMON.has(k) && v !== undefined))

/** Which document of a manifest failed, before the message; what became of the others, after the details. */
const positioned = (e: ToolError): { readonly message: string; readonly details: string } => {
  const at = "document" in e ? e.document : undefined
  if (at === undefined) return { message: e.message, details: e.details ?? "" }
  return {
    message: `${at.kind}/${at.name} (document ${at.index} of ${at.total}): ${e.message}`,
    details: [e.details, at.others].filter((d) => d !== undefined && d !== "").join(" — ")
  }
}

/** The error's structured form: the five fields every error has, then its type's own (what `structuredContent.error` holds). */
export const errorFields = (e: ToolError, tool: string, cluster: string | undefined): Record<string, unknown> => ({
  type: e._tag,
  message: e.message,
  details: e.details ?? "",
  cluster: ("context" in e ? e.context : cluster) ?? "",
  tool,
  ...ownFields(e)
})

/** The error in words: "Type: message [context c]", then the details on a line of their own. */
export const errorLines = (e: ToolError, cluster: string | undefined): ReadonlyArray<string> => {
  const where = "context" in e ? e.context : cluster
  const { details, message } = positioned(e)
  return [`${e._tag}: ${message}${where !== undefined && where !== "" ? ` [context ${where}]` : ""}`, ...(details !== "" ? [details] : [])]
}

export const errorResult = (e: ToolError, tool: string, cluster: string | undefined): ToolResult => ({
  isError: true,
  content: [{ type: "text", text: errorLines(e, cluster).join("\n") }],
  structuredContent: { error: errorFields(e, tool, cluster) }
})

/** What the InternalError type means (docs/tools.md lists it with the error classes). */
export const INTERNAL_ERROR = "a bug in kube-mcp; the server log (stderr) has the details."

/** A defect (a bug of ours): the client learns that, never the stack trace; the log has the rest. */
export const internalErrorResult = (tool: string, cluster: string | undefined): ToolResult => ({
  isError: true,
  content: [{ type: "text", text: `InternalError: ${tool} failed unexpectedly; the server log has the details.` }],
  structuredContent: {
    error: { type: "InternalError", message: `${tool} failed unexpectedly`, details: "See the kube-mcp server log (stderr).", cluster: cluster ?? "", tool }
  }
})

/** One context's failure inside a result across many contexts: the type and the words, no more. */
export const contextFailure = (e: ToolError): ContextFailure => {
  const { details, message } = positioned(e)
  return { type: e._tag, message, ...(details !== "" ? { details } : {}) }
}
