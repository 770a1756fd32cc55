/**
 * The OpenAPI v3 walk behind resources_explain, on a small fixture shaped like the API server's documents
 * ($ref wrapped in allOf, arrays of refs, maps of Quantity, a self-referencing type, a CRD's inline schema);
 * and the per-context cache on a fake server: the index re-read when a kind is missing, documents kept by
 * their hash-carrying URL. The same is proved end to end in test/tools/explain.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import {
  explainField,
  explainSchema,
  kindSchema,
  oneLine,
  OpenApiSchema,
  type OpenApiSchemas,
  parseFieldPath,
  typeName
} from "../../src/kube/openapi.js"
import { fakeServer, testKubeLayer } from "../support/kube.js"

const ref = (name: string) => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] })

const SCHEMAS: OpenApiSchemas = Schema.decodeUnknownSync(Schema.Record(Schema.String, OpenApiSchema))({
  "io.k8s.api.apps.v1.Deployment": {
    description: "Deployment enables declarative updates for Pods and ReplicaSets.",
    type: "object",
    required: ["spec"],
    properties: {
      apiVersion: { type: "string", description: "APIVersion defines the versioned schema. More info: there." },
      metadata: { description: "Standard object's metadata.", ...ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") },
      spec: { description: "Specification of the desired behavior of the Deployment.", ...ref("io.k8s.api.apps.v1.DeploymentSpec") }
    },
    "x-kubernetes-group-version-kind": [{ group: "apps", version: "v1", kind: "Deployment" }]
  },
  "io.k8s.api.apps.v1.DeploymentSpec": {
    type: "object",
    required: ["selector", "template"],
    properties: {
      replicas: { type: "integer", format: "int32", description: "Number of desired pods. This is a pointer." },
      template: { description: "Template describes the pods that will be created.", ...ref("io.k8s.api.core.v1.PodTemplateSpec") },
      strategy: { type: "string", enum: ["Recreate", "RollingUpdate"], description: "Type of deployment." }
    }
  },
  "io.k8s.api.core.v1.PodTemplateSpec": {
    type: "object",
    properties: { spec: { description: "Specification of the desired behavior of the pod.", ...ref("io.k8s.api.core.v1.PodSpec") } }
  },
  "io.k8s.api.core.v1.PodSpec": {
    type: "object",
    required: ["containers"],
    properties: {
      containers: { type: "array", description: "List of containers.", items: ref("io.k8s.api.core.v1.Container") },
      nodeSelector: { type: "object", additionalProperties: { type: "string" }, description: "Selector." }
    }
  },
  "io.k8s.api.core.v1.Container": {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", description: "Name of the container." },
      resources: { description: "Compute Resources required by this container.\n\nCannot be updated.", ...ref("io.k8s.api.core.v1.ResourceRequirements") },
      port: { ...ref("io.k8s.apimachinery.pkg.util.intstr.IntOrString"), description: "Port." }
    }
  },
  "io.k8s.api.core.v1.ResourceRequirements": {
    description: "ResourceRequirements describes the compute resource requirements.",
    type: "object",
    properties: {
      claims: { type: "array", items: ref("io.k8s.api.core.v1.ResourceClaim"), description: "Claims lists the names of resources. It depends on a gate." },
      limits: { type: "object", additionalProperties: { $ref: "#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity" }, description: "Limits describes the maximum amount of compute resources allowed." }
    }
  },
  "io.k8s.api.core.v1.ResourceClaim": { type: "object", required: ["name"], properties: { name: { type: "string", description: "Name." } } },
  "io.k8s.apimachinery.pkg.api.resource.Quantity": { description: "Quantity is a fixed-point number.", oneOf: [{ type: "string" }, { type: "number" }] },
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { format: "int-or-string", oneOf: [{ type: "integer" }, { type: "string" }] },
  "io.k8s.apimachinery.pkg.apis.meta.v1.Time": { type: "string", format: "date-time", description: "Time is a wrapper." },
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
    type: "object",
    properties: {
      name: { type: "string", description: "Name must be unique." },
      creationTimestamp: ref("io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
      ownerReferences: { type: "array", items: ref("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta") }
    }
  },
  "com.example.v1.Widget": {
    type: "object",
    description: "A widget.",
    properties: {
      spec: {
        type: "object",
        required: ["size"],
        properties: {
          size: { type: "string", description: "How big." },
          ports: { type: "array", items: { type: "object", properties: { port: { type: "integer", description: "The port." } } } },
          extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
          count: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] }
        }
      }
    },
    "x-kubernetes-group-version-kind": [{ group: "example.com", version: "v1", kind: "Widget" }]
  }
})

const DEPLOYMENT = kindSchema(SCHEMAS, { group: "apps", version: "v1", kind: "Deployment" })!
const WIDGET = kindSchema(SCHEMAS, { group: "example.com", version: "v1", kind: "Widget" })!

const explain = (root: OpenApiSchema, path: string, options = {}) => {
  const r = explainSchema(SCHEMAS, root, parseFieldPath(path), options)
  if (Result.isFailure(r)) throw new Error(`unexpected miss: ${JSON.stringify(r.failure)}`)
  return r.success
}

describe("OpenAPI walk", () => {
  it("finds a kind by x-kubernetes-group-version-kind", () => {
    expect(DEPLOYMENT?.description).toContain("Deployment enables")
    expect(kindSchema(SCHEMAS, { group: "apps", version: "v2", kind: "Deployment" })).toBeUndefined()
  })

  it("walks through $ref, allOf and arrays' items to a field, with its type, description and direct fields", () => {
    const e = explain(DEPLOYMENT, "spec.template.spec.containers.resources")
    expect(e.path).toBe("spec.template.spec.containers.resources")
    expect(e.type).toBe("ResourceRequirements")
    // the field's own description wins over its type's
    expect(e.description).toBe("Compute Resources required by this container.\n\nCannot be updated.")
    expect(e.fields).toEqual([
      { name: "claims", depth: 0, type: "[]ResourceClaim", required: false, description: "Claims lists the names of resources." },
      { name: "limits", depth: 0, type: "map[string]Quantity", required: false, description: "Limits describes the maximum amount of compute resources allowed." }
    ])
  })

  it("names types as kubectl explain does", () => {
    const container = explain(DEPLOYMENT, "spec.template.spec.containers")
    expect(container.type).toBe("[]Container")
    expect(container.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ["name", "string", true],
      ["port", "IntOrString", false],
      ["resources", "ResourceRequirements", false]
    ])
    expect(explain(DEPLOYMENT, "metadata").fields.find((f) => f.name === "creationTimestamp")?.type).toBe("string")
    expect(explain(DEPLOYMENT, "spec.template.spec").fields.find((f) => f.name === "nodeSelector")?.type).toBe("map[string]string")
    const spec = explain(WIDGET, "spec")
    expect(spec.fields.map((f) => [f.name, f.type, f.required])).toEqual([
      ["count", "IntOrString", false],
      ["extra", "Object", false],
      ["ports", "[]Object", false],
      ["size", "string", true]
    ])
    expect(typeName(SCHEMAS, DEPLOYMENT)).toBe("Object")
  })

  it("explains the kind itself for an empty path, and shows an enum", () => {
    const root = explain(DEPLOYMENT, "")
    expect(root.path).toBe("")
    expect(root.fields.map((f) => f.name)).toEqual(["apiVersion", "metadata", "spec"])
    expect(root.fields.find((f) => f.name === "spec")?.required).toBe(true)
    expect(explain(DEPLOYMENT, "spec.strategy").enum).toEqual(["Recreate", "RollingUpdate"])
  })

  it("walks a CRD's inline schema, arrays of objects included", () => {
    const port = explain(WIDGET, "spec.ports[].port")
    expect(port).toMatchObject({ path: "spec.ports.port", type: "integer", description: "The port.", fields: [] })
  })

  it("a path that does not exist says the last valid level and its fields", () => {
    const miss = explainSchema(SCHEMAS, DEPLOYMENT, parseFieldPath("spec.template.spec.containers.resourcez"))
    expect(Result.isFailure(miss) && miss.failure).toEqual({
      at: "spec.template.spec.containers",
      missing: "resourcez",
      fields: ["name", "port", "resources"],
      type: "[]Container"
    })
    const leaf = explainSchema(SCHEMAS, DEPLOYMENT, parseFieldPath("spec.replicas.x"))
    expect(Result.isFailure(leaf) && leaf.failure).toEqual({ at: "spec.replicas", missing: "x", fields: [], type: "integer" })
  })

  it("recursive: the tree below, dotted names, no descriptions, a type being expanded not expanded again", () => {
    const tree = explain(DEPLOYMENT, "spec.template.spec.containers", { recursive: true })
    expect(tree.fields.map((f) => f.name)).toEqual([
      "name",
      "port",
      "resources",
      "resources.claims",
      "resources.claims.name",
      "resources.limits"
    ])
    expect(tree.fields.every((f) => f.description === undefined)).toBe(true)
    expect(tree.cut).toBeUndefined()
    // ObjectMeta lists ObjectMeta: shown once, not expanded below itself
    const meta = explain(DEPLOYMENT, "metadata", { recursive: true })
    expect(meta.fields.map((f) => f.name)).toEqual(["creationTimestamp", "name", "ownerReferences"])
  })

  it("recursive trees are bounded in depth and lines, and say so", () => {
    const shallow = explain(DEPLOYMENT, "spec", { recursive: true, maxDepth: 2 })
    expect(Math.max(...shallow.fields.map((f) => f.depth))).toBe(1)
    expect(shallow.cut).toContain("2 levels")
    const few = explain(DEPLOYMENT, "", { recursive: true, maxFields: 3 })
    expect(few.fields).toHaveLength(3)
    expect(few.cut).toContain("3 fields")
  })

  it("one-line descriptions: the first sentence of the first paragraph, bounded", () => {
    expect(oneLine("First sentence. Second one.\n\nMore.")).toBe("First sentence.")
    expect(oneLine("Wrapped\nline without a stop")).toBe("Wrapped line without a stop")
    expect(oneLine("x".repeat(300))).toHaveLength(160)
    expect(oneLine(undefined)).toBe("")
  })
})

describe("OpenAPI cache of a context", () => {
  const APPS = "/apis/apps/v1"
  const discovery = { resources: [{ name: "deployments", singularName: "deployment", namespaced: true, kind: "Deployment", verbs: ["get"], shortNames: ["deploy"] }] }

  it.effect("reads the index once and each document once; a kind missing from the document re-reads the index", () =>
    Effect.gen(function*() {
      let hash = "A"
      let withKind = false
      const server = fakeServer((req: ApiRequest) => {
        if (req.path === APPS) return { body: discovery }
        if (req.path === "/openapi/v3") return { body: { paths: { "apis/apps/v1": { serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${hash}` } } } }
        if (req.path === "/openapi/v3/apis/apps/v1") {
          return { body: { openapi: "3.0.0", paths: {}, components: { schemas: withKind ? SCHEMAS : {} } } }
        }
        return { status: 404, body: { kind: "Status", code: 404, reason: "NotFound", message: "not found" } }
      })
      yield* Effect.gen(function*() {
        const missing = yield* Effect.flip(explainField({ group: "apps", version: "v1", kind: "Deployment" }, "spec"))
        expect(missing._tag).toBe("NotFound")
        expect(server.requests.filter((r) => r.startsWith("GET /openapi"))).toEqual([
          "GET /openapi/v3",
          "GET /openapi/v3/apis/apps/v1?hash=A",
          "GET /openapi/v3"
        ])
        // the document changed: the index names it by a new hash, which is a new key
        hash = "B"
        withKind = true
        const e = yield* explainField({ group: "apps", version: "v1", kind: "deploy" }, "deployment.spec.replicas")
        expect(e).toMatchObject({ path: "spec.replicas", type: "integer", info: { kind: "Deployment" } })
        yield* explainField({ group: "apps", version: "v1", kind: "Deployment" }, "spec")
        expect(server.requests.filter((r) => r.startsWith("GET /openapi"))).toEqual([
          "GET /openapi/v3",
          "GET /openapi/v3/apis/apps/v1?hash=A",
          "GET /openapi/v3",
          // the cached index still names document A, which lacks the kind: the index is read again
          "GET /openapi/v3",
          "GET /openapi/v3/apis/apps/v1?hash=B"
        ])
        const bad = yield* Effect.flip(explainField({ group: "apps", version: "v1", kind: "Deployment" }, "spec.replicaz"))
        expect(bad.message).toContain(`has no field "spec.replicaz"`)
        expect(bad.details).toBe("Fields of spec <DeploymentSpec>: replicas, strategy, template.")
      }).pipe(Effect.provide(testKubeLayer(server)))
    }))
})
