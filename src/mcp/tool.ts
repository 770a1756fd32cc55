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

export const localTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool => {
  const decodeOk = Schema.is(def.params)
  return {
    name: def.name,
    description: def.description,
    annotations: def.annotations,
    clusterScoped: false,
    parameters: def.params,
    inputSchema: toJsonSchema(def.params),
    outputSchema: def.output !== undefined ? toJsonSchema(def.output) : undefined,
    invoke: (input) => (decodeOk(input) ? def.run(input) : Effect.die(new Error(`${def.name}: input was not decoded`)))
  }
}

export const clusterTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A, cluster: ClusterHandle) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool => {
  const decodeOk = Schema.is(def.params)
  return {
    name: def.name,
    description: def.description,
    annotations: def.annotations,
    clusterScoped: true,
    parameters: def.params,
    inputSchema: withContextProperty(toJsonSchema(def.params)),
    outputSchema: def.output !== undefined ? toJsonSchema(def.output) : undefined,
    invoke: (input, context, onContext) =>
      decodeOk(input)
        ? ClusterRegistry.pipe(
          Effect.flatMap((registry) => registry.resolve(context)),
          Effect.tap(onContext),
          Effect.flatMap((handle) => def.run(input, handle))
        )
        : Effect.die(new Error(`${def.name}: input was not decoded`))
  }
}
