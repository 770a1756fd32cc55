/** nodes_summary and nodes_top through the MCP client against the test control plane. */
import { CoreV1Api, RbacAuthorizationV1Api, type V1Node } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, mintServiceAccountToken, statusOf, waitForMetrics } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, retry, rowsOf, startStdio, type StdioServer, writeTemp } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const rbac = adminKubeConfig(info, "dev").makeApiClient(RbacAuthorizationV1Api)
const kwokNode = info.workload.kwokNode
const suffix = Math.random().toString(36).slice(2, 8)
const namespace = `kmcp-ev-nodes-${suffix}`
const PODS = 3
/**
 * A Node object no kubelet (or kwok) manages: not Ready, under memory pressure, tainted so nothing lands
 * on it. It exists only while this file runs and lets the test see non-nominal conditions and taints.
 */
const sickNode = `kmcp-ev-sick-${suffix}`
/** A ClusterRole that may read nodes but not pods. */
const nodeReader = `kmcp-ev-node-reader-${suffix}`
const nodeReaderSa = "node-reader"

let server: StdioServer

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: namespace } } })
  for (let i = 0; i < PODS; i++) {
    // the ServiceAccount admission needs the namespace's "default" SA, which the controller adds shortly
    await retry(
      () =>
        dev.createNamespacedPod({
          namespace,
          body: { metadata: { name: `p${i}` }, spec: { nodeName: kwokNode, containers: [{ name: "c", image: "busybox" }] } }
        }),
      "create pod"
    )
  }
  const node: V1Node = {
    metadata: { name: sickNode, labels: { "node-role.kubernetes.io/kmcp-ev-test": "", "kmcp-ev": suffix } },
    spec: { taints: [{ key: "kmcp-ev/sick", value: "yes", effect: "NoSchedule" }] },
    status: {
      capacity: { cpu: "2", memory: "4Gi", pods: "10" },
      allocatable: { cpu: "1500m", memory: "3Gi", pods: "10" },
      conditions: [
        { type: "Ready", status: "False", reason: "KubeletNotReady", message: "container runtime is down" },
        { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory", message: "low memory" },
        { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "fine" }
      ],
      nodeInfo: {
        architecture: "amd64",
        bootID: "",
        containerRuntimeVersion: "none",
        kernelVersion: "none",
        kubeProxyVersion: "",
        kubeletVersion: "v0.0.0-kmcp",
        machineID: "",
        operatingSystem: "linux",
        osImage: "none",
        systemUUID: ""
      }
    }
  }
  await dev.createNode({ body: node })
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  await rbac.deleteClusterRoleBinding({ name: `${namespace}-${nodeReaderSa}-${nodeReader}` }).catch(() => undefined)
  await rbac.deleteClusterRole({ name: nodeReader }).catch(() => undefined)
  await dev.deleteNode({ name: sickNode }).catch((e: unknown) => {
    if (statusOf(e) !== 404) throw e
  })
  await dev.deleteNamespace({ name: namespace }).catch(() => undefined)
})

describe("nodes_summary", () => {
  it("lists every node with readiness, roles, pods, resources and problems", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster" })
    expect(r.isError, r.text).toBe(false)
    const rows = rowsOf(r)
    const kwok = rows.find((row) => row["name"] === kwokNode)
    expect(kwok, r.text).toBeDefined()
    expect(kwok?.["ready"]).toBe("True")
    expect(kwok?.["roles"]).toBe("agent")
    expect(kwok?.["cpu"]).toBe("32/32")
    expect(kwok?.["memory"]).toBe("256Gi/256Gi")
    expect(kwok?.["conditions"]).toBe("<none>")
    const [count, allocatable] = (kwok?.["pods"] ?? "").split("/")
    expect(Number(count)).toBeGreaterThanOrEqual(PODS)
    expect(allocatable).toBe("1000")

    const sick = rows.find((row) => row["name"] === sickNode)
    expect(sick?.["ready"]).not.toBe("True")
    expect(sick?.["roles"]).toBe("kmcp-ev-test")
    expect(sick?.["conditions"]).toContain("MemoryPressure=True (KubeletHasInsufficientMemory)")
    expect(sick?.["conditions"]).not.toContain("DiskPressure")
    expect(sick?.["taints"]).toContain("kmcp-ev/sick=yes:NoSchedule")
    expect(sick?.["cpu"]).toBe("1500m/2")
    expect(sick?.["pods"]).toBe("0/10")
    expect(sick?.["version"]).toBe("v0.0.0-kmcp")
  })

  it("narrows by label_selector", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster", label_selector: `kmcp-ev=${suffix}` })
    expect(r.isError, r.text).toBe(false)
    expect(rowsOf(r).map((row) => row["name"])).toEqual([sickNode])
  })

  it("shows one node in detail", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster", name: kwokNode })
    expect(r.isError, r.text).toBe(false)
    const doc = r.structured ?? {}
    expect(doc["name"]).toBe(kwokNode)
    expect(doc["ready"]).toBe("True")
    expect(doc["roles"]).toEqual(["agent"])
    expect(doc["capacity"]).toEqual({ cpu: "32", memory: "256Gi", pods: "1000" })
    expect(doc["allocatable"]).toEqual({ cpu: "32", memory: "256Gi", pods: "1000" })
    expect(doc["kubeletVersion"]).toBe("kwok")
    expect(String(doc["conditions"])).toContain("all nominal")
    const pods = doc["pods"]
    expect(typeof pods === "object" && pods !== null && "onNode" in pods ? Number(pods.onNode) : -1).toBeGreaterThanOrEqual(PODS)
    expect(r.text).toContain(`name: ${kwokNode}`)
  })

  it("lists a sick node's conditions with reasons and messages", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster", name: sickNode })
    expect(r.isError, r.text).toBe(false)
    const doc = r.structured ?? {}
    // the node lifecycle controller adds its own (not-ready, memory-pressure) beside ours
    expect(doc["taints"]).toContain("kmcp-ev/sick=yes:NoSchedule")
    const conditions = doc["conditions"]
    expect(Array.isArray(conditions)).toBe(true)
    const types = Array.isArray(conditions) ? conditions.map((c: { type?: string }) => c.type) : []
    expect(types).toContain("MemoryPressure")
    expect(types).not.toContain("DiskPressure")
    expect(r.text).toContain("low memory")
  })

  it("still answers when the user may read nodes but not pods (pod counts unknown)", async () => {
    await rbac.createClusterRole({
      body: { metadata: { name: nodeReader }, rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }] }
    })
    const sa = await mintServiceAccountToken(info, "dev", { namespace, name: nodeReaderSa, bind: { clusterRole: nodeReader, scope: "cluster" } })
    const kubeconfig = writeTemp(
      "kubeconfig",
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "dev", cluster: { server: sa.server, "certificate-authority-data": sa.caData } }],
        users: [{ name: "reader", user: { token: sa.token } }],
        contexts: [{ name: "node-reader", context: { cluster: "dev", user: "reader" } }],
        "current-context": "node-reader"
      })
    )
    const reader = await startStdio({ kubeconfig })
    try {
      const r = await call(reader.client, "nodes_summary", {})
      expect(r.isError, r.text).toBe(false)
      const kwok = rowsOf(r).find((row) => row["name"] === kwokNode)
      expect(kwok?.["pods"]).toBe("?/1000")
      expect(kwok?.["ready"]).toBe("True")
      expect(r.text).toContain("pod counts unknown")
      const one = await call(reader.client, "nodes_summary", { name: kwokNode })
      expect(one.isError, one.text).toBe(false)
      expect(String(one.structured?.["pods"])).toContain("pod counts unknown")
    } finally {
      await reader.close()
    }
  })

  it("says plainly that a cluster has no nodes", async () => {
    const r = await call(server.client, "nodes_summary", { context: "prod-cluster" })
    expect(r.isError, r.text).toBe(false)
    expect(r.text).toMatch(/^no nodes/)
    expect(r.structured).toMatchObject({ rows: [], count: 0 })
    inBothViews(r, "no nodes in context \"prod-cluster\" (no kubelet has registered with this cluster)")
  })

  it("reports NotFound for an unknown node", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster", name: "kmcp-ev-no-such-node" })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("NotFound")
    expect(r.error?.cluster).toBe("dev-cluster")
    expect(r.error?.tool).toBe("nodes_summary")
  })

  it("reports Forbidden for a user who may not list nodes", async () => {
    const r = await call(server.client, "nodes_summary", { context: "restricted" })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("Forbidden")
    expect(r.error?.cluster).toBe("restricted")
  })

  it("rejects unknown parameters", async () => {
    const r = await call(server.client, "nodes_summary", { context: "dev-cluster", node: kwokNode })
    expect(r.error?.type).toBe("InvalidInput")
  })
})

describe("nodes_top", () => {
  it("returns cpu and memory with percentages of allocatable", async () => {
    await waitForMetrics(info)
    const r = await call(server.client, "nodes_top", { context: "dev-cluster" })
    expect(r.isError, r.text).toBe(false)
    const rows = rowsOf(r)
    const kwok = rows.find((row) => row["name"] === kwokNode)
    expect(kwok, r.text).toBeDefined()
    expect(kwok?.["cpu"]).toMatch(/^\d+m$/)
    expect(kwok?.["cpu%"]).toMatch(/^\d+%$/)
    expect(kwok?.["memory"]).toMatch(/^\d+Mi$/)
    expect(kwok?.["memory%"]).toMatch(/^\d+%$/)
    expect(Number(kwok?.["memory"]?.replace("Mi", ""))).toBeGreaterThan(0)
    // the node no kubelet serves has no sample: shown, like kubectl, as <unknown>
    const sick = rows.find((row) => row["name"] === sickNode)
    expect(sick?.["cpu"]).toBe("<unknown>")
    expect(r.text).toContain("no metrics sample yet")
  })

  it("returns one node by name", async () => {
    const r = await call(server.client, "nodes_top", { context: "dev-cluster", name: kwokNode })
    expect(r.isError, r.text).toBe(false)
    const rows = rowsOf(r)
    expect(rows).toHaveLength(1)
    expect(rows[0]?.["cpu"]).toMatch(/^\d+m$/)
  })

  it("reports NotFound for an unknown node", async () => {
    const r = await call(server.client, "nodes_top", { context: "dev-cluster", name: "kmcp-ev-no-such-node" })
    expect(r.error?.type).toBe("NotFound")
  })

  it("reports MetricsUnavailable where metrics.k8s.io is not served", async () => {
    const r = await call(server.client, "nodes_top", { context: "prod-cluster" })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("MetricsUnavailable")
    expect(r.error?.cluster).toBe("prod-cluster")
    expect(r.text).toContain("metrics.k8s.io")
  })
})
