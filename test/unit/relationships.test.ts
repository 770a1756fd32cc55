/**
 * kube/relationships.ts on a fake API server: selectors as the API takes them, the status cell per kind, and
 * the walk: dependents listed by the owner's selector and kept by owner uid, a PVC's volume and the Pods that
 * mount it, a PV's claim. The real control plane proves the rest (test/tools/explain.test.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { relationshipsOf, selectorString, statusOf } from "../../src/kube/relationships.js"
import { testKubeLayer } from "../support/kube.js"
import { DISCOVERY, fakeApi } from "./objects.fixture.js"

const ALL = ["get", "list"]
const discovery = {
  ...DISCOVERY,
  "/api/v1": {
    resources: [
      { name: "pods", singularName: "pod", namespaced: true, kind: "Pod", verbs: ALL },
      { name: "persistentvolumeclaims", singularName: "persistentvolumeclaim", namespaced: true, kind: "PersistentVolumeClaim", verbs: ALL },
      { name: "persistentvolumes", singularName: "persistentvolume", namespaced: false, kind: "PersistentVolume", verbs: ALL }
    ]
  }
}

const owner = (kind: string, name: string, uid: string) => [{ apiVersion: "apps/v1", kind, name, uid, controller: true }]
const pod = (name: string, extra: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: "shop", uid: `uid-${name}`, ...extra },
  spec: { containers: [{ name: "app" }], ...spec },
  status: { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: {} } }] }
})

describe("selectors and status cells", () => {
  it("writes matchLabels, matchExpressions and plain maps as a labelSelector", () => {
    expect(selectorString({ app: "web", tier: "front" })).toBe("app=web,tier=front")
    expect(selectorString({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["a", "b"] },
        { key: "x", operator: "NotIn", values: ["c"] },
        { key: "y", operator: "Exists" },
        { key: "z", operator: "DoesNotExist" }
      ]
    })).toBe("app=web,env in (a,b),x notin (c),y,!z")
    expect(selectorString(undefined)).toBe("")
  })

  it("says the state a person looks at, per kind", () => {
    const now = Date.parse("2026-01-01T00:00:00Z")
    expect(statusOf("Pod", pod("a"), now)).toBe("Running 1/1")
    expect(statusOf("Deployment", { spec: { replicas: 3 }, status: { replicas: 3, readyReplicas: 2 } }, now)).toBe("2/3 ready")
    expect(statusOf("ReplicaSet", { spec: { replicas: 0 }, status: { replicas: 0 } }, now)).toBe("0/0 ready")
    expect(statusOf("DaemonSet", { status: { numberReady: 1, desiredNumberScheduled: 2 } }, now)).toBe("1/2 ready")
    expect(statusOf("EndpointSlice", { endpoints: [{ conditions: { ready: true } }, { conditions: { ready: false } }] }, now)).toBe("1/2 endpoints ready")
    expect(statusOf("EndpointSlice", { endpoints: null }, now)).toBe("0/0 endpoints ready")
    expect(statusOf("Service", { spec: { type: "NodePort", clusterIP: "10.0.0.1" } }, now)).toBe("NodePort 10.0.0.1")
    expect(statusOf("PersistentVolumeClaim", { status: { phase: "Bound" } }, now)).toBe("Bound")
    expect(statusOf("Widget", { status: { conditions: [{ type: "Synced", status: "True" }, { type: "Ready", status: "False", reason: "Waiting" }] } }, now))
      .toBe("Ready=False (Waiting)")
    expect(statusOf("ConfigMap", { data: {} }, now)).toBe("")
  })
})

describe("relationshipsOf", () => {
  it.effect("keeps only the dependents whose ownerReferences carry the owner's uid, listed by its selector", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        "GET /apis/apps/v1/namespaces/shop/deployments/web": {
          body: { metadata: { name: "web", namespace: "shop", uid: "d1" }, spec: { replicas: 1, selector: { matchLabels: { app: "web" } } }, status: { replicas: 1, readyReplicas: 1 } }
        },
        "GET /apis/apps/v1/namespaces/shop/replicasets": {
          body: {
            items: [
              { metadata: { name: "web-1", namespace: "shop", uid: "r1", ownerReferences: owner("Deployment", "web", "d1") }, spec: { replicas: 1, selector: { matchLabels: { app: "web", h: "1" } } }, status: { replicas: 1, readyReplicas: 1 } },
              { metadata: { name: "web-other", namespace: "shop", uid: "r2", ownerReferences: owner("Deployment", "web", "another") }, spec: { replicas: 0 } }
            ]
          }
        },
        "GET /api/v1/namespaces/shop/pods": {
          body: { items: [pod("web-1-a", { ownerReferences: owner("ReplicaSet", "web-1", "r1") }), pod("stray", { ownerReferences: owner("ReplicaSet", "x", "r9") })] }
        }
      }, discovery)
      const r = yield* relationshipsOf({ group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: "shop" }, "test").pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(r.rows.map((row) => [row.depth, row.relation, row.kind, row.name, row.status])).toEqual([
        [0, "self", "Deployment", "web", "1/1 ready"],
        [1, "owns", "ReplicaSet", "web-1", "1/1 ready"],
        [2, "owns", "Pod", "web-1-a", "Running 1/1"]
      ])
      expect(r).toMatchObject({ owners: 0, dependents: 2, notes: [] })
      expect(api.calls()).toContain("GET /apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dweb&limit=500")
      expect(api.calls()).toContain("GET /api/v1/namespaces/shop/pods?labelSelector=app%3Dweb%2Ch%3D1&limit=500")
    }))

  it.effect("a PVC: its volume and the Pods that mount it; a lookup that fails is a note", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        "GET /api/v1/namespaces/shop/persistentvolumeclaims/data": {
          body: { metadata: { name: "data", namespace: "shop", uid: "c1" }, spec: { volumeName: "pv-1" }, status: { phase: "Bound" } }
        },
        "GET /api/v1/persistentvolumes/pv-1": {
          body: { metadata: { name: "pv-1", uid: "v1" }, spec: { claimRef: { name: "data", namespace: "shop" } }, status: { phase: "Bound" } }
        },
        "GET /api/v1/namespaces/shop/pods": {
          body: { items: [pod("db-0", {}, { volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }] }), pod("web", {}, { volumes: [{ name: "e", emptyDir: {} }] })] }
        }
      }, discovery)
      const r = yield* relationshipsOf({ version: "v1", kind: "PersistentVolumeClaim", name: "data", namespace: "shop" }, "test").pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(r.rows.map((row) => [row.depth, row.relation, row.kind, row.name, row.namespace, row.status])).toEqual([
        [0, "self", "PersistentVolumeClaim", "data", "shop", "Bound"],
        [1, "volume", "PersistentVolume", "pv-1", "", "Bound"],
        [1, "mounted by", "Pod", "db-0", "shop", "Running 1/1"]
      ])

      // an owner that cannot be read ends the chain with a note; the object is still shown
      const orphan = fakeApi({ "GET /api/v1/namespaces/shop/pods/lone": { body: pod("lone", { ownerReferences: owner("ReplicaSet", "gone", "r0") }) } }, discovery)
      const o = yield* relationshipsOf({ version: "v1", kind: "Pod", name: "lone", namespace: "shop" }, "test").pipe(Effect.provide(testKubeLayer(orphan)))
      expect(o.rows.map((row) => [row.depth, row.relation, row.kind, row.name, row.status])).toEqual([
        [-1, "owner", "ReplicaSet", "gone", "not readable"],
        [0, "self", "Pod", "lone", "Running 1/1"]
      ])
      expect(o.notes[0]).toMatch(/^owner ReplicaSet\/gone: NotFound: /u)
    }))
})
