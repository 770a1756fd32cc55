/**
 * Projection of list results, as `kubectl get -o custom-columns=NAME:.metadata.name,...` does it: the spec
 * is parsed once into a typed ColumnSpec (or refused with the rule and the bad part quoted), then each object
 * becomes one row of cells. Several matches in a cell are joined with ",", no match is "<none>", headers are
 * kept as given (kubectl prints them verbatim).
 *
 * The JSONPath evaluator is our own, not an npm library: kubectl's subset is small (fields, ['quoted'] keys,
 * indexes and slices, [*] and .*, ..recursive descent, [?(@.x op literal)] filters) and its semantics differ
 * from the JSONPath libraries' (a missing key is not an error, a filter compares one value with a literal,
 * `[0]` on a map yields nothing); the libraries on npm (jsonpath-plus, jsonpath) evaluate filters as
 * JavaScript, which we will not do with text a model sends, and accept malformed paths silently, where we must
 * refuse them with the rule. Where this evaluator is more lenient than kubectl it says so below.
 */
import { Effect, Result } from "effect"
import { InvalidInput } from "../errors.js"
import { isRecord } from "../output/sanitize.js"

/** The longest spec accepted (also the parameter's bound). */
export const MAX_SPEC_LENGTH = 2000
export const MAX_COLUMNS = 32

export type Comparison = "==" | "!=" | "<" | "<=" | ">" | ">="

export type Operand =
  | { readonly _tag: "Literal"; readonly value: string | number | boolean }
  | { readonly _tag: "Path"; readonly path: Path }

export type Step =
  /** `.name`, `['name']`: the key of a map (nothing on anything else). */
  | { readonly _tag: "Field"; readonly name: string }
  /** `[*]`, `.*`: every element of a list, every value of a map (kubectl: `[*]` on a map is an error). */
  | { readonly _tag: "All" }
  /** `..`: the value and every map or list under it; the next step applies to each. */
  | { readonly _tag: "Recursive" }
  /** `[i]`, `[-1]`, `[i:j]`, `[i:j:k]`: elements of a list; out of range gives nothing (kubectl: an error). */
  | { readonly _tag: "Slice"; readonly start: number | undefined; readonly end: number | undefined; readonly step: number | undefined; readonly single: boolean }
  /** `[0,2]`, `['a','b']`: each branch's results in turn. */
  | { readonly _tag: "Union"; readonly branches: ReadonlyArray<Step> }
  /** `[?(@.name=="app")]`, `[?(@.ready)]`: the list elements for which the comparison holds (or the path exists). */
  | { readonly _tag: "Filter"; readonly left: Path; readonly op: Comparison | "exists"; readonly right: Operand | undefined }

export type Path = ReadonlyArray<Step>

export interface Column {
  readonly header: string
  /** The column's JSONPath as the caller wrote it. */
  readonly source: string
  readonly path: Path
}

export interface ColumnSpec {
  readonly columns: ReadonlyArray<Column>
}

export const COLUMNS_RULE = "columns is a comma-separated list of HEADER:JSONPATH pairs as kubectl's custom-columns takes them, " +
  "e.g. NAME:.metadata.name,IMAGES:.spec.containers[*].image; a JSONPath is .field, ['key.with.dots'], [0], [-1], [1:3], " +
  "[*], .*, ..field or a filter [?(@.field==\"value\")] (==, !=, <, <=, >, >=, or [?(@.field)] for exists), optionally in {braces}"

class Bad {
  constructor(readonly message: string) {}
}

// ---- parsing ----

/** Splits at commas outside brackets, parentheses, braces and quotes (kubectl splits at every comma). */
const splitTop = (spec: string): Array<string> => {
  const parts: Array<string> = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i]
    if (quote !== undefined) {
      if (c === "\\") i++
      else if (c === quote) quote = undefined
    } else if (c === "'" || c === "\"") quote = c
    else if (c === "[" || c === "(" || c === "{") depth++
    else if (c === "]" || c === ")" || c === "}") depth--
    else if (c === "," && depth === 0) {
      parts.push(spec.slice(start, i))
      start = i + 1
    }
  }
  parts.push(spec.slice(start))
  return parts
}

/** Characters that end a field name (kubectl's terminators, plus quotes and parentheses). */
const TERMINATORS = new Set([" ", ".", ",", "[", "]", "$", "@", "{", "}", "(", ")", "'", "\"", "=", "!", "<", ">"])

class PathParser {
  private pos = 0
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    throw new Bad(`${what} at position ${this.pos + 1} of "${this.text}"`)
  }

  private peek(offset = 0): string | undefined {
    return this.text[this.pos + offset]
  }

  /** The whole path (after `$` or `@`, when `relative` a filter's operand ending at `stop`). */
  steps(stop: (c: string | undefined) => boolean): Array<Step> {
    const steps: Array<Step> = []
    while (!stop(this.peek())) {
      const c = this.peek()
      if (c === ".") {
        if (this.peek(1) === ".") {
          this.pos += 2
          steps.push({ _tag: "Recursive" })
          if (this.peek() === "[") continue
          steps.push(this.field())
        } else {
          this.pos++
          steps.push(this.field())
        }
      } else if (c === "[") {
        steps.push(this.bracket())
      } else {
        this.fail(`unexpected ${JSON.stringify(c)} (a step starts with "." or "[")`)
      }
    }
    return steps
  }

  private field(): Step {
    if (this.peek() === "*") {
      this.pos++
      return { _tag: "All" }
    }
    let name = ""
    for (let c = this.peek(); c !== undefined && !TERMINATORS.has(c); c = this.peek()) {
      if (c === "\\") {
        this.pos++
        const next = this.peek()
        if (next === undefined) this.fail("a \"\\\" escapes nothing")
        name += next
      } else name += c
      this.pos++
    }
    if (name === "") this.fail("a field name is missing after \".\"")
    return { _tag: "Field", name }
  }

  /** The text up to the `]` closing the bracket opened at `pos` (quotes and parentheses respected). */
  private bracketBody(): string {
    const open = this.pos
    let depth = 0
    let quote: string | undefined
    for (let i = open + 1; i < this.text.length; i++) {
      const c = this.text[i]
      if (quote !== undefined) {
        if (c === "\\") i++
        else if (c === quote) quote = undefined
      } else if (c === "'" || c === "\"") quote = c
      else if (c === "(" || c === "[") depth++
      else if ((c === ")" || c === "]") && depth > 0) depth--
      else if (c === "]") {
        this.pos = i + 1
        return this.text.slice(open + 1, i)
      }
    }
    return this.fail("a \"[\" is not closed")
  }

  private bracket(): Step {
    const at = this.pos
    const body = this.bracketBody().trim()
    if (body.startsWith("?")) return filterOf(body, this.text, at)
    const parts = splitTop(body).map((p) => p.trim())
    if (parts.length > 1) return { _tag: "Union", branches: parts.map((p) => this.member(p, at)) }
    return this.member(body, at)
  }

  private member(body: string, at: number): Step {
    if (body === "*") return { _tag: "All" }
    const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/u.exec(body)
    if (quoted !== null) return { _tag: "Field", name: (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/gu, "$1") }
    const slice = /^(-?\d*)(?::(-?\d*))?(?::(-?\d*))?$/u.exec(body)
    if (slice === null || body === "") {
      this.pos = at
      return this.fail(`[${body}] is not an index, slice, 'key', * or ?(filter)`)
    }
    const num = (s: string | undefined): number | undefined => (s === undefined || s === "" ? undefined : Number(s))
    const single = !body.includes(":")
    const step = num(slice[3])
    if (step !== undefined && step <= 0) {
      this.pos = at
      return this.fail(`the step of [${body}] must be above 0`)
    }
    return { _tag: "Slice", start: num(slice[1]), end: num(slice[2]), step, single }
  }
}

/** A path relative to `@` (filter operand) or the whole of a column's JSONPath. */
const relativePath = (text: string, whole: string): Path => {
  const t = text.trim()
  const rest = t.startsWith("@") || t.startsWith("$") ? t.slice(1) : t
  try {
    return new PathParser(rest).steps((c) => c === undefined)
  } catch (e) {
    if (e instanceof Bad) throw new Bad(`${e.message} (in the filter of "${whole}")`)
    throw e
  }
}

const literalOf = (text: string): Operand | undefined => {
  const t = text.trim()
  const quoted = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/u.exec(t)
  if (quoted !== null) return { _tag: "Literal", value: (quoted[1] ?? quoted[2] ?? "").replace(/\\(.)/gu, "$1") }
  if (/^-?\d+(?:\.\d+)?$/u.test(t)) return { _tag: "Literal", value: Number(t) }
  if (t === "true" || t === "false") return { _tag: "Literal", value: t === "true" }
  return undefined
}

const filterOf = (body: string, whole: string, at: number): Step => {
  const inner = /^\?\s*\((.*)\)$/su.exec(body)
  if (inner === null) throw new Bad(`[${body}] at position ${at + 1} of "${whole}" is not a filter of the form [?(@.field=="value")]`)
  const expr = inner[1] ?? ""
  const cmp = /^([^!<>=]+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/su.exec(expr)
  if (cmp === null) {
    if (/[!<>=]/u.test(expr)) throw new Bad(`the filter [${body}] has an operator other than ==, !=, <, <=, >, >=`)
    return { _tag: "Filter", left: operandPath(expr, body, whole), op: "exists", right: undefined }
  }
  const left = operandPath(cmp[1] ?? "", body, whole)
  const rightText = (cmp[3] ?? "").trim()
  const pathOperand = (): Operand | undefined =>
    rightText.startsWith("@") || rightText.startsWith("$") ? { _tag: "Path", path: relativePath(rightText, whole) } : undefined
  const right = literalOf(rightText) ?? pathOperand()
  if (right === undefined) {
    throw new Bad(`the filter [${body}] compares with ${rightText}, which is not a 'string', a number, true, false or an @ path`)
  }
  const op = cmp[2]
  if (op !== "==" && op !== "!=" && op !== "<" && op !== "<=" && op !== ">" && op !== ">=") throw new Bad(`the filter [${body}] has no operator`)
  return { _tag: "Filter", left, op, right }
}

const operandPath = (text: string, body: string, whole: string): Path => {
  const t = text.trim()
  if (!t.startsWith("@") && !t.startsWith("$")) throw new Bad(`the filter [${body}] must start from @ (the element), e.g. [?(@.name=="app")]`)
  return relativePath(t, whole)
}

/** kubectl's relaxed form: `.a.b`, `a.b`, `{.a.b}` or `{a.b}` (one expression, no nested braces). */
const pathOf = (source: string): Path => {
  const braced = /^\{(.*)\}$/su.exec(source)
  const inner = braced !== null ? braced[1] ?? "" : source
  if (/[{}]/u.test(inner)) throw new Bad(`"${source}" has nested or unbalanced braces; one expression per column, e.g. {.metadata.name}`)
  const body = inner.trim().replace(/^\$/u, "")
  if (body === "") throw new Bad(`"${source}" is an empty JSONPath`)
  const relaxed = body.startsWith(".") || body.startsWith("[") ? body : `.${body}`
  return new PathParser(relaxed).steps((c) => c === undefined)
}

/** The spec as typed columns, or the reason it is not one (the rule and the bad part quoted). */
export const parseColumnSpec = (spec: string): Result.Result<ColumnSpec, string> => {
  try {
    if (spec.trim() === "") throw new Bad("the spec is empty")
    if (spec.length > MAX_SPEC_LENGTH) throw new Bad(`the spec is longer than ${MAX_SPEC_LENGTH} characters`)
    const parts = splitTop(spec)
    if (parts.length > MAX_COLUMNS) throw new Bad(`${parts.length} columns are more than ${MAX_COLUMNS}`)
    const columns = parts.map((part): Column => {
      const colon = part.indexOf(":")
      if (colon < 0) throw new Bad(`"${part}" is not HEADER:JSONPATH`)
      const header = part.slice(0, colon).trim()
      const source = part.slice(colon + 1).trim()
      if (header === "") throw new Bad(`"${part}" has no header before ":"`)
      try {
        return { header, source, path: pathOf(source) }
      } catch (e) {
        if (e instanceof Bad) throw new Bad(`column "${header}": ${e.message}`)
        throw e
      }
    })
    const seen = new Set<string>()
    for (const c of columns) {
      if (seen.has(c.header)) throw new Bad(`the header "${c.header}" is given twice`)
      seen.add(c.header)
    }
    return Result.succeed({ columns })
  } catch (e) {
    if (e instanceof Bad) return Result.fail(`${e.message}. ${COLUMNS_RULE}`)
    throw e
  }
}

/** parseColumnSpec for a tool's `columns` argument: an invalid spec is InvalidInput. */
export const parseColumns = (spec: string): Effect.Effect<ColumnSpec, InvalidInput> => {
  const parsed = parseColumnSpec(spec)
  return Result.isSuccess(parsed)
    ? Effect.succeed(parsed.success)
    : Effect.fail(new InvalidInput({ message: `Invalid columns: ${parsed.failure}`, issues: [{ path: "columns", message: parsed.failure }] }))
}

// ---- evaluation ----

const childrenOf = (v: unknown): ReadonlyArray<unknown> => (Array.isArray(v) ? v : isRecord(v) ? Object.values(v) : [])

/** kubectl's recursive descent: each map or list, then those under it, depth first. */
const descend = (v: unknown, out: Array<unknown>): void => {
  const children = childrenOf(v)
  if (children.length === 0) return
  out.push(v)
  for (const c of children) descend(c, out)
}

const sliceOf = (list: ReadonlyArray<unknown>, s: Extract<Step, { _tag: "Slice" }>): ReadonlyArray<unknown> => {
  const n = list.length
  const norm = (i: number) => (i < 0 ? i + n : i)
  if (s.single) {
    const i = norm(s.start ?? 0)
    return i >= 0 && i < n ? [list[i]] : []
  }
  const start = Math.max(0, norm(s.start ?? 0))
  const end = Math.min(n, norm(s.end ?? n))
  const out: Array<unknown> = []
  for (let i = start; i < end; i += s.step ?? 1) out.push(list[i])
  return out
}

const compare = (a: unknown, op: Comparison, b: unknown): boolean => {
  // kubectl refuses to compare different types; here such a pair simply does not match
  if (typeof a === "number" && typeof b === "number" || typeof a === "string" && typeof b === "string") {
    switch (op) {
      case "==":
        return a === b
      case "!=":
        return a !== b
      case "<":
        return a < b
      case "<=":
        return a <= b
      case ">":
        return a > b
      case ">=":
        return a >= b
    }
  }
  if (typeof a === "boolean" && typeof b === "boolean") return op === "==" ? a === b : op === "!=" ? a !== b : false
  return false
}

const matches = (element: unknown, f: Extract<Step, { _tag: "Filter" }>): boolean => {
  const lefts = evaluate(f.left, element)
  if (f.op === "exists" || f.right === undefined) return lefts.length > 0
  if (lefts.length !== 1) return false
  const rights = f.right._tag === "Literal" ? [f.right.value] : evaluate(f.right.path, element)
  return rights.length === 1 && compare(lefts[0], f.op, rights[0])
}

const apply = (step: Step, values: ReadonlyArray<unknown>): Array<unknown> => {
  const out: Array<unknown> = []
  for (const v of values) {
    switch (step._tag) {
      case "Field":
        if (isRecord(v) && Object.hasOwn(v, step.name) && v[step.name] !== null && v[step.name] !== undefined) out.push(v[step.name])
        break
      case "All":
        out.push(...childrenOf(v))
        break
      case "Recursive":
        descend(v, out)
        break
      case "Slice":
        if (Array.isArray(v)) out.push(...sliceOf(v, step))
        break
      case "Union":
        for (const b of step.branches) out.push(...apply(b, [v]))
        break
      case "Filter":
        if (Array.isArray(v)) out.push(...v.filter((e) => matches(e, step)))
        break
    }
  }
  return out
}

/** Every value `path` reaches in `root`, in document order. */
export const evaluate = (path: Path, root: unknown): Array<unknown> =>
  path.reduce<Array<unknown>>((values, step) => apply(step, values), root === null || root === undefined ? [] : [root])

const text = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v)

/** One cell as kubectl prints it: matches joined with ",", "<none>" when nothing matches (maps and lists as JSON). */
export const cellOf = (values: ReadonlyArray<unknown>): string => (values.length === 0 ? "<none>" : values.map(text).join(","))

/** One object as a row of the spec's cells. */
export const projectRow = (spec: ColumnSpec, obj: unknown): Array<string> => spec.columns.map((c) => cellOf(evaluate(c.path, obj)))

/** Objects (already sanitized: Secret values masked) as the spec's columns and rows. */
export const project = (
  spec: ColumnSpec,
  items: ReadonlyArray<unknown>
): { readonly columns: ReadonlyArray<string>; readonly rows: ReadonlyArray<ReadonlyArray<string>> } => ({
  columns: spec.columns.map((c) => c.header),
  rows: items.map((item) => projectRow(spec, item))
})
