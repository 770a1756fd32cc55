/**
 * Per-context policy against the real control plane, through the MCP client: hidden contexts do not exist,
 * prod denies Secrets on every path (get, list, describe, export, fan-out) and holds to its allowed namespaces
 * for every namespaced tool, while dev stays free.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, retry, rowsOf, startStdio, type StdioServer, type ToolCallResult } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const ns = `kmcp-policy-${Math.random().toString(36).slice(2, 8)}`
const other = `${ns}-other`
const SECRET = { version: "v1", kind: "Secret" }

let server: StdioServer

beforeAll(async () => {
  for (const api of [dev, prod]) {
    for (const n of [ns, other]) await api.createNamespace({ body: { metadata: { name: n } } })
    await api.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "db" }, stringData: { password: "policy-value" } } })
    await retry(() => api.createNamespacedConfigMap({ namespace: other, body: { metadata: { name: "elsewhere" }, data: { a: "1" } } }), "configmap")
  }
  server = await startStdio({
    config: [
      `[kubernetes]`,
      `contexts_deny = ["restricted"]`,
      `[contexts."prod-*"]`,
      `denied_resources = ["secrets"]`,
      `allowed_namespaces = ["${ns}"]`
    ].join("\n")
  })
}, 60_000)

afterAll(async () => {
  await server?.close()
  await Promise.allSettled([dev, prod].flatMap((api) => [api.deleteNamespace({ name: ns }), api.deleteNamespace({ name: other })]))
})

const refused = (r: ToolCallResult, rule: string) => {
  expect(r.isError, r.text).toBe(true)
  expect(r.error?.type).toBe("PolicyDenied")
  expect(r.error?.["rule"]).toBe(rule)
  expect(r.error?.cluster).toBe("prod-cluster")
  expect(r.views.text).toContain(rule)
}

describe("contexts_allow / contexts_deny", () => {
  it("a hidden context is invisible: not listed, not in the kubeconfig view, UnknownContext when named, not selected by *", async () => {
    const listed = await call(server.client, "config_contexts_list")
    expect(JSON.stringify(listed.structured)).not.toContain("restricted")
    const view = await call(server.client, "config_kubeconfig_view")
    expect(view.text).not.toContain("restricted")
    const named = await call(server.client, "pods_list", { context: "restricted" })
    expect(named.error?.type).toBe("UnknownContext")
    expect(named.error?.["available"]).toEqual(["dev-cluster", "prod-cluster"])
    const all = await call(server.client, "namespaces_list", { contexts: ["*"] })
    expect(all.structured?.["asked"]).toBe(2)
  })
})

describe("denied_resources on prod-*", () => {
  it("refuses Secrets on prod by every path and says which rule; dev answers", async () => {
    const target = { ...SECRET, name: "db", namespace: ns }
    refused(await call(server.client, "resources_get", { context: "prod-cluster", ...target }), "denied_resources")
    refused(await call(server.client, "resources_list", { context: "prod-cluster", ...SECRET, namespace: ns }), "denied_resources")
    refused(await call(server.client, "resources_describe", { context: "prod-cluster", ...target }), "denied_resources")
    refused(await call(server.client, "resources_export", { context: "prod-cluster", ...SECRET, namespace: ns }), "denied_resources")
    refused(
      await call(server.client, "resources_apply", {
        context: "prod-cluster",
        manifest: { apiVersion: "v1", kind: "Secret", metadata: { name: "new", namespace: ns }, stringData: { a: "b" } }
      }),
      "denied_resources"
    )
    expect((await call(server.client, "resources_get", { context: "dev-cluster", ...target })).isError).toBe(false)
    // fan-out: prod's slot carries the refusal, dev's the answer
    const across = await call(server.client, "resources_list", { contexts: ["*"], ...SECRET, namespace: ns })
    expect(across.isError, across.text).toBe(false)
    expect(rowsOf(across).map((r) => `${r["context"]}/${r["name"]}`)).toEqual(["dev-cluster/db"])
    expect(across.views.text).toContain(`context "prod-cluster": PolicyDenied: Context "prod-cluster" does not allow secrets`)
    // a copy out of prod cannot carry the Secrets either
    const copy = await call(server.client, "resources_copy", { from_context: "prod-cluster", to_context: "dev-cluster", ...SECRET, namespace: ns, to_namespace: `${ns}-copy` })
    expect(copy.error?.type).toBe("PolicyDenied")
    expect(copy.views.text).not.toContain("policy-value")
  })
})

describe("allowed_namespaces on prod-*", () => {
  it("holds for every namespaced tool; cluster-scoped reads and dev are free", async () => {
    const outside = { context: "prod-cluster", namespace: other }
    refused(await call(server.client, "pods_list", outside), "allowed_namespaces")
    refused(await call(server.client, "pods_list", { context: "prod-cluster", all_namespaces: true }), "allowed_namespaces")
    refused(await call(server.client, "events_list", outside), "allowed_namespaces")
    refused(await call(server.client, "resources_list", { ...outside, version: "v1", kind: "ConfigMap" }), "allowed_namespaces")
    refused(await call(server.client, "resources_get", { ...outside, version: "v1", kind: "ConfigMap", name: "elsewhere" }), "allowed_namespaces")
    refused(await call(server.client, "resources_delete", { ...outside, version: "v1", kind: "ConfigMap", name: "elsewhere" }), "allowed_namespaces")
    refused(await call(server.client, "pods_logs", { ...outside, name: "any" }), "allowed_namespaces")
    refused(
      await call(server.client, "resources_apply", {
        context: "prod-cluster",
        manifest: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: other }, data: { a: "1" } }
      }),
      "allowed_namespaces"
    )
    // the ConfigMap refused above is still there
    expect((await prod.readNamespacedConfigMap({ name: "elsewhere", namespace: other })).data).toEqual({ a: "1" })
    expect((await call(server.client, "pods_list", { context: "prod-cluster", namespace: ns })).isError).toBe(false)
    expect((await call(server.client, "nodes_summary", { context: "prod-cluster" })).isError).toBe(false)
    expect((await call(server.client, "namespaces_list", { context: "prod-cluster" })).isError).toBe(false)
    expect((await call(server.client, "resources_get", { context: "dev-cluster", version: "v1", kind: "ConfigMap", name: "elsewhere", namespace: other })).isError).toBe(false)
  })
})
