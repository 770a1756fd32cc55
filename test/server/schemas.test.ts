/**
 * Tool schemas every host accepts, checked on what a real client gets from tools/list (stdio):
 * - Anthropic: input_schema root `type: "object"`, no anyOf/oneOf/allOf/not at the root, names ^[a-zA-Z0-9_-]{1,64}$;
 * - OpenAI function calling: the same root rules and name pattern;
 * - Gemini: names ^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$, every schema node typed (or a union of typed nodes, or `{}`),
 *   no `$ref`/`$defs`/`title`;
 * - Ajv strict, draft 2020-12: every input and output schema compiles alone, and all of them in one shared
 *   instance (hosts that compile every tool's schema in one Ajv fail on duplicate `$id`s);
 * - every parameter is described, and bounds are said in words in the description.
 */
import { Ajv2020 } from "ajv/dist/2020.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startStdio, type StdioServer } from "../support/mcp.js"

type Json = Record<string, unknown>
const isJson = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v)

const BANNED_ANYWHERE = ["$id", "$ref", "$defs", "definitions", "$schema", "title", "format"]
const ROOT_COMBINATORS = ["anyOf", "oneOf", "allOf", "not", "enum"]

/** Every schema node under `js` (properties, items, additionalProperties, union branches). */
const nodes = (js: Json, path = "#"): Array<{ path: string; node: Json }> => {
  const out = [{ path, node: js }]
  const props = js["properties"]
  if (isJson(props)) for (const [k, v] of Object.entries(props)) if (isJson(v)) out.push(...nodes(v, `${path}/properties/${k}`))
  for (const k of ["items", "additionalProperties"]) {
    const v = js[k]
    if (isJson(v)) out.push(...nodes(v, `${path}/${k}`))
  }
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    const v = js[k]
    if (Array.isArray(v)) v.forEach((b, i) => isJson(b) && out.push(...nodes(b, `${path}/${k}/${i}`)))
  }
  return out
}

/** Keys of a schema node that are JSON Schema keywords (property names under `properties` are data). */
const keywordsOf = (node: Json): Array<string> => Object.keys(node)

describe("tool schemas are portable across hosts", () => {
  let server: StdioServer
  let tools: Array<{ name: string; description?: string; inputSchema: Json; outputSchema?: Json }>

  beforeAll(async () => {
    server = await startStdio()
    const listed = await server.client.listTools()
    tools = listed.tools.map((t) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      inputSchema: t.inputSchema,
      ...(t.outputSchema !== undefined ? { outputSchema: t.outputSchema } : {})
    }))
  })
  afterAll(() => server.close())

  it("lists tools", () => {
    expect(tools.length).toBeGreaterThanOrEqual(20)
    expect(tools.map((t) => t.name)).toContain("config_contexts_list")
  })

  it("names fit Anthropic, OpenAI and Gemini", () => {
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/)
      expect(t.name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}$/)
      expect(t.description ?? "").not.toBe("")
    }
  })

  it("input schemas: an object root with properties and no root combinators", () => {
    for (const t of tools) {
      expect(t.inputSchema["type"], t.name).toBe("object")
      expect(isJson(t.inputSchema["properties"]), t.name).toBe(true)
      for (const k of ROOT_COMBINATORS) expect(t.inputSchema, `${t.name} root has ${k}`).not.toHaveProperty(k)
      const required = t.inputSchema["required"]
      if (required !== undefined) {
        expect(Array.isArray(required)).toBe(true)
        for (const r of Array.isArray(required) ? required : []) expect(Object.keys(t.inputSchema["properties"] as Json)).toContain(r)
      }
    }
  })

  it("no $id, $ref, $defs, $schema, title or format anywhere (inputs and outputs)", () => {
    for (const t of tools) {
      for (const schema of [t.inputSchema, t.outputSchema ?? {}]) {
        for (const { path, node } of nodes(schema)) {
          for (const k of BANNED_ANYWHERE) expect(keywordsOf(node), `${t.name} ${path} has ${k}`).not.toContain(k)
        }
      }
    }
  })

  it("every input node is typed for Gemini: a type, a union of typed nodes, or {} (any value)", () => {
    for (const t of tools) {
      for (const { path, node } of nodes(t.inputSchema)) {
        const typed = "type" in node || Array.isArray(node["anyOf"]) || Object.keys(node).length === 0 ||
          (Object.keys(node).length === 1 && "description" in node)
        expect(typed, `${t.name} ${path}: ${JSON.stringify(node).slice(0, 120)}`).toBe(true)
      }
    }
  })

  it("every parameter is described, and bounds are said in words", () => {
    for (const t of tools) {
      for (const [name, p] of Object.entries(t.inputSchema["properties"] as Json)) {
        expect(isJson(p) && typeof p["description"] === "string" && p["description"] !== "", `${t.name}.${name}`).toBe(true)
        if (isJson(p) && typeof p["maximum"] === "number") expect(String(p["description"]), `${t.name}.${name}`).toContain(String(p["maximum"]))
        if (isJson(p) && typeof p["maxLength"] === "number") expect(String(p["description"]), `${t.name}.${name}`).toContain(`${String(p["maxLength"])} characters`)
      }
    }
    const limit = (tools.find((t) => t.name === "resources_list")?.inputSchema["properties"] as Json)["limit"]
    expect(isJson(limit) && limit["description"]).toContain("Must be an integer from 1 to 5000.")
  })

  it("every tool publishes an outputSchema with an object root that admits the error shape", () => {
    for (const t of tools) {
      expect(t.outputSchema, t.name).toBeDefined()
      expect(t.outputSchema?.["type"], t.name).toBe("object")
      const ajv = new Ajv2020({ strict: true })
      const validate = ajv.compile(t.outputSchema ?? {})
      expect(validate({ error: { type: "NotFound", message: "m", details: "", cluster: "c", tool: t.name } }), t.name).toBe(true)
    }
  })

  it("Ajv strict (draft 2020-12) compiles every schema alone and all of them in one shared instance", () => {
    const shared = new Ajv2020({ strict: true, allErrors: true })
    for (const t of tools) {
      for (const schema of [t.inputSchema, t.outputSchema ?? {}]) {
        const alone = new Ajv2020({ strict: true, allErrors: true })
        expect(alone.validateSchema(schema), `${t.name}: ${JSON.stringify(alone.errors)}`).toBe(true)
        expect(() => alone.compile(schema), t.name).not.toThrow()
        expect(() => shared.compile(schema), `${t.name} in the shared instance`).not.toThrow()
      }
    }
  })

  it("the published input schema agrees with the server's validation", async () => {
    const ajv = new Ajv2020({ strict: true })
    const rl = tools.find((t) => t.name === "resources_list")
    const validate = ajv.compile(rl?.inputSchema ?? {})
    expect(validate({ version: "v1", kind: "Pod", limit: 10 })).toBe(true)
    expect(validate({ version: "v1", kind: "Pod", limit: 0 })).toBe(false)
    expect(validate({ version: "v1", kind: "Pod", bogus: 1 })).toBe(false)
    const r = await server.client.callTool({ name: "resources_list", arguments: { version: "v1", kind: "Pod", limit: 0 } })
    expect(r.isError).toBe(true)
  })
})
