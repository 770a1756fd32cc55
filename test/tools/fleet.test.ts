/**
 * Calls across many contexts (`contexts`, fan-out) through the MCP client over stdio, against a fleet of
 * twelve contexts on the test control plane (test/support/fleet.ts): two of them dead, one forbidden.
 */
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { type Fleet, makeFleet } from "../support/fleet.js"
import { call, clusterInfo, connectHttp, inBothViews, retry, rowsOf, startHttp, startStdio, type StdioServer } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const devApps = adminKubeConfig(info, "dev").makeApiClient(AppsV1Api)
const prodApps = adminKubeConfig(info, "prod").makeApiClient(AppsV1Api)
const ns = `kmcp-fleet-${Math.random().toString(36).slice(2, 8)}`
/** A second namespace on prod holding the same Deployment as dev's ns: compared with `namespaces`. */
const prodTwin = `${ns}-twin`

const deployment = (replicas: number, image: string, env: Array<{ name: string; value: string }> = []): V1Deployment => ({
  metadata: { name: "web", labels: { app: "web" } },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "app", image, ...(env.length > 0 ? { env } : {}) }] }
    }
  }
})

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
  await prod.createNamespace({ body: { metadata: { name: prodTwin } } })
  await Promise.all([
    devApps.createNamespacedDeployment({ namespace: ns, body: deployment(1, "registry.example/web:1.0") }),
    prodApps.createNamespacedDeployment({ namespace: ns, body: deployment(3, "registry.example/web:1.1", [{ name: "MODE", value: "prod" }]) }),
    prodApps.createNamespacedDeployment({ namespace: prodTwin, body: deployment(1, "registry.example/web:1.0") }),
    dev.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "creds" }, stringData: { user: "admin", password: "dev-secret-value" } } }),
    prod.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "creds" }, stringData: { user: "admin", password: "prod-secret-value" } } }),
    ...[dev, prod].map((api) => api.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "settings", labels: { set: "cmp" } }, data: { a: "1" } } })),
    dev.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "dev-only", labels: { set: "cmp" } }, data: { a: "1" } } })
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
  // per-context policy: dev-cluster reveals Secret values, restricted is checked by RBAC before any request
  server = await startStdio({
    kubeconfig: fleet.kubeconfig,
    config: [
      `[contexts."${fleet.blackHole}"]`,
      `timeout = "3s"`,
      `[contexts."dev-cluster"]`,
      `reveal_secrets = true`,
      `[contexts."restricted"]`,
      `require_rbac = true`
    ].join("\n")
  })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await fleet?.close()
  await Promise.allSettled([dev.deleteNamespace({ name: ns }), prod.deleteNamespace({ name: ns }), prod.deleteNamespace({ name: prodTwin })])
})

describe("fan-out: contexts on a read tool", () => {
  it("the fleet has twelve contexts", async () => {
    const r = await call(server.client, "config_contexts_list")
    const listed = r.structured?.["contexts"]
    expect(Array.isArray(listed) ? listed.length : 0).toBe(12)
    expect(fleet.contexts).toHaveLength(12)
  })

  it("pods_list over every context: one table, CONTEXT first; the dead and the forbidden reported, not fatal", async () => {
    const r = await call(server.client, "pods_list", { contexts: ["*"], namespace: ns, label_selector: "suite=kmcp-fleet" })
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

  it("policy applies per context: one reveals Secret values, the other masks them; RBAC pre-check on one", async () => {
    const r = await call(server.client, "resources_get", { contexts: ["dev-cluster", "prod-cluster"], version: "v1", kind: "Secret", name: "creds", namespace: ns })
    const sections = r.structured?.["contexts"]
    if (!Array.isArray(sections)) throw new Error(`no sections: ${r.text.slice(0, 300)}`)
    expect(JSON.stringify(sections[0]?.result)).toContain(Buffer.from("dev-secret-value").toString("base64"))
    expect(JSON.stringify(sections[1]?.result)).toContain("<masked: 17 bytes>")
    expect(r.views.text).not.toContain(Buffer.from("prod-secret-value").toString("base64"))
    expect(r.views.structured).not.toContain(Buffer.from("prod-secret-value").toString("base64"))
    const pods = await call(server.client, "pods_list", { contexts: ["restricted", "dev-cluster"], namespace: ns })
    const statuses = pods.structured?.["contexts"]
    if (!Array.isArray(statuses)) throw new Error("no contexts")
    expect(statuses[1]?.error?.type).toBe("Forbidden")
    expect(statuses[1]?.error?.details).toContain("Refused by the RBAC pre-check (SelfSubjectAccessReview)")
  })

  it("a glob selects by name; the table covers only those", async () => {
    const r = await call(server.client, "pods_list", { contexts: ["prod-*"], namespace: ns, label_selector: "suite=kmcp-fleet" })
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

  it("one progress notification per finished context when the client asks, all before the result", async () => {
    // What the server writes, in wire order. The SDK client's onprogress alone would not prove it: the client
    // dispatches notifications a microtask later than responses, so progress that arrives in the same chunk as
    // the result is dropped as "unknown token" (modelcontextprotocol/typescript-sdk#2580).
    const transport = server.client.transport
    if (transport === undefined) throw new Error("not connected")
    const wire: Array<{ readonly progress?: number; readonly total?: number; readonly result?: unknown }> = []
    const deliver = transport.onmessage
    transport.onmessage = (message, extra) => {
      if ("method" in message && message.method === "notifications/progress") {
        const params = message.params ?? {}
        wire.push({ progress: Number(params["progress"]), total: Number(params["total"]) })
      } else if ("result" in message) wire.push({ result: message.id })
      deliver?.(message, extra)
    }
    try {
      const result = await server.client.callTool(
        { name: "namespaces_list", arguments: { contexts: ["dev-*", "prod-*", "edge-1"] } },
        CallToolResultSchema,
        { onprogress: () => undefined }
      )
      expect(result.isError ?? false).toBe(false)
    } finally {
      transport.onmessage = deliver
    }
    // dev-cluster, dev-system, dev-team-a, prod-cluster, prod-production, prod-system, edge-1; then the result
    expect(wire.map((m) => m.progress ?? "result"), JSON.stringify(wire)).toEqual([1, 2, 3, 4, 5, 6, 7, "result"])
    expect(wire.slice(0, 7).every((m) => m.total === 7)).toBe(true)
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

describe("resources_compare", () => {
  const web = { group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: ns }

  it("a Deployment on dev and prod: exactly the fields that differ, each context's value, server noise ignored", async () => {
    const r = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], ...web })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["columns"]).toEqual(["field", "dev-cluster", "prod-cluster"])
    expect(rowsOf(r)).toEqual([
      { field: "spec.replicas", "dev-cluster": "1", "prod-cluster": "3" },
      { field: "spec.template.spec.containers[name=app].env[name=MODE].name", "dev-cluster": "<absent>", "prod-cluster": "MODE" },
      { field: "spec.template.spec.containers[name=app].env[name=MODE].value", "dev-cluster": "<absent>", "prod-cluster": "prod" },
      { field: "spec.template.spec.containers[name=app].image", "dev-cluster": "registry.example/web:1.0", "prod-cluster": "registry.example/web:1.1" }
    ])
    inBothViews(r, "deployment.apps/web: 4 field(s) differ")
  })

  it("the base context comes first", async () => {
    const r = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], base: "prod-cluster", ...web })
    expect(r.structured?.["columns"]).toEqual(["field", "prod-cluster", "dev-cluster"])
    expect(rowsOf(r)[0]).toEqual({ field: "spec.replicas", "prod-cluster": "3", "dev-cluster": "1" })
  })

  it("namespaces compares different namespaces: the twin on prod is identical", async () => {
    const r = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], ...web, namespaces: { "prod-cluster": prodTwin } })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["rows"]).toEqual([])
    inBothViews(r, `deployment.apps/web identical in dev-cluster (namespace ${ns}), prod-cluster (namespace ${prodTwin})`)
  })

  it("Secrets by key and value digest, never the values", async () => {
    const r = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], version: "v1", kind: "Secret", name: "creds", namespace: ns })
    const rows = rowsOf(r)
    expect(rows.map((row) => row["field"])).toEqual(["data.password"])
    expect(rows[0]?.["dev-cluster"]).toMatch(/^sha256:[0-9a-f]{16}$/u)
    expect(rows[0]?.["prod-cluster"]).toMatch(/^sha256:[0-9a-f]{16}$/u)
    expect(rows[0]?.["dev-cluster"]).not.toBe(rows[0]?.["prod-cluster"])
    for (const secret of ["dev-secret-value", "prod-secret-value", Buffer.from("dev-secret-value").toString("base64")]) {
      expect(r.views.text).not.toContain(secret)
      expect(r.views.structured).not.toContain(secret)
    }
  })

  it("a whole kind: objects in one context only, and an object missing in one context", async () => {
    const set = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], version: "v1", kind: "ConfigMap", namespace: ns, label_selector: "set=cmp" })
    expect(rowsOf(set)).toEqual([{ object: "dev-only", field: "(object)", "dev-cluster": "present", "prod-cluster": "<not found>" }])
    inBothViews(set, "1 of 2 object(s) of configmap/* differ")
    const one = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster"], version: "v1", kind: "ConfigMap", name: "dev-only", namespace: ns })
    expect(rowsOf(one)).toEqual([{ field: "(object)", "dev-cluster": "present", "prod-cluster": "<not found>" }])
  })

  it("a dead context is reported and the others compared; the rules are stated", async () => {
    const r = await call(server.client, "resources_compare", { contexts: ["dev-cluster", "prod-cluster", fleet.refused], ...web })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["columns"]).toEqual(["field", "dev-cluster", "prod-cluster"])
    inBothViews(r, `context "${fleet.refused}": Unavailable`)
    const one = await call(server.client, "resources_compare", { contexts: ["dev-cluster"], ...web })
    expect(one.error?.type).toBe("InvalidInput")
    expect(one.error?.message).toContain("at least two contexts")
    const stray = await call(server.client, "resources_compare", { contexts: ["dev-*"], ...web, namespaces: { "prod-cluster": "x" } })
    expect(stray.error?.message).toContain("namespaces names contexts that are not compared: prod-cluster")
  })
})

describe("over Streamable HTTP", () => {
  it("the same fan-out and fleet tools, through the HTTP transport", async () => {
    const http = await startHttp({ kubeconfig: fleet.kubeconfig })
    try {
      const client = await connectHttp(http.url)
      const pods = await call(client, "pods_list", { contexts: ["dev-*", fleet.refused], namespace: ns, label_selector: "suite=kmcp-fleet" })
      expect(pods.structured?.["answered"]).toBe(3)
      expect([...new Set(rowsOf(pods).map((row) => row["context"]))]).toEqual(["dev-cluster", "dev-system", "dev-team-a"])
      const compared = await call(client, "resources_compare", {
        contexts: ["dev-cluster", "prod-cluster"], group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: ns
      })
      expect(rowsOf(compared).map((row) => row["field"])).toContain("spec.replicas")
      await client.close()
    } finally {
      await http.stop()
    }
  }, 60_000)
})
