/**
 * The one adapter between MCP and tools: listing (read_only hides mutating tools), argument validation
 * (unknown fields, wrong types, oversize input → InvalidInput), read-only enforcement (global and per
 * context), error mapping and the output budget. Every tool call goes through `call`.
 */
import { Cause, Clock, Effect, Result, Schema, SchemaIssue } from "effect"
import { AppSettings } from "../config/appSettings.js"
import type { Settings } from "../config/settings.js"
import { ConfirmationRequired, Declined, type InputIssue, InvalidInput, type ToolError } from "../errors.js"
import type { KubeApi } from "../kube/Kube.js"
import { AuditLog, type AuditRecord } from "../audit/auditLog.js"
import { ApiIdentity, type CallerIdentity, credentialsFor } from "../auth/identity.js"
import { auditRecord } from "../audit/record.js"
import { render } from "../output/budget.js"
import { fanout, type Reply } from "../output/reply.js"
import { contextFailure, errorResult, internalErrorResult, type ToolResult } from "./errorResult.js"
import { ContextsParam, eachContext, noContextAnswered, type Progress, selectContexts } from "./fanout.js"
import { isJson, type Json, ruleOf, toJsonSchema } from "./jsonSchema.js"
import { ContextParam, type AnyTool, type PreparedCall, readOnlyError, type ToolEnv } from "./tool.js"
import { observedCall, Telemetry } from "../telemetry/telemetry.js"

/** Arguments larger than this are refused before decoding (manifests fit easily). */
export const MAX_ARGUMENT_BYTES = 2 * 1024 * 1024

export interface ListedTool {
  [key: string]: unknown
  name: string
  description: string
  inputSchema: { [key: string]: unknown; type: "object" }
  outputSchema: { [key: string]: unknown; type: "object" }
  annotations: AnyTool["annotations"]
}

export const listTools = (tools: ReadonlyArray<AnyTool>, readOnly: boolean): Array<ListedTool> =>
  tools
    .filter((t) => !readOnly || t.annotations.readOnlyHint)
    .map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema,
      outputSchema: t.outputSchema,
      annotations: t.annotations
    }))

/** Parse messages and values quote what was sent: keep them short whatever it was. */
const clip = (message: string, max = 300): string => (message.length > max ? `${message.slice(0, max)}… (cut)` : message)

/** The argument a top-level issue is about (only top-level paths are rendered with the value). */
const valueAt = (args: Record<string, unknown>, path: ReadonlyArray<PropertyKey>): unknown =>
  path.length === 1 && typeof path[0] === "string" ? args[path[0]] : undefined

const parameterNames = (tool: AnyTool): ReadonlyArray<string> => {
  const properties = tool.inputSchema["properties"]
  return isJson(properties) ? Object.keys(properties) : []
}

const unknownParameter = (tool: AnyTool, path: string): InputIssue => ({
  path,
  message: `${path}: unknown parameter (known: ${parameterNames(tool).join(", ") || "none"})`
})

/** The formatter marks these two leaves so they can be told apart from a value's rule. */
const UNEXPECTED = "\u0000unexpected"
const MISSING = "\u0000missing"
const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1({
  leafHook: (leaf) =>
    leaf._tag === "UnexpectedKey" ? UNEXPECTED : leaf._tag === "MissingKey" ? MISSING : SchemaIssue.defaultLeafHook(leaf)
})

/**
 * One issue per parameter, stating the rule from the published schema: "limit must be an integer from 1 to
 * 5000 (got 0)". Deeper paths (inside a manifest or patch) keep the decoder's own message.
 */
const issuesOf = (tool: AnyTool, e: Schema.SchemaError, args: Record<string, unknown>): Array<InputIssue> => {
  const properties = tool.inputSchema["properties"]
  const schemaOf = (name: string): Json | undefined => {
    const s = isJson(properties) ? properties[name] : undefined
    return isJson(s) ? s : undefined
  }
  const issues: Array<InputIssue> = []
  for (const i of formatIssues(e.issue).issues) {
    const keys = (i.path ?? []).map((p) => (typeof p === "object" ? p.key : p))
    const path = keys.length > 0 ? keys.map(String).join(".") : "(arguments)"
    if (issues.some((x) => x.path === path)) continue
    const top = keys.length === 1 && typeof keys[0] === "string" ? schemaOf(keys[0]) : undefined
    if (i.message === UNEXPECTED) {
      issues.push(keys.length === 1 ? unknownParameter(tool, path) : { path, message: `${path}: unknown field` })
      continue
    }
    // a parameter's own check (columns, grep, since) states its rule itself; Effect's built-in ones say "Expected …"
    const ownRule = i.message !== MISSING && !i.message.startsWith("Expected ")
    const message = i.message === MISSING
      ? `${path} is required${top !== undefined ? `: ${ruleOf(top, { pattern: true })}` : ""}`
      : top !== undefined && ownRule
      ? `${path}: ${clip(i.message, 600)} (got ${clip(JSON.stringify(valueAt(args, keys)) ?? "undefined", 80)})`
      : top !== undefined
      ? `${path} must be ${ruleOf(top, { pattern: true })} (got ${clip(JSON.stringify(valueAt(args, keys)) ?? "undefined", 80)})`
      : `${path}: ${clip(i.message)}`
    issues.push({ path, message })
  }
  return issues
}

const invalidInput = (tool: string, issues: Array<InputIssue>): InvalidInput =>
  new InvalidInput({
    message: `Invalid arguments for ${tool}: ${issues.map((i) => i.message).join("; ").slice(0, 800)}`,
    details: "The tool's input schema (tools/list) states every parameter's rule; unknown parameters are rejected.",
    issues
  })

const decodeContext = Schema.decodeUnknownResult(ContextParam)
const decodeContexts = Schema.decodeUnknownResult(ContextsParam)

const decodeArgs = (tool: AnyTool, args: Record<string, unknown>) =>
  Effect.suspend(() => {
    if (Buffer.byteLength(JSON.stringify(args)) > MAX_ARGUMENT_BYTES) {
      return Effect.fail(invalidInput(tool.name, [{ path: "(arguments)", message: `larger than ${MAX_ARGUMENT_BYTES} bytes` }]))
    }
    // Schema.Struct({}) accepts any object, so unknown parameters are also checked against the published schema
    const known = parameterNames(tool)
    const issues: Array<InputIssue> = Object.keys(args)
      .filter((k) => !known.includes(k))
      .map((k) => unknownParameter(tool, k))
    const { context, contexts, ...rest } = args
    let ctx: string | undefined
    let many: ReadonlyArray<string> | undefined
    if (tool.clusterScoped && context !== undefined) {
      const decoded = decodeContext(context)
      if (Result.isFailure(decoded)) issues.push({ path: "context", message: `context must be ${ruleOf(toJsonSchema(ContextParam))} (got ${clip(JSON.stringify(context) ?? "", 80)})` })
      else ctx = decoded.success
    }
    if (tool.fanout && contexts !== undefined) {
      const decoded = decodeContexts(contexts)
      if (Result.isFailure(decoded)) {
        issues.push({ path: "contexts", message: `contexts must be ${ruleOf(toJsonSchema(ContextsParam))} (got ${clip(JSON.stringify(contexts) ?? "", 80)})` })
      } else many = decoded.success
      if (context !== undefined && context !== "") issues.push({ path: "contexts", message: "contexts: give either context (one) or contexts (several), not both" })
      if (rest["continue"] !== undefined) {
        issues.push({ path: "continue", message: "continue: a continue token pages one context; call with context set to the context it came from" })
      }
    }
    // fan-out tools never see `contexts`; a fleet tool declares it as its own parameter
    const own = tool.fanout || contexts === undefined ? rest : { ...rest, contexts }
    const prepared = tool.prepare(tool.clusterScoped ? own : args)
    if (Result.isFailure(prepared)) {
      for (const issue of issuesOf(tool, prepared.failure, args)) {
        if (!issues.some((i) => i.path === issue.path)) issues.push(issue)
      }
    }
    if (issues.length > 0 || Result.isFailure(prepared)) return Effect.fail(invalidInput(tool.name, issues))
    const context1 = ctx === "" ? undefined : ctx
    // a tool made for many contexts runs across its defaults unless the call names contexts or one context
    const across = many ?? (tool.defaultContexts !== undefined ? (context1 !== undefined ? [context1] : tool.defaultContexts) : undefined)
    return Effect.succeed({ call: prepared.success, context: context1, contexts: across })
  })

export type { Progress } from "./fanout.js"

/** What the user said when asked to confirm; `unsupported`: the client cannot ask; `timeout`: no answer in time. */
export type ConfirmAnswer = "accept" | "decline" | "cancel" | "unsupported" | "timeout"

/** What the transport lets a call do besides answering. */
export interface CallOptions {
  /** Progress notifications, when the client sent a progressToken. */
  readonly progress?: Progress
  /** Asks the user a yes/no question (MCP elicitation). */
  readonly confirm?: (message: string) => Effect.Effect<ConfirmAnswer>
  /** Who calls: the audit log's caller, and the validated identity the call's API requests may carry. */
  readonly caller?: Caller
  /** W3C trace context of the request (`params._meta.traceparent`): the call's span continues that trace. */
  readonly traceparent?: string
}

export interface Caller {
  readonly transport: AuditRecord["caller"]["transport"]
  readonly session?: string
  readonly identity?: CallerIdentity
}

/** Who a caller is, for the audit log and the log lines of their calls: never the token. */
const whoOf = (c: Caller | undefined): { readonly user: string; readonly subject: string } | undefined =>
  c?.identity !== undefined ? { user: c.identity.user, subject: c.identity.subject } : undefined

/** The audit log names the caller, never the token. */
export const auditCaller = (c: Caller): AuditRecord["caller"] => ({
  transport: c.transport,
  ...(c.session !== undefined ? { session: c.session } : {}),
  ...whoOf(c)
})

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null && !Array.isArray(v)

/** The audit line of a finished call, when the log takes this kind of call. */
const audit = (tool: AnyTool, args: Record<string, unknown>, result: ToolResult, context: string | undefined, started: number, caller: AuditRecord["caller"]) =>
  Effect.gen(function*() {
    const log = yield* AuditLog
    if (!log.enabled || (log.include === "mutations" && tool.annotations.readOnlyHint)) return
    const now = yield* Clock.currentTimeMillis
    const error = result.isError === true && isRecord(result.structuredContent?.["error"]) ? result.structuredContent["error"] : undefined
    yield* log.record(auditRecord({
      time: new Date(now).toISOString(),
      caller,
      tool: tool.name,
      args,
      context,
      durationMs: now - started,
      structured: error === undefined ? result.structuredContent : undefined,
      error: error === undefined ? undefined : {
        type: String(error["type"]),
        ...(typeof error["rule"] === "string" ? { rule: error["rule"] } : {})
      }
    }))
  })

/**
 * On a context with confirm_destructive, a destructive call (its annotations say so) that is not a dry run
 * runs only when the user accepts; anything else refuses it, explicitly.
 */
const confirmation = (tool: AnyTool, call: PreparedCall, handle: KubeApi, options: CallOptions): Effect.Effect<void, ToolError> =>
  Effect.gen(function*() {
    if (tool.annotations.destructiveHint !== true || !handle.settings.confirmDestructive || call.about.dryRun) return
    const context = handle.info.name
    const question = `${tool.name} on context "${context}": ${call.about.objects} (not a dry run). Run it?`
    const answer = options.confirm === undefined ? "unsupported" : yield* options.confirm(question)
    if (answer === "accept") return
    const how = `[contexts."${context}"] confirm_destructive is set. Use a client that supports MCP elicitation and accept the question, ` +
      `run it as a dry run first (dry_run: true, where the tool has it), or have the operator change the configuration.`
    return yield* answer === "unsupported" || answer === "timeout"
      ? new ConfirmationRequired({
        context,
        message: answer === "unsupported"
          ? `${tool.name} on context "${context}" needs the user's confirmation and this client cannot ask for it`
          : `${tool.name} on context "${context}" needs the user's confirmation and none came in time`,
        details: how
      })
      : new Declined({
        context,
        message: `The user ${answer === "decline" ? "declined" : "dismissed"} ${tool.name} on context "${context}": ${call.about.objects}`,
        details: "Nothing was done."
      })
  })

/** One prepared call run against each selected context; fails only when none answered. */
const runAcross = (tool: AnyTool, call: PreparedCall, patterns: ReadonlyArray<string>, progress: Progress | undefined) =>
  Effect.gen(function*() {
    const names = yield* selectContexts(patterns)
    const outcomes = yield* eachContext(
      names,
      (context) =>
        call.run(context, (handle) =>
          !tool.annotations.readOnlyHint && handle.settings.readOnly ? Effect.fail(readOnlyError(tool.name, handle.info.name)) : Effect.void),
      progress === undefined ? {} : { onDone: (done, total, context) => progress(done, total, `${context} done`) }
    )
    if (!outcomes.some((o) => o.ok)) return yield* noContextAnswered(outcomes)
    const reply: Reply = fanout(outcomes.map((o) => (o.ok ? { context: o.context, reply: o.value } : { context: o.context, failure: contextFailure(o.error) })))
    return reply
  })

/** Runs one tool call to a finished MCP result; never fails (errors become `isError` results). */
/**
 * Every API request made by `effect` carries the caller's identity as server.http.identity says (src/auth):
 * tool calls, and the catalog's reads, prompts and completions alike.
 */
export const asCaller = (settings: Settings, caller: Caller | undefined) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, ApiIdentity, credentialsFor(settings.http.identity, caller?.identity))

export const callTool = (
  tool: AnyTool,
  args: Record<string, unknown>,
  options: CallOptions = {}
): Effect.Effect<ToolResult, never, ToolEnv> =>
  Effect.gen(function*() {
    const settings = yield* AppSettings
    let cluster: string | undefined
    const started = yield* Clock.currentTimeMillis
    const outcome = yield* Effect.gen(function*() {
      if (!tool.annotations.readOnlyHint && settings.readOnly) return yield* readOnlyError(tool.name)
      const { call, context, contexts } = yield* decodeArgs(tool, args)
      cluster = context
      const reply = contexts !== undefined ? yield* runAcross(tool, call, contexts, options.progress) : yield* call.run(context, (handle) => {
        cluster = handle.info.name
        return !tool.annotations.readOnlyHint && handle.settings.readOnly
          ? Effect.fail(readOnlyError(tool.name, handle.info.name))
          : confirmation(tool, call, handle, options)
      }, options.progress)
      const { structured, text } = render(reply, settings.maxBytes)
      const result: ToolResult = { content: [{ type: "text", text }], structuredContent: structured }
      return result
    }).pipe(
      asCaller(settings, options.caller),
      Effect.catch((e: ToolError) => Effect.succeed(errorResult(e, tool.name, cluster))),
      Effect.catchCause((cause) =>
        Cause.hasInterruptsOnly(cause)
          ? Effect.interrupt
          : Effect.logError("tool call failed with a defect", cause).pipe(
            Effect.as(internalErrorResult(tool.name, cluster))
          )
      )
    )
    // on disk before the client sees the result
    yield* audit(tool, args, outcome, cluster, started, auditCaller(options.caller ?? { transport: "stdio" }))
    yield* (yield* Telemetry).toolCall(tool.name, cluster, outcome)
    yield* Effect.logDebug("tool call").pipe(
      Effect.annotateLogs({
        tool: tool.name,
        context: cluster ?? "",
        ms: (yield* Clock.currentTimeMillis) - started,
        failed: outcome.isError === true
      })
    )
    return outcome
  }).pipe(
    // every line logged in the call names who made it (server.ts forwards a caller only their own lines)
    (call) => {
      const who = whoOf(options.caller)
      return who === undefined ? call : Effect.annotateLogs(call, who)
    },
    observedCall(tool.name, options.traceparent)
  )
