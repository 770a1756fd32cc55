/** The tool contract every tool follows: published schemas, `context` everywhere, validation, read-only mode. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, startStdio, type StdioServer } from "../support/mcp.js"

const LOCAL_TOOLS = ["config_contexts_list", "config_kubeconfig_view"]

describe("tools/list", () => {
  let server: StdioServer
  beforeAll(async () => {
    server = await startStdio()
  })
  afterAll(() => server.close())

  it("publishes an object schema with described parameters and annotations for every tool", async () => {
    const { tools } = await server.client.listTools()
    expect(tools.length).toBeGreaterThanOrEqual(3)
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe("object")
      expect(tool.description?.length ?? 0, tool.name).toBeGreaterThan(20)
      expect(typeof tool.annotations?.readOnlyHint, tool.name).toBe("boolean")
      expect(tool.annotations?.title, tool.name).toBeTruthy()
      for (const [param, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        const described = typeof schema === "object" && schema !== null && "description" in schema
        expect(described, `${tool.name}.${param} has a description`).toBe(true)
      }
      const properties = tool.inputSchema.properties ?? {}
      const required = tool.inputSchema.required ?? []
      // fleet tools name their contexts themselves (resources_compare: contexts; resources_copy: from/to)
      const fleet = required.includes("contexts") || "from_context" in properties
      if (!LOCAL_TOOLS.includes(tool.name) && !fleet) {
        expect(properties, tool.name).toHaveProperty("context")
        expect(required, tool.name).not.toContain("context")
        // every read tool of one context also runs across many
        if (tool.annotations?.readOnlyHint === true) expect(properties, tool.name).toHaveProperty("contexts")
        else expect(properties, tool.name).not.toHaveProperty("contexts")
      }
      if (tool.annotations?.destructiveHint === true) expect(tool.annotations.readOnlyHint, tool.name).toBe(false)
    }
  })

  it("answers a batch of bad calls with structured InvalidInput and keeps serving", async () => {
    const bad: Array<[string, Record<string, unknown>, string]> = [
      ["namespaces_list", { limit: "ten" }, "limit"],
      ["namespaces_list", { limit: 0 }, "limit"],
      ["namespaces_list", { limit: 2.5 }, "limit"],
      ["namespaces_list", { bogus: true }, "bogus"],
      ["namespaces_list", { label_selector: "x".repeat(100_000) }, "label_selector"],
      ["namespaces_list", { context: 42 }, "context"],
      ["namespaces_list", { context: "c".repeat(1000) }, "context"],
      ["config_kubeconfig_view", { minified: "yes" }, "minified"],
      ["config_contexts_list", { context: "dev-cluster" }, "context"],
      ["pods_list", { columns: "NAME:.metadata.name,IMAGES" }, "columns"]
    ]
    const results = await Promise.all(bad.map(([tool, args]) => call(server.client, tool, args)))
    results.forEach((r, i) => {
      const [tool, , path] = bad[i] ?? ["", {}, ""]
      expect(r.isError, `${tool} ${path}`).toBe(true)
      expect(r.error?.type, `${tool} ${path}`).toBe("InvalidInput")
      expect(r.error?.tool).toBe(tool)
      expect(JSON.stringify(r.error?.["issues"]), `${tool} ${path}`).toContain(path)
      expect(r.text).not.toMatch(/\n\s+at /) // no stack traces
      expect(r.bytes).toBeLessThan(4096)
    })
    const both = await call(server.client, "namespaces_list", { limit: -1, bogus: 1, context: 7 })
    const reported = JSON.stringify(both.error?.["issues"])
    for (const path of ["bogus", "context", "limit"]) expect(reported).toContain(`"path":"${path}"`)
    const good = await call(server.client, "namespaces_list", { limit: 2 })
    expect(good.isError).toBe(false)
    const unknown = await server.client.callTool({ name: "no_such_tool", arguments: {} }).then(() => "no error", (e: unknown) => String(e))
    expect(unknown).toContain('Unknown tool "no_such_tool". Tools of this server: config_contexts_list,')
    expect(unknown.match(/MCP error -32602/g)).toHaveLength(1) // one prefix (the client's), never two
    // every rule is stated with the value that broke it
    const messages = results.map((r) => r.error?.message ?? "")
    expect(messages[1]).toBe("Invalid arguments for namespaces_list: limit must be an integer from 1 to 5000 (got 0)")
    expect(messages[0]).toContain('limit must be an integer from 1 to 5000 (got "ten")')
    expect(messages[2]).toContain("limit must be an integer from 1 to 5000 (got 2.5)")
    expect(messages[3]).toContain("bogus: unknown parameter (known: label_selector, limit, continue, columns, context, contexts)")
    // a parameter with its own check (kubectl custom-columns) states that rule, the bad part quoted
    expect(messages.at(-1)).toContain("columns: \"IMAGES\" is not HEADER:JSONPATH. columns is a comma-separated list of HEADER:JSONPATH pairs")
    expect(messages[5]).toContain("context must be a string of at most 253 characters (got 42)")
    for (const m of messages) expect(m).not.toMatch(/Expected undefined|actual/)
    expect((await call(server.client, "config_contexts_list")).isError).toBe(false)
  })
})

describe("read_only mode", () => {
  let full: StdioServer
  let readOnly: StdioServer
  beforeAll(async () => {
    ;[full, readOnly] = await Promise.all([startStdio(), startStdio({ args: ["--read-only"] })])
  })
  afterAll(() => Promise.all([full.close(), readOnly.close()]))

  it("lists no mutating tool and refuses each one called by name", async () => {
    const all = (await full.client.listTools()).tools
    const mutating = all.filter((t) => t.annotations?.readOnlyHint !== true)
    expect(mutating.length).toBeGreaterThan(0)
    const listed = (await readOnly.client.listTools()).tools
    expect(listed.length).toBe(all.length - mutating.length)
    expect(listed.every((t) => t.annotations?.readOnlyHint === true)).toBe(true)
    for (const tool of mutating) {
      const r = await call(readOnly.client, tool.name, {})
      expect(r.error, tool.name).toMatchObject({ type: "ReadOnly", tool: tool.name })
    }
  })

  it("a context can be read-only on its own while others stay writable", async () => {
    const perContext = await startStdio({ config: "[contexts.\"prod-cluster\"]\nread_only = true\n" })
    try {
      const mutating = (await perContext.client.listTools()).tools.filter((t) => t.annotations?.readOnlyHint !== true)
      expect(mutating.length).toBeGreaterThan(0)
      const tool = mutating.find((t) => t.name === "pods_delete") ?? mutating[0]
      const r = await call(perContext.client, tool?.name ?? "", { context: "prod-cluster", name: "x" })
      expect(r.error).toMatchObject({ type: "ReadOnly", cluster: "prod-cluster" })
      const dev = await call(perContext.client, "pods_delete", { context: "dev-cluster", name: "does-not-exist", namespace: "default" })
      expect(dev.error?.type).toBe("NotFound")
    } finally {
      await perContext.close()
    }
  })
})
