/**
 * Tool definitions: one Effect Schema of parameters, MCP annotations and an Effect handler. For cluster
 * tools the optional `context` parameter is added here, once: it is published in the JSON Schema,
 * split off the arguments, and resolved to a ClusterHandle before the handler runs. The adapter
 * (adapter.ts) does validation, read-only, error mapping and budgeting for all tools alike.
 */
import { Effect, Schema } from "effect"
import type { AppSettings } from "../config/appSettings.js"
import type { ClusterHandle } from "../cluster/handle.js"
import { ClusterRegistry } from "../cluster/registry.js"
import type { ToolError } from "../errors.js"
import { isJson, type Json, type ObjectSchema, toInputSchema, toJsonSchema } from "./jsonSchema.js"
import { CutDocumentOutput, type Reply, TableOutput, Truncation } from "./reply.js"
import { ErrorOutput } from "./errorResult.js"

export interface Annotations {
  readonly title: string
  readonly readOnlyHint: boolean
  readonly destructiveHint?: boolean
  readonly idempotentHint?: boolean
  readonly openWorldHint?: boolean
}

/** Services every tool handler may use. */
export type ToolEnv = ClusterRegistry | AppSettings

/** A tool with its parameter type erased, as the adapter and the docs generator see it. */
export interface AnyTool {
  readonly name: string
  readonly description: string
  readonly annotations: Annotations
  readonly clusterScoped: boolean
  readonly inputSchema: ObjectSchema
  readonly outputSchema: ObjectSchema
  /** Validates the arguments other than `context`. */
  readonly parameters: Schema.Schema.AnyNoContext
  /** Decoded input in, reply out. `onContext` sees the resolved handle before the handler runs. */
  readonly invoke: (
    input: unknown,
    context: string | undefined,
    onContext: (handle: ClusterHandle) => Effect.Effect<void, ToolError>
  ) => Effect.Effect<Reply, ToolError, ToolEnv>
}

export const ContextParam = Schema.String.pipe(Schema.maxLength(253)).annotations({
  description: "kubeconfig context to run against; omit or leave empty for the default (current-context). See config_contexts_list."
})

// the shapes every tool shares, rendered once
const TRUNCATION = toJsonSchema(Truncation)
const CUT_DOCUMENT = toJsonSchema(CutDocumentOutput)
const ERROR = toJsonSchema(ErrorOutput)
const CONTEXT = toJsonSchema(ContextParam)

/** Any report may come back cut by the budgeter, with a `truncated` note. */
const withTruncation = (js: Json): Json =>
  isJson(js["properties"]) && !("truncated" in js["properties"])
    ? { ...js, properties: { ...js["properties"], truncated: TRUNCATION } }
    : js

/**
 * A tool's outputSchema: each shape its results can take (the tool's declared `output`, a document cut at
 * the budget, the error shape), as branches under a root `type: "object"` (MCP requires an object root).
 */
const outputSchemaOf = (output: Schema.Schema.AnyNoContext): ObjectSchema => {
  const js = toJsonSchema(output)
  const branches = Array.isArray(js["anyOf"]) ? js["anyOf"].filter(isJson) : [js]
  const tableOnly = output === TableOutput
  return {
    type: "object",
    anyOf: [...branches.map(withTruncation), ...(tableOnly ? [] : [CUT_DOCUMENT]), ERROR]
  }
}

interface Definition<A, I> {
  readonly name: string
  readonly description: string
  readonly params: Schema.Schema<A, I, never>
  readonly annotations: Annotations
  /** The shape of `structuredContent` (a Union when the tool answers in several shapes). */
  readonly output: Schema.Schema.AnyNoContext
}

/** What local and cluster tools share; only their JSON Schema (`context` or not) and invocation differ. */
const describeTool = <A, I>(def: Definition<A, I>, clusterScoped: boolean) => {
  return {
    name: def.name,
    description: def.description,
    annotations: def.annotations,
    clusterScoped,
    parameters: def.params,
    inputSchema: toInputSchema(def.params, clusterScoped ? { context: CONTEXT } : {}),
    outputSchema: outputSchemaOf(def.output),
    // the adapter decoded the input with def.params; this re-check narrows its type without a cast
    isInput: Schema.is(def.params),
    notDecoded: Effect.die(new Error(`${def.name}: input was not decoded`))
  }
}

export const localTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool => {
  const { isInput, notDecoded, ...tool } = describeTool(def, false)
  return { ...tool, invoke: (input) => (isInput(input) ? def.run(input) : notDecoded) }
}

export const clusterTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A, cluster: ClusterHandle) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool => {
  const { isInput, notDecoded, ...tool } = describeTool(def, true)
  return {
    ...tool,
    invoke: (input, context, onContext) =>
      isInput(input)
        ? ClusterRegistry.pipe(
          Effect.flatMap((registry) => registry.resolve(context)),
          Effect.tap(onContext),
          Effect.flatMap((handle) => def.run(input, handle))
        )
        : notDecoded
  }
}
