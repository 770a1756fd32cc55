/**
 * How one configuration key is declared: `key(schema, { default, doc, flag? })` returns the struct field of
 * config.toml (optional in the file, its default filled in by decoding) and records the rest as a key
 * annotation. Everything else about keys (the KEYS list, env names, CLI flags, --help, the docs tables) is
 * read back from the annotated schema by `keysOf`.
 */
import { Effect, Formatter, Schema, SchemaAST } from "effect"

/** How a value is spelled in the docs, in an environment variable and on the command line. */
export type ValueKind = "string" | "number" | "boolean" | "list" | "duration"

export interface FlagSpec {
  /** The long flag, without "--". */
  readonly name: string
  /** Placeholder of the flag's value in --help (not for booleans); "value" when absent. */
  readonly arg?: string
  /** Its --help text, after the alternatives of a literal-valued key (which are derived). */
  readonly help?: string
}

/** What the key annotation of a config field holds. */
export interface KeyMeta {
  /** The default as written in config.toml (the schema's Encoded side). */
  readonly default: unknown
  /** Markdown: the "what it does" cell of the docs table. */
  readonly doc: string
  readonly kind: ValueKind
  /** The allowed values of a literal-valued key (or of the items of a list), else empty. */
  readonly choices: ReadonlyArray<string>
  readonly flag?: FlagSpec
}

declare module "effect/Schema" {
  namespace Annotations {
    interface Annotations {
      /** kube-mcp: a configuration key (on the key annotations of a config struct field). */
      readonly "kube-mcp/key"?: KeyMeta | undefined
      /** kube-mcp: the ValueKind of a schema whose AST alone does not tell it (durations). */
      readonly "kube-mcp/kind"?: ValueKind | undefined
    }
  }
}

const literalsOf = (ast: SchemaAST.AST): ReadonlyArray<SchemaAST.Literal> =>
  SchemaAST.isLiteral(ast) ? [ast] : SchemaAST.isUnion(ast) ? ast.types.flatMap(literalsOf) : []

const isLiteralUnion = (ast: SchemaAST.AST): boolean =>
  (SchemaAST.isLiteral(ast) || SchemaAST.isUnion(ast)) && literalsOf(ast).length > 0 &&
  (!SchemaAST.isUnion(ast) || ast.types.every(isLiteralUnion))

const kindOf = (ast: SchemaAST.AST): ValueKind => {
  const annotated = SchemaAST.resolve(ast)?.["kube-mcp/kind"]
  if (annotated !== undefined) return annotated
  if (SchemaAST.isArrays(ast)) return "list"
  if (SchemaAST.isBoolean(ast)) return "boolean"
  if (SchemaAST.isNumber(ast)) return "number"
  if (SchemaAST.isString(ast) || (isLiteralUnion(ast) && literalsOf(ast).every((l) => typeof l.literal === "string"))) return "string"
  throw new Error(`config key: no value kind for a ${ast._tag} schema; annotate it with "kube-mcp/kind"`)
}

const choicesOf = (ast: SchemaAST.AST): ReadonlyArray<string> => {
  const of = SchemaAST.isArrays(ast) && ast.rest[0] !== undefined ? ast.rest[0] : ast
  return isLiteralUnion(of) ? literalsOf(of).map((l) => String(l.literal)) : []
}

/** A key of config.toml: optional in the file, `default` when absent, documented by `doc`. */
export const key = <S extends Schema.Codec<unknown, unknown>>(
  schema: S,
  spec: { readonly default: S["Encoded"]; readonly doc: string; readonly flag?: FlagSpec }
) => {
  const meta: KeyMeta = { ...spec, kind: kindOf(schema.ast), choices: choicesOf(schema.ast) }
  return schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(spec.default))).annotateKey({ "kube-mcp/key": meta })
}

/** The same key as a per-context override (`[contexts."name"]`): optional, no default (absent = the global value). */
export const contextOverride = <S extends Schema.Codec<unknown, unknown>>(global: Schema.withDecodingDefaultKey<S>) =>
  Schema.optionalKey(global.to).annotateKey({ "kube-mcp/key": global.ast.context?.annotations?.["kube-mcp/key"] })

export interface KeyEntry {
  readonly path: ReadonlyArray<string>
  readonly meta: KeyMeta
}

/** Every key of a (nested) struct schema, in declaration order. */
export const keysOf = (ast: SchemaAST.AST, prefix: ReadonlyArray<string> = []): ReadonlyArray<KeyEntry> =>
  SchemaAST.isObjects(ast)
    ? ast.propertySignatures.flatMap((ps) => {
      const path = [...prefix, String(ps.name)]
      const meta = ps.type.context?.annotations?.["kube-mcp/key"]
      return meta !== undefined ? [{ path, meta }] : keysOf(ps.type, path)
    })
    : []

/** A default as it is written in config.toml. */
export const toToml = (value: unknown): string =>
  Array.isArray(value) ? `[${value.map(toToml).join(", ")}]` : typeof value === "string" ? JSON.stringify(value) : Formatter.format(value)

/** The flag's line in --help (without its indentation). */
export const usageLine = (meta: KeyMeta, flag: FlagSpec): string => {
  const spelled = meta.kind === "boolean" ? `--${flag.name}` : `--${flag.name} <${flag.arg ?? "value"}>`
  const help = [meta.choices.join(" | "), flag.help ?? ""].filter((s) => s !== "").join(" ")
  return option(spelled, help)
}

/** One option line of --help: the flag spelling padded to a column, then its help. */
export const option = (spelled: string, help: string): string => `${spelled.padEnd(24)} ${help}`
