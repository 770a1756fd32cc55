/** The export cleaning rules (src/kube/export.ts): pure input → output, one rule per case. */
import { describe, expect, it } from "@effect/vitest"
import { load, loadAll } from "js-yaml"
import { cleanObject, controllerMade, copyOf, manifestYaml } from "../../src/kube/export.js"

const serverMeta = {
  uid: "0b6c1d1e-0000-4000-8000-000000000001",
  resourceVersion: "4711",
  creationTimestamp: "2026-01-01T00:00:00Z",
  generation: 3,
  managedFields: [{ manager: "kubectl", operation: "Apply" }]
}

describe("cleanObject", () => {
  it("removes server metadata and status, keeps name, namespace, labels and the data", () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app", namespace: "web", labels: { app: "web" }, ...serverMeta },
      data: { a: "1" },
      status: { anything: true }
    }
    expect(cleanObject(cm)).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app", namespace: "web", labels: { app: "web" } },
      data: { a: "1" }
    })
  })

  it("removes controller-set annotations and keeps the user's; no empty annotations map is left", () => {
    const d = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", annotations: { "deployment.kubernetes.io/revision": "4", "team": "a" } },
      spec: { replicas: 2 }
    }
    expect(cleanObject(d).metadata).toEqual({ name: "web", annotations: { team: "a" } })
    const only = { ...d, metadata: { name: "web", annotations: { "deployment.kubernetes.io/revision": "4", "kubectl.kubernetes.io/last-applied-configuration": "{}" } } }
    expect(cleanObject(only).metadata).toEqual({ name: "web" })
  })

  it("removes a Service's allocated clusterIP(s), but keeps a headless Service's None", () => {
    const svc = (clusterIP: string) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ port: 80 }], selector: { app: "web" } }
    })
    expect(cleanObject(svc("10.0.0.12")).spec).toEqual({ ports: [{ port: 80 }], selector: { app: "web" } })
    expect(cleanObject(svc("None")).spec).toEqual(svc("None").spec)
  })

  it("removes a Pod's nodeName and a PVC's volumeName", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { nodeName: "node-1", containers: [{ name: "c", image: "i" }] } }
    expect(cleanObject(pod).spec).toEqual({ containers: [{ name: "c", image: "i" }] })
    const pvc = { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" }, spec: { volumeName: "pv-1", resources: { requests: { storage: "1Gi" } } } }
    expect(cleanObject(pvc).spec).toEqual({ resources: { requests: { storage: "1Gi" } } })
    // the same field names mean nothing special on other kinds
    const other = { apiVersion: "example.com/v1", kind: "Thing", metadata: { name: "t" }, spec: { nodeName: "n", volumeName: "v", clusterIP: "1.2.3.4" } }
    expect(cleanObject(other).spec).toEqual(other.spec)
  })

  it("removes a Job's generated selector and uid labels, unless the selector is manual", () => {
    const job = (manualSelector: boolean) => ({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "j" },
      spec: {
        ...(manualSelector ? { manualSelector } : {}),
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u1" } },
        template: { metadata: { labels: { "batch.kubernetes.io/controller-uid": "u1", "controller-uid": "u1", "job-name": "j", "batch.kubernetes.io/job-name": "j", app: "x" } }, spec: {} }
      }
    })
    expect(cleanObject(job(false)).spec).toEqual({ template: { metadata: { labels: { app: "x" } }, spec: {} } })
    expect(cleanObject(job(true)).spec).toEqual(job(true).spec)
  })

  it("keeps owner references to exported objects only", () => {
    const owned = {
      apiVersion: "example.com/v1",
      kind: "Part",
      metadata: {
        name: "p",
        ownerReferences: [
          { apiVersion: "example.com/v1", kind: "Part", name: "whole", uid: "exported-uid" },
          { apiVersion: "v1", kind: "ConfigMap", name: "elsewhere", uid: "other-uid" }
        ]
      }
    }
    expect(cleanObject(owned, new Set(["exported-uid"])).metadata).toEqual({
      name: "p",
      ownerReferences: [{ apiVersion: "example.com/v1", kind: "Part", name: "whole", uid: "exported-uid" }]
    })
    expect(cleanObject(owned).metadata).toEqual({ name: "p" })
  })

  it("puts apiVersion, kind and metadata first and does not change its input", () => {
    const obj = { data: { a: "1" }, metadata: { name: "x", ...serverMeta }, kind: "ConfigMap", apiVersion: "v1" }
    const before = JSON.stringify(obj)
    expect(Object.keys(cleanObject(obj))).toEqual(["apiVersion", "kind", "metadata", "data"])
    expect(JSON.stringify(obj)).toBe(before)
  })
})

describe("controllerMade", () => {
  const rsOwner = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-5d8f", uid: "rs-uid", controller: true }

  it("skips objects whose controller is not exported, naming it", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-5d8f-x", ownerReferences: [rsOwner] } }
    expect(controllerMade(pod)).toBe("created by its controller ReplicaSet/web-5d8f; copy the ReplicaSet and it creates this")
    expect(controllerMade(pod, new Set(["rs-uid"]))).toBeUndefined()
    // an owner that is not the controller does not make the object controller-made
    const plain = { ...pod, metadata: { name: "p", ownerReferences: [{ ...rsOwner, controller: false }] } }
    expect(controllerMade(plain)).toBeUndefined()
  })

  it("skips what controllers create in every namespace, and keeps look-alikes", () => {
    expect(controllerMade({ kind: "ConfigMap", metadata: { name: "kube-root-ca.crt" } })).toContain("kube-controller-manager")
    expect(controllerMade({ kind: "ConfigMap", metadata: { name: "app" } })).toBeUndefined()
    expect(controllerMade({ kind: "ServiceAccount", metadata: { name: "default" } })).toContain("every namespace")
    expect(controllerMade({ kind: "ServiceAccount", metadata: { name: "builder" } })).toBeUndefined()
    expect(controllerMade({ kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "t" } })).toContain("token controller")
    expect(controllerMade({ kind: "Secret", type: "Opaque", metadata: { name: "creds" } })).toBeUndefined()
    expect(controllerMade({ kind: "Namespace", metadata: { name: "kube-system" } })).toBe("exists on every cluster")
    expect(controllerMade({ kind: "Namespace", metadata: { name: "shop" } })).toBeUndefined()
  })

  it("skips Endpoints and EndpointSlices written by their controllers, not hand-made Endpoints", () => {
    expect(controllerMade({ kind: "Endpoints", metadata: { name: "web", annotations: { "endpoints.kubernetes.io/last-change-trigger-time": "t" } } }))
      .toContain("endpoints controller")
    expect(controllerMade({ kind: "Endpoints", metadata: { name: "web", labels: { "endpoints.kubernetes.io/managed-by": "endpoint-controller" } } }))
      .toContain("endpoints controller")
    expect(controllerMade({ kind: "Endpoints", metadata: { name: "external-db" } })).toBeUndefined()
    expect(controllerMade({ kind: "EndpointSlice", metadata: { name: "web-x", labels: { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" } } }))
      .toContain("EndpointSlice controller")
  })
})

describe("copyOf", () => {
  const exported = {
    name: "web",
    namespace: "shop",
    object: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "web", namespace: "shop", ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "o", uid: "source-uid" }] },
      data: { a: "1" }
    }
  }

  it("remaps the namespace and drops owner references (source uids mean nothing on the target)", () => {
    expect(copyOf(exported, "shop-restored")).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "shop-restored" }, data: { a: "1" } })
    expect(copyOf(exported, undefined)).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "web", namespace: "shop" }, data: { a: "1" } })
  })

  it("gives cluster-scoped objects no namespace", () => {
    const ns = { name: "shop", namespace: undefined, object: { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } } }
    expect(copyOf(ns, "elsewhere")).toEqual({ apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } })
  })
})

describe("manifestYaml", () => {
  it("is YAML documents separated by ---, comments first, that load back to the objects", () => {
    const a = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { x: "01", y: "true" } }
    const b = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "b" } }
    const text = manifestYaml([a, b], ["skipped configmap/kube-root-ca.crt: reason"])
    expect(text.startsWith("# skipped configmap/kube-root-ca.crt: reason\n---\napiVersion: v1\n")).toBe(true)
    // strings that look like numbers or booleans stay strings
    expect(loadAll(text)).toEqual([a, b])
    expect(load(manifestYaml([a]))).toEqual(a)
  })
})
