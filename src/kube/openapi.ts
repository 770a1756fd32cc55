/**
 * The documentation of a kind's fields, from the cluster's OpenAPI v3 (what `kubectl explain` reads): the
 * index (/openapi/v3) names each group-version's document by a content hash, the document's
 * components.schemas hold the kinds (x-kubernetes-group-version-kind) and the types they $ref. CRDs are
 * served the same way, from their structural schema.
 *
 * Per context, the index is kept for a minute (and re-read when a group-version or kind is missing from it)
 * and each document is kept by its hash-carrying URL, so a changed CRD is a new key, never a stale answer.
 * Both caches go with the Kube handle (cluster/handle.ts), like discovery. Only the schemas are decoded
 * (Effect Schema, recursive through Schema.suspend); the field walk below is pure, for unit tests.
 *
 * OpenAPI documents are non-resource URLs every authenticated user may read (system:discovery), so they
 * need no resource RBAC pre-check.
 */
import { Cache, Duration, Effect, Exit, Result, Schema } from "effect"
import { type KubeError, NotFound } from "../errors.js"
import { decodeAnswer } from "./call.js"
import { apiVersionOf, type GroupVersion, normalizeGroup, resolveKind, type ResourceInfo } from "./discovery.js"
import { Kube, type KubeApi } from "./Kube.js"

// ---- the pieces of OpenAPI read ----

export interface OpenApiSchema {
  readonly description?: string
  readonly type?: string
  readonly format?: string
  readonly required?: ReadonlyArray<string>
  readonly properties?: { readonly [name: string]: OpenApiSchema }
  readonly items?: OpenApiSchema
  readonly additionalProperties?: OpenApiSchema | boolean
  readonly allOf?: ReadonlyArray<OpenApiSchema>
  readonly oneOf?: ReadonlyArray<OpenApiSchema>
  readonly anyOf?: ReadonlyArray<OpenApiSchema>
  readonly $ref?: string
  readonly enum?: ReadonlyArray<unknown>
  readonly "x-kubernetes-group-version-kind"?: ReadonlyArray<{ readonly group: string; readonly version: string; readonly kind: string }>
  readonly "x-kubernetes-int-or-string"?: boolean
  readonly "x-kubernetes-preserve-unknown-fields"?: boolean
}

const Sub = Schema.suspend((): Schema.Codec<OpenApiSchema> => OpenApiSchema)

export const OpenApiSchema = Schema.Struct({
  description: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.String),
  format: Schema.optionalKey(Schema.String),
  required: Schema.optionalKey(Schema.Array(Schema.String)),
  properties: Schema.optionalKey(Schema.Record(Schema.String, Sub)),
  items: Schema.optionalKey(Sub),
  additionalProperties: Schema.optionalKey(Schema.Union([Schema.Boolean, Sub])),
  allOf: Schema.optionalKey(Schema.Array(Sub)),
  oneOf: Schema.optionalKey(Schema.Array(Sub)),
  anyOf: Schema.optionalKey(Schema.Array(Sub)),
  $ref: Schema.optionalKey(Schema.String),
  enum: Schema.optionalKey(Schema.Array(Schema.Unknown)),
  "x-kubernetes-group-version-kind": Schema.optionalKey(
    Schema.Array(Schema.Struct({ group: Schema.String, version: Schema.String, kind: Schema.String }))
  ),
  "x-kubernetes-int-or-string": Schema.optionalKey(Schema.Boolean),
  "x-kubernetes-preserve-unknown-fields": Schema.optionalKey(Schema.Boolean)
})

/** components.schemas of one group-version's document, by name (io.k8s.api.apps.v1.Deployment). */
export type OpenApiSchemas = Readonly<Record<string, OpenApiSchema>>

const OpenApiDocument = Schema.Struct({
  components: Schema.optionalKey(Schema.Struct({ schemas: Schema.optionalKey(Schema.Record(Schema.String, OpenApiSchema)) }))
})
const OpenApiIndex = Schema.Struct({ paths: Schema.Record(Schema.String, Schema.Struct({ serverRelativeURL: Schema.String })) })
type OpenApiIndex = typeof OpenApiIndex.Type

// ---- the per-context caches (built by the Kube handle) ----

const INDEX_PATH = "/openapi/v3"
/** How long the index is trusted before it is read again (a CRD changed meanwhile gets a new hash). */
const INDEX_TTL = Duration.minutes(1)
/** Documents kept per context; each is a group-version's schemas (core/v1 is the largest, a few MB of JSON). */
const DOCUMENT_CAPACITY = 24

/** The index key of a group-version: "api/v1", "apis/apps/v1". */
const indexKey = (gv: GroupVersion): string => (gv.group === "" ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`)

/** What the OpenAPI caches need of a context (the Kube handle fills them with it). */
export type OpenApiClient = Pick<KubeApi, "info" | "json">

/**
 * The context's OpenAPI v3 reader: the schemas of one group-version's document; `refresh` re-reads the index
 * first. Errors are never kept.
 */
export const makeOpenApiCache = (api: OpenApiClient) =>
  Effect.gen(function*() {
    const context = api.info.name
    const keepSuccess = <A, E>(ttl: Duration.Duration) => (exit: Exit.Exit<A, E>) => (Exit.isFailure(exit) ? Duration.zero : ttl)
    const index = yield* Cache.makeWith(
      (_: "index") => api.json({ path: INDEX_PATH }).pipe(Effect.flatMap(decodeAnswer(OpenApiIndex, context, INDEX_PATH))),
      { capacity: 1, timeToLive: keepSuccess(INDEX_TTL) }
    )
    const documents = yield* Cache.makeWith((url: string) => {
      // the URL comes from the index: "/openapi/v3/apis/apps/v1?hash=…"
      const parsed = new URL(url, "http://server.invalid")
      const path = parsed.pathname
      return api.json({ path, query: Object.fromEntries(parsed.searchParams) }).pipe(
        Effect.flatMap(decodeAnswer(OpenApiDocument, context, path)),
        Effect.map((doc): OpenApiSchemas => doc.components?.schemas ?? {})
      )
    }, { capacity: DOCUMENT_CAPACITY, timeToLive: keepSuccess(Duration.infinity) })

    const urlOf = (idx: OpenApiIndex, gv: GroupVersion): string | undefined => {
      const url = idx.paths[indexKey(gv)]?.serverRelativeURL
      return url !== undefined && url.startsWith(`${INDEX_PATH}/`) ? url : undefined
    }

    return (gv: GroupVersion, options?: { readonly refresh?: boolean }): Effect.Effect<OpenApiSchemas, KubeError> =>
      Effect.gen(function*() {
        if (options?.refresh === true) yield* Cache.invalidate(index, "index")
        let url = urlOf(yield* Cache.get(index, "index"), gv)
        if (url === undefined && options?.refresh !== true) {
          yield* Cache.invalidate(index, "index")
          url = urlOf(yield* Cache.get(index, "index"), gv)
        }
        if (url === undefined) {
          return yield* new NotFound({
            context,
            message: `Context "${context}" publishes no OpenAPI v3 document for ${apiVersionOf(gv)}`,
            details: "The API server lists the documents it has at /openapi/v3; an aggregated API may publish none."
          })
        }
        return yield* Cache.get(documents, url)
      })
  })

// ---- the walk (pure) ----

/** One field of a level: its path below the level explained ("claims.name" in a recursive tree). */
export interface FieldLine {
  readonly name: string
  readonly depth: number
  readonly type: string
  readonly required: boolean
  /** The first sentence of its description (not in recursive trees). */
  readonly description?: string
}

export interface Explanation {
  /** The path explained, normalised ("spec.template.spec.containers.resources"); "" for the kind itself. */
  readonly path: string
  readonly type: string
  readonly description: string
  readonly enum?: ReadonlyArray<string>
  readonly fields: ReadonlyArray<FieldLine>
  /** Set when a recursive tree was cut (depth or field count). */
  readonly cut?: string
}

/** Why a path does not resolve: the last level that exists, and what it has. */
export interface PathMiss {
  /** The valid prefix ("" for the kind). */
  readonly at: string
  readonly missing: string
  /** The fields at `at` (empty when `at` is not an object). */
  readonly fields: ReadonlyArray<string>
  /** The type at `at`. */
  readonly type: string
}

export interface WalkOptions {
  readonly recursive?: boolean
  /** Levels below the one explained, in a recursive tree. */
  readonly maxDepth?: number
  /** Lines of a recursive tree. */
  readonly maxFields?: number
}

export const RECURSIVE_DEPTH = 8
export const RECURSIVE_FIELDS = 400
const ONE_LINE = 160
const MAX_DESCRIPTION = 4000

const refName = (ref: string): string => ref.slice(ref.lastIndexOf("/") + 1)
const shortName = (ref: string): string => {
  const name = refName(ref)
  return name.slice(name.lastIndexOf(".") + 1)
}

/** The one $ref a node stands for: itself, or the single-entry allOf Kubernetes wraps refs in. */
const refOf = (s: OpenApiSchema): string | undefined =>
  s.$ref ?? (s.allOf !== undefined && s.allOf.length === 1 ? s.allOf[0]?.$ref : undefined)

/** A node with its $ref and allOf merged in; the outer node's own keys (its description) win. */
const flatten = (schemas: OpenApiSchemas, s: OpenApiSchema, guard = 0): OpenApiSchema => {
  if (guard > 32) return s
  const parts: Array<OpenApiSchema> = []
  if (s.$ref !== undefined) {
    const target = schemas[refName(s.$ref)]
    if (target !== undefined) parts.push(flatten(schemas, target, guard + 1))
  }
  for (const part of s.allOf ?? []) parts.push(flatten(schemas, part, guard + 1))
  if (parts.length === 0) return s
  const { $ref: _ref, allOf: _allOf, ...own } = s
  return parts.reduce<OpenApiSchema>((acc, p) => {
    const properties = p.properties !== undefined || acc.properties !== undefined ? { ...p.properties, ...acc.properties } : undefined
    const required = [...new Set([...(acc.required ?? []), ...(p.required ?? [])])]
    return {
      ...p,
      ...acc,
      ...(properties !== undefined ? { properties } : {}),
      ...(required.length > 0 ? { required } : {})
    }
  }, own)
}

/** kubectl explain's type names: string, []Container, map[string]Quantity, IntOrString, Object. */
export const typeName = (schemas: OpenApiSchemas, s: OpenApiSchema, guard = 0): string => {
  const ref = refOf(s)
  if (ref !== undefined && guard < 32) {
    const target = schemas[refName(ref)]
    // a ref to a plain string or number (Time, MicroTime) reads as that type; objects and unions by their name
    if (target !== undefined && target.type !== undefined && target.type !== "object" && target.properties === undefined) {
      return typeName(schemas, target, guard + 1)
    }
    return shortName(ref)
  }
  if (s["x-kubernetes-int-or-string"] === true) return "IntOrString"
  if (s.type === "array") return `[]${s.items !== undefined ? typeName(schemas, s.items, guard + 1) : "Object"}`
  if (s.type === "object" || s.type === undefined) {
    const ap = s.additionalProperties
    if (ap !== undefined && typeof ap !== "boolean" && s.properties === undefined) return `map[string]${typeName(schemas, ap, guard + 1)}`
    return "Object"
  }
  return s.type
}

/** The node whose properties are a field's fields: arrays are stepped through to their items. */
const fieldsNode = (schemas: OpenApiSchemas, s: OpenApiSchema): OpenApiSchema => {
  let node = flatten(schemas, s)
  for (let i = 0; i < 8 && node.items !== undefined && node.properties === undefined; i++) node = flatten(schemas, node.items)
  return node
}

/** The first sentence of the first paragraph, cut to one line. */
export const oneLine = (description: string | undefined): string => {
  const first = (description ?? "").trim().split(/\n\s*\n/u)[0] ?? ""
  const flat = first.replace(/\s+/gu, " ")
  const sentence = /^(.+?[.!?])(\s|$)/u.exec(flat)?.[1] ?? flat
  return sentence.length > ONE_LINE ? `${sentence.slice(0, ONE_LINE - 1)}…` : sentence
}

/** A path as people write it: "spec.containers[].ports", "containers[0].image" → segments. */
export const parseFieldPath = (path: string): Array<string> =>
  path.split(".").map((p) => p.trim().replace(/\[[^\]]*\]$/u, "")).filter((p) => p !== "")

const propertiesOf = (node: OpenApiSchema): Array<[string, OpenApiSchema]> =>
  Object.entries(node.properties ?? {}).sort(([a], [b]) => a.localeCompare(b))

/**
 * Walks `path` from the kind's schema and documents where it lands: type, description, and the direct fields
 * (or, with `recursive`, the tree below, bounded in depth and lines; a $ref already being expanded is not
 * expanded again).
 */
export const explainSchema = (
  schemas: OpenApiSchemas,
  root: OpenApiSchema,
  path: ReadonlyArray<string>,
  options: WalkOptions = {}
): Result.Result<Explanation, PathMiss> => {
  let current = root
  let at: Array<string> = []
  for (const segment of path) {
    const node = fieldsNode(schemas, current)
    const next = node.properties?.[segment]
    if (next === undefined) {
      return Result.fail({
        at: at.join("."),
        missing: segment,
        fields: propertiesOf(node).map(([name]) => name),
        type: typeName(schemas, current)
      })
    }
    current = next
    at = [...at, segment]
  }
  const here = flatten(schemas, current)
  const description = (here.description ?? "").trim()
  const enumValues = (here.enum ?? fieldsNode(schemas, current).enum)?.map((v) => (typeof v === "string" ? v : JSON.stringify(v)))

  const maxDepth = options.maxDepth ?? RECURSIVE_DEPTH
  const maxFields = options.maxFields ?? RECURSIVE_FIELDS
  const fields: Array<FieldLine> = []
  let cut: string | undefined
  const visit = (s: OpenApiSchema, prefix: string, depth: number, expanding: ReadonlySet<string>): void => {
    const node = fieldsNode(schemas, s)
    const required = new Set(node.required ?? [])
    for (const [name, child] of propertiesOf(node)) {
      if (fields.length >= maxFields) {
        cut = `cut at ${maxFields} fields; explain a deeper path for the rest`
        return
      }
      fields.push({
        name: `${prefix}${name}`,
        depth,
        type: typeName(schemas, child),
        required: required.has(name),
        ...(options.recursive === true ? {} : { description: oneLine(flatten(schemas, child).description) })
      })
      if (options.recursive !== true) continue
      const ref = refOf(child) ?? (child.items !== undefined ? refOf(child.items) : undefined)
      if (ref !== undefined && expanding.has(ref)) continue
      if (fieldsNode(schemas, child).properties === undefined) continue
      if (depth + 1 >= maxDepth) {
        cut ??= `cut below ${maxDepth} levels; explain a deeper path for the rest`
        continue
      }
      visit(child, `${prefix}${name}.`, depth + 1, ref !== undefined ? new Set([...expanding, ref]) : expanding)
    }
  }
  const ownRef = refOf(current)
  visit(current, "", 0, new Set(ownRef !== undefined ? [ownRef] : []))

  return Result.succeed({
    path: at.join("."),
    type: typeName(schemas, current),
    description: description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description,
    ...(enumValues !== undefined && enumValues.length > 0 ? { enum: enumValues } : {}),
    fields,
    ...(cut !== undefined ? { cut } : {})
  })
}

/** The schema of a kind in a group-version's document, by x-kubernetes-group-version-kind. */
export const kindSchema = (schemas: OpenApiSchemas, info: Pick<ResourceInfo, "group" | "version" | "kind">): OpenApiSchema | undefined =>
  Object.values(schemas).find((s) =>
    (s["x-kubernetes-group-version-kind"] ?? []).some((g) =>
      normalizeGroup(g.group) === info.group && g.version === info.version && g.kind === info.kind
    )
  )

// ---- on a context ----

export interface KindExplanation extends Explanation {
  readonly info: ResourceInfo
}

/**
 * The documentation of `field` (a dotted path; "" for the kind) of a kind on the current context, CRDs
 * included. A leading kind name ("deployment.spec") is accepted as kubectl does. A path that does not exist
 * is NotFound, listing the fields of the last level that does.
 */
export const explainField = (
  gvk: GroupVersion & { readonly kind: string },
  field: string,
  options: WalkOptions = {}
): Effect.Effect<KindExplanation, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const context = kube.info.name
    const info = yield* resolveKind(gvk)
    let schemas = yield* kube.openApi(info)
    let root = kindSchema(schemas, info)
    if (root === undefined) {
      // a kind created (or changed) since the index was read: read the index again
      schemas = yield* kube.openApi(info, { refresh: true })
      root = kindSchema(schemas, info)
    }
    if (root === undefined) {
      return yield* new NotFound({
        context,
        message: `Context "${context}" publishes no OpenAPI schema for ${info.kind} (${info.apiVersion})`,
        details: "A CRD without a structural schema (or one just created) has none; try again in a moment."
      })
    }
    let segments = parseFieldPath(field)
    const first = segments[0]
    const aliases = [info.kind.toLowerCase(), info.resource, info.singular, ...info.shortNames]
    if (first !== undefined && aliases.includes(first.toLowerCase()) && fieldsNode(schemas, root).properties?.[first] === undefined) {
      segments = segments.slice(1)
    }
    const result = explainSchema(schemas, root, segments, options)
    if (Result.isFailure(result)) {
      const miss = result.failure
      const level = miss.at === "" ? info.kind : miss.at
      const wanted = [...(miss.at === "" ? [] : [miss.at]), miss.missing].join(".")
      return yield* new NotFound({
        context,
        message: `${info.kind} (${info.apiVersion}) has no field "${wanted}": ${level} has no field "${miss.missing}"`,
        details: miss.fields.length > 0
          ? `Fields of ${level} <${miss.type}>: ${miss.fields.join(", ")}.`
          : `${level} is <${miss.type}>, which has no fields.`
      })
    }
    return { ...result.success, info }
  })
