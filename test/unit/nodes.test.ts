/**
 * kube/nodes.ts on the Kube test layer: readiness, roles, the conditions that need attention, resources,
 * pod counts per node from the paged pod Table (and without them when pods may not be listed), ages from the
 * TestClock, and node usage from metrics.k8s.io. The end-to-end proof is test/tools/cluster-nodes.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { summarizeNode, summarizeNodes, topNode, topNodes } from "../../src/kube/nodes.js"
import { type FakeAnswer, fakeServer, testKubeLayer } from "../support/kube.js"

const NOW = Date.parse("2026-01-15T12:00:00Z")
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

const worker = {
  metadata: { name: "worker-1", creationTimestamp: ago(3 * 86400), labels: { "node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/gpu": "true" } },
  status: {
    // the API server normalises 1000 pods to 1k
    capacity: { cpu: "4", memory: "16Gi", pods: "1k" },
    allocatable: { cpu: "3800m", memory: "15Gi", pods: "1k" },
    conditions: [
      { type: "Ready", status: "True", reason: "KubeletReady" },
      { type: "MemoryPressure", status: "False" },
      { type: "DiskPressure", status: "False" }
    ],
    addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
    nodeInfo: { kubeletVersion: "v1.33.1", containerRuntimeVersion: "containerd://2.0", osImage: "Debian", kernelVersion: "6.1", architecture: "arm64" }
  }
}
const sick = {
  metadata: { name: "sick-0", creationTimestamp: ago(600), labels: { "kubernetes.io/role": "legacy" } },
  spec: { unschedulable: true, taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoExecute" }, { key: "team", value: "a", effect: "NoSchedule" }] },
  status: {
    capacity: { cpu: "2", memory: "4Gi", pods: "110" },
    allocatable: { cpu: "1500m", memory: "3Gi", pods: "110" },
    conditions: [
      { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: ago(300) },
      { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory", lastTransitionTime: null },
      { type: "DiskPressure", status: "False" },
      { type: "KernelDeadlock", status: "Unknown" }
    ]
  }
}

const byName = new Map<string, unknown>([[worker.metadata.name, worker], [sick.metadata.name, sick]])

const nodeList = (items: ReadonlyArray<unknown>) => ({ kind: "NodeList", metadata: {}, items })

/** The pod Table as the API server answers includeObject=None: columns, then cells per pod. */
const podTable = (nodes: ReadonlyArray<string>, cont?: string) => ({
  kind: "Table",
  metadata: cont !== undefined ? { continue: cont } : {},
  columnDefinitions: ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"].map((name) => ({ name })),
  rows: nodes.map((node, i) => ({ cells: [`p${i}`, "1/1", "Running", 0, "1m", "10.1.0.1", node], object: null }))
})

const queryOf = (request: string | undefined) => new URL(`https://x${(request ?? "").replace(/^\w+ /, "")}`).searchParams

/** A fake API server with nodes, pods (two pages) and, optionally, a refusal to list pods. */
const cluster = (options: { readonly nodes: ReadonlyArray<unknown>; readonly podsForbidden?: boolean }) =>
  fakeServer((req: ApiRequest): FakeAnswer => {
    if (req.path === "/api/v1/nodes") return { body: nodeList(options.nodes) }
    if (req.path.startsWith("/api/v1/nodes/")) {
      const name = decodeURIComponent(req.path.slice("/api/v1/nodes/".length))
      const node = options.nodes.includes(byName.get(name)) ? byName.get(name) : undefined
      return node !== undefined
        ? { body: node }
        : { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: `nodes "${name}" not found` } }
    }
    if (req.path === "/api/v1/pods") {
      if (options.podsForbidden === true) {
        return { status: 403, body: { kind: "Status", code: 403, reason: "Forbidden", message: "pods is forbidden: cannot list resource \"pods\"" } }
      }
      // <none>: an unscheduled pod, not counted
      return req.query?.["continue"] === undefined
        ? { body: podTable(["worker-1", "worker-1", "<none>"], "page-2") }
        : { body: podTable(["worker-1", "sick-0"]) }
    }
    return { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "not here" } }
  })

describe("summarizeNodes", () => {
  it.effect("reads readiness, roles, problems, taints, resources and pods per node, in name order", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = cluster({ nodes: [worker, sick] })
      const { nodes, podsCounted } = yield* summarizeNodes("tier=x").pipe(Effect.provide(testKubeLayer(server)))
      expect(podsCounted).toBe(true)
      expect(nodes.map((n) => [n.name, n.ready, n.roles, n.unschedulable, n.pods, n.age])).toEqual([
        ["sick-0", "Unknown", ["legacy"], true, 1, "10m"],
        ["worker-1", "True", ["gpu", "worker"], false, 3, "3d"]
      ])
      const [sickNode, workerNode] = nodes
      // Ready not True, and every other condition not False (Unknown included); DiskPressure=False is nominal
      expect(sickNode?.problems.map((c) => `${c.type}=${c.status}`)).toEqual(["Ready=Unknown", "MemoryPressure=True", "KernelDeadlock=Unknown"])
      expect(sickNode?.taints).toEqual(["node.kubernetes.io/not-ready:NoExecute", "team=a:NoSchedule"])
      expect(sickNode?.allocatable).toEqual({ cpu: "1500m", memory: "3Gi", pods: "110" })
      expect(workerNode?.problems).toEqual([])
      expect(workerNode?.capacity).toEqual({ cpu: "4", memory: "16Gi", pods: "1000" })
      expect(workerNode).toMatchObject({ kubeletVersion: "v1.33.1", containerRuntime: "containerd://2.0", architecture: "arm64", addresses: ["InternalIP: 10.0.0.1"] })
      // one node list, then the pod Table of every namespace, page by page, without Succeeded/Failed pods
      expect(server.requests[0]).toBe("GET /api/v1/nodes?labelSelector=tier%3Dx&limit=500")
      expect(server.requests.slice(1).map((r) => [queryOf(r).get("fieldSelector"), queryOf(r).get("includeObject"), queryOf(r).get("continue")])).toEqual([
        ["status.phase!=Succeeded,status.phase!=Failed", "None", null],
        ["status.phase!=Succeeded,status.phase!=Failed", "None", "page-2"]
      ])
      // a day later the nodes are a day older
      yield* TestClock.adjust("1 day")
      const later = yield* summarizeNodes().pipe(Effect.provide(testKubeLayer(server)))
      expect(later.nodes.map((n) => n.age)).toEqual(["24h", "4d"])
    }))

  it.effect("one node: the pod list is narrowed to it", () =>
    Effect.gen(function*() {
      const server = cluster({ nodes: [sick] })
      const { nodes } = yield* summarizeNodes().pipe(Effect.provide(testKubeLayer(server)))
      expect(nodes.map((n) => [n.name, n.pods])).toEqual([["sick-0", 1]])
      expect(queryOf(server.requests[1]).get("fieldSelector")).toBe("spec.nodeName=sick-0,status.phase!=Succeeded,status.phase!=Failed")
    }))

  it.effect("a user who may not list pods still gets the nodes, with pod counts unknown", () =>
    Effect.gen(function*() {
      const server = cluster({ nodes: [worker, sick], podsForbidden: true })
      const { nodes, podsCounted } = yield* summarizeNodes().pipe(Effect.provide(testKubeLayer(server)))
      expect(podsCounted).toBe(false)
      expect(nodes.map((n) => [n.name, n.ready, n.pods])).toEqual([["sick-0", "Unknown", undefined], ["worker-1", "True", undefined]])
    }))

  it.effect("no node: no pod is listed", () =>
    Effect.gen(function*() {
      const server = cluster({ nodes: [] })
      expect(yield* summarizeNodes().pipe(Effect.provide(testKubeLayer(server)))).toEqual({ nodes: [], podsCounted: true })
      expect(server.requests).toEqual(["GET /api/v1/nodes?limit=500"])
    }))

  it.effect("a pod Table without a Node column is the server's fault, said plainly", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) =>
        req.path === "/api/v1/nodes"
          ? { body: nodeList([worker, sick]) }
          : { body: { kind: "Table", columnDefinitions: [{ name: "Name" }], rows: [{ cells: ["p0"] }] } }
      )
      const error = yield* Effect.flip(summarizeNodes().pipe(Effect.provide(testKubeLayer(server))))
      expect(error._tag).toBe("ApiError")
      expect(error.message).toContain("no Node column")
    }))
})

describe("summarizeNode", () => {
  it.effect("one node with its pods; NotFound for an unknown name", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = cluster({ nodes: [worker, sick] })
      const node = yield* summarizeNode("worker-1").pipe(Effect.provide(testKubeLayer(server)))
      expect([node.name, node.ready, node.roles, node.pods, node.age, node.created]).toEqual(["worker-1", "True", ["gpu", "worker"], 3, "3d", ago(3 * 86400)])
      expect(server.requests[0]).toBe("GET /api/v1/nodes/worker-1")
      expect(queryOf(server.requests[1]).get("fieldSelector")).toBe("spec.nodeName=worker-1,status.phase!=Succeeded,status.phase!=Failed")
      const missing = yield* Effect.flip(summarizeNode("gone").pipe(Effect.provide(testKubeLayer(server))))
      expect(missing._tag).toBe("NotFound")
      // no pod list for a node that does not exist
      expect(server.requests.filter((r) => r.startsWith("GET /api/v1/pods"))).toHaveLength(2)
    }))
})

const METRICS = "/apis/metrics.k8s.io/v1beta1"
const nodeMetrics = (name: string, cpu: string, memory: string) => ({ metadata: { name }, usage: { cpu, memory } })

/** Nodes plus metrics.k8s.io: worker-1 sampled, sick-0 not (yet). */
const withMetrics = (served: boolean) =>
  fakeServer((req: ApiRequest): FakeAnswer => {
    if (req.path === "/api/v1/nodes") return { body: nodeList([worker, sick]) }
    if (req.path === "/api/v1/nodes/worker-1") return { body: worker }
    if (req.path === "/api/v1/nodes/sick-0") return { body: sick }
    if (served && req.path === `${METRICS}/nodes`) return { body: { items: [nodeMetrics("worker-1", "1900000001n", "7680Mi")] } }
    if (served && req.path === `${METRICS}/nodes/worker-1`) return { body: nodeMetrics("worker-1", "250m", "1Gi") }
    if (served && req.path === METRICS) return { body: { kind: "APIResourceList", resources: [] } }
    return { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "the server could not find the requested resource" } }
  })

describe("topNodes / topNode", () => {
  it.effect("kubectl top's arithmetic: millicores rounded up, MiB and percent of allocatable truncated; no sample is unknown", () =>
    Effect.gen(function*() {
      const server = withMetrics(true)
      const usage = yield* topNodes("tier=x").pipe(Effect.provide(testKubeLayer(server)))
      expect(usage).toEqual([
        { name: "sick-0", sampled: false, cpu: undefined, cpuPercent: undefined, memory: undefined, memoryPercent: undefined },
        // 1.900000001 cores of 3.8 → 1901m, 50%; 7680Mi of 15Gi → 50%
        { name: "worker-1", sampled: true, cpu: 1901, cpuPercent: 50, memory: 7680, memoryPercent: 50 }
      ])
      expect(server.requests).toEqual(["GET /api/v1/nodes?labelSelector=tier%3Dx&limit=500", `GET ${METRICS}/nodes?labelSelector=tier%3Dx`])
    }))

  it.effect("one node: NotFound for an unknown node before any metrics request; no sample yet is not an error", () =>
    Effect.gen(function*() {
      const server = withMetrics(true)
      const one = yield* topNode("worker-1").pipe(Effect.provide(testKubeLayer(server)))
      expect(one).toEqual({ name: "worker-1", sampled: true, cpu: 250, cpuPercent: 6, memory: 1024, memoryPercent: 6 })
      const unsampled = yield* topNode("sick-0").pipe(Effect.provide(testKubeLayer(server)))
      expect(unsampled).toMatchObject({ name: "sick-0", sampled: false, cpu: undefined })
      const before = server.requests.length
      expect((yield* Effect.flip(topNode("gone").pipe(Effect.provide(testKubeLayer(server)))))._tag).toBe("NotFound")
      expect(server.requests.slice(before)).toEqual(["GET /api/v1/nodes/gone"])
    }))

  it.effect("MetricsUnavailable where metrics.k8s.io is not served", () =>
    Effect.gen(function*() {
      const server = withMetrics(false)
      const error = yield* Effect.flip(topNodes().pipe(Effect.provide(testKubeLayer(server))))
      expect(error._tag).toBe("MetricsUnavailable")
      expect(error.message).toBe(`metrics.k8s.io is not served by context "test"`)
    }))
})
