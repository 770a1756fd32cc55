/**
 * Writes docs/tools.md from the registered tools: every tool's name, title, description, annotations and
 * parameters come from the same Effect Schemas the server publishes in tools/list, so the reference cannot
 * drift from the code (test/docs.test.ts fails when the file is stale).
 *
 *   npx tsx scripts/gen-tools-doc.ts           # rewrite docs/tools.md
 */
import { SchemaAST } from "effect"
import { writeFileSync } from "node:fs"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { KEYS } from "../src/config/settings.js"
import * as errors from "../src/errors.js"
import { INTERNAL_ERROR } from "../src/tool/errorResult.js"
import { toJsonSchema } from "../src/tool/jsonSchema.js"
import { ContextsParam } from "../src/tool/fanout.js"
import { type AnyTool, ContextParam } from "../src/tool/tool.js"
import { allTools } from "../src/tools/index.js"

export const DOC_PATH = resolve(import.meta.dirname, "../docs/tools.md")
export const REGENERATE = "npx tsx scripts/gen-tools-doc.ts"

type Json = Record<string, unknown>

const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined)
const num = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined)

/**
 * The error types, in the order src/errors.ts's ToolError union lists them, each with the description its
 * class carries. Every tagged error class src/errors.ts exports must be in the union and described (checked
 * here, so a new error cannot go undocumented).
 */
export const errorDocs = (): Array<{ readonly tag: string; readonly description: string }> => {
  const members = errors.ToolError.members
  const exported = Object.values(errors).flatMap((v) =>
    typeof v === "function" && "fields" in v && isJson(v.fields) && "_tag" in v.fields && "identifier" in v && typeof v.identifier === "string"
      ? [v.identifier]
      : []
  )
  const outside = exported.filter((t) => !members.some((m) => m.identifier === t))
  if (outside.length > 0) throw new Error(`gen-tools-doc: add these error types to ToolError in src/errors.ts: ${outside.join(", ")}`)
  const docs = members.map((m) => ({ tag: m.identifier, description: SchemaAST.resolveDescription(m.ast) ?? "" }))
  const missing = docs.filter((d) => d.description === "").map((d) => d.tag)
  if (missing.length > 0) {
    throw new Error(`gen-tools-doc: give these error classes of src/errors.ts a description annotation: ${missing.join(", ")}`)
  }
  return docs
}

/** The tags of the error types, in documentation order. */
export const errorTags = (): Array<string> => errorDocs().map((d) => d.tag)

/** Markdown table cell: no line breaks, pipes escaped. */
const cell = (s: string): string => s.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|")
const code = (s: string): string => `\`${s}\``

const typeOf = (js: Json): string => {
  const anyOf = js["anyOf"]
  if (Array.isArray(anyOf)) return anyOf.filter(isJson).map(typeOf).join(" or ")
  if (js["const"] !== undefined) return code(JSON.stringify(js["const"]))
  const ref = str(js["$ref"])
  if (ref !== undefined) return ref.split("/").pop() ?? ref
  const type = js["type"]
  if (type === "array") return `${isJson(js["items"]) ? typeOf(js["items"]) : "any"}[]`
  if (Array.isArray(type)) return type.map(String).join(" or ")
  return str(type) ?? "any"
}

const range = (lo: number | undefined, hi: number | undefined, unit: string): string | undefined =>
  lo !== undefined && hi !== undefined
    ? `${lo}–${hi}${unit}`
    : lo !== undefined
    ? `≥ ${lo}${unit}`
    : hi !== undefined
    ? `≤ ${hi}${unit}`
    : undefined

/** Constraints a caller must respect, as JSON Schema states them. */
const constraintsOf = (js: Json): Array<string> => {
  const out: Array<string> = []
  const anyOf = js["anyOf"]
  if (Array.isArray(anyOf)) {
    for (const member of anyOf.filter(isJson)) {
      const c = constraintsOf(member)
      if (c.length > 0) out.push(`${typeOf(member)}: ${c.join(", ")}`)
    }
  }
  const values = js["enum"]
  if (Array.isArray(values)) out.push(`one of ${values.map((v) => code(String(v))).join(", ")}`)
  const numeric = range(num(js["minimum"]), num(js["maximum"]), "")
  if (numeric !== undefined) out.push(numeric)
  const exMin = num(js["exclusiveMinimum"])
  if (exMin !== undefined) out.push(`> ${exMin}`)
  const exMax = num(js["exclusiveMaximum"])
  if (exMax !== undefined) out.push(`< ${exMax}`)
  const length = range(num(js["minLength"]), num(js["maxLength"]), " chars")
  if (length !== undefined) out.push(`length ${length}`)
  const pattern = str(js["pattern"])
  if (pattern !== undefined) out.push(`pattern ${code(pattern)}`)
  const items = range(num(js["minItems"]), num(js["maxItems"]), " items")
  if (items !== undefined) out.push(items)
  if (isJson(js["items"])) {
    const c = constraintsOf(js["items"])
    if (c.length > 0) out.push(`each item: ${c.join(", ")}`)
  }
  if (js["default"] !== undefined) out.push(`default ${code(JSON.stringify(js["default"]))}`)
  return out
}

export interface ParamDoc {
  readonly name: string
  readonly type: string
  readonly required: boolean
  readonly description: string
  readonly constraints: ReadonlyArray<string>
}

/** The tool's own parameters (the common `context` is documented once, in the header). */
export const paramsOf = (tool: AnyTool): Array<ParamDoc> => {
  const props = tool.inputSchema["properties"]
  const required = tool.inputSchema["required"]
  const requiredNames = new Set(Array.isArray(required) ? required.map(String) : [])
  if (!isJson(props)) return []
  return Object.entries(props).flatMap(([name, js]) =>
    (name === "context" && tool.clusterScoped) || (name === "contexts" && tool.fanout) || !isJson(js)
      ? []
      : [{
        name,
        type: typeOf(js),
        required: requiredNames.has(name),
        description: str(js["description"]) ?? "",
        constraints: constraintsOf(js)
      }]
  )
}

/** `{ a, b?, c: {…}[] }`: the top-level fields of one result shape, `?` marking optional ones. */
export const shapeOf = (js: Json): string => {
  const props = js["properties"]
  if (!isJson(props)) return "any object"
  const required = new Set(Array.isArray(js["required"]) ? js["required"].map(String) : [])
  const names = Object.keys(props)
  if (names.length === 0) return "any object"
  return `{ ${names.map((n) => `${n}${required.has(n) ? "" : "?"}`).join(", ")} }`
}

/** The shapes a tool's `structuredContent` can take, from its published outputSchema. */
export const resultShapes = (tool: AnyTool): Array<string> => {
  const branches = tool.outputSchema["anyOf"]
  return Array.isArray(branches) ? branches.filter(isJson).map(shapeOf) : [shapeOf(tool.outputSchema)]
}

const annotationLine = (tool: AnyTool): string => {
  const a = tool.annotations
  return [
    a.readOnlyHint ? "read-only" : "changes the cluster (hidden in read-only mode)",
    ...(a.destructiveHint === true ? ["destructive"] : []),
    ...(a.idempotentHint === true ? ["idempotent"] : []),
    ...(a.openWorldHint === true ? ["open world (talks to a cluster)"] : [])
  ].join(" · ")
}

export const toolHeading = (name: string): string => `### ${code(name)}`

const common = (tool: AnyTool): string =>
  tool.fanout
    ? `\`context\` and \`contexts\` parameters${tool.defaultContexts !== undefined ? ` (without either it runs on ${tool.defaultContexts.map(code).join(", ")})` : ""}`
    : "`context` parameter"

export const renderTool = (tool: AnyTool): string => {
  const params = paramsOf(tool)
  const lines = [
    toolHeading(tool.name),
    "",
    `**${tool.annotations.title}** — ${annotationLine(tool)}`,
    "",
    tool.description,
    ""
  ]
  if (params.length === 0) {
    lines.push(tool.clusterScoped ? `Parameters: only the common ${common(tool)}.` : "No parameters.")
  } else {
    lines.push(
      "| Parameter | Type | Required | Description | Constraints |",
      "| --- | --- | --- | --- | --- |",
      ...params.map((p) =>
        `| ${code(p.name)} | ${cell(p.type)} | ${p.required ? "yes" : "no"} | ${cell(p.description)} | ${cell(p.constraints.join("; "))} |`
      )
    )
    if (tool.clusterScoped) lines.push("", `Also takes the common ${common(tool)}.`)
  }
  lines.push("", `Result (\`structuredContent\`, one of): ${resultShapes(tool).map(code).join(" · ")}`)
  return lines.join("\n")
}

const setting = (path: string): { readonly default: string; readonly flag?: string } => {
  const key = KEYS.find((k) => k.path.join(".") === path)
  if (key === undefined) throw new Error(`gen-tools-doc: no configuration key ${path} in src/config/settings.ts`)
  return key
}

const header = (tools: ReadonlyArray<AnyTool>): string => {
  const errorTypes = errorDocs()
  const maxBytes = setting("output.max_bytes")
  const readOnly = setting("security.read_only")
  const reveal = setting("security.reveal_secrets")
  const contextDescription = str(toJsonSchema(ContextParam)["description"]) ?? ""
  const clusterTools = tools.filter((t) => t.clusterScoped).length
  // tools that reach several contexts together name them in their own parameters (from_context, to_context)
  const contextParams = (t: AnyTool) => {
    const props = t.inputSchema["properties"]
    return isJson(props) ? Object.keys(props).filter((k) => k.endsWith("_context")) : []
  }
  const fleetTools = tools.filter((t) => !t.clusterScoped && contextParams(t).length > 0)
  const mutating = tools.filter((t) => !t.annotations.readOnlyHint).map((t) => code(t.name))
  const flag = (f: string | undefined) => (f !== undefined ? ` (flag ${code(`--${f}`)})` : "")
  return [
    "# Tool reference",
    "",
    `<!-- Generated by scripts/gen-tools-doc.ts from the tool schemas. Do not edit; run: ${REGENERATE} -->`,
    "",
    `kube-mcp offers ${tools.length} tools. Parameters, types and constraints below are the ones the server publishes in`,
    "`tools/list` (one Effect Schema per tool); arguments that do not match, including unknown parameters, fail with",
    "`InvalidInput` before anything reaches a cluster.",
    "",
    "| Tool | Title | Kind |",
    "| --- | --- | --- |",
    ...tools.map((t) => `| [${code(t.name)}](#${t.name}) | ${cell(t.annotations.title)} | ${t.annotations.readOnlyHint ? "read" : "write"} |`),
    "",
    "## The `context` parameter",
    "",
    `${clusterTools} of the ${tools.length} tools talk to a cluster and take an optional \`context\` (string, ≤ 253 chars): ${contextDescription}`,
    "Every call names its own context, so one session can work on several clusters; the answer and any error",
    "name the context they concern. For namespaced tools an omitted `namespace` means the context's namespace",
    "(from the kubeconfig, else `default`); list tools take `all_namespaces: true` for every namespace.",
    ...fleetTools.map((t) => `${code(t.name)} works on several contexts together and names them in its own parameters instead (${contextParams(t).map(code).join(", ")}).`),
    "",
    "## Many contexts in one call: `contexts`",
    "",
    `Every read tool of one context (${tools.filter((t) => t.fanout).length} tools) also takes \`contexts\`: ${str(toJsonSchema(ContextsParam)["description"]) ?? ""}`,
    `Contexts are worked on \`kubernetes.fanout_concurrency\` at a time (default ${setting("kubernetes.fanout_concurrency").default}), each under its own rate`,
    `limiter, request timeout and policy (read_only, require_rbac, reveal_secrets), and the whole call under \`kubernetes.fanout_timeout\``,
    `(default ${setting("kubernetes.fanout_timeout").default}): a context still running then is reported as \`Timeout\`. The call succeeds when at least`,
    "one context answered (`answered` of `asked`); each context that failed appears once with `{ type, message }`; when none",
    "answered the call fails with `NoContextAnswered`. Tables become one table with CONTEXT as the first column",
    "(`{ columns, rows, count, answered, asked, contexts: [{ context, ok, rows?, total?, continue?, notes?, error? }], truncated? }`);",
    "other results come one section per context (`{ answered, asked, contexts: [{ context, ok, result?, error? }], truncated? }`).",
    "The byte budget is shared fairly: a context with a small answer keeps all of it, the largest ones are cut first, and the",
    "note names the contexts that were cut. `continue` pages one context only, so it is refused with `contexts`; each context's",
    "own continue token is in its entry. A client that sends a `progressToken` gets one `notifications/progress` per finished",
    "context (on stdio; over HTTP the answers are plain JSON, which cannot carry notifications). Example (12 contexts, two dead):",
    "",
    "```text",
    "pods_list {\"contexts\": [\"*\"], \"namespace\": \"shop\"}",
    "9 of 12 context(s) answered",
    "CONTEXT          NAME                 READY  STATUS   RESTARTS  AGE  NODE         IP",
    "dev-cluster      web-9498f9878-m267v  1/1    Running  0         9s   kwok-node-0  10.244.0.232",
    "dev-cluster      web-9498f9878-th9bv  1/1    Running  0         9s   kwok-node-0  10.244.0.83",
    "prod-cluster     web-67bd9645-fgwjb   0/1    Pending  0         8s   <none>       <none>",
    "…",
    "context \"restricted\": Forbidden: pods is forbidden: User \"restricted\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"",
    "context \"zz-dead-blackhole\": Timeout: GET /api/v1/namespaces/shop/pods on context \"zz-dead-blackhole\" did not answer within 3000 ms",
    "context \"zz-dead-refused\": Unavailable: Cluster API server https://127.0.0.1:45443 is unreachable (ECONNREFUSED)",
    "```",
    "",
    "Tools made for many contexts: `clusters_overview` (all contexts unless narrowed), `resources_compare` (its own",
    "`contexts`, at least two). The README's [multi-cluster section](../README.md#many-clusters-in-one-call) shows each use case with a real result.",
    "",
    "## Output budget",
    "",
    "Results are compact by default (the columns a person reads, not raw objects) and capped at `output.max_bytes`",
    `(default ${maxBytes.default} bytes). A longer result is cut — tables keep whole rows, text is cut at a line — and ends`,
    "with a note saying what was cut and which parameters narrow the answer. Lists take `limit` and return a `continue`",
    "token when more items exist. Where offered, `output: yaml|json`",
    "returns the full object, still budgeted. `metadata.managedFields` and the last-applied-configuration annotation are",
    `always removed, and Secret values are masked (keys and sizes kept) unless \`security.reveal_secrets\` is set (default ${reveal.default}).`,
    "Every result carries its data twice, rendered two ways: `structuredContent` (structured-first clients such as Claude",
    "Code, Copilot CLI and Codex hand the model only this) and a text block (the rendering other clients show). Both are",
    "cut at the same place and each alone fits the budget. Tables are `{ columns, rows, count, continue?, truncated?, notes? }`",
    "with each row an array of cells in column order; documents are the object itself (or, past the budget,",
    "`{ format, document, truncated }` with the start of its text form); reports (logs, exec, describe, diff, mutations)",
    "are their fields. A cut result has `truncated: { shown, total, note }`. Every tool publishes this as its",
    "`outputSchema` (the error shape included), and each tool below lists its result shapes.",
    "",
    "## Errors",
    "",
    "A failed call is a tool result with `isError: true`; its structured content is",
    "`{ \"error\": { \"type\", \"message\", \"details\", \"cluster\", \"tool\", ... } }` and its text says the same in a line or two.",
    "Types:",
    "",
    ...errorTypes.map((t) => `- ${code(t.tag)}: ${t.description}`),
    `- ${code("InternalError")}: ${INTERNAL_ERROR}`,
    "",
    "## Read-only mode",
    "",
    `With \`security.read_only = true\`${flag(readOnly.flag)} or \`[contexts."name"] read_only = true\`, tools that can change a cluster`,
    "are not listed (global mode) and a call to one is refused with `ReadOnly` before any request is made; a per-context",
    `read_only refuses them for that context only. Tools that change a cluster: ${mutating.length > 0 ? mutating.join(", ") : "none"}.`,
    "",
    "## Tools"
  ].join("\n")
}

export const renderToolsDoc = (tools: ReadonlyArray<AnyTool>): string =>
  `${[header(tools), ...tools.map(renderTool)].join("\n\n")}\n`

const invokedDirectly = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  writeFileSync(DOC_PATH, renderToolsDoc(allTools))
  process.stdout.write(`wrote ${DOC_PATH} (${allTools.length} tools)\n`)
}
