/**
 * Server-side apply and diff (kube/apply.ts) on the Kube test layer: what each document's outcome is
 * (created, configured, unchanged), the position of a failing document as a field of its error (and how the
 * error result renders it), Status bodies mapped to typed errors, diffs, and the wait for a new CRD timed
 * with the TestClock. The end-to-end proof against the control plane is test/tools/resources.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { parseManifest } from "../../src/kube/manifest.js"
import { type ApplyOptions, applyManifest, diffManifest } from "../../src/kube/apply.js"
import { errorResult } from "../../src/tool/errorResult.js"
import type { FakeAnswer } from "../support/kube.js"
import { testKubeLayer } from "../support/kube.js"
import { DISCOVERY, fakeApi, notFound } from "./objects.fixture.js"

const OPTS: ApplyOptions = { namespace: undefined, fieldManager: "kube-mcp", force: false, dryRun: false, tool: "resources_apply" }

const cm = (name: string, data: Record<string, string>, rv: string, managers: ReadonlyArray<string> = ["kube-mcp"]) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name,
    namespace: "default",
    uid: `uid-${name}`,
    resourceVersion: rv,
    managedFields: managers.map((manager) => ({ manager, operation: "Apply", fieldsV1: { "f:data": Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}])) } }))
  },
  data
})
const doc = (name: string, data: Record<string, string>) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data })
const path = (name: string) => `/api/v1/namespaces/default/configmaps/${name}`
const invalid = (message: string, field: string): FakeAnswer => ({
  status: 422,
  body: { kind: "Status", code: 422, reason: "Invalid", message, details: { causes: [{ field, reason: "FieldValueInvalid", message: "Invalid value" }] } }
})

const docs = (...objects: ReadonlyArray<Record<string, unknown>>) => parseManifest(objects)

describe("applyManifest", () => {
  it.effect("reports created, unchanged and configured (with the changed fields), applying with fieldValidation=Strict", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path("new")}`]: notFound("configmaps \"new\" not found"),
        [`PATCH ${path("new")}`]: { body: cm("new", { a: "1" }, "10") },
        [`GET ${path("same")}`]: { body: cm("same", { a: "1" }, "20") },
        [`PATCH ${path("same")}`]: { body: cm("same", { a: "1" }, "20") },
        [`GET ${path("changed")}`]: { body: cm("changed", { mode: "fast" }, "30") },
        [`PATCH ${path("changed")}`]: { body: cm("changed", { mode: "slow" }, "31") }
      })
      const outcomes = yield* applyManifest(yield* docs(doc("new", { a: "1" }), doc("same", { a: "1" }), doc("changed", { mode: "slow" })), OPTS).pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(outcomes.map((o) => [o.name, o.namespace, o.action, o.changes])).toEqual([
        ["new", "default", "created", []],
        ["same", "default", "unchanged", []],
        ["changed", "default", "configured", ["data.mode: \"fast\" → \"slow\""]]
      ])
      expect(api.calls()).toContain(`PATCH ${path("new")}?fieldManager=kube-mcp&fieldValidation=Strict`)
      // the namespace is filled in for a namespaced object that names none
      expect(api.bodies.get(`PATCH ${path("new")}`)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "new", namespace: "default" }, data: { a: "1" } })
    }))

  it.effect("a change of field ownership alone is configured; a dry run is passed on", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path("c")}`]: { body: cm("c", { a: "1" }, "5", ["kubectl"]) },
        [`PATCH ${path("c")}`]: { body: cm("c", { a: "1" }, "6", ["kubectl", "kube-mcp"]) }
      })
      const [o] = yield* applyManifest(yield* docs(doc("c", { a: "1" })), { ...OPTS, dryRun: true }).pipe(Effect.provide(testKubeLayer(api)))
      expect(o).toMatchObject({ action: "configured", changes: [] })
      expect(api.calls()).toEqual([`GET ${path("c")}`, `PATCH ${path("c")}?fieldManager=kube-mcp&dryRun=All&fieldValidation=Strict`])
    }))

  it.effect("a failing document carries its position; later documents are not attempted; the result renders it as before", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path("a")}`]: notFound("not found"),
        [`PATCH ${path("a")}`]: { body: cm("a", { k: "v" }, "1") },
        [`GET ${path("b")}`]: notFound("not found"),
        [`PATCH ${path("b")}`]: invalid("ConfigMap \"b\" is invalid: data.bad key: Invalid value", "data.bad key")
      })
      const e = yield* Effect.flip(applyManifest(yield* docs(doc("a", { k: "v" }), doc("b", { "bad key": "v" }), doc("c", {})), OPTS).pipe(
        Effect.provide(testKubeLayer(api))
      ))
      expect(e).toMatchObject({
        _tag: "Invalid",
        message: "ConfigMap \"b\" is invalid: data.bad key: Invalid value",
        details: "data.bad key: Invalid value",
        causes: [{ field: "data.bad key" }],
        document: { index: 2, total: 3, kind: "ConfigMap", name: "b", others: "Already applied: configmap/a created. Not attempted: 1 later document(s)." }
      })
      expect(api.calls().some((r) => r.includes("/configmaps/c"))).toBe(false)

      const result = errorResult(e, "resources_apply", undefined)
      expect(result.content[0]?.text).toBe([
        "Invalid: ConfigMap/b (document 2 of 3): ConfigMap \"b\" is invalid: data.bad key: Invalid value [context test]",
        "data.bad key: Invalid value — Already applied: configmap/a created. Not attempted: 1 later document(s)."
      ].join("\n"))
      expect(result.structuredContent).toEqual({
        error: {
          type: "Invalid",
          message: "ConfigMap \"b\" is invalid: data.bad key: Invalid value",
          details: "data.bad key: Invalid value",
          cluster: "test",
          tool: "resources_apply",
          causes: [{ field: "data.bad key", reason: "FieldValueInvalid", message: "Invalid value" }],
          document: { index: 2, total: 3, kind: "ConfigMap", name: "b", others: "Already applied: configmap/a created. Not attempted: 1 later document(s)." }
        }
      })
    }))

  it.effect("a first document failing in a dry run says nothing was applied; a single document has no position", () =>
    Effect.gen(function*() {
      const api = fakeApi({ [`GET ${path("a")}`]: notFound("nf"), [`PATCH ${path("a")}`]: invalid("bad", "data") })
      const layer = testKubeLayer(api)
      const first = yield* Effect.flip(applyManifest(yield* docs(doc("a", {}), doc("b", {})), { ...OPTS, dryRun: true }).pipe(Effect.provide(layer)))
      expect(first.document).toEqual({ index: 1, total: 2, kind: "ConfigMap", name: "a", others: "Nothing was applied. Not attempted: 1 later document(s)." })
      const single = yield* Effect.flip(applyManifest(yield* docs(doc("a", {})), OPTS).pipe(Effect.provide(layer)))
      expect(single.document).toBeUndefined()
      expect(errorResult(single, "resources_apply", undefined).content[0]?.text).toBe("Invalid: bad [context test]\ndata: Invalid value")
    }))

  it.effect("an unknown field (the typed-patch 500) is Invalid with the field; a namespace clash is InvalidInput", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path("t")}`]: notFound("nf"),
        [`PATCH ${path("t")}`]: {
          status: 500,
          body: {
            kind: "Status",
            code: 500,
            reason: "InternalError",
            message: "failed to create typed patch object (default/t; /v1, Kind=ConfigMap): .dataa: field not declared in schema"
          }
        }
      })
      const layer = testKubeLayer(api)
      const typo = yield* Effect.flip(applyManifest(yield* docs({ ...doc("t", {}), dataa: { a: "b" } }), OPTS).pipe(Effect.provide(layer)))
      expect(typo).toMatchObject({
        _tag: "Invalid",
        causes: [{ field: "dataa", message: "field not declared in schema", reason: "FieldValueInvalid" }],
        details: "dataa: field not declared in schema (check the spelling and the nesting of the field)"
      })
      const clash = yield* Effect.flip(
        applyManifest(yield* docs({ ...doc("t", {}), metadata: { name: "t", namespace: "a" } }), { ...OPTS, namespace: "b" }).pipe(Effect.provide(layer))
      )
      expect(clash).toMatchObject({ _tag: "InvalidInput", issues: [{ path: "namespace" }] })
    }))

  it.effect("waits for a new CRD's kind to be served (polling every 200 ms, at most 15 s)", () =>
    Effect.gen(function*() {
      const crd = (group: string) => ({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `widgets.${group}` },
        spec: { group, names: { kind: "Widget", plural: "widgets" }, scope: "Namespaced", versions: [{ name: "v1", served: true, storage: true }] }
      })
      let served = false
      const widgets = { resources: [{ name: "widgets", singularName: "widget", namespaced: true, kind: "Widget", verbs: ["list", "get"] }] }
      const routes = (group: string) => ({
        [`GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`]: notFound("nf"),
        [`PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${group}`]: { body: crd(group) },
        [`GET /apis/${group}/v1`]: (): FakeAnswer => (served ? { body: widgets } : notFound("not yet")),
        [`GET /apis/${group}`]: { body: { versions: [] } },
        "GET /apis": { body: { groups: [] } },
        [`GET /apis/${group}/v1/widgets`]: { body: { items: [] } }
      })
      const api = fakeApi({ ...routes("a.example.com"), ...routes("never.example.com") }, DISCOVERY)
      const layer = testKubeLayer(api)
      const applying = yield* Effect.forkChild(applyManifest(yield* docs(crd("a.example.com")), OPTS).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("1 second")
      expect(applying.pollUnsafe()).toBeUndefined()
      served = true
      yield* TestClock.adjust("200 millis")
      const [o] = yield* Fiber.join(applying)
      expect(o).toMatchObject({ action: "created", established: true })
      expect(api.calls()).toContain("GET /apis/a.example.com/v1/widgets?limit=1")

      served = false
      const never = yield* Effect.forkChild(applyManifest(yield* docs(crd("never.example.com")), OPTS).pipe(Effect.provide(layer)))
      yield* TestClock.adjust("14 seconds")
      expect(never.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("2 seconds")
      const [late] = yield* Fiber.join(never)
      expect(late).toMatchObject({ action: "created", established: false })
    }))
})

describe("diffManifest", () => {
  it.effect("diffs a dry-run apply against the live object: changed, no changes, new (all added)", () =>
    Effect.gen(function*() {
      const api = fakeApi({
        [`GET ${path("a")}`]: { body: cm("a", { mode: "fast", keep: "x" }, "1") },
        [`PATCH ${path("a")}`]: { body: cm("a", { mode: "slow", keep: "x" }, "2") },
        [`GET ${path("b")}`]: { body: cm("b", { k: "v" }, "1") },
        [`PATCH ${path("b")}`]: { body: cm("b", { k: "v" }, "1") },
        [`GET ${path("c")}`]: notFound("nf"),
        [`PATCH ${path("c")}`]: { body: cm("c", { n: "1" }, "0") }
      })
      const out = yield* diffManifest(yield* docs(doc("a", { mode: "slow" }), doc("b", { k: "v" }), doc("c", { n: "1" })), OPTS).pipe(
        Effect.provide(testKubeLayer(api))
      )
      expect(out.map((d) => [d.name, d.status])).toEqual([["a", "changed"], ["b", "no changes"], ["c", "new"]])
      expect(out[0]?.diff).toBe([
        "--- configmap/a -n default (live)",
        "+++ configmap/a -n default (after apply)",
        "@@ -1,7 +1,7 @@",
        " apiVersion: v1",
        " data:",
        "   keep: x",
        "-  mode: fast",
        "+  mode: slow",
        " kind: ConfigMap",
        " metadata:",
        "   name: a"
      ].join("\n"))
      expect(out[1]?.diff).toBe("")
      expect(out[2]?.diff.split("\n").slice(0, 3)).toEqual(["--- /dev/null", "+++ configmap/c -n default (after apply)", "@@ -0,0 +1,7 @@"])
      // every apply of a diff is a dry run
      expect(api.calls().filter((r) => r.startsWith("PATCH")).every((r) => r.includes("dryRun=All"))).toBe(true)
    }))
})
