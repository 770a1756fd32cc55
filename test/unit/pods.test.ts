/**
 * kube/pods.ts, podStatus.ts and podMetrics.ts on the Kube test layer: the rows pods_list shows (kubectl's
 * statuses, ages from the TestClock), the pod with its own events, deletion options and outcomes, container
 * choice, and pod usage. The end-to-end proof against the control plane is test/tools/pods.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { topPod, topPods } from "../../src/kube/podMetrics.js"
import { pickContainer } from "../../src/kube/podContainers.js"
import { deletePod, getPod, getPodWithEvents, listPods, MAX_POD_EVENTS } from "../../src/kube/pods.js"
import { podSummary } from "../../src/kube/podStatus.js"
import { type FakeAnswer, fakeServer, testKubeLayer } from "../support/kube.js"

const NOW = Date.parse("2026-01-15T12:00:00Z")
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

const app = { name: "app", image: "registry.example/app:1.0" }
const running = { name: "app", ready: true, restartCount: 0, state: { running: { startedAt: ago(3600) } } }

const crashy = {
  metadata: { name: "crashy", namespace: "default", creationTimestamp: ago(3 * 3600) },
  spec: { nodeName: "node-1", containers: [app] },
  status: {
    phase: "Running",
    podIP: "10.0.0.7",
    containerStatuses: [{
      name: "app",
      ready: false,
      restartCount: 5,
      state: { waiting: { reason: "CrashLoopBackOff" } },
      lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: ago(120) } }
    }]
  }
}
const initializing = {
  metadata: { name: "init", namespace: "default", creationTimestamp: ago(30) },
  spec: { nodeName: "node-1", initContainers: [{ name: "setup" }], containers: [app] },
  status: {
    phase: "Pending",
    initContainerStatuses: [{ name: "setup", ready: false, restartCount: 0, state: { running: { startedAt: ago(10) } } }],
    containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
  }
}
const terminating = {
  metadata: { name: "going", namespace: "default", creationTimestamp: ago(5 * 86400), deletionTimestamp: ago(5) },
  spec: { nodeName: "node-2", containers: [app] },
  status: { phase: "Running", podIP: "10.0.0.9", containerStatuses: [running] }
}
const completed = {
  metadata: { name: "job-x", namespace: "batch", creationTimestamp: ago(600) },
  spec: { nodeName: "node-1", containers: [app] },
  status: { phase: "Succeeded", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }] }
}

/** Lets forked calls run until they wait on the clock. */
const settle = Effect.promise(() => new Promise((r) => setImmediate(r))).pipe(Effect.repeat({ times: 5 }))

const list = (items: ReadonlyArray<unknown>, cont?: string) => ({ kind: "PodList", metadata: cont !== undefined ? { continue: cont } : {}, items })

describe("listPods", () => {
  // the fake server renders no Table, so these read the plain list, as from an API server that cannot
  it.effect("reads each pod as kubectl get pods -o wide, with ages from the clock", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: list([crashy, initializing, terminating], "next-page") }))
      yield* TestClock.setTime(NOW)
      const page = yield* listPods({ labelSelector: "app=x", limit: 3 }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual(["GET /api/v1/namespaces/default/pods?labelSelector=app%3Dx&limit=3&includeObject=None"])
      expect(page.scope).toEqual({ all: false, namespace: "default" })
      expect(page.continue).toBe("next-page")
      expect(page.pods).toEqual([
        { namespace: "default", name: "crashy", ready: "0/1", status: "CrashLoopBackOff", restarts: "5 (2m ago)", age: "3h", node: "node-1", ip: "10.0.0.7" },
        { namespace: "default", name: "init", ready: "0/1", status: "Init:0/1", restarts: "0", age: "30s", node: "node-1", ip: "<none>" },
        { namespace: "default", name: "going", ready: "1/1", status: "Terminating", restarts: "0", age: "5d", node: "node-2", ip: "10.0.0.9" }
      ])
      // an hour later the same pods are an hour older
      yield* TestClock.adjust("1 hour")
      const later = yield* listPods({}).pipe(Effect.provide(testKubeLayer(server)))
      expect(later.pods.map((p) => [p.age, p.restarts])).toEqual([["4h", "5 (62m ago)"], ["60m", "0"], ["5d", "0"]])
    }))

  it.effect("all namespaces: the cluster-wide path and the default page size; Completed for a finished pod", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: list([completed]) }))
      yield* TestClock.setTime(NOW)
      const page = yield* listPods({ allNamespaces: true, fieldSelector: "status.phase=Succeeded" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual(["GET /api/v1/pods?fieldSelector=status.phase%3DSucceeded&limit=500&includeObject=Metadata"])
      expect(page.scope).toEqual({ all: true })
      expect(page.continue).toBeUndefined()
      expect(page.pods).toEqual([{ namespace: "batch", name: "job-x", ready: "0/1", status: "Completed", restarts: "0", age: "10m", node: "node-1", ip: "<none>" }])
    }))

  it.effect("a limit above a page is read in pages of 500, and only until the budget is full", () =>
    Effect.gen(function*() {
      // a server-side Table of `n` pods named from `from`, with the next page's token
      const table = (from: number, n: number, next: string | undefined) => ({
        kind: "Table",
        metadata: next !== undefined ? { continue: next } : {},
        columnDefinitions: ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node"].map((name) => ({ name, type: "string" })),
        rows: Array.from({ length: n }, (_, i) => ({ cells: [`p-${from + i}`, "1/1", "Running", "0", "5m", "10.0.0.1", "node-1"] }))
      })
      const server = fakeServer((req) => {
        const at = Number(req.query?.["continue"] ?? 0)
        return { body: table(at, Number(req.query?.["limit"]), `${at + Number(req.query?.["limit"])}`) }
      })
      const whole = yield* listPods({ limit: 1200 }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual([
        "GET /api/v1/namespaces/default/pods?limit=500&includeObject=None",
        "GET /api/v1/namespaces/default/pods?limit=500&continue=500&includeObject=None",
        "GET /api/v1/namespaces/default/pods?limit=200&continue=1000&includeObject=None"
      ])
      expect(whole.pods.map((p) => p.name)).toEqual(Array.from({ length: 1200 }, (_, i) => `p-${i}`))
      expect(whole.continue).toBe("1200")
      // rows of about 60 bytes: 500 of them pass a 20 KiB budget, so the second page is not read
      const budgeted = fakeServer((req) => ({ body: table(Number(req.query?.["continue"] ?? 0), Number(req.query?.["limit"]), "next") }))
      const cut = yield* listPods({ limit: 5000, budgetBytes: 20_000 }).pipe(Effect.provide(testKubeLayer(budgeted)))
      expect(budgeted.requests).toHaveLength(1)
      expect(cut.pods).toHaveLength(500)
      expect(cut.continue).toBe("next")
    }))

  it.effect("refuses namespace with all namespaces before any request", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: list([]) }))
      const e = yield* Effect.flip(listPods({ namespace: "team-a", allNamespaces: true }).pipe(Effect.provide(testKubeLayer(server))))
      expect(e._tag).toBe("InvalidInput")
      expect(server.requests).toEqual([])
    }))
})

const web = (uid: string) => ({
  metadata: { name: "web", namespace: "default", uid, creationTimestamp: ago(7200), ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-abc", controller: true }] },
  spec: { nodeName: "node-1", containers: [app] },
  status: { phase: "Running", podIP: "10.0.0.5", qosClass: "BestEffort", containerStatuses: [running] }
})
const event = (name: string, uid: string | undefined, lastSeconds: number, extra: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: "default" },
  involvedObject: { kind: "Pod", name: "web", namespace: "default", ...(uid !== undefined ? { uid } : {}) },
  reason: name,
  message: `${name} happened`,
  type: "Normal",
  lastTimestamp: ago(lastSeconds),
  ...extra
})

describe("getPodWithEvents", () => {
  const isEvents = (req: ApiRequest) => req.path === "/api/v1/namespaces/default/events"

  it.effect("fetches the pod and the events named after it together; keeps this pod's, newest first", () =>
    Effect.gen(function*() {
      const server = fakeServer((req): FakeAnswer =>
        isEvents(req)
          ? {
            body: {
              items: [
                event("Scheduled", "uid-2", 300),
                event("OldIncarnation", "uid-1", 10),
                event("Pulled", "uid-2", 60, { count: 3 }),
                event("NoUid", undefined, 30)
              ]
            }
          }
          : { body: web("uid-2") }
      )
      yield* TestClock.setTime(NOW)
      const found = yield* getPodWithEvents("default", "web").pipe(Effect.provide(testKubeLayer(server)))
      expect([...server.requests].sort()).toEqual([
        "GET /api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3Dweb&limit=500",
        "GET /api/v1/namespaces/default/pods/web"
      ])
      expect(found.pod.metadata.uid).toBe("uid-2")
      expect(found.events.map((e) => e.reason)).toEqual(["NoUid", "Pulled", "Scheduled"])
      expect(found.eventsHidden).toBeUndefined()
      const summary = podSummary(found.pod, found, NOW)
      expect(summary).toMatchObject({
        name: "web",
        status: "Running",
        ready: "1/1",
        restarts: "0",
        node: "node-1",
        ip: "10.0.0.5",
        qos: "BestEffort",
        owner: "ReplicaSet/web-abc",
        age: "2h"
      })
      expect(summary["events"]).toEqual([
        { last_seen: "30s ago", type: "Normal", reason: "NoUid", message: "NoUid happened" },
        { last_seen: "60s ago", type: "Normal", reason: "Pulled", message: "Pulled happened", count: 3 },
        { last_seen: "5m ago", type: "Normal", reason: "Scheduled", message: "Scheduled happened" }
      ])
      expect(summary["containers"]).toEqual([
        { name: "app", image: "registry.example/app:1.0", ready: true, restarts: 0, state: { state: "running", started_at: ago(3600) } }
      ])
    }))

  it.effect("one round trip: both requests are in flight at once", () =>
    Effect.gen(function*() {
      // each answer takes a second: together they are done after one second, one after the other after two
      const server = fakeServer((req) => Effect.as(Effect.sleep("1 second"), isEvents(req) ? { body: { items: [] } } : { body: web("uid-2") }))
      const fiber = yield* getPodWithEvents("default", "web").pipe(Effect.provide(testKubeLayer(server)), Effect.forkChild)
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(fiber.pollUnsafe()?._tag).toBe("Success")
      expect((yield* Fiber.join(fiber)).pod.metadata.name).toBe("web")
    }))

  it.effect("keeps the newest MAX_POD_EVENTS", () =>
    Effect.gen(function*() {
      const many = Array.from({ length: MAX_POD_EVENTS + 5 }, (_, i) => event(`e${i}`, "uid-2", 1000 - i))
      const server = fakeServer((req) => (isEvents(req) ? { body: { items: many } } : { body: web("uid-2") }))
      const found = yield* getPodWithEvents("default", "web").pipe(Effect.provide(testKubeLayer(server)))
      expect(found.events.map((e) => e.reason)).toEqual(Array.from({ length: MAX_POD_EVENTS }, (_, i) => `e${MAX_POD_EVENTS + 4 - i}`))
    }))

  it.effect("events that may not be read do not fail the get; a missing pod does", () =>
    Effect.gen(function*() {
      const denied = fakeServer((req) =>
        isEvents(req) ? { status: 403, body: { kind: "Status", code: 403, reason: "Forbidden", message: "events is forbidden" } } : { body: web("uid-2") }
      )
      const found = yield* getPodWithEvents("default", "web").pipe(Effect.provide(testKubeLayer(denied)))
      expect(found.events).toEqual([])
      expect(found.eventsHidden).toBe("events is forbidden")
      expect(podSummary(found.pod, found, NOW)["events"]).toBe("not shown: events is forbidden")

      const missing = fakeServer((req) =>
        isEvents(req) ? { body: { items: [] } } : { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "pods \"web\" not found" } }
      )
      const e = yield* Effect.flip(getPodWithEvents("default", "web").pipe(Effect.provide(testKubeLayer(missing))))
      expect(e._tag).toBe("NotFound")
    }))
})

describe("deletePod", () => {
  const recorder = (answer: unknown) => {
    const bodies: Array<unknown> = []
    const server = fakeServer((req) => {
      bodies.push(req.body)
      return { body: answer }
    })
    return { server, bodies }
  }
  const deleting = (meta: Record<string, unknown>) => ({ kind: "Pod", metadata: { name: "web", resourceVersion: "42", ...meta } })

  it.effect("sends dryRun and gracePeriodSeconds; a dry run is never terminating", () =>
    Effect.gen(function*() {
      const { bodies, server } = recorder(deleting({ deletionTimestamp: ago(0), deletionGracePeriodSeconds: 30 }))
      const dry = yield* deletePod("team-a", "web", { dryRun: true, gracePeriodSeconds: 0 }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual(["DELETE /api/v1/namespaces/team-a/pods/web"])
      expect(bodies).toEqual([{ apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, dryRun: ["All"] }])
      expect(dry).toEqual({ resourceVersion: "42" })
    }))

  it.effect("says how the pod goes away: within its grace period, once its finalizers are done, or at once (Status)", () =>
    Effect.gen(function*() {
      const graceful = recorder(deleting({ deletionTimestamp: "2026-01-15T12:00:00Z", deletionGracePeriodSeconds: 30 }))
      expect(yield* deletePod("default", "web", {}).pipe(Effect.provide(testKubeLayer(graceful.server)))).toEqual({
        resourceVersion: "42",
        terminating: "the pod shuts down within 30s (deletion requested at 2026-01-15T12:00:00Z)"
      })
      expect(graceful.bodies).toEqual([{ apiVersion: "v1", kind: "DeleteOptions" }])

      const held = recorder(deleting({ deletionTimestamp: "2026-01-15T12:00:00Z", deletionGracePeriodSeconds: 0, finalizers: ["kmcp.test/hold"] }))
      expect((yield* deletePod("default", "web", { gracePeriodSeconds: 0 }).pipe(Effect.provide(testKubeLayer(held.server)))).terminating)
        .toBe("the pod is removed once its finalizers are done: kmcp.test/hold")

      const gone = recorder({ kind: "Status", status: "Success", metadata: {} })
      expect(yield* deletePod("default", "web", {}).pipe(Effect.provide(testKubeLayer(gone.server)))).toEqual({})
    }))
})

describe("pickContainer", () => {
  const podWith = (names: ReadonlyArray<string>, annotations: Record<string, string> = {}, init: ReadonlyArray<string> = []) =>
    fakeServer(() => ({
      body: {
        metadata: { name: "multi", annotations },
        spec: { containers: names.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) }
      }
    }))

  it.effect("the only container; the default-container annotation; the first (exec) or an InvalidInput that lists them", () =>
    Effect.gen(function*() {
      const single = yield* getPod("default", "multi").pipe(Effect.provide(testKubeLayer(podWith(["app"]))))
      expect(yield* pickContainer(single, undefined, { fallbackToFirst: false })).toEqual({ name: "app" })

      const annotated = yield* getPod("default", "multi").pipe(
        Effect.provide(testKubeLayer(podWith(["app", "side"], { "kubectl.kubernetes.io/default-container": "side" })))
      )
      const chosen = yield* pickContainer(annotated, undefined, { fallbackToFirst: false })
      expect(chosen.name).toBe("side")
      expect(chosen.defaulted).toContain("kubectl.kubernetes.io/default-container")

      const two = yield* getPod("default", "multi").pipe(Effect.provide(testKubeLayer(podWith(["app", "side"], {}, ["setup"]))))
      const first = yield* pickContainer(two, undefined, { fallbackToFirst: true })
      expect(first).toEqual({ name: "app", defaulted: "container \"app\" (the first one); containers: app, side; init containers: setup" })
      const unclear = yield* Effect.flip(pickContainer(two, undefined, { fallbackToFirst: false, allHint: "all_containers: true" }))
      expect(unclear.message).toBe("Pod \"multi\" has 2 containers; say which one (containers: app, side; init containers: setup)")
      expect(unclear.details).toBe("Pass container (one of: app, side), or all_containers: true.")
      // an init container may be named
      expect(yield* pickContainer(two, "setup", { fallbackToFirst: false })).toEqual({ name: "setup" })
      const unknown = yield* Effect.flip(pickContainer(two, "nope", { fallbackToFirst: true }))
      expect(unknown.issues).toEqual([{ path: "container", message: "no container \"nope\" in pod \"multi\"; containers: app, side; init containers: setup" }])
    }))
})

describe("pod usage", () => {
  const metrics = (namespace: string, name: string, containers: ReadonlyArray<{ cpu: string; memory: string }>) => ({
    metadata: { name, namespace },
    containers: containers.map((usage, i) => ({ name: `c${i}`, usage }))
  })

  it.effect("sums containers in millicores and MiB, sorted by name or highest first", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({
        body: {
          items: [
            metrics("b", "web", [{ cpu: "250m", memory: "64Mi" }]),
            metrics("a", "db", [{ cpu: "100000000n", memory: "100Mi" }, { cpu: "1m", memory: "100Mi" }]),
            metrics("a", "odd", [{ cpu: "lots", memory: "1Gi" }])
          ]
        }
      }))
      const byName = yield* topPods({ namespace: undefined, labelSelector: "tier=x" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual(["GET /apis/metrics.k8s.io/v1beta1/pods?labelSelector=tier%3Dx"])
      expect(byName).toEqual([
        { namespace: "a", name: "db", cpu: 101, memory: 200 },
        { namespace: "a", name: "odd", cpu: undefined, memory: 1024 },
        { namespace: "b", name: "web", cpu: 250, memory: 64 }
      ])
      const byCpu = yield* topPods({ namespace: "a", sortBy: "cpu" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests[1]).toBe("GET /apis/metrics.k8s.io/v1beta1/namespaces/a/pods")
      expect(byCpu.map((u) => u.name)).toEqual(["web", "db", "odd"])
    }))

  it.effect("one pod without a sample yet is a NotFound that says so; a missing pod is the pod's NotFound", () =>
    Effect.gen(function*() {
      const notFound = { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "not found" } }
      const noSample = fakeServer((req) => (req.path.startsWith("/apis/metrics.k8s.io/v1beta1/namespaces") ? notFound : req.path === "/apis/metrics.k8s.io/v1beta1" ? { body: {} } : { body: web("u") }))
      const e = yield* Effect.flip(topPod("default", "web").pipe(Effect.provide(testKubeLayer(noSample))))
      expect(e).toMatchObject({ _tag: "NotFound", message: "Pod \"default/web\" has no metrics yet" })

      const noPod = fakeServer((req) => (req.path === "/apis/metrics.k8s.io/v1beta1" ? { body: {} } : notFound))
      const gone = yield* Effect.flip(topPod("default", "web").pipe(Effect.provide(testKubeLayer(noPod))))
      expect(gone).toMatchObject({ _tag: "NotFound", message: "not found" })
      expect(noPod.requests).toContain("GET /api/v1/namespaces/default/pods/web")
    }))
})
