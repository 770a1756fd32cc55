/**
 * nodes_cordon / nodes_uncordon / nodes_drain through the MCP client against the test control plane, on a
 * kwok node of this file's own (tainted so no other test's pods land on it; kwok-node-0 is never touched):
 * two pods of a Deployment under a PodDisruptionBudget that allows one disruption, and a DaemonSet pod.
 * The drain evicts one Deployment pod, reports the other as blocked by the budget, skips the DaemonSet pod;
 * a dry run changes nothing.
 */
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Node, type V1PodSpec } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, KWOK_NODE_INFO, statusOf } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, retry, type StdioServer, startStdio, type ToolCallResult } from "../support/mcp.js"

const info = clusterInfo()
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const policy = kc.makeApiClient(PolicyV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const node = `kmcp-drain-${suffix}`
const ns = `kmcp-drain-${suffix}`
const TAINT = { key: "kmcp-drain", value: suffix, effect: "NoSchedule" }

let server: StdioServer

const podSpec = (): V1PodSpec => ({
  nodeSelector: { "kubernetes.io/hostname": node },
  tolerations: [{ key: TAINT.key, operator: "Equal", value: TAINT.value, effect: TAINT.effect }],
  terminationGracePeriodSeconds: 1,
  containers: [{ name: "c", image: "busybox" }]
})

const podsOnNode = async () => (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items
const unschedulable = async () => (await core.readNode({ name: node })).spec?.unschedulable === true

interface PodReport {
  readonly namespace: string
  readonly name: string
  readonly status: string
  readonly reason?: string
}
const isReport = (v: unknown): v is PodReport =>
  typeof v === "object" && v !== null && "name" in v && typeof v.name === "string" && "status" in v && typeof v.status === "string"
const podsOf = (r: ToolCallResult): Array<PodReport> => {
  const pods = r.structured?.["pods"]
  return Array.isArray(pods) ? pods.filter(isReport) : []
}

beforeAll(async () => {
  // a kwok node as the harness makes kwok-node-0 (kwok manages nodes annotated kwok.x-k8s.io/node=fake), tainted
  const body: V1Node = {
    metadata: {
      name: node,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": node, "kubernetes.io/os": "linux", type: "kwok", "kmcp-drain": suffix }
    },
    spec: { taints: [TAINT], podCIDR: `10.244.${200 + Math.floor(Math.random() * 50)}.0/24` },
    status: {
      allocatable: { cpu: "8", memory: "32Gi", pods: "110" },
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
      nodeInfo: KWOK_NODE_INFO
    }
  }
  await core.createNode({ body })
  await core.createNamespace({ body: { metadata: { name: ns } } })
  const labels = { app: "web" }
  await retry(() =>
    apps.createNamespacedDeployment({
      namespace: ns,
      body: { metadata: { name: "web" }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec() } } }
    }), "create deployment")
  await apps.createNamespacedDaemonSet({
    namespace: ns,
    body: {
      metadata: { name: "agent" },
      spec: { selector: { matchLabels: { app: "agent" } }, template: { metadata: { labels: { app: "agent" } }, spec: podSpec() } }
    }
  })
  await policy.createNamespacedPodDisruptionBudget({
    namespace: ns,
    body: { metadata: { name: "web-pdb" }, spec: { minAvailable: 1, selector: { matchLabels: labels } } }
  })
  await retry(async () => {
    const running = (await podsOnNode()).filter((p) => p.status?.phase === "Running")
    if (running.length !== 3) throw new Error(`${running.length} of 3 pods running on ${node}`)
    const pdb = await policy.readNamespacedPodDisruptionBudget({ name: "web-pdb", namespace: ns })
    if (pdb.status?.disruptionsAllowed !== 1) throw new Error(`web-pdb allows ${pdb.status?.disruptionsAllowed ?? "?"} disruptions`)
  }, "pods running and the budget computed", 60_000, 500)
  server = await startStdio()
}, 90_000)

afterAll(async () => {
  await server?.close()
  await core.patchNode({ name: node, body: { spec: { unschedulable: false } } }).catch(() => undefined)
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
  // kwok finishes the pods' deletion only while it still manages the node
  await retry(async () => {
    const left = await podsOnNode()
    if (left.length > 0) throw new Error(`${left.length} pod(s) left on ${node}`)
  }, "pods gone", 30_000, 500).catch(() => undefined)
  await core.deleteNode({ name: node }).catch((e: unknown) => {
    if (statusOf(e) !== 404) throw e
  })
}, 60_000)

const dev = (tool: string, args: Record<string, unknown>) => call(server.client, tool, { context: "dev-cluster", ...args })

describe("nodes_drain", () => {
  it("dry run: reports what would be evicted and skipped, and changes nothing", async () => {
    const before = (await podsOnNode()).map((p) => p.metadata?.uid).sort()
    const r = await dev("nodes_drain", { name: node, dry_run: true })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["dry_run"]).toBe(true)
    expect(r.structured?.["cordon"]).toBe("cordoned")
    const pods = podsOf(r)
    expect(pods.filter((p) => p.name.startsWith("agent-")).map((p) => p.status)).toEqual(["skipped"])
    const web = pods.filter((p) => p.name.startsWith("web-"))
    expect(web).toHaveLength(2)
    // each dry-run eviction is judged alone, so the budget's one disruption lets each through
    for (const p of web) expect(["would be evicted", "blocked"]).toContain(p.status)
    inBothViews(r, "would be evicted", "DaemonSet agent")
    expect(r.views.text).toContain("Dry run: nothing was persisted.")
    expect(await unschedulable()).toBe(false)
    expect((await podsOnNode()).map((p) => p.metadata?.uid).sort()).toEqual(before)
  })

  it("cordons, evicts one Deployment pod, reports the other blocked by the budget, skips the DaemonSet pod", async () => {
    const r = await dev("nodes_drain", { name: node, timeout_seconds: 6, grace_period_seconds: 1 })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["cordon"]).toBe("cordoned")
    expect(r.structured?.["complete"]).toBe(false)
    const pods = podsOf(r)
    const web = pods.filter((p) => p.name.startsWith("web-"))
    const evicted = web.filter((p) => p.status === "evicted")
    const blocked = web.filter((p) => p.status === "blocked")
    expect(evicted, r.text).toHaveLength(1)
    expect(blocked, r.text).toHaveLength(1)
    expect(blocked[0]?.reason).toContain("disruption budget")
    expect(pods.find((p) => p.name.startsWith("agent-"))?.status).toBe("skipped")
    inBothViews(r, evicted[0]?.name ?? "?", blocked[0]?.name ?? "?", "evicted", "blocked", "disruption budget")
    expect(r.views.text).toContain(`${ns}/${evicted[0]?.name ?? "?"}: evicted`)
    expect(await unschedulable()).toBe(true)
    const left = (await podsOnNode()).map((p) => p.metadata?.name)
    expect(left).not.toContain(evicted[0]?.name)
    expect(left).toContain(blocked[0]?.name)
  }, 30_000)

  it("is NotFound for an unknown node", async () => {
    const r = await dev("nodes_drain", { name: `kmcp-no-such-node-${suffix}`, dry_run: true })
    expect(r.error?.type).toBe("NotFound")
  })
})

describe("nodes_cordon / nodes_uncordon", () => {
  it("uncordons the drained node, and cordons it again (idempotently)", async () => {
    const un = await dev("nodes_uncordon", { name: node })
    expect(un.isError, un.text).toBe(false)
    expect(un.structured?.["action"]).toBe("uncordoned")
    expect(await unschedulable()).toBe(false)
    const dry = await dev("nodes_cordon", { name: node, dry_run: true })
    expect(dry.structured?.["action"]).toBe("cordoned")
    expect(await unschedulable()).toBe(false)
    const on = await dev("nodes_cordon", { name: node })
    inBothViews(on, "cordoned")
    expect(await unschedulable()).toBe(true)
    expect((await dev("nodes_cordon", { name: node })).structured?.["action"]).toBe("already cordoned")
    expect((await dev("nodes_uncordon", { name: node })).structured?.["action"]).toBe("uncordoned")
    expect((await dev("nodes_uncordon", { name: node })).structured?.["action"]).toBe("already schedulable")
    expect(await unschedulable()).toBe(false)
  })
})

describe("read-only mode", () => {
  it("hides nodes_cordon, nodes_uncordon and nodes_drain", async () => {
    const ro = await startStdio({ args: ["--read-only"] })
    try {
      const names = (await ro.client.listTools()).tools.map((t) => t.name)
      for (const t of ["nodes_cordon", "nodes_uncordon", "nodes_drain"]) expect(names).not.toContain(t)
      expect(names).toContain("nodes_summary")
      const refused = await call(ro.client, "nodes_drain", { context: "dev-cluster", name: node, dry_run: true })
      expect(refused.error?.type).toBe("ReadOnly")
    } finally {
      await ro.close()
    }
  })
})
