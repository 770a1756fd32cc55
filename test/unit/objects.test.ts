/**
 * kube/objects.ts on the Kube test layer: listings as kubectl get shows them (server Table columns, the
 * namespace column across namespaces, the plain-list fallback with ages from the TestClock, lists cut where
 * an API ignores limit), the summary, /scale read and set, delete outcomes, patch and describe. The
 * end-to-end proof against the control plane is test/tools/resources.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import {
  deleteObject,
  describeObject,
  getShown,
  getSummary,
  listItems,
  listRows,
  patchObject,
  readScale,
  resolveTarget,
  setScale
} from "../../src/kube/objects.js"
import { testKubeLayer } from "../support/kube.js"
import { fakeApi } from "./objects.fixture.js"

const NOW = Date.parse("2026-01-15T12:00:00Z")
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()
const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }
const CM = { version: "v1", kind: "ConfigMap" }
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io, application/json"

const deploymentTable = (rows: ReadonlyArray<readonly [string, string, string]>, cont?: string) => ({
  kind: "Table",
  apiVersion: "meta.k8s.io/v1",
  metadata: { resourceVersion: "9", ...(cont !== undefined ? { continue: cont, remainingItemCount: 4 } : {}) },
  columnDefinitions: [
    { name: "Name", type: "string", priority: 0 },
    { name: "Ready", type: "string", priority: 0 },
    { name: "Up-to-date", type: "integer", priority: 0 },
    { name: "Available", type: "integer", priority: 0 },
    { name: "Age", type: "string", priority: 0 },
    { name: "Containers", type: "string", priority: 1 }
  ],
  rows: rows.map(([ns, name, ready]) => ({
    cells: [name, ready, 2, 2, "5d", "app"],
    object: { kind: "PartialObjectMetadata", metadata: { name, namespace: ns } }
  }))
})

describe("listRows", () => {
  it.effect("shows the server Table's default columns; across namespaces a namespace column comes first", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        "GET /apis/apps/v1/deployments": { body: deploymentTable([["team-a", "web", "2/2"], ["team-b", "api", "1/3"]], "tok") },
        "GET /apis/apps/v1/namespaces/team-a/deployments": { body: deploymentTable([["team-a", "web", "2/2"]]) }
      })
      const all = yield* listRows(DEPLOY, { allNamespaces: true, labelSelector: "tier=front" }, "resources_list").pipe(Effect.provide(testKubeLayer(api)))
      expect(all.columns).toEqual(["namespace", "name", "ready", "up-to-date", "available", "age"])
      expect(all.rows).toEqual([["team-a", "web", "2/2", "2", "2", "5d"], ["team-b", "api", "1/3", "2", "2", "5d"]])
      expect(all).toMatchObject({ namespace: undefined, continue: "tok", remaining: 4, capped: undefined })
      expect(api.accepts.get("GET /apis/apps/v1/deployments")).toBe(TABLE)

      const one = yield* listRows({ ...DEPLOY, kind: "deploy" }, { namespace: "team-a", limit: 10 }, "resources_list").pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(one.columns).toEqual(["name", "ready", "up-to-date", "available", "age"])
      expect(one.rows).toEqual([["web", "2/2", "2", "2", "5d"]])
      expect(one.namespace).toBe("team-a")
      expect(api.calls()).toEqual([
        "GET /apis/apps/v1/deployments?labelSelector=tier%3Dfront&limit=500&includeObject=Metadata",
        "GET /apis/apps/v1/namespaces/team-a/deployments?limit=10&includeObject=None"
      ])
    }))

  it.effect("falls back to name and age from the plain list where the API renders no Table, ages from the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const api = fakeApi({
        "GET /apis/metrics.k8s.io/v1beta1/namespaces/default/pods": {
          body: {
            kind: "PodMetricsList",
            items: [
              { metadata: { name: "a", namespace: "default", creationTimestamp: ago(90) } },
              { metadata: { name: "b", namespace: "default", creationTimestamp: ago(3 * 3600) } }
            ]
          }
        }
      })
      const layer = testKubeLayer(api)
      const page = yield* listRows({ group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics" }, {}, "resources_list").pipe(Effect.provide(layer))
      expect(page.columns).toEqual(["name", "age"])
      expect(page.rows).toEqual([["a", "90s"], ["b", "3h"]])
      yield* TestClock.adjust("1 hour")
      const later = yield* listRows({ group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics" }, {}, "resources_list").pipe(Effect.provide(layer))
      expect(later.rows).toEqual([["a", "61m"], ["b", "4h"]])
    }))

  it.effect("cuts a list at limit when the API answers more (it ignores limit), and says so", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const items = ["a", "b", "c"].map((name) => ({ metadata: { name, namespace: "x", creationTimestamp: ago(10) } }))
      const api = fakeApi({ "GET /apis/metrics.k8s.io/v1beta1/pods": { body: { items } } })
      const page = yield* listRows({ group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics" }, { allNamespaces: true, limit: 2 }, "t").pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(page.columns).toEqual(["namespace", "name", "age"])
      expect(page.rows).toEqual([["x", "a", "10s"], ["x", "b", "10s"]])
      expect(page.capped).toEqual({ shown: 2, total: 3 })
    }))

  it.effect("refuses namespace with all_namespaces, and names the served kinds for an unknown one, before any request", () =>
    Effect.gen(function*() {
      const api = fakeApi({})
      const both = yield* Effect.flip(listRows(DEPLOY, { namespace: "a", allNamespaces: true }, "resources_list").pipe(Effect.provide(testKubeLayer(api))))
      expect(both).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "all_namespaces" }] })
      const unknown = yield* Effect.flip(listRows({ ...DEPLOY, kind: "Deploymnet" }, {}, "resources_list").pipe(Effect.provide(testKubeLayer(api))))
      expect(unknown).toMatchObject({ _tag: "NotFound", details: "apps/v1 serves: Deployment, ReplicaSet." })
      expect(api.calls()).toEqual([])
    }))
})

describe("listItems", () => {
  it.effect("returns the items whole, each with apiVersion and kind, Secret values masked", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        "GET /api/v1/namespaces/default/secrets": {
          body: {
            kind: "SecretList",
            apiVersion: "v1",
            metadata: { continue: "next" },
            items: [{ metadata: { name: "s", managedFields: [{ manager: "x" }] }, data: { pw: Buffer.from("hunter2").toString("base64") } }]
          }
        }
      })
      const page = yield* listItems({ version: "v1", kind: "Secret" }, { limit: 1 }, "resources_list").pipe(Effect.provide(testKubeLayer(api)))
      expect(page.items).toEqual([{ apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { pw: "<masked: 7 bytes>" } }])
      expect(page.continue).toBe("next")
      expect(api.accepts.get("GET /api/v1/namespaces/default/secrets")).toBeUndefined()
    }))
})

describe("get", () => {
  const web = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      creationTimestamp: ago(2 * 86400),
      resourceVersion: "42",
      labels: { app: "web" },
      managedFields: [{ manager: "kubectl" }],
      ownerReferences: [{ apiVersion: "example.com/v1", kind: "App", name: "shop", controller: true }]
    },
    status: { conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }, { type: "Progressing", status: "False", reason: "Stuck", message: "no quota" }] }
  }

  it.effect("the summary: the Table's columns without name and age, conditions, owner, age from the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const table = deploymentTable([["default", "web", "1/2"]])
      const api = fakeApi({
        "GET /apis/apps/v1/namespaces/default/deployments/web": {
          body: { ...table, rows: table.rows.map((r) => ({ ...r, object: web })) }
        }
      })
      const summary = yield* Effect.flatMap(resolveTarget({ ...DEPLOY, name: "web" }, "get", "resources_get"), getSummary).pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(summary).toEqual({
        kind: "Deployment",
        apiVersion: "apps/v1",
        name: "web",
        namespace: "default",
        age: "2d",
        created: ago(2 * 86400),
        ready: "1/2",
        "up-to-date": "2",
        available: "2",
        conditions: ["Available=True (MinimumReplicasAvailable)", "Progressing=False (Stuck): no quota"],
        labels: { app: "web" },
        owner: "App/shop",
        resourceVersion: "42"
      })
      expect(api.calls()).toEqual(["GET /apis/apps/v1/namespaces/default/deployments/web?includeObject=Object"])
    }))

  it.effect("the object fit to show; a kind without get is refused", () =>
    Effect.gen(function*() {
      const api = fakeApi({ "GET /apis/apps/v1/namespaces/default/deployments/web": { body: web } })
      const shown = yield* Effect.flatMap(resolveTarget({ ...DEPLOY, name: "web" }, "get", "resources_get"), getShown).pipe(Effect.provide(testKubeLayer(api)))
      expect(shown["metadata"]).not.toHaveProperty("managedFields")
      expect(shown).toMatchObject({ kind: "Deployment", metadata: { name: "web", resourceVersion: "42" } })
      const noGet = yield* Effect.flip(resolveTarget({ version: "v1", kind: "ComponentStatus", name: "x" }, "delete", "resources_delete").pipe(
        Effect.provide(testKubeLayer(api))
      ))
      expect(noGet.message).toBe(`componentstatus does not support "delete" (its verbs: get, list), so resources_delete cannot act on it`)
    }))
})

describe("scale", () => {
  const scale = (replicas: number, current: number, rv: string) => ({
    kind: "Scale",
    metadata: { name: "web", namespace: "default", resourceVersion: rv },
    spec: { replicas },
    status: { replicas: current, selector: "app=web" }
  })
  const path = "/apis/apps/v1/namespaces/default/deployments/web/scale"

  it.effect("reads desired and current replicas, and sets them with a merge patch of /scale (dry run passed on)", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${path}`]: { body: scale(2, 1, "7") }, [`PATCH ${path}`]: { body: scale(5, 1, "8") } })
      const layer = testKubeLayer(api)
      const read = yield* readScale({ ...DEPLOY, name: "web" }, "resources_scale").pipe(Effect.provide(layer))
      expect(read).toMatchObject({ name: "web", namespace: "default", replicas: 2, current: 1, selector: "app=web", resourceVersion: "7" })
      const set = yield* setScale({ ...DEPLOY, name: "web" }, 5, true, "resources_scale").pipe(Effect.provide(layer))
      expect(set).toMatchObject({ action: "scaled", previous: 2, replicas: 5, resourceVersion: "8" })
      expect(api.bodies.get(`PATCH ${path}`)).toEqual({ spec: { replicas: 5 } })
      const same = yield* setScale({ ...DEPLOY, name: "web" }, 2, false, "resources_scale").pipe(Effect.provide(layer))
      expect(same).toMatchObject({ action: "unchanged", previous: 2, replicas: 2, resourceVersion: "7" })
      expect(api.calls()).toEqual([
        `GET ${path}`,
        `GET ${path}`,
        `PATCH ${path}?fieldManager=kube-mcp&dryRun=All`,
        `GET ${path}`
      ])
    }))

  it.effect("a kind without /scale is refused before any request", () =>
    Effect.gen(function*() {
      const api = fakeApi({})
      const e = yield* Effect.flip(setScale({ ...CM, name: "c" }, 1, false, "resources_scale").pipe(Effect.provide(testKubeLayer(api))))
      expect(e).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "kind", message: "ConfigMap is not scalable" }] })
      expect(api.calls()).toEqual([])
    }))
})

describe("deleteObject", () => {
  const path = "/api/v1/namespaces/default/configmaps/c"

  it.effect("dry run, gone at once (a Status), or terminating behind finalizers", () =>
    Effect.gen(function*() {
      let answer: unknown = { kind: "ConfigMap", metadata: { name: "c", resourceVersion: "5" } }
      const api = fakeApi({ [`DELETE ${path}`]: () => ({ body: answer }) })
      const layer = testKubeLayer(api)
      const ref = { ...CM, name: "c" }
      const dry = yield* deleteObject(ref, { dryRun: true, propagationPolicy: "Foreground", gracePeriodSeconds: 0 }, "t").pipe(Effect.provide(layer))
      expect(dry).toMatchObject({ action: "would be deleted", resourceVersion: "5", finalizers: [] })
      expect(api.calls()).toEqual([`DELETE ${path}?propagationPolicy=Foreground&gracePeriodSeconds=0&dryRun=All`])

      answer = { kind: "Status", apiVersion: "v1", status: "Success", details: { name: "c" } }
      expect(yield* deleteObject(ref, { dryRun: false }, "t").pipe(Effect.provide(layer))).toMatchObject({ action: "deleted", resourceVersion: undefined })

      answer = { kind: "ConfigMap", metadata: { name: "c", resourceVersion: "6", deletionTimestamp: ago(0), finalizers: ["example.com/hold"] } }
      const held = yield* deleteObject(ref, { dryRun: false }, "t").pipe(Effect.provide(layer))
      expect(held).toMatchObject({ action: "terminating", resourceVersion: "6", finalizers: ["example.com/hold"] })
    }))
})

describe("patchObject", () => {
  const path = "/api/v1/namespaces/default/configmaps/c"
  const cm = (data: Record<string, string>, rv: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", resourceVersion: rv }, data })

  it.effect("sends the patch with its content type and reports the changed fields", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${path}`]: { body: cm({ a: "1" }, "3") }, [`PATCH ${path}`]: { body: cm({ a: "1", b: "2" }, "4") } })
      const p = yield* patchObject({ ...CM, name: "c" }, { type: "json", value: "[{op: add, path: /data/b, value: '2'}]", dryRun: false }, "t").pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(p).toMatchObject({ action: "patched", resourceVersion: "4", changes: ["data.b: added \"2\""] })
      expect(api.bodies.get(`PATCH ${path}`)).toEqual([{ op: "add", path: "/data/b", value: "2" }])
    }))

  it.effect("refuses a patch of the wrong shape before any request, and strategic patch where the API answers 415", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path}`]: { body: cm({}, "3") },
        [`PATCH ${path}`]: { status: 415, body: { kind: "Status", code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format" } }
      })
      const layer = testKubeLayer(api)
      const wrong = yield* Effect.flip(patchObject({ ...CM, name: "c" }, { type: "json", value: { data: {} }, dryRun: false }, "t").pipe(Effect.provide(layer)))
      expect(wrong).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "patch" }] })
      expect(api.requests).toEqual([])
      const strategic = yield* Effect.flip(patchObject({ ...CM, name: "c" }, { type: "strategic", value: { data: {} }, dryRun: false }, "t").pipe(Effect.provide(layer)))
      expect(strategic).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "patch_type" }] })
    }))
})

describe("describeObject", () => {
  it.effect("follows the owner chain, reads the object's events newest first with ages from the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const owner = (kind: string, name: string, uid: string) => ({ apiVersion: "apps/v1", kind, name, uid, controller: true })
      const api = fakeApi({
        "GET /api/v1/namespaces/default/pods/web-1": {
          body: {
            kind: "Pod",
            metadata: { name: "web-1", namespace: "default", uid: "p1", creationTimestamp: ago(600), ownerReferences: [owner("ReplicaSet", "web-7", "r1")] },
            status: { phase: "Running", conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady", message: "app not ready" }] }
          }
        },
        "GET /apis/apps/v1/namespaces/default/replicasets/web-7": {
          body: { kind: "ReplicaSet", metadata: { name: "web-7", ownerReferences: [owner("Deployment", "web", "d1")] } }
        },
        "GET /apis/apps/v1/namespaces/default/deployments/web": { status: 403, body: { kind: "Status", code: 403, reason: "Forbidden", message: "no" } },
        "GET /api/v1/namespaces/default/events": {
          body: {
            items: [
              { metadata: { name: "e1" }, involvedObject: { uid: "p1" }, type: "Normal", reason: "Scheduled", message: "assigned ", lastTimestamp: ago(590), source: { component: "scheduler" } },
              { metadata: { name: "e2" }, involvedObject: { uid: "p1" }, type: "Warning", reason: "BackOff", message: "restarting", count: 4, lastTimestamp: ago(30), source: { component: "kubelet" } },
              { metadata: { name: "e3" }, involvedObject: { uid: "old" }, type: "Normal", reason: "Killing", lastTimestamp: ago(5) }
            ]
          }
        }
      })
      const d = yield* describeObject({ version: "v1", kind: "Pod", name: "web-1" }, "resources_describe").pipe(Effect.provide(testKubeLayer(api)))
      expect(d.owners).toEqual([{ ref: "replicaset.apps/web-7" }, { ref: "Deployment/web", note: "Forbidden: no" }])
      expect(d.status).toEqual({ phase: "Running", conditions: ["Ready=False (ContainersNotReady): app not ready"] })
      expect(d.age).toBe("10m")
      expect(d.events).toEqual({
        rows: [
          { type: "Warning", reason: "BackOff", age: "30s", from: "kubelet", count: 4, message: "restarting" },
          { type: "Normal", reason: "Scheduled", age: "9m", from: "scheduler", count: 1, message: "assigned" }
        ],
        note: undefined
      })
      expect(api.calls()).toContain("GET /api/v1/namespaces/default/events?fieldSelector=involvedObject.kind%3DPod%2CinvolvedObject.name%3Dweb-1&limit=500")
    }))
})
