/**
 * kube/rollouts.ts: kubectl rollout status's rules and words for the three kinds (pure), the bounded wait
 * with TestClock, restart's annotation from the Clock, and undo's choice of revision and its patch, on the
 * Kube test layer. The end-to-end proof against the control plane is test/tools/rollouts.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Schema } from "effect"
import { TestClock } from "effect/testing"
import {
  daemonSetStatus,
  deploymentStatus,
  restartRollout,
  rolloutStatus,
  statefulSetStatus,
  undoRollout,
  WorkloadView
} from "../../src/kube/rollouts.js"
import { selectorText } from "../../src/kube/meta.js"
import { testKubeLayer } from "../support/kube.js"
import { DISCOVERY, fakeApi } from "./objects.fixture.js"

const ALL = ["create", "delete", "get", "list", "patch", "update", "watch"]
const APPS = {
  ...DISCOVERY,
  "/apis/apps/v1": {
    resources: [
      { name: "deployments", singularName: "deployment", namespaced: true, kind: "Deployment", verbs: ALL, shortNames: ["deploy"] },
      { name: "replicasets", singularName: "replicaset", namespaced: true, kind: "ReplicaSet", verbs: ALL, shortNames: ["rs"] },
      { name: "statefulsets", singularName: "statefulset", namespaced: true, kind: "StatefulSet", verbs: ALL, shortNames: ["sts"] },
      { name: "daemonsets", singularName: "daemonset", namespaced: true, kind: "DaemonSet", verbs: ALL, shortNames: ["ds"] },
      { name: "controllerrevisions", singularName: "controllerrevision", namespaced: true, kind: "ControllerRevision", verbs: ALL }
    ]
  }
}

const view = (v: unknown) => Schema.decodeUnknownSync(WorkloadView)(v)
const deploy = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2) =>
  view({ metadata: { name: "web", generation }, spec: { replicas: 3, ...spec }, status: { observedGeneration: 2, ...status } })

describe("rollout status as kubectl computes it", () => {
  it("Deployment: observed generation, updated, old pending termination, available, progress deadline", () => {
    expect(deploymentStatus(deploy({}, {}, 3))).toEqual({ state: "waiting", message: "Waiting for deployment spec update to be observed..." })
    expect(deploymentStatus(deploy({}, { updatedReplicas: 1, replicas: 3 }))).toEqual({
      state: "waiting",
      message: "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..."
    })
    expect(deploymentStatus(deploy({}, { updatedReplicas: 3, replicas: 4 })).message).toBe(
      "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."
    )
    expect(deploymentStatus(deploy({}, { updatedReplicas: 3, replicas: 3, availableReplicas: 2 })).message).toBe(
      "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..."
    )
    expect(deploymentStatus(deploy({}, { updatedReplicas: 3, replicas: 3, availableReplicas: 3 }))).toEqual({
      state: "done",
      message: "deployment \"web\" successfully rolled out"
    })
    const stuck = { conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }], updatedReplicas: 1 }
    expect(deploymentStatus(deploy({}, stuck))).toEqual({ state: "failed", message: "deployment \"web\" exceeded its progress deadline" })
    // a spec change not yet observed wins over the old deadline condition, as in kubectl
    expect(deploymentStatus(deploy({}, stuck, 3)).state).toBe("waiting")
  })

  it("StatefulSet: observed generation, ready, partition, revisions", () => {
    const sts = (spec: Record<string, unknown>, status: Record<string, unknown>) =>
      view({ metadata: { name: "db", generation: 1 }, spec: { replicas: 3, updateStrategy: { type: "RollingUpdate" }, ...spec }, status })
    expect(statefulSetStatus(sts({}, {})).message).toBe("Waiting for statefulset spec update to be observed...")
    expect(statefulSetStatus(sts({}, { observedGeneration: 1, readyReplicas: 1 })).message).toBe("Waiting for 2 pods to be ready...")
    expect(statefulSetStatus(sts({}, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1, updateRevision: "db-2", currentRevision: "db-1" })))
      .toEqual({ state: "waiting", message: "waiting for statefulset rolling update to complete 1 pods at revision db-2..." })
    expect(statefulSetStatus(sts({}, { observedGeneration: 1, readyReplicas: 3, currentReplicas: 3, updateRevision: "db-2", currentRevision: "db-2" })))
      .toEqual({ state: "done", message: "statefulset rolling update complete 3 pods at revision db-2..." })
    const partitioned = { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 1 } } }
    expect(statefulSetStatus(sts(partitioned, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 1 }))).toEqual({
      state: "waiting",
      message: "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."
    })
    expect(statefulSetStatus(sts(partitioned, { observedGeneration: 1, readyReplicas: 3, updatedReplicas: 2 }))).toEqual({
      state: "done",
      message: "partitioned roll out complete: 2 new pods have been updated..."
    })
    expect(statefulSetStatus(sts({ updateStrategy: { type: "OnDelete" } }, {}))).toEqual({
      state: "failed",
      message: "rollout status is only available for RollingUpdate strategy type"
    })
  })

  it("DaemonSet: updated and available against desired", () => {
    const ds = (status: Record<string, unknown>) =>
      view({ metadata: { name: "agent", generation: 4 }, spec: { updateStrategy: { type: "RollingUpdate" } }, status: { observedGeneration: 4, desiredNumberScheduled: 5, ...status } })
    expect(daemonSetStatus(ds({ updatedNumberScheduled: 2 })).message).toBe("Waiting for daemon set \"agent\" rollout to finish: 2 out of 5 new pods have been updated...")
    expect(daemonSetStatus(ds({ updatedNumberScheduled: 5, numberAvailable: 4 })).message).toBe(
      "Waiting for daemon set \"agent\" rollout to finish: 4 of 5 updated pods are available..."
    )
    expect(daemonSetStatus(ds({ updatedNumberScheduled: 5, numberAvailable: 5 }))).toEqual({ state: "done", message: "daemon set \"agent\" successfully rolled out" })
    expect(daemonSetStatus(ds({ observedGeneration: 3 })).message).toBe("Waiting for daemon set spec update to be observed...")
  })

  it("label selectors as query text", () => {
    expect(selectorText({ matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["a", "b"] }, { key: "x", operator: "DoesNotExist" }] }))
      .toBe("app=web,tier in (a,b),!x")
  })
})

const WEB = "/apis/apps/v1/namespaces/default/deployments/web"
const template = (image: string, labels: Record<string, string> = {}) => ({
  metadata: { labels: { app: "web", ...labels } },
  spec: { containers: [{ name: "app", image }] }
})
const deployment = (status: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default", uid: "d-1", generation: 2, resourceVersion: "10", annotations: { "deployment.kubernetes.io/revision": "2" } },
  spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: template("app:2"), ...extra },
  status: { observedGeneration: 2, ...status }
})

describe("rolloutStatus with a wait", () => {
  it.effect("polls until rolled out, one progress report per poll with kubectl's line", () =>
    Effect.gen(function*() {
      let calls = 0
      const api = fakeApi({
        [`GET ${WEB}`]: () => {
          calls++
          return { body: deployment(calls < 3 ? { replicas: 2, updatedReplicas: 2, availableReplicas: 1 } : { replicas: 2, updatedReplicas: 2, availableReplicas: 2 }) }
        }
      }, APPS)
      const reports: Array<[number, number, string]> = []
      const fiber = yield* rolloutStatus({ kind: "Deployment", name: "web" }, "rollout_status", {
        timeoutMs: 10_000,
        progress: (p, t, m) => Effect.sync(() => void reports.push([p, t, m]))
      }).pipe(Effect.provide(testKubeLayer(api, { namespace: "default" })), Effect.forkChild)
      yield* TestClock.adjust("1 minute")
      const w = yield* Fiber.join(fiber)
      expect(w.status).toMatchObject({ state: "done", message: "deployment \"web\" successfully rolled out", revision: "2", counts: { desired: 2, available: 2 } })
      expect(w).toMatchObject({ polls: 3, elapsedMs: 2000 })
      expect(reports).toEqual([
        [1, 11, "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are available..."],
        [2, 11, "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are available..."],
        [3, 11, "deployment \"web\" successfully rolled out"]
      ])
    }))

  it.effect("still waiting at the deadline: Timeout with kubectl's last line; failed stops the wait at once", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: { body: deployment({ replicas: 3, updatedReplicas: 2 }) } }, APPS)
      const fiber = yield* rolloutStatus({ kind: "Deployment", name: "web" }, "rollout_status", { timeoutMs: 5000 }).pipe(
        Effect.provide(testKubeLayer(api)),
        Effect.flip,
        Effect.forkChild
      )
      yield* TestClock.adjust("5 seconds")
      const e = yield* Fiber.join(fiber)
      expect(e._tag).toBe("Timeout")
      expect(e.message).toBe("timed out after 5s waiting for deployment.apps/web in namespace \"default\" to roll out")
      expect(e.details).toContain("1 old replicas are pending termination")

      const stuck = fakeApi({
        [`GET ${WEB}`]: { body: deployment({ conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] }) }
      }, APPS)
      const failed = yield* rolloutStatus({ kind: "Deployment", name: "web" }, "rollout_status", { timeoutMs: 5000 }).pipe(Effect.provide(testKubeLayer(stuck)))
      expect(failed).toMatchObject({ polls: 1, status: { state: "failed" } })
    }))
})

describe("restartRollout", () => {
  it.effect("sets the pod template's restartedAt to the Clock's now (RFC 3339) and reports the change", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-01T10:20:30.456Z"))
      const restarted = { ...deployment({}), spec: { ...deployment({}).spec, template: { ...template("app:2"), metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-01T10:20:30Z" } } } } }
      const api = fakeApi({ [`GET ${WEB}`]: { body: deployment({}) }, [`PATCH ${WEB}`]: { body: restarted } }, APPS)
      const r = yield* restartRollout({ kind: "Deployment", name: "web" }, true, "rollout_restart").pipe(Effect.provide(testKubeLayer(api)))
      expect(r.restartedAt).toBe("2026-03-01T10:20:30Z")
      expect(r.action).toBe("patched")
      expect(r.changes).toEqual(["spec.template.metadata.annotations: added {\"kubectl.kubernetes.io/restartedAt\":\"2026-03-01T10:20:30Z\"}"])
      expect(api.bodies.get(`PATCH ${WEB}`)).toEqual({ spec: { template: { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-01T10:20:30Z" } } } } })
      expect(api.calls()).toContain(`PATCH ${WEB}?fieldManager=kube-mcp&dryRun=All`)
    }))

  it.effect("a paused Deployment is refused as kubectl does, before any write", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: { body: deployment({}, { paused: true }) } }, APPS)
      const e = yield* restartRollout({ kind: "Deployment", name: "web" }, false, "rollout_restart").pipe(Effect.provide(testKubeLayer(api)), Effect.flip)
      expect(e.message).toBe("can't restart paused deployment (run rollout resume first)")
      expect(api.calls().some((c) => c.startsWith("PATCH"))).toBe(false)
    }))
})

const replicaSet = (name: string, revision: string, image: string, owner = "d-1") => ({
  metadata: {
    name,
    annotations: { "deployment.kubernetes.io/revision": revision, "team": `rev-${revision}` },
    ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: owner, controller: true }]
  },
  spec: { template: template(image, { "pod-template-hash": `h${revision}` }) }
})
const RS_LIST = "GET /apis/apps/v1/namespaces/default/replicasets"

describe("undoRollout", () => {
  const history = {
    body: {
      kind: "ReplicaSetList",
      metadata: {},
      items: [replicaSet("web-1", "1", "app:1"), replicaSet("web-3", "3", "app:3"), replicaSet("web-2", "2", "app:2"), replicaSet("other", "9", "x", "d-9")]
    }
  }

  it.effect("Deployment: the previous revision's template without pod-template-hash, and its annotations, in one JSON patch", () =>
    Effect.gen(function*() {
      const live = deployment({}, { template: template("app:3") })
      const api = fakeApi({ [`GET ${WEB}`]: { body: live }, [RS_LIST]: history, [`PATCH ${WEB}`]: { body: deployment({}) } }, APPS)
      const u = yield* undoRollout({ kind: "Deployment", name: "web" }, 0, false, "rollout_undo").pipe(Effect.provide(testKubeLayer(api)))
      expect(u).toMatchObject({ action: "rolled back", toRevision: 2, source: "web-2", revisions: [1, 2, 3] })
      expect(u.changes).toEqual(["spec.template.spec.containers[0].image: \"app:3\" → \"app:2\""])
      expect(api.bodies.get(`PATCH ${WEB}`)).toEqual([
        { op: "replace", path: "/spec/template", value: template("app:2") },
        { op: "replace", path: "/metadata/annotations", value: { "deployment.kubernetes.io/revision": "2", team: "rev-2" } }
      ])
      expect(api.calls()).toContain(`${RS_LIST}?labelSelector=app%3Dweb&limit=500`)
    }))

  it.effect("a given revision; skipped when the template already matches; an unknown revision is NotFound", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${WEB}`]: { body: deployment({}) }, [RS_LIST]: history }, APPS)
      const layer = testKubeLayer(api)
      const same = yield* undoRollout({ kind: "Deployment", name: "web" }, 2, false, "rollout_undo").pipe(Effect.provide(layer))
      expect(same).toMatchObject({ action: "skipped", toRevision: 2, changes: [] })
      const missing = yield* undoRollout({ kind: "Deployment", name: "web" }, 7, false, "rollout_undo").pipe(Effect.provide(layer), Effect.flip)
      expect(missing._tag).toBe("NotFound")
      expect(missing.message).toBe("deployment.apps/web in namespace \"default\": unable to find specified revision 7 in history")
      expect(missing.details).toBe("Revisions found: 1, 2, 3.")
      expect(api.calls().some((c) => c.startsWith("PATCH"))).toBe(false)
    }))

  it.effect("StatefulSet: the ControllerRevision's patch, strategic, dry run", () =>
    Effect.gen(function*() {
      const STS = "/apis/apps/v1/namespaces/default/statefulsets/db"
      const sts = (image: string) => ({
        metadata: { name: "db", namespace: "default", uid: "s-1", generation: 2 },
        spec: { replicas: 1, selector: { matchLabels: { app: "db" } }, template: template(image) },
        status: { observedGeneration: 2 }
      })
      const revision = (n: number, image: string) => ({
        metadata: { name: `db-${n}`, ownerReferences: [{ apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: "s-1", controller: true }] },
        revision: n,
        data: { spec: { template: { ...template(image), $patch: "replace" } } }
      })
      const api = fakeApi({
        [`GET ${STS}`]: { body: sts("db:2") },
        "GET /apis/apps/v1/namespaces/default/controllerrevisions": { body: { kind: "ControllerRevisionList", metadata: {}, items: [revision(2, "db:2"), revision(1, "db:1")] } },
        [`PATCH ${STS}`]: { body: sts("db:1") }
      }, APPS)
      const u = yield* undoRollout({ kind: "StatefulSet", name: "db" }, 0, true, "rollout_undo").pipe(Effect.provide(testKubeLayer(api)))
      expect(u).toMatchObject({ action: "rolled back", toRevision: 1, source: "db-1", changes: ["spec.template.spec.containers[0].image: \"db:2\" → \"db:1\""] })
      expect(api.bodies.get(`PATCH ${STS}`)).toEqual(revision(1, "db:1").data)
      expect(api.calls()).toContain(`PATCH ${STS}?fieldManager=kube-mcp&dryRun=All`)
      const only = fakeApi({
        [`GET ${STS}`]: { body: sts("db:2") },
        "GET /apis/apps/v1/namespaces/default/controllerrevisions": { body: { kind: "ControllerRevisionList", metadata: {}, items: [revision(2, "db:2")] } }
      }, APPS)
      const none = yield* undoRollout({ kind: "StatefulSet", name: "db" }, 0, false, "rollout_undo").pipe(Effect.provide(testKubeLayer(only)), Effect.flip)
      expect(none.message).toContain("no last revision to roll back to")
    }))
})
