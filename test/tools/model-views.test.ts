/**
 * What the model sees, per kind of client, for every read tool (and the reports of the write tools): the
 * objects asked for must be in the structured-first view (JSON of structuredContent: Claude Code, Copilot
 * CLI, Codex) and in the text-first view (the text blocks). Real control plane, real MCP client over stdio;
 * `call` also checks every result against the tool's published outputSchema.
 */
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, waitForMetrics } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, retry, rowsOf, startStdio, type StdioServer } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const devApps = adminKubeConfig(info, "dev").makeApiClient(AppsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-views-${suffix}`
const logLine = info.workload.logText.trimEnd().split("\n").at(-1) ?? ""

let server: StdioServer
const DEV = { context: "dev-cluster" }

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: ns } } })
  const pod = await retry(() =>
    dev.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: "viewpod", labels: { app: "viewpod" }, annotations: { "kwok.x-k8s.io/usage-memory": "48Mi" } },
        spec: { nodeName: info.workload.kwokNode, containers: [{ name: "app", image: "registry.example/view:1.0" }] }
      }
    }), "create viewpod")
  await dev.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "view-config" }, data: { greeting: "hello-from-view" } } })
  await devApps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: "view-deploy" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "view-deploy" } },
        template: { metadata: { labels: { app: "view-deploy" } }, spec: { containers: [{ name: "app", image: "registry.example/d:1" }] } }
      }
    }
  })
  await dev.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: `viewpod.${suffix}` },
      involvedObject: { kind: "Pod", name: "viewpod", namespace: ns, apiVersion: "v1", uid: pod.metadata?.uid ?? "" },
      reason: "ViewCheck",
      message: "model-view-event-marker",
      type: "Warning",
      firstTimestamp: new Date(),
      lastTimestamp: new Date(),
      source: { component: "kmcp-test" }
    }
  })
  server = await startStdio()
}, 120_000)

afterAll(async () => {
  await server?.close()
  await dev.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("read tools: the data reaches the model in both kinds of client", () => {
  it("config_contexts_list and config_kubeconfig_view", async () => {
    const contexts = await call(server.client, "config_contexts_list")
    inBothViews(contexts, "dev-cluster", "prod-cluster", "restricted")
    const view = await call(server.client, "config_kubeconfig_view")
    inBothViews(view, "dev-cluster", "prod-cluster")
  })

  it("namespaces_list", async () => {
    const r = await call(server.client, "namespaces_list", DEV)
    inBothViews(r, ns, "kube-system")
    expect(rowsOf(r).find((row) => row["name"] === ns)?.["status"]).toBe("Active")
  })

  it("pods_list and pods_get", async () => {
    const list = await call(server.client, "pods_list", { ...DEV, namespace: ns })
    inBothViews(list, "viewpod")
    const get = await call(server.client, "pods_get", { ...DEV, namespace: ns, name: "viewpod" })
    inBothViews(get, "viewpod", "registry.example/view:1.0")
    const yaml = await call(server.client, "pods_get", { ...DEV, namespace: ns, name: "viewpod", output: "yaml" })
    inBothViews(yaml, "viewpod", "registry.example/view:1.0", info.workload.kwokNode)
  })

  it("pods_logs", async () => {
    const r = await retry(async () => {
      const res = await call(server.client, "pods_logs", { ...DEV, namespace: ns, name: "viewpod" })
      if (res.isError) throw new Error(res.text)
      return res
    }, "viewpod logs")
    inBothViews(r, logLine)
    expect(r.structured?.["log"]).toContain(logLine)
  })

  it("resources_list, resources_get, resources_describe", async () => {
    const list = await call(server.client, "resources_list", { ...DEV, version: "v1", kind: "ConfigMap", namespace: ns })
    inBothViews(list, "view-config")
    const yamlList = await call(server.client, "resources_list", { ...DEV, version: "v1", kind: "ConfigMap", namespace: ns, output: "yaml" })
    inBothViews(yamlList, "view-config", "hello-from-view")
    const get = await call(server.client, "resources_get", { ...DEV, version: "v1", kind: "ConfigMap", namespace: ns, name: "view-config" })
    inBothViews(get, "view-config", "hello-from-view")
    const describe = await call(server.client, "resources_describe", { ...DEV, version: "v1", kind: "Pod", namespace: ns, name: "viewpod" })
    inBothViews(describe, "viewpod", "model-view-event-marker")
  })

  it("resources_diff", async () => {
    const manifest = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "view-config", namespace: ns }, data: { greeting: "changed-greeting" } }
    // force: the ConfigMap's data belongs to the field manager that created it
    const r = await call(server.client, "resources_diff", { ...DEV, manifest, force: true })
    inBothViews(r, "changed-greeting", "hello-from-view")
  })

  it("events_list", async () => {
    const r = await call(server.client, "events_list", { ...DEV, namespace: ns })
    inBothViews(r, "ViewCheck", "model-view-event-marker")
  })

  it("nodes_summary and nodes_top, pods_top", async () => {
    const nodes = await call(server.client, "nodes_summary", DEV)
    inBothViews(nodes, info.workload.kwokNode)
    const one = await call(server.client, "nodes_summary", { ...DEV, name: info.workload.kwokNode })
    inBothViews(one, info.workload.kwokNode)
    await waitForMetrics(info, { podNamespace: ns })
    const top = await call(server.client, "nodes_top", DEV)
    inBothViews(top, info.workload.kwokNode)
    const podsTop = await retry(async () => {
      const res = await call(server.client, "pods_top", { ...DEV, namespace: ns })
      if (!rowsOf(res).some((row) => row["name"] === "viewpod")) throw new Error(res.text)
      return res
    }, "viewpod metrics", 90_000)
    inBothViews(podsTop, "viewpod", "48Mi")
  }, 150_000)
})

describe("write tools: their reports reach the model in both kinds of client", () => {
  it("resources_apply, resources_patch, resources_scale, resources_delete, pods_exec", async () => {
    const manifest = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "view-applied", namespace: ns }, data: { k: "v" } }
    const applied = await call(server.client, "resources_apply", { ...DEV, manifest })
    inBothViews(applied, "view-applied", "created")
    const patched = await call(server.client, "resources_patch", {
      ...DEV, version: "v1", kind: "ConfigMap", namespace: ns, name: "view-applied", patch: { data: { k: "patched-value" } }
    })
    inBothViews(patched, "view-applied", "patched", "patched-value")
    const scaled = await call(server.client, "resources_scale", { ...DEV, group: "apps", version: "v1", kind: "Deployment", namespace: ns, name: "view-deploy", replicas: 2 })
    inBothViews(scaled, "view-deploy", "scaled")
    expect(scaled.structured).toMatchObject({ previous_replicas: 1, replicas: 2 })
    const deleted = await call(server.client, "resources_delete", { ...DEV, version: "v1", kind: "ConfigMap", namespace: ns, name: "view-applied" })
    inBothViews(deleted, "view-applied", "deleted")
    const exec = await call(server.client, "pods_exec", { ...DEV, namespace: ns, name: "viewpod", command: ["echo", "exec-view-marker"] })
    expect(exec.isError, exec.text).toBe(false)
    inBothViews(exec, "exec-view-marker")
    expect(exec.structured).toMatchObject({ exit_code: 0, stdout: "exec-view-marker" })
  })

  it("errors reach both views with their type and the rule", async () => {
    const r = await call(server.client, "resources_list", { ...DEV, version: "v1", kind: "ConfigMap", limit: 0 })
    expect(r.error?.type).toBe("InvalidInput")
    inBothViews(r, "limit must be an integer from 1 to 5000 (got 0)")
    expect(r.text).not.toMatch(/Expected undefined/)
    const unknown = await call(server.client, "pods_get", { ...DEV, name: "nope-no-such-pod", namespace: ns })
    inBothViews(unknown, "NotFound", "nope-no-such-pod")
  })
})
