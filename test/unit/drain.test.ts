/**
 * kube/drain.ts on the Kube test layer: kubectl's filters, evictions retried on the TestClock while a
 * PodDisruptionBudget refuses (429) and reported as blocked at the deadline, waiting for evicted pods to be
 * gone, dry run, and a refused pod stopping the drain before any eviction. The end-to-end proof is
 * test/tools/drain.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { type DrainOptions, type DrainPod, drainNode, drainVerdict } from "../../src/kube/drain.js"
import { type FakeAnswer, fakeServer, testKubeLayer } from "../support/kube.js"

const rs = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", controller: true }]
const ds = [{ apiVersion: "apps/v1", kind: "DaemonSet", name: "agent", controller: true }]
const pod = (name: string, extra: Partial<{ owners: typeof rs; annotations: Record<string, string>; emptyDir: boolean; phase: string; deleting: string }> = {}): DrainPod => ({
  metadata: {
    name,
    namespace: "shop",
    uid: `uid-${name}`,
    ...(extra.owners !== undefined ? { ownerReferences: extra.owners } : {}),
    ...(extra.annotations !== undefined ? { annotations: extra.annotations } : {}),
    ...(extra.deleting !== undefined ? { deletionTimestamp: extra.deleting } : {})
  },
  ...(extra.emptyDir === true ? { spec: { volumes: [{ name: "cache", emptyDir: {} }] } } : {}),
  ...(extra.phase !== undefined ? { status: { phase: extra.phase } } : {})
})

const NO_FLAGS = { force: false, deleteEmptyDirData: false }

describe("drainVerdict (kubectl drain's filters)", () => {
  it("skips DaemonSet, mirror and terminating pods", () => {
    expect(drainVerdict(pod("a", { owners: ds }), NO_FLAGS)).toMatchObject({ _tag: "skip", reason: expect.stringContaining("DaemonSet agent") })
    expect(drainVerdict(pod("m", { annotations: { "kubernetes.io/config.mirror": "abc" } }), NO_FLAGS)).toMatchObject({ _tag: "skip", reason: expect.stringContaining("mirror") })
    expect(drainVerdict(pod("t", { owners: rs, deleting: "2026-01-01T00:00:00Z" }), NO_FLAGS)).toMatchObject({ _tag: "skip" })
  })

  it("refuses unmanaged and emptyDir pods unless allowed, and lets finished ones go", () => {
    expect(drainVerdict(pod("bare"), NO_FLAGS)).toMatchObject({ _tag: "refuse", reason: expect.stringContaining("force: true") })
    expect(drainVerdict(pod("bare"), { ...NO_FLAGS, force: true })).toMatchObject({ _tag: "evict", note: expect.stringContaining("force") })
    expect(drainVerdict(pod("cache", { owners: rs, emptyDir: true }), NO_FLAGS)).toMatchObject({ _tag: "refuse", reason: expect.stringContaining("delete_emptydir_data") })
    expect(drainVerdict(pod("cache", { owners: rs, emptyDir: true }), { ...NO_FLAGS, deleteEmptyDirData: true })).toMatchObject({ _tag: "evict" })
    expect(drainVerdict(pod("done", { phase: "Succeeded", emptyDir: true }), NO_FLAGS)).toEqual({ _tag: "evict" })
    expect(drainVerdict(pod("web", { owners: rs }), NO_FLAGS)).toEqual({ _tag: "evict" })
  })
})

const PDB_429 = {
  status: 429,
  body: {
    kind: "Status",
    code: 429,
    reason: "TooManyRequests",
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    details: { causes: [{ reason: "DisruptionBudget", message: "The disruption budget web-pdb needs 2 healthy pods and has 2 currently" }] }
  }
}

/** A node "n1" with `pods`; evicting a pod removes it unless `refuse(name, attempt)` says 429. */
const cluster = (pods: ReadonlyArray<DrainPod>, refuse: (name: string, attempt: number) => boolean = () => false) => {
  const gone = new Set<string>()
  const attempts = new Map<string, number>()
  const evictionBodies: Array<unknown> = []
  const server = fakeServer((req: ApiRequest): FakeAnswer => {
    if (req.path === "/api/v1/nodes/n1") return { body: { metadata: { name: "n1", resourceVersion: req.method === "PATCH" ? "2" : "1" } } }
    if (req.path === "/api/v1/pods") return { body: { items: pods.filter((p) => !gone.has(p.metadata.name)) } }
    const m = /^\/api\/v1\/namespaces\/shop\/pods\/([^/]+)(\/eviction)?$/.exec(req.path)
    const name = m?.[1] ?? ""
    if (m?.[2] !== undefined) {
      evictionBodies.push(req.body)
      const n = (attempts.get(name) ?? 0) + 1
      attempts.set(name, n)
      if (refuse(name, n)) return PDB_429
      if (!JSON.stringify(req.body).includes("dryRun")) gone.add(name)
      return { status: 201, body: { kind: "Status", status: "Success" } }
    }
    const p = pods.find((x) => x.metadata.name === name)
    return p !== undefined && !gone.has(name) ? { body: p } : { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "not found" } }
  })
  return { server, evictionBodies }
}

const OPTS: DrainOptions = { force: false, deleteEmptyDirData: false, gracePeriodSeconds: undefined, timeoutSeconds: 5, dryRun: false }

/** Lets forked work run until it blocks on the clock. */
const settle = Effect.promise(() => new Promise((r) => setImmediate(r))).pipe(Effect.repeat({ times: 20 }))

const runFor = <A, E, R>(effect: Effect.Effect<A, E, R>, seconds: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    for (let i = 0; i < seconds * 2; i++) {
      yield* settle
      yield* TestClock.adjust("500 millis")
    }
    return yield* Fiber.join(fiber)
  })

describe("drainNode", () => {
  it.effect("cordons, skips the DaemonSet pod, evicts the others and retries the one a budget refuses until it gives way", () => {
    const { evictionBodies, server } = cluster(
      [pod("web-1", { owners: rs }), pod("web-2", { owners: rs }), pod("agent-x", { owners: ds })],
      (name, n) => name === "web-2" && n < 3
    )
    return Effect.gen(function*() {
      const r = yield* runFor(drainNode("n1", { ...OPTS, gracePeriodSeconds: 7 }), 8)
      expect(r.cordon).toBe("cordoned")
      expect(r.pods).toEqual([
        { namespace: "shop", name: "agent-x", status: "skipped", reason: expect.stringContaining("DaemonSet") },
        { namespace: "shop", name: "web-1", status: "evicted", attempts: 1 },
        { namespace: "shop", name: "web-2", status: "evicted", attempts: 3 }
      ])
      expect(r.complete).toBe(true)
      expect(server.requests).toContain("PATCH /api/v1/nodes/n1")
      expect(server.requests).toContain("GET /api/v1/pods?fieldSelector=spec.nodeName%3Dn1&limit=500")
      expect(evictionBodies[0]).toMatchObject({ kind: "Eviction", apiVersion: "policy/v1", deleteOptions: { gracePeriodSeconds: 7 } })
    }).pipe(Effect.provide(testKubeLayer(server)))
  })

  it.effect("reports a pod a budget keeps refusing as blocked, with the budget's message, once the timeout is spent", () => {
    const { server } = cluster([pod("web-1", { owners: rs }), pod("web-2", { owners: rs })], (name) => name === "web-2")
    return Effect.gen(function*() {
      const r = yield* runFor(drainNode("n1", OPTS), 8)
      const blocked = r.pods.find((p) => p.name === "web-2")
      expect(blocked?.status).toBe("blocked")
      expect(blocked?.reason).toContain("The disruption budget web-pdb needs 2 healthy pods")
      // attempts at 0 s, 2 s and 4 s; a fourth at 6 s would pass the 5 s deadline
      expect(blocked?.attempts).toBe(3)
      expect(r.complete).toBe(false)
      expect(r.elapsedMs).toBeLessThanOrEqual(5000)
    }).pipe(Effect.provide(testKubeLayer(server)))
  })

  it.effect("dry run: the cordon and every eviction are server-side dry runs, a refusal is reported at once", () => {
    const { evictionBodies, server } = cluster([pod("web-1", { owners: rs }), pod("web-2", { owners: rs })], (name) => name === "web-2")
    return Effect.gen(function*() {
      const r = yield* runFor(drainNode("n1", { ...OPTS, dryRun: true }), 1)
      expect(r.pods.map((p) => [p.name, p.status, p.attempts])).toEqual([["web-1", "would be evicted", 1], ["web-2", "blocked", 1]])
      expect(server.requests).toContain("PATCH /api/v1/nodes/n1?dryRun=All")
      expect(evictionBodies.every((b) => JSON.stringify(b).includes("\"dryRun\":[\"All\"]"))).toBe(true)
    }).pipe(Effect.provide(testKubeLayer(server)))
  })

  it.effect("a pod no controller manages stops the drain before any eviction (kubectl without --force)", () => {
    const { evictionBodies, server } = cluster([pod("bare"), pod("web-1", { owners: rs })])
    return Effect.gen(function*() {
      const r = yield* runFor(drainNode("n1", OPTS), 1)
      expect(r.refused).toContain("1 pod(s)")
      expect(r.pods.map((p) => [p.name, p.status])).toEqual([["bare", "blocked"], ["web-1", "not attempted"]])
      expect(evictionBodies).toEqual([])
      const forced = yield* runFor(drainNode("n1", { ...OPTS, force: true }), 2)
      expect(forced.pods.map((p) => [p.name, p.status])).toEqual([["bare", "evicted"], ["web-1", "evicted"]])
    }).pipe(Effect.provide(testKubeLayer(server)))
  })
})
