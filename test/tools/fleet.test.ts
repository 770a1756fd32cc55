/**
 * Calls across many contexts (`contexts`, fan-out) through the MCP client over stdio, against a fleet of
 * twelve contexts on the test control plane (test/support/fleet.ts): two of them dead, one forbidden.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { CallToolResultSchema, type Progress } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { type Fleet, makeFleet } from "../support/fleet.js"
import { call, clusterInfo, inBothViews, retry, rowsOf, startStdio, type StdioServer } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const ns = `kmcp-fleet-${Math.random().toString(36).slice(2, 8)}`

/** Contexts of the fleet on each API server (the harness's three plus the aliases). */
const ON_DEV = ["dev-cluster", "dev-system", "dev-team-a", "edge-1", "staging-2"]
const ON_PROD = ["prod-cluster", "prod-production", "prod-system", "staging-1"]

let fleet: Fleet
let server: StdioServer

const pod = (name: string) => ({ metadata: { name, labels: { suite: "kmcp-fleet" } }, spec: { containers: [{ name: "app", image: `registry.example/${name}:1` }] } })

beforeAll(async () => {
  fleet = await makeFleet(info.kubeconfig)
  await Promise.all([dev.createNamespace({ body: { metadata: { name: ns } } }), prod.createNamespace({ body: { metadata: { name: ns } } })])
  await Promise.all([
    retry(() => dev.createNamespacedPod({ namespace: ns, body: pod("only-dev") }), "create only-dev"),
    retry(() => dev.createNamespacedPod({ namespace: ns, body: pod("both") }), "create both on dev"),
    retry(() => prod.createNamespacedPod({ namespace: ns, body: pod("both") }), "create both on prod")
  ])
  // a Warning event of a minute ago on dev (the kubelet would record one like it)
  const now = new Date()
  await dev.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: "only-dev.warning" },
      involvedObject: { kind: "Pod", name: "only-dev", namespace: ns, apiVersion: "v1" },
      type: "Warning",
      reason: "BackOff",
      message: "Back-off restarting failed container",
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1
    }
  })
  // the black hole costs its context's own timeout, not the fan-out deadline
  server = await startStdio({ kubeconfig: fleet.kubeconfig, config: `[contexts."${fleet.blackHole}"]\ntimeout = "3s"\n` })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await fleet?.close()
  await Promise.allSettled([dev.deleteNamespace({ name: ns }), prod.deleteNamespace({ name: ns })])
})

describe("fan-out: contexts on a read tool", () => {
  it("the fleet has twelve contexts", async () => {
    const r = await call(server.client, "config_contexts_list")
    const listed = r.structured?.["contexts"]
    expect(Array.isArray(listed) ? listed.length : 0).toBe(12)
    expect(fleet.contexts).toHaveLength(12)
  })

  it("pods_list over every context: one table, CONTEXT first; the dead and the forbidden reported, not fatal", async () => {
    const r = await call(server.client, "pods_list", { contexts: ["*"], namespace: ns })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["answered"]).toBe(9)
    expect(r.structured?.["asked"]).toBe(12)
    const rows = rowsOf(r)
    expect(r.structured?.["columns"]).toEqual(["context", "name", "ready", "status", "restarts", "age", "node", "ip"])
    const seen = (context: string) => rows.filter((row) => row["context"] === context).map((row) => row["name"]).sort()
    for (const c of ON_DEV) expect(seen(c), c).toEqual(["both", "only-dev"])
    for (const c of ON_PROD) expect(seen(c), c).toEqual(["both"])
    const statuses = r.structured?.["contexts"]
    if (!Array.isArray(statuses)) throw new Error("no contexts in the result")
    const errorOf = (context: string): unknown => statuses.find((s) => s.context === context)?.error?.type
    expect(errorOf(fleet.blackHole)).toBe("Timeout")
    expect(errorOf(fleet.refused)).toBe("Unavailable")
    expect(errorOf("restricted")).toBe("Forbidden")
    expect(statuses.map((s) => s.context)).toEqual(fleet.contexts)
    // the text view says the same: how many answered, and each failure on its own line
    for (const line of ["9 of 12 context(s) answered", `context "${fleet.refused}": Unavailable`, `context "${fleet.blackHole}": Timeout`, `context "restricted": Forbidden`]) {
      expect(r.views.text).toContain(line)
    }
  }, 60_000)

  it("a glob selects by name; the table covers only those", async () => {
    const r = await call(server.client, "pods_list", { contexts: ["prod-*"], namespace: ns })
    expect(r.structured?.["asked"]).toBe(3)
    expect([...new Set(rowsOf(r).map((row) => row["context"]))].sort()).toEqual(["prod-cluster", "prod-production", "prod-system"])
  })

  it("a single-object read gives one section per context, each with its own answer or error", async () => {
    const r = await call(server.client, "pods_get", { contexts: ["dev-cluster", "prod-cluster"], namespace: ns, name: "only-dev" })
    expect(r.isError, r.text).toBe(false)
    const sections = r.structured?.["contexts"]
    if (!Array.isArray(sections)) throw new Error(`no sections: ${r.text.slice(0, 300)}`)
    expect(sections.map((s) => [s.context, s.ok])).toEqual([["dev-cluster", true], ["prod-cluster", false]])
    expect(sections[1]?.error?.type).toBe("NotFound")
    expect(JSON.stringify(sections[0]?.result)).toContain("registry.example/only-dev:1")
    inBothViews(r, "registry.example/only-dev:1", "NotFound")
    expect(r.views.text).toMatch(/=== context "dev-cluster" ===[\s\S]*only-dev[\s\S]*=== context "prod-cluster" ===\nNotFound: /u)
  })

  it("one progress notification per finished context when the client asks", async () => {
    const seen: Array<Progress> = []
    const result = await server.client.callTool(
      { name: "namespaces_list", arguments: { contexts: ["dev-*", "prod-*", "edge-1"] } },
      CallToolResultSchema,
      { onprogress: (p) => seen.push(p) }
    )
    expect(result.isError ?? false).toBe(false)
    // dev-cluster, dev-system, dev-team-a, prod-cluster, prod-production, prod-system, edge-1
    expect(seen.map((p) => p.progress)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(seen.every((p) => p.total === 7)).toBe(true)
  })

  it("no context answered: NoContextAnswered with each failure", async () => {
    const r = await call(server.client, "pods_list", { contexts: [fleet.refused, "no-such-context"] })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("NoContextAnswered")
    const failures = r.error?.["failures"]
    expect(Array.isArray(failures) ? failures.map((f) => [f.context, f.type]) : []).toEqual([
      ["no-such-context", "UnknownContext"],
      [fleet.refused, "Unavailable"]
    ])
  })

  it("refuses what cannot work across contexts, stating the rule", async () => {
    const both = await call(server.client, "pods_list", { context: "dev-cluster", contexts: ["prod-*"] })
    expect(both.error?.type).toBe("InvalidInput")
    expect(both.error?.message).toContain("either context (one) or contexts (several), not both")
    const paged = await call(server.client, "pods_list", { contexts: ["*"], continue: "abc" })
    expect(paged.error?.message).toContain("a continue token pages one context")
    const none = await call(server.client, "pods_list", { contexts: ["nothing-*"] })
    expect(none.error?.type).toBe("UnknownContext")
    expect(none.error?.message).toContain("match no context")
    const empty = await call(server.client, "pods_list", { contexts: [] })
    expect(empty.error?.type).toBe("InvalidInput")
    // mutating tools have no contexts parameter
    const del = await call(server.client, "pods_delete", { contexts: ["*"], name: "both", namespace: ns })
    expect(del.error?.type).toBe("InvalidInput")
    expect(del.error?.message).toContain("contexts: unknown parameter")
    // and the server keeps serving
    expect((await call(server.client, "namespaces_list", { context: "dev-cluster" })).isError).toBe(false)
  })
})

describe("clusters_overview", () => {
  it("one row per context, all of them by default: up or why not, version, nodes, unhealthy pods with reasons, warnings", async () => {
    const r = await call(server.client, "clusters_overview")
    expect(r.isError, r.text).toBe(false)
    const rows = rowsOf(r)
    expect(rows.map((row) => row["context"])).toEqual(fleet.contexts)
    const of = (context: string) => {
      const row = rows.find((x) => x["context"] === context)
      if (row === undefined) throw new Error(`no row for ${context}`)
      return row
    }
    for (const c of [...ON_DEV, ...ON_PROD, "restricted"]) {
      expect(of(c)["reachable"], c).toBe("yes")
      expect(of(c)["version"], c).toMatch(/^v1\.37\.2/u)
      expect(Number(of(c)["rtt_ms"]), c).toBeGreaterThanOrEqual(0)
    }
    // dev has the kwok node; prod has no node, so its pods stay Pending
    for (const c of ON_DEV) expect(of(c)["nodes_ready"], c).toBe("1/1")
    for (const c of ON_PROD) {
      expect(of(c)["nodes_ready"], c).toBe("0/0")
      expect(Number(of(c)["pods_not_running"]), c).toBeGreaterThanOrEqual(1)
      expect(of(c)["top_reasons"], c).toMatch(/Pending=\d+/u)
    }
    for (const c of ON_DEV) expect(Number(of(c)["warnings_1h"]), c).toBeGreaterThanOrEqual(1)
    // the restricted user reaches the server but may not list nodes: "?" and the reason, not a failure
    expect(of("restricted")["nodes_ready"]).toBe("?")
    expect(of("restricted")["problems"]).toContain("nodes: Forbidden")
    expect(of(fleet.refused)["reachable"]).toBe("no")
    expect(of(fleet.refused)["problems"]).toContain("Unavailable")
    expect(of(fleet.blackHole)["reachable"]).toBe("no")
    expect(of(fleet.blackHole)["problems"]).toContain("Timeout")
  }, 60_000)

  it("narrows to the contexts named", async () => {
    const one = rowsOf(await call(server.client, "clusters_overview", { context: "prod-cluster" }))
    expect(one.map((row) => row["context"])).toEqual(["prod-cluster"])
    const some = rowsOf(await call(server.client, "clusters_overview", { contexts: ["dev-*"] }))
    expect(some.map((row) => row["context"])).toEqual(["dev-cluster", "dev-system", "dev-team-a"])
  })
})
