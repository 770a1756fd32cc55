/** docs/tools.md is generated from the tool schemas: it must be current and cover every tool and parameter. */
import { Effect, Schema } from "effect"
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { DOC_PATH, errorTags, paramsOf, REGENERATE, renderTool, renderToolsDoc, toolHeading } from "../scripts/gen-tools-doc.js"
import { clusterTool } from "../src/tool/tool.js"
import { ObjectOutput } from "../src/output/reply.js"
import { allTools } from "../src/tools/index.js"

const HEADER = "(header)"

/** The file split at tool headings: "(header)" plus one section per tool name. */
const sections = (md: string): Map<string, string> => {
  const [head = "", ...rest] = md.split(/^(?=### `)/m)
  const out = new Map([[HEADER, head]])
  for (const part of rest) out.set(/^### `([^`]+)`/.exec(part)?.[1] ?? part.slice(0, 40), part)
  return out
}

const firstDifference = (a: string, b: string): string => {
  const x = a.split("\n")
  const y = b.split("\n")
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i]) return `line ${i + 1}: file has ${JSON.stringify(x[i] ?? "<nothing>")}, schemas give ${JSON.stringify(y[i] ?? "<nothing>")}`
  }
  return "whitespace only"
}

const onDisk = (): string => readFileSync(DOC_PATH, "utf8")

/** Effect's built-in descriptions of refinements: a parameter left with one was never described by a person. */
const GENERATED =
  /character\(s\)|item\(s\)|^an integer$|^a number (between|greater|less)|^an? (positive|negative|non-negative|non-positive) number$|^a non empty string$|^a string matching the pattern/

describe("docs/tools.md", () => {
  it("is current (regenerate with the script when a tool changes)", () => {
    const file = sections(onDisk())
    const fresh = sections(renderToolsDoc(allTools))
    const stale: Array<string> = []
    for (const [name, text] of fresh) {
      const old = file.get(name)
      if (old === undefined) stale.push(`${name}: missing from docs/tools.md`)
      else if (old.trimEnd() !== text.trimEnd()) stale.push(`${name}: ${firstDifference(old.trimEnd(), text.trimEnd())}`)
    }
    for (const name of file.keys()) if (!fresh.has(name)) stale.push(`${name}: documented but no longer a tool`)
    expect(stale, `docs/tools.md is stale; run \`${REGENERATE}\`:\n${stale.join("\n")}`).toEqual([])
    expect(onDisk()).toBe(renderToolsDoc(allTools))
  })

  it("lists every registered tool with its annotations and parameters", () => {
    const file = sections(onDisk())
    expect(allTools.length).toBeGreaterThan(0)
    for (const tool of allTools) {
      const section = file.get(tool.name)
      expect(section, `${tool.name} is not in docs/tools.md`).toBeDefined()
      expect(section).toContain(toolHeading(tool.name))
      expect(section).toContain(`**${tool.annotations.title}**`)
      expect(section).toContain(tool.annotations.readOnlyHint ? "read-only" : "changes the cluster")
      if (tool.annotations.destructiveHint === true) expect(section).toContain("destructive")
      if (tool.annotations.idempotentHint === true) expect(section).toContain("idempotent")
      for (const p of paramsOf(tool)) expect(section, `${tool.name}.${p.name}`).toContain(`| \`${p.name}\` |`)
      // the index at the top links to it
      expect(file.get(HEADER)).toContain(`[\`${tool.name}\`](#${tool.name})`)
    }
  })

  it("describes every parameter of every tool", () => {
    const undescribed = allTools.flatMap((tool) =>
      paramsOf(tool)
        .filter((p) => p.description.trim() === "" || GENERATED.test(p.description))
        .map((p) => `${tool.name}.${p.name}: ${JSON.stringify(p.description)}`)
    )
    // A Schema.filter without a jsonSchema annotation is skipped by JSONSchema, and its description with it:
    // write Schema.makeFilter(pred, { jsonSchema: {} }) so the description reaches tools/list.
    expect(
      undescribed,
      `these parameters publish no description of their own; add .annotate({ description }) (and { jsonSchema: {} } on a Schema.filter):\n${
        undescribed.join("\n")
      }`
    ).toEqual([])
  })

  it("explains every error type of src/errors.ts", () => {
    const head = sections(onDisk()).get(HEADER) ?? ""
    const tags = errorTags()
    expect(tags).toEqual(expect.arrayContaining(["NotFound", "Forbidden", "MetricsUnavailable", "InvalidInput", "ReadOnly", "UnknownContext"]))
    for (const tag of [...tags, "InternalError"]) expect(head).toMatch(new RegExp(`^- \`${tag}\`: \\S`, "m"))
    for (const topic of ["## The `context` parameter", "## Output budget", "## Errors", "## Read-only mode"]) expect(head).toContain(topic)
  })

  it("derives types and constraints from the JSON Schema", () => {
    const tool = clusterTool({
      name: "sample_tool",
      description: "A sample.",
      params: Schema.Struct({
        mode: Schema.Literals(["fast", "slow"]).annotate({ description: "how | fast" }),
        count: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 10 })).annotate({ description: "how many", default: 3 })),
        words: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMaxLength(5))).check(Schema.isMaxLength(4)).annotate({ description: "some words" })),
        either: Schema.optionalKey(Schema.Union([Schema.String.check(Schema.isMinLength(1)), Schema.Boolean]).annotate({ description: "text or flag" }))
      }),
      output: ObjectOutput,
      annotations: { title: "Sample", readOnlyHint: false, destructiveHint: true },
      run: () => Effect.die("not called")
    })
    const md = renderTool(tool)
    expect(md).toContain("**Sample** — changes the cluster (hidden in read-only mode) · destructive")
    expect(md).toContain("| `mode` | string | yes | how \\| fast | one of `fast`, `slow` |")
    expect(md).toContain("| `count` | integer | no | how many. Must be an integer from 1 to 10. | 1–10; default `3` |")
    expect(md).toContain("| `words` | string[] | no | some words. Must be a list of at most 4 items (each a string of at most 5 characters). | ≤ 4 items; each item: length ≤ 5 chars |")
    expect(md).toContain("| `either` | string or boolean | no | text or flag. Must be a string of at least 1 character, or true or false. | string: length ≥ 1 chars |")
    expect(md).toContain("Also takes the common `context` parameter.")
    expect(md).not.toContain("| `context` |")
  })
})
