/**
 * kube/wait.ts on the Kube test layer with TestClock: the poll's timing (one observation per interval, the
 * deadline, one progress report per poll), and kubectl wait's rules for conditions, JSONPath values and
 * deletion, by name and by label selector. No sleeps: the clock is moved by the test. The end-to-end proof
 * against the control plane is test/tools/rollouts.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { checkObject, parseCondition, parseJsonPath, pollUntil, waitFor, type WaitFor } from "../../src/kube/wait.js"
import { testKubeLayer } from "../support/kube.js"
import { DISCOVERY, fakeApi, notFound } from "./objects.fixture.js"

const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }
const WEB = "/apis/apps/v1/namespaces/default/deployments/web"

const deployment = (available: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", generation: 2 },
  status: {
    phase: "Running",
    readyReplicas: 2,
    conditions: [{ type: "Available", status: available, reason: available === "True" ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", ...extra }]
  }
})

/** Answers GET web with each body in turn, the last one from then on; counts the calls. */
const sequence = (bodies: ReadonlyArray<{ readonly status?: number; readonly body: unknown }>) => {
  let i = 0
  return () => bodies[Math.min(i++, bodies.length - 1)] ?? notFound("gone")
}

const condition = (text: string): WaitFor => Effect.runSync(parseCondition(text))

describe("pollUntil", () => {
  it.effect("observes at once and then every interval until met, one progress report per poll", () =>
    Effect.gen(function*() {
      const counter = yield* Ref.make(0)
      const reports: Array<[number, number, string]> = []
      const fiber = yield* pollUntil({
        observe: Ref.updateAndGet(counter, (c) => c + 1),
        met: (c: number) => c >= 3,
        describe: (c: number) => `seen ${c}`,
        timeoutMs: 10_000,
        intervalMs: 1000,
        progress: (p, total, message) => Effect.sync(() => void reports.push([p, total, message]))
      }).pipe(Effect.forkChild)
      yield* TestClock.adjust("999 millis")
      expect(reports.length).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(reports.length).toBe(2)
      yield* TestClock.adjust("5 seconds")
      const polled = yield* Fiber.join(fiber)
      expect(polled).toEqual({ last: 3, met: true, polls: 3, elapsedMs: 2000 })
      expect(reports).toEqual([[1, 11, "seen 1"], [2, 11, "seen 2"], [3, 11, "seen 3"]])
    }))

  it.effect("stops at the deadline with the last observation, not met", () =>
    Effect.gen(function*() {
      const counter = yield* Ref.make(0)
      const fiber = yield* pollUntil({
        observe: Ref.updateAndGet(counter, (c) => c + 1),
        met: () => false,
        describe: String,
        timeoutMs: 4500,
        intervalMs: 1000
      }).pipe(Effect.forkChild)
      yield* TestClock.adjust("1 minute")
      // polls at 0, 1, 2, 3 and 4 seconds; the deadline at 4.5 s ends it
      expect(yield* Fiber.join(fiber)).toEqual({ last: 5, met: false, polls: 5, elapsedMs: 4500 })
    }))
})

describe("kubectl wait's rules", () => {
  it("parses conditions as kubectl takes them: TYPE, TYPE=STATUS, condition=TYPE", () => {
    expect(condition("Available")).toEqual({ _tag: "Condition", type: "Available", status: "True" })
    expect(condition("Ready=False")).toEqual({ _tag: "Condition", type: "Ready", status: "False" })
    expect(condition("condition=Ready")).toEqual({ _tag: "Condition", type: "Ready", status: "True" })
    const bad = Effect.runSync(Effect.flip(parseCondition("Ready=")))
    expect(bad._tag).toBe("InvalidInput")
    expect(bad.issues[0]?.path).toBe("condition")
  })

  it("compares conditions case-insensitively and ignores one observed for an older generation", () => {
    expect(checkObject(deployment("True"), condition("available"))).toEqual({ met: true, detail: "Available=True (MinimumReplicasAvailable)" })
    expect(checkObject(deployment("False"), condition("Available")).met).toBe(false)
    expect(checkObject(deployment("False"), condition("Available=false")).met).toBe(true)
    const stale = checkObject(deployment("True", { observedGeneration: 1 }), condition("Available"))
    expect(stale).toEqual({ met: false, detail: "Available=True (MinimumReplicasAvailable) [observed generation 1 < 2]" })
    expect(checkObject(deployment("True"), condition("Progressing"))).toEqual({ met: false, detail: "no Progressing condition yet" })
  })

  it("JSONPath: one primitive value equal to the text given, or without a value any match", () => {
    const phase = Effect.runSync(parseJsonPath("{.status.phase}", "Running"))
    expect(checkObject(deployment("True"), phase)).toEqual({ met: true, detail: "{.status.phase} = Running" })
    const ready = Effect.runSync(parseJsonPath(".status.readyReplicas", "3"))
    expect(checkObject(deployment("True"), ready)).toEqual({ met: false, detail: ".status.readyReplicas = 2" })
    const exists = Effect.runSync(parseJsonPath(".status.conditions[*].type", undefined))
    expect(checkObject(deployment("True"), exists)).toEqual({ met: true, detail: ".status.conditions[*].type = Available" })
    const list = Effect.runSync(parseJsonPath(".status.conditions", "x"))
    expect(checkObject(deployment("True"), list).met).toBe(false)
    expect(checkObject(deployment("True"), Effect.runSync(parseJsonPath(".status.nothing", "x")))).toEqual({ met: false, detail: ".status.nothing not found" })
    const bad = Effect.runSync(Effect.flip(parseJsonPath("{.status[", "x")))
    expect(bad.issues[0]?.path).toBe("jsonpath")
    expect(bad.message).toContain("{.status[")
  })
})

describe("waitFor", () => {
  it.effect("a condition: polls the object until it holds, reporting each state", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: sequence([{ body: deployment("False") }, { body: deployment("False") }, { body: deployment("True") }]) })
      const reports: Array<string> = []
      const fiber = yield* waitFor({ ...DEPLOY, name: "web" }, condition("Available"), 30_000, "resources_wait", (_p, _t, m) => Effect.sync(() => void reports.push(m))).pipe(
        Effect.provide(testKubeLayer(api)),
        Effect.forkChild
      )
      yield* TestClock.adjust("10 seconds")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome).toMatchObject({ name: "web", namespace: "default", waitingFor: "condition Available=True", polls: 3, elapsedMs: 2000 })
      expect(outcome.objects).toEqual([{ name: "web", met: true, detail: "Available=True (MinimumReplicasAvailable)" }])
      expect(reports).toEqual([
        "deployment.apps/web in namespace \"default\": web: Available=False (MinimumReplicasUnavailable)",
        "deployment.apps/web in namespace \"default\": web: Available=False (MinimumReplicasUnavailable)",
        "deployment.apps/web in namespace \"default\": web: Available=True (MinimumReplicasAvailable)"
      ])
      expect(api.calls()).toEqual([`GET ${WEB}`, `GET ${WEB}`, `GET ${WEB}`])
    }))

  it.effect("deletion: done when the object is gone", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: sequence([{ body: deployment("True") }, notFound("deployments.apps \"web\" not found")]) })
      const fiber = yield* waitFor({ ...DEPLOY, name: "web" }, { _tag: "Delete" }, 30_000, "resources_wait").pipe(Effect.provide(testKubeLayer(api)), Effect.forkChild)
      yield* TestClock.adjust("5 seconds")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome.objects).toEqual([{ name: "web", met: true, detail: "deleted" }])
      expect(outcome.polls).toBe(2)
    }))

  it.effect("times out as a Timeout error naming the wait and the last state seen", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: { body: deployment("False") } })
      const fiber = yield* waitFor({ ...DEPLOY, name: "web" }, condition("Available"), 3000, "resources_wait").pipe(
        Effect.provide(testKubeLayer(api)),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("2999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const e = yield* Fiber.join(fiber)
      expect(e._tag).toBe("Timeout")
      expect(e.message).toBe("timed out after 3s waiting for condition Available=True on deployment.apps/web in namespace \"default\"")
      expect(e.details).toBe("Last seen (poll 3): web: Available=False (MinimumReplicasUnavailable)")
    }))

  it.effect("a missing object is NotFound at once unless waiting for deletion", () =>
    Effect.gen(function*() {
      const api = fakeApi({})
      const e = yield* waitFor({ ...DEPLOY, name: "web" }, condition("Available"), 30_000, "resources_wait").pipe(Effect.provide(testKubeLayer(api)), Effect.flip)
      expect(e._tag).toBe("NotFound")
      const gone = yield* waitFor({ ...DEPLOY, name: "web" }, { _tag: "Delete" }, 30_000, "resources_wait").pipe(Effect.provide(testKubeLayer(api)))
      expect(gone).toMatchObject({ polls: 1, elapsedMs: 0 })
    }))

  it.effect("a label selector: every object it matches must meet the condition; none matching is NotFound", () =>
    Effect.gen(function*() {
      const pod = (name: string, ready: string) => ({ metadata: { name }, status: { conditions: [{ type: "Ready", status: ready }] } })
      const list = (items: ReadonlyArray<unknown>) => ({ body: { kind: "PodList", metadata: {}, items } })
      const api = fakeApi({
        "GET /api/v1/namespaces/shop/pods": sequence([list([pod("a", "True"), pod("b", "False")]), list([pod("a", "True"), pod("b", "True")])])
      })
      const fiber = yield* waitFor({ version: "v1", kind: "Pod", namespace: "shop", labelSelector: "app=web" }, condition("Ready"), 30_000, "resources_wait").pipe(
        Effect.provide(testKubeLayer(api)),
        Effect.forkChild
      )
      yield* TestClock.adjust("5 seconds")
      const outcome = yield* Fiber.join(fiber)
      expect(outcome.objects.map((o) => [o.name, o.met])).toEqual([["a", true], ["b", true]])
      expect(outcome.polls).toBe(2)
      expect(api.calls()[0]).toBe("GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb&limit=500")

      const empty = fakeApi({ "GET /api/v1/namespaces/shop/pods": list([]) })
      const none = yield* waitFor({ version: "v1", kind: "Pod", namespace: "shop", labelSelector: "app=web" }, condition("Ready"), 30_000, "resources_wait").pipe(
        Effect.provide(testKubeLayer(empty)),
        Effect.flip
      )
      expect(none._tag).toBe("NotFound")
      expect(none.message).toBe("no matching resources found: pod with labels app=web in namespace \"shop\"")
      const deleted = yield* waitFor({ version: "v1", kind: "Pod", namespace: "shop", labelSelector: "app=web" }, { _tag: "Delete" }, 30_000, "resources_wait").pipe(
        Effect.provide(testKubeLayer(empty))
      )
      expect(deleted.objects).toEqual([])
    }))

  it.effect("name and label_selector: exactly one", () =>
    Effect.gen(function*() {
      const api = fakeApi({}, DISCOVERY)
      const both = yield* waitFor({ ...DEPLOY, name: "web", labelSelector: "a=b" }, { _tag: "Delete" }, 1000, "resources_wait").pipe(Effect.provide(testKubeLayer(api)), Effect.flip)
      expect(both._tag).toBe("InvalidInput")
      const neither = yield* waitFor({ ...DEPLOY }, { _tag: "Delete" }, 1000, "resources_wait").pipe(Effect.provide(testKubeLayer(api)), Effect.flip)
      expect(neither._tag).toBe("InvalidInput")
      expect(api.calls()).toEqual([])
    }))
})
