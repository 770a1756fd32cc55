/**
 * The one adapter between MCP and tools: listing (read_only hides mutating tools), argument validation
 * (unknown fields, wrong types, oversize input → InvalidInput), read-only enforcement (global and per
 * context), error mapping and the output budget. Every tool call goes through `call`.
 */
import { Cause, Effect, ParseResult, Schema } from "effect"
import { AppSettings } from "../config/appSettings.js"
import { type InputIssue, InvalidInput, ReadOnly, type ToolError } from "../errors.js"
import { render } from "./budget.js"
import { errorResult, internalErrorResult, type ToolResult } from "./errorResult.js"
import { ContextParam, type AnyTool, type ToolEnv } from "./tool.js"

/** Arguments larger than this are refused before decoding (manifests fit easily). */
export const MAX_ARGUMENT_BYTES = 2 * 1024 * 1024

export interface ListedTool {
  [key: string]: unknown
  name: string
  description: string
  inputSchema: { [key: string]: unknown; type: "object" }
  outputSchema?: { [key: string]: unknown; type: "object" }
  annotations: AnyTool["annotations"]
}

const objectSchema = (js: Record<string, unknown>): { [key: string]: unknown; type: "object" } => ({ ...js, type: "object" })

/** SDK clients validate error results against a tool's outputSchema too: every outputSchema also admits the error shape. */
const ERROR_RESULT_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["type", "message", "details", "cluster", "tool"],
      properties: {
        type: { type: "string" },
        message: { type: "string" },
        details: { type: "string" },
        cluster: { type: "string" },
        tool: { type: "string" }
      }
    }
  }
}

const outputSchemaOf = (js: Record<string, unknown>): { [key: string]: unknown; type: "object" } => ({
  type: "object",
  anyOf: [js, ERROR_RESULT_SCHEMA]
})

export const listTools = (tools: ReadonlyArray<AnyTool>, readOnly: boolean): Array<ListedTool> =>
  tools
    .filter((t) => !readOnly || t.annotations.readOnlyHint)
    .map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: objectSchema(t.inputSchema),
      ...(t.outputSchema !== undefined ? { outputSchema: outputSchemaOf(t.outputSchema) } : {}),
      annotations: t.annotations
    }))

const issuesOf = (e: ParseResult.ParseError): Array<InputIssue> =>
  ParseResult.ArrayFormatter.formatErrorSync(e).map((i) => ({
    path: i.path.length > 0 ? i.path.join(".") : "(arguments)",
    message: i._tag === "Unexpected" ? "unknown parameter" : clip(i.message)
  }))

/** Parse messages quote the offending value: keep them short whatever was sent. */
const clip = (message: string): string => (message.length > 300 ? `${message.slice(0, 300)}… (cut)` : message)

const invalidInput = (tool: string, issues: Array<InputIssue>): InvalidInput =>
  new InvalidInput({
    message: `Invalid arguments for ${tool}: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ").slice(0, 500)}`,
    details: "Check the tool's input schema (tools/list); unknown parameters are rejected.",
    issues
  })

export const readOnlyError = (tool: string, context?: string): ReadOnly =>
  new ReadOnly({
    message: context === undefined
      ? `${tool} can change the cluster and the server runs in read-only mode`
      : `${tool} can change the cluster and context "${context}" is read-only`,
    details: context === undefined
      ? "security.read_only (or --read-only) is set; only read tools are available."
      : `[contexts."${context}"] read_only is set in the configuration.`
  })

const decodeArgs = (tool: AnyTool, args: Record<string, unknown>) =>
  Effect.gen(function*() {
    if (Buffer.byteLength(JSON.stringify(args)) > MAX_ARGUMENT_BYTES) {
      return yield* invalidInput(tool.name, [{ path: "(arguments)", message: `larger than ${MAX_ARGUMENT_BYTES} bytes` }])
    }
    // Schema.Struct({}) accepts any object, so unknown parameters are also checked against the published schema
    const known = tool.inputSchema["properties"]
    const issues: Array<InputIssue> = Object.keys(args)
      .filter((k) => typeof known !== "object" || known === null || !(k in known))
      .map((k) => ({ path: k, message: "unknown parameter" }))
    const { context, ...rest } = args
    let ctx: string | undefined
    if (tool.clusterScoped && context !== undefined) {
      const decoded = yield* Effect.either(Schema.decodeUnknown(ContextParam)(context))
      if (decoded._tag === "Left") issues.push(...issuesOf(decoded.left).map((i) => ({ ...i, path: "context" })))
      else ctx = decoded.right
    }
    const decoded = yield* Effect.either(
      Schema.decodeUnknown(tool.parameters, { errors: "all", onExcessProperty: "error" })(tool.clusterScoped ? rest : args)
    )
    if (decoded._tag === "Left") {
      for (const issue of issuesOf(decoded.left)) {
        if (!issues.some((i) => i.path === issue.path && i.message === issue.message)) issues.push(issue)
      }
    }
    if (issues.length > 0 || decoded._tag === "Left") return yield* invalidInput(tool.name, issues)
    const input = decoded.right
    return { input, context: ctx === "" ? undefined : ctx }
  })

/** Runs one tool call to a finished MCP result; never fails (errors become `isError` results). */
export const callTool = (tool: AnyTool, args: Record<string, unknown>): Effect.Effect<ToolResult, never, ToolEnv> =>
  Effect.gen(function*() {
    const settings = yield* AppSettings
    let cluster: string | undefined
    const started = Date.now()
    const outcome = yield* Effect.gen(function*() {
      if (!tool.annotations.readOnlyHint && settings.readOnly) return yield* readOnlyError(tool.name)
      const { context, input } = yield* decodeArgs(tool, args)
      cluster = context
      const reply = yield* tool.invoke(input, context, (handle) => {
        cluster = handle.info.name
        return !tool.annotations.readOnlyHint && handle.settings.readOnly
          ? Effect.fail(readOnlyError(tool.name, handle.info.name))
          : Effect.void
      })
      const { structured, text } = render(reply, settings.maxBytes)
      const result: ToolResult = { content: [{ type: "text", text }] }
      if (structured !== undefined) result.structuredContent = structured
      return result
    }).pipe(
      Effect.catchAll((e: ToolError) => Effect.succeed(errorResult(e, tool.name, cluster))),
      Effect.catchAllCause((cause) =>
        Cause.isInterruptedOnly(cause)
          ? Effect.interrupt
          : Effect.logError("tool call failed with a defect", cause).pipe(
            Effect.as(internalErrorResult(tool.name, cluster))
          )
      )
    )
    yield* Effect.logDebug("tool call").pipe(
      Effect.annotateLogs({
        tool: tool.name,
        context: cluster ?? "",
        ms: Date.now() - started,
        failed: outcome.isError === true
      })
    )
    return outcome
  })
