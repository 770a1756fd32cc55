/** The right cluster on every call: per-call context, defaults, unknown contexts, Forbidden, over stdio. */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, rowsOf, startStdio, type StdioServer } from "../support/mcp.js"

describe("multi-cluster contexts over stdio (kubeconfig provider)", () => {
  let server: StdioServer
  beforeAll(async () => {
    server = await startStdio()
  })
  afterAll(() => server.close())

  it("config_contexts_list returns the seed's shape, sorted, with the current context", async () => {
    const r = await call(server.client, "config_contexts_list")
    expect(r.isError).toBe(false)
    expect(r.structured).toEqual({
      contexts: [
        { name: "dev-cluster", cluster: "dev", user: expect.any(String), namespace: "default" },
        { name: "prod-cluster", cluster: "prod", user: expect.any(String), namespace: "production" },
        { name: "restricted", cluster: "dev", user: "restricted", namespace: "team-a" }
      ],
      current_context: "dev-cluster"
    })
  })

  it("namespaces_list answers from each context's own cluster", async () => {
    const dev = rowsOf(await call(server.client, "namespaces_list", { context: "dev-cluster" })).map((r) => r["name"])
    const prod = rowsOf(await call(server.client, "namespaces_list", { context: "prod-cluster" })).map((r) => r["name"])
    expect(dev).toContain("team-a")
    expect(dev).not.toContain("production")
    expect(prod).toContain("production")
    expect(prod).not.toContain("team-a")
  })

  it("no context (or an empty one) means current-context", async () => {
    for (const args of [{}, { context: "" }]) {
      const names = rowsOf(await call(server.client, "namespaces_list", args)).map((r) => r["name"])
      expect(names).toContain("team-a")
    }
  })

  it("an unknown context is a structured UnknownContext listing the available ones", async () => {
    const r = await call(server.client, "namespaces_list", { context: "invalid-cluster" })
    expect(r.isError).toBe(true)
    expect(r.error).toMatchObject({
      type: "UnknownContext",
      message: "Context 'invalid-cluster' not found in kubeconfig",
      details: "Available contexts: dev-cluster, prod-cluster, restricted",
      cluster: "invalid-cluster",
      tool: "namespaces_list",
      available: ["dev-cluster", "prod-cluster", "restricted"]
    })
    expect(r.text).toContain("UnknownContext")
  })

  it("the restricted user gets a structured Forbidden from the API server", async () => {
    const r = await call(server.client, "namespaces_list", { context: "restricted" })
    expect(r.error).toMatchObject({ type: "Forbidden", cluster: "restricted", tool: "namespaces_list" })
    expect(r.error?.message).toMatch(/forbidden/i)
  })

  it("kubeconfig view redacts every credential", async () => {
    const r = await call(server.client, "config_kubeconfig_view")
    expect(r.isError).toBe(false)
    expect(r.text).toContain("dev-cluster")
    expect(r.text).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY/)
    expect(r.text).not.toMatch(/LS0tLS1CRUdJTi/) // base64 of "-----BEGIN"
    expect(r.text).toContain("REDACTED")
    const minified = await call(server.client, "config_kubeconfig_view", { minified: true })
    expect(minified.text).toContain("dev-cluster")
    expect(minified.text).not.toContain("prod-cluster")
  })
})
