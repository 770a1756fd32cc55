/** resources_compare's rules, in pure logic: what is server noise, how lists are keyed, what counts as a difference. */
import { describe, expect, it } from "vitest"
import { comparable, fieldDifferences, flatten } from "../../src/kube/compare.js"
import { isRecord } from "../../src/output/sanitize.js"

const pw = (obj: Record<string, unknown>, field: string): unknown => {
  const map = obj[field]
  return isRecord(map) ? map["pw"] : undefined
}

const deployment = (over: { replicas?: number; image?: string; uid?: string; revision?: string }) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: {
    name: "web",
    namespace: over.uid ?? "ns-a",
    uid: over.uid ?? "u-1",
    resourceVersion: "17",
    generation: 4,
    creationTimestamp: "2026-12-01T00:00:00Z",
    managedFields: [{ manager: "kubectl" }],
    annotations: { "deployment.kubernetes.io/revision": over.revision ?? "3", team: "web" },
    ownerReferences: [{ apiVersion: "v1", kind: "Thing", name: "owner", uid: over.uid ?? "o-1" }]
  },
  spec: {
    replicas: over.replicas ?? 1,
    template: { spec: { containers: [{ name: "app", image: over.image ?? "web:1" }, { name: "side", image: "side:1" }] } }
  },
  status: { readyReplicas: over.replicas ?? 1 }
})

describe("comparable", () => {
  it("drops what each cluster sets itself and keeps what people set", () => {
    const c = comparable(deployment({}))
    expect(c["status"]).toBeUndefined()
    expect(c["metadata"]).toEqual({ name: "web", annotations: { team: "web" }, ownerReferences: [{ apiVersion: "v1", kind: "Thing", name: "owner" }] })
    expect(c["spec"]).toEqual(deployment({}).spec)
  })

  it("Service cluster IPs, a Pod's node and a PVC's volume are the cluster's", () => {
    expect(comparable({ kind: "Service", metadata: {}, spec: { clusterIP: "10.0.0.1", clusterIPs: ["10.0.0.1"], ports: [{ port: 80 }] } })["spec"])
      .toEqual({ ports: [{ port: 80 }] })
    expect(comparable({ kind: "Pod", metadata: {}, spec: { nodeName: "n1", containers: [] } })["spec"]).toEqual({ containers: [] })
    expect(comparable({ kind: "PersistentVolumeClaim", metadata: {}, spec: { volumeName: "pv-1", storageClassName: "fast" } })["spec"])
      .toEqual({ storageClassName: "fast" })
  })

  it("Secret values become digests: equal values equal digests, no value survives", () => {
    const a = comparable({ apiVersion: "v1", kind: "Secret", metadata: {}, data: { pw: Buffer.from("s3cret").toString("base64") } })
    const b = comparable({ apiVersion: "v1", kind: "Secret", metadata: {}, stringData: { pw: "s3cret" } })
    const digest = pw(a, "data")
    expect(digest).toMatch(/^sha256:[0-9a-f]{16}$/u)
    expect(pw(b, "stringData")).toBe(digest)
    expect(JSON.stringify(a)).not.toContain("s3cret")
    expect(JSON.stringify(a)).not.toContain(Buffer.from("s3cret").toString("base64"))
  })
})

describe("flatten", () => {
  it("keys lists of named items by name, others by index; empty containers are leaves", () => {
    expect([...flatten({ a: { b: 1 }, c: [{ name: "x", v: 1 }, { name: "y", v: 2 }], d: [1, 2], e: {}, f: [] })]).toEqual([
      ["a.b", "1"],
      ["c[name=x].name", "\"x\""],
      ["c[name=x].v", "1"],
      ["c[name=y].name", "\"y\""],
      ["c[name=y].v", "2"],
      ["d[0]", "1"],
      ["d[1]", "2"],
      ["e", "{}"],
      ["f", "[]"]
    ])
  })
})

describe("fieldDifferences", () => {
  it("only the fields people set that differ, each object's value in order", () => {
    const diffs = fieldDifferences([deployment({}), deployment({ replicas: 3, image: "web:2", uid: "u-2", revision: "9" })])
    expect(diffs).toEqual([
      { path: "spec.replicas", values: ["1", "3"] },
      { path: "spec.template.spec.containers[name=app].image", values: ["\"web:1\"", "\"web:2\""] }
    ])
  })

  it("a reordered named list is no difference; a field present on one side only is", () => {
    const a = deployment({})
    const b = { ...a, spec: { ...a.spec, paused: true, template: { spec: { containers: [...a.spec.template.spec.containers].reverse() } } } }
    expect(fieldDifferences([a, b])).toEqual([{ path: "spec.paused", values: [undefined, "true"] }])
    expect(fieldDifferences([a, a, a])).toEqual([])
  })
})
