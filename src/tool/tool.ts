/**
 * Tool definitions: one Effect Schema of parameters, MCP annotations and an Effect handler. For cluster
 * tools the optional `context` parameter is added here, once: it is published in the JSON Schema,
 * split off the arguments, and resolved to a KubeApi before the handler runs. The adapter
 * (adapter.ts) does validation, read-only, error mapping and budgeting for all tools alike.
 */
import { Context, Effect, Result, Schema } from "effect"
import type { AppSettings } from "../config/appSettings.js"
import { ClusterRegistry } from "../cluster/registry.js"
import { type KubeError, ReadOnly, type ToolError, type UnknownContext } from "../errors.js"
import { Kube, type KubeApi } from "../kube/Kube.js"
import { isJson, type Json, type ObjectSchema, toInputSchema, toJsonSchema } from "./jsonSchema.js"
import { CutDocumentOutput, FanoutSectionsOutput, FanoutTableOutput, type Reply, TableOutput, Truncation } from "../output/reply.js"
import { ErrorOutput } from "./errorResult.js"
import { ContextsParam, eachContext, type Outcome, type Progress } from "./fanout.js"

export interface Annotations {
  readonly title: string
  readonly readOnlyHint: boolean
  readonly destructiveHint?: boolean
  readonly idempotentHint?: boolean
  readonly openWorldHint?: boolean
}

/** Services every tool handler may use. */
export type ToolEnv = ClusterRegistry | AppSettings

/** What a call is about, for the user asked to confirm it (and for the audit log). */
export interface CallAbout {
  /** The objects it acts on, in words: "deployment web in namespace shop". */
  readonly objects: string
  readonly dryRun: boolean
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === "object" && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined)

/**
 * From the decoded arguments every tool names its objects with (kind, name(s), namespace, pod, manifest);
 * `subject` names what `name` is for tools without a `kind` parameter (helm: "helm release").
 */
export const aboutOf = (input: unknown, subject?: string): CallAbout => {
  if (!isRecord(input)) return { objects: "", dryRun: false }
  const kind = str(input["kind"]) ?? subject ??
    (str(input["container"]) !== undefined || str(input["command"]) !== undefined ? "pod" : undefined)
  const names = Array.isArray(input["names"]) ? input["names"].filter((n): n is string => typeof n === "string") : []
  const name = str(input["name"]) ?? (names.length > 0 ? names.join(", ") : undefined)
  const namespace = str(input["namespace"])
  const manifest = input["manifest"]
  const objects = manifest !== undefined
    ? `the manifest given (${typeof manifest === "string" ? `${Buffer.byteLength(manifest)} bytes of YAML` : Array.isArray(manifest) ? `${manifest.length} object(s)` : "1 object"})`
    : [kind ?? "pod", name, namespace !== undefined ? `in namespace ${namespace}` : undefined].filter((p) => p !== undefined).join(" ")
  return { objects, dryRun: input["dry_run"] === true }
}

/** Decoded arguments, bound to their tool: running it needs only the context to run against. */
export interface PreparedCall {
  readonly about: CallAbout
  /** `onContext` sees the resolved handle before the handler runs (the adapter's per-context checks). */
  readonly run: (
    context: string | undefined,
    onContext: (handle: KubeApi) => Effect.Effect<void, ToolError>,
    progress?: Progress
  ) => Effect.Effect<Reply, ToolError, ToolEnv>
}

/** A tool with its parameter type erased, as the adapter and the docs generator see it. */
export interface AnyTool {
  readonly name: string
  readonly description: string
  readonly annotations: Annotations
  readonly clusterScoped: boolean
  /** Read tools of one context also take `contexts` and run against each (fan-out, merged by the budgeter). */
  readonly fanout: boolean
  /** Contexts a call that names none runs against (clusters_overview: all of them). */
  readonly defaultContexts?: ReadonlyArray<string>
  readonly inputSchema: ObjectSchema
  readonly outputSchema: ObjectSchema
  /**
   * Decodes the arguments other than `context` (one walk, with the tool's own decoder) and binds them to the
   * handler, so the typed input never passes through `unknown` again.
   */
  readonly prepare: (args: unknown) => Result.Result<PreparedCall, Schema.SchemaError>
}

/**
 * Progress of the running call, for handlers that wait (resources_wait): reported to the client when it sent a
 * progressToken, dropped otherwise. A fan-out reports per context instead, so inside one it does nothing.
 */
export const CallProgress = Context.Reference<Progress>("kube-mcp/CallProgress", { defaultValue: () => () => Effect.void })

export const ContextParam = Schema.String.check(Schema.isMaxLength(253)).annotate({
  description: "kubeconfig context to run against; omit or leave empty for the default (current-context). See config_contexts_list."
})

// the shapes every tool shares, rendered once
const TRUNCATION = toJsonSchema(Truncation)
const CUT_DOCUMENT = toJsonSchema(CutDocumentOutput)
const ERROR = toJsonSchema(ErrorOutput)
const CONTEXT = toJsonSchema(ContextParam)
const CONTEXTS = toJsonSchema(ContextsParam)
const FANOUT_TABLE = toJsonSchema(FanoutTableOutput)
const FANOUT_SECTIONS = toJsonSchema(FanoutSectionsOutput)

/** Any report may come back cut by the budgeter, with a `truncated` note. */
const withTruncation = (js: Json): Json => {
  // an open object (any document) has no `properties` of its own
  const properties = isJson(js["properties"]) ? js["properties"] : js["type"] === "object" ? {} : undefined
  return properties !== undefined && !("truncated" in properties) ? { ...js, properties: { ...properties, truncated: TRUNCATION } } : js
}

/**
 * A tool's outputSchema: each shape its results can take (the tool's declared `output`, a document cut at
 * the budget, the error shape), as branches under a root `type: "object"` (MCP requires an object root).
 */
const outputSchemaOf = (output: Schema.Top, fanout: boolean): ObjectSchema => {
  const js = toJsonSchema(output)
  const branches = Array.isArray(js["anyOf"]) ? js["anyOf"].filter(isJson) : [js]
  const tableOnly = output === TableOutput
  const across = !fanout ? [] : tableOnly ? [FANOUT_TABLE] : [FANOUT_TABLE, FANOUT_SECTIONS]
  return {
    type: "object",
    anyOf: [...branches.map(withTruncation), ...(tableOnly ? [] : [CUT_DOCUMENT]), ...across, ERROR]
  }
}

export const readOnlyError = (tool: string, context?: string): ReadOnly =>
  new ReadOnly({
    message: context === undefined
      ? `${tool} can change the cluster and the server runs in read-only mode`
      : `${tool} can change the cluster and context "${context}" is read-only`,
    details: context === undefined
      ? "security.read_only (or --read-only) is set; only read tools are available."
      : `[contexts."${context}"] read_only is set in the configuration.`
  })

interface Definition<A, I> {
  readonly name: string
  readonly description: string
  readonly params: Schema.Codec<A, I>
  readonly annotations: Annotations
  /** The shape of `structuredContent` (a Union when the tool answers in several shapes). */
  readonly output: Schema.Top
  /** What a call acts on, when `aboutOf`'s reading of the arguments (kind, name, namespace) would misname it. */
  readonly about?: (input: A) => CallAbout
  /** What `name` names when the tool has no `kind` parameter, for confirmations and the audit log ("helm release"). */
  readonly subject?: string
}

/** Unknown and ill-typed fields are all reported at once, quoting what was sent. */
const DECODE_OPTIONS = { errors: "all", onExcessProperty: "error", reportInput: true } as const

/** What local and cluster tools share; only their JSON Schema (`context` or not) and their runner differ. */
const makeTool = <A, I>(
  def: Definition<A, I> & { readonly defaultContexts?: ReadonlyArray<string> },
  clusterScoped: boolean,
  bind: (input: A) => Omit<PreparedCall, "about">
): AnyTool => {
  const decode = Schema.decodeUnknownResult(def.params, DECODE_OPTIONS)
  const fanout = clusterScoped && def.annotations.readOnlyHint
  let inputSchema: ObjectSchema | undefined
  let outputSchema: ObjectSchema | undefined
  return {
    ...(def.defaultContexts !== undefined ? { defaultContexts: def.defaultContexts } : {}),
    name: def.name,
    description: def.description,
    annotations: def.annotations,
    clusterScoped,
    fanout,
    // made on first use: the start-up answers initialize before any listing needs them (#17)
    get inputSchema() {
      return inputSchema ??= toInputSchema(def.params, clusterScoped ? { context: CONTEXT, ...(fanout ? { contexts: CONTEXTS } : {}) } : {})
    },
    get outputSchema() {
      return outputSchema ??= outputSchemaOf(def.output, fanout)
    },
    prepare: (args) => Result.map(decode(args), (input) => ({ ...bind(input), about: def.about !== undefined ? def.about(input) : aboutOf(input, def.subject) }))
  }
}

export const localTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool => makeTool(def, false, (input) => ({ run: () => def.run(input) }))

/** Runs `f` with the Kube of `context` (undefined: the default) provided, holding the handle until it ends. */
export const onContext = <A, E, R>(
  context: string | undefined,
  f: (kube: KubeApi) => Effect.Effect<A, E, R | Kube>
): Effect.Effect<A, E | UnknownContext | KubeError, Exclude<R, Kube> | ClusterRegistry> =>
  Effect.gen(function*() {
    const kube = yield* (yield* ClusterRegistry).resolve(context)
    return yield* f(kube).pipe(Effect.provideService(Kube, kube))
  }).pipe(Effect.scoped)

/**
 * A tool that runs against one context: the runner resolves `context` to that context's Kube and provides it,
 * so the handler and every kube/ operation it calls act on the right cluster.
 */
export const clusterTool = <A, I>(
  def: Definition<A, I> & {
    readonly run: (input: A, kube: KubeApi) => Effect.Effect<Reply, ToolError, ToolEnv | Kube>
    /** A read tool made for many contexts: a call that names no context runs against these (e.g. ["*"]). */
    readonly defaultContexts?: ReadonlyArray<string>
  }
): AnyTool =>
  makeTool(def, true, (input) => ({
    run: (context, onContext, progress) =>
      Effect.gen(function*() {
        const kube = yield* (yield* ClusterRegistry).resolve(context)
        yield* onContext(kube)
        return yield* def.run(input, kube).pipe(
          Effect.provideService(Kube, kube),
          Effect.provideService(CallProgress, progress ?? CallProgress.defaultValue())
        )
      }).pipe(Effect.scoped)
  }))

/** What a fleet tool's handler works with: the fan-out rules of fanout.ts, with each context's Kube provided. */
export interface Fleet {
  /** Runs `f` once per context, concurrently within the fan-out bounds; progress per finished context. */
  readonly each: <A>(
    contexts: ReadonlyArray<string>,
    f: (kube: KubeApi) => Effect.Effect<A, ToolError, ToolEnv | Kube>
  ) => Effect.Effect<Array<Outcome<A>>, never, ToolEnv>
  /** Runs `f` on one context; `write` refuses a context that is read-only. */
  readonly on: <A>(
    context: string,
    f: (kube: KubeApi) => Effect.Effect<A, ToolError, ToolEnv | Kube>,
    options?: { readonly write?: boolean }
  ) => Effect.Effect<A, ToolError, ToolEnv>
}

/**
 * A tool that works on several contexts together (resources_compare, resources_copy): its own parameters say
 * which (`contexts` from fanout.ts, or from/to), and its handler gets a Fleet to reach them.
 */
export const fleetTool = <A, I>(
  def: Definition<A, I> & { readonly run: (input: A, fleet: Fleet) => Effect.Effect<Reply, ToolError, ToolEnv> }
): AnyTool =>
  makeTool(def, false, (input) => ({
    run: (_context, _onContext, progress) => {
      const on: Fleet["on"] = (context, f, options) =>
        onContext(context, (kube) => options?.write === true && kube.settings.readOnly ? Effect.fail(readOnlyError(def.name, kube.info.name)) : f(kube))
      const each: Fleet["each"] = (contexts, f) =>
        eachContext(contexts, (context) => on(context, f), progress === undefined ? {} : { onDone: (done, total, c) => progress(done, total, `${c} done`) })
      return def.run(input, { each, on })
    }
  }))
