/**
 * Tool definitions: one Effect Schema of parameters, MCP annotations and an Effect handler. For cluster
 * tools the optional `context` parameter is added here, once: it is published in the JSON Schema,
 * split off the arguments, and resolved to a ClusterHandle before the handler runs. The adapter
 * (adapter.ts) does validation, read-only, error mapping and budgeting for all tools alike.
 */
import { Effect, JSONSchema, Schema } from "effect"
import type { AppSettings } from "../config/appSettings.js"
import type { ClusterHandle } from "../cluster/handle.js"
import { ClusterRegistry } from "../cluster/registry.js"
import type { ToolError } from "../errors.js"
import type { Reply } from "./reply.js"

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
  readonly inputSchema: Record<string, unknown>
  readonly outputSchema: Record<string, unknown> | undefined
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

export const toJsonSchema = (schema: Schema.Schema.AnyNoContext): Record<string, unknown> => {
  const js: Record<string, unknown> = { ...JSONSchema.fromAST(schema.ast, { definitions: {}, topLevelReferenceStrategy: "skip" }) }
  delete js["$schema"]
  return js
}

const withContextProperty = (js: Record<string, unknown>): Record<string, unknown> => ({
  ...js,
  properties: { ...(typeof js["properties"] === "object" ? js["properties"] : {}), context: toJsonSchema(ContextParam) }
})

interface Definition<A, I> {
  readonly name: string
  readonly description: string
  readonly params: Schema.Schema<A, I, never>
  readonly annotations: Annotations
  readonly output?: Schema.Schema.AnyNoContext
}

/** What local and cluster tools share; only their JSON Schema (`context` or not) and invocation differ. */
const describeTool = <A, I>(def: Definition<A, I>, clusterScoped: boolean) => {
  const params = toJsonSchema(def.params)
  return {
    name: def.name,
    description: def.description,
    annotations: def.annotations,
    clusterScoped,
    parameters: def.params,
    inputSchema: clusterScoped ? withContextProperty(params) : params,
    outputSchema: def.output !== undefined ? toJsonSchema(def.output) : undefined,
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
