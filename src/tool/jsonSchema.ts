/**
 * The one place Effect Schemas become the JSON Schemas hosts see. Hosts are strict in different ways
 * (Anthropic rejects anyOf/oneOf/allOf at the root of input_schema; Ajv strict rejects unknown formats and
 * duplicate `$id`s; Gemini ignores titles and older APIs reject `$ref`), so the output is plain: no `$id`,
 * `$ref`, `$defs`, `$schema`, `title` or `format`; constraints as keywords, and also said in words in the
 * description, because a model reads descriptions, not keywords. `ruleOf` gives the same words to errors.
 */
import { Schema, SchemaAST } from "effect"

export type Json = Record<string, unknown>

export type ObjectSchema = { [key: string]: unknown; type: "object" }

export const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined)

const DROPPED = new Set(["$id", "$ref", "$defs", "$schema", "title", "format", "definitions"])

/** Recursively removes what some host rejects; `required: []` is dropped too (it says nothing). */
const clean = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(clean)
  if (!isJson(v)) return v
  const out: Json = {}
  for (const [k, val] of Object.entries(v)) {
    if (DROPPED.has(k)) continue
    // a Struct with a rest Record says "and any other field" as allOf [{type: object, additionalProperties}]
    const rest = k === "allOf" && Array.isArray(val) && val.length === 1 ? val[0] : undefined
    if (isJson(rest) && rest["type"] === "object" && Object.keys(rest).every((r) => r === "type" || r === "additionalProperties")) {
      out["additionalProperties"] = clean(rest["additionalProperties"] ?? {})
      continue
    }
    if (k === "required" && Array.isArray(val) && val.length === 0) continue
    // property names are data, not keywords: clean the schemas under them, keep the names
    out[k] = k === "properties" && isJson(val)
      ? Object.fromEntries(Object.entries(val).map(([name, s]) => [name, clean(s)]))
      : clean(val)
  }
  return out
}

const range = (lo: number | undefined, hi: number | undefined): string =>
  lo !== undefined && hi !== undefined ? `from ${lo} to ${hi}` : lo !== undefined ? `of at least ${lo}` : hi !== undefined ? `of at most ${hi}` : ""

const lengths = (lo: number | undefined, hi: number | undefined, unit: string): string => {
  const n = (count: number) => `${count} ${count === 1 ? unit : `${unit}s`}`
  return lo !== undefined && hi !== undefined
    ? lo === hi ? `of exactly ${n(lo)}` : `of ${lo} to ${n(hi)}`
    : lo !== undefined
    ? `of at least ${n(lo)}`
    : hi !== undefined
    ? `of at most ${n(hi)}`
    : ""
}

const words = (...parts: ReadonlyArray<string>): string => parts.filter((p) => p !== "").join(" ")

/** The rule a JSON Schema states, in words: "an integer from 1 to 5000", "a string of at most 63 characters". */
export const ruleOf = (js: Json, opts: { readonly pattern?: boolean } = {}): string => {
  const anyOf = js["anyOf"]
  if (Array.isArray(anyOf)) return anyOf.filter(isJson).map((s) => ruleOf(s, opts)).join(", or ")
  const enumValues = js["enum"]
  if (Array.isArray(enumValues) && enumValues.length === 1) return `exactly ${JSON.stringify(enumValues[0])}`
  if (Array.isArray(enumValues)) return `one of ${enumValues.map((v) => JSON.stringify(v)).join(", ")}`
  if (js["const"] !== undefined) return `exactly ${JSON.stringify(js["const"])}`
  switch (js["type"]) {
    case "integer":
    case "number":
      return words(js["type"] === "integer" ? "an integer" : "a number", range(num(js["minimum"]), num(js["maximum"])))
    case "boolean":
      return "true or false"
    case "string": {
      const pattern = typeof js["pattern"] === "string" && opts.pattern === true ? `matching /${js["pattern"]}/` : ""
      return words("a string", lengths(num(js["minLength"]), num(js["maxLength"]), "character"), pattern)
    }
    case "array": {
      const items = isJson(js["items"]) ? ruleOf(js["items"], opts) : ""
      return words("a list", lengths(num(js["minItems"]), num(js["maxItems"]), "item"), items !== "" ? `(each ${items})` : "")
    }
    case "object":
      return "an object"
    default:
      return "any JSON value"
  }
}

/** Rules worth saying in a description: bounds and lengths (enums, types and patterns are plain in the schema). */
const statesBounds = (js: Json): boolean =>
  ["minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"].some((k) => k in js) ||
  (Array.isArray(js["anyOf"]) && js["anyOf"].some((s) => isJson(s) && statesBounds(s)))

const withRule = (js: Json): Json => {
  if (!statesBounds(js)) return js
  const description = typeof js["description"] === "string" ? js["description"] : ""
  return { ...js, description: `${description}${description !== "" ? ". " : ""}Must be ${ruleOf(js)}.` }
}

const isEmptyStruct = (ast: SchemaAST.AST): boolean =>
  SchemaAST.isObjects(ast) && ast.propertySignatures.length === 0 && ast.indexSignatures.length === 0

/** A value schema (output shapes, nested parameters) as portable JSON Schema. */
export const toJsonSchema = (schema: Schema.Top): Json => {
  // Effect renders an empty Struct as "any non-null value"; as a tool's schema it means "no fields"
  if (isEmptyStruct(schema.ast)) return { type: "object", properties: {}, additionalProperties: false }
  // unknown fields are refused by the decoder, so the schema says so; every definition is inlined (no $ref)
  const doc = Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error", referencePolicy: () => undefined })
  const js = clean(doc.schema)
  return isJson(js) ? js : {}
}

/** A tool's parameters: root `type: "object"` with `properties`, each property's bounds said in words. */
export const toInputSchema = (params: Schema.Top, extra: Readonly<Record<string, Json>> = {}): ObjectSchema => {
  const js = toJsonSchema(params)
  const properties = isJson(js["properties"]) ? js["properties"] : {}
  const all: Json = {}
  for (const [name, s] of Object.entries({ ...properties, ...extra })) all[name] = isJson(s) ? withRule(s) : s
  return { ...js, type: "object", properties: all }
}
