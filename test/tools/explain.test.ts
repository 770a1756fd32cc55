/**
 * resources_explain and resources_relationships through the MCP client against the test control plane:
 * a built-in kind's field documentation from the cluster's OpenAPI v3, a CRD's from its structural schema, a
 * bad path listing the fields that exist; a Deployment's Pod up to the Deployment, the Deployment down to
 * its Pods, a Service to its EndpointSlices and Pods. Each checked in both views a model is handed.
 */
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, callOk, callFails, clusterInfo, inBothViews, retry, rowsOf, type StdioServer, startStdio } from "../support/mcp.js"
import { deploymentManifest } from "../support/objects.js"

const info = clusterInfo()
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const crds = kc.makeApiClient(ApiextensionsV1Api)
const slices = kc.makeApiClient(DiscoveryV1Api)
const networking = kc.makeApiClient(NetworkingV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-explain-${suffix}`
const crdGroup = `kmcp-explain-${suffix}.example.com`
const crdName = `gadgets.${crdGroup}`
const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }

let server: StdioServer

const ok = (tool: string, args: Record<string, unknown>) => callOk(server.client, tool, args)
const fails = (tool: string, args: Record<string, unknown>, type: string) => callFails(server.client, tool, args, type)

const fieldsOf = (structured: Record<string, unknown> | undefined): Array<Record<string, unknown>> => {
  const fields = structured?.["fields"]
  return Array.isArray(fields) ? fields : []
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  server = await startStdio()
  // web: 2 replicas on the kwok node (pods run), a Service in front, an Ingress to it
  await apps.createNamespacedDeployment({ namespace: ns, body: deploymentManifest("web", ns, 2) })
  await core.createNamespacedService({ namespace: ns, body: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } } })
  await networking.createNamespacedIngress({
    namespace: ns,
    body: {
      metadata: { name: "front" },
      spec: { rules: [{ host: "web.example", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] } }] }
    }
  })
  await retry(async () => {
    const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns })
    if (d.status?.readyReplicas !== 2) throw new Error(`ready ${d.status?.readyReplicas ?? 0}`)
    const list = await slices.listNamespacedEndpointSlice({ namespace: ns, labelSelector: "kubernetes.io/service-name=web" })
    const ready = list.items.flatMap((s) => s.endpoints).filter((e) => e.conditions?.ready === true).length
    if (ready !== 2) throw new Error(`${ready} ready endpoints`)
  }, "web to run 2 pods behind its Service", 60_000)
})

afterAll(async () => {
  await server?.close()
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
  await crds.deleteCustomResourceDefinition({ name: crdName }).catch(() => undefined)
})

describe("resources_explain", () => {
  it("documents Deployment spec.template.spec.containers.resources: type, description, direct fields", async () => {
    const r = await ok("resources_explain", { ...DEPLOY, field: "spec.template.spec.containers.resources" })
    expect(r.structured).toMatchObject({
      kind: "Deployment",
      apiVersion: "apps/v1",
      field: "spec.template.spec.containers.resources",
      type: "ResourceRequirements"
    })
    expect(String(r.structured?.["description"])).toContain("Compute Resources required by this container")
    const fields = fieldsOf(r.structured)
    expect(fields).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: "limits", type: "map[string]Quantity", required: false }),
      expect.objectContaining({ name: "requests", type: "map[string]Quantity", required: false }),
      expect.objectContaining({ name: "claims", type: "[]ResourceClaim" })
    ]))
    expect(fields.find((f) => f["name"] === "limits")?.["description"]).toBe("Limits describes the maximum amount of compute resources allowed.")
    inBothViews(r, "ResourceRequirements", "Compute Resources required by this container", "map[string]Quantity", "Limits describes the maximum amount of compute resources allowed.")
    // compact: a few KB, not the multi-megabyte document
    expect(r.bytes).toBeLessThan(8000)
  })

  it("marks required fields, and explains the kind itself with its top-level fields", async () => {
    const containers = await ok("resources_explain", { ...DEPLOY, field: "deployment.spec.template.spec.containers" })
    expect(containers.structured?.["type"]).toBe("[]Container")
    expect(fieldsOf(containers.structured)).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: "name", type: "string", required: true }),
      expect.objectContaining({ name: "image", type: "string", required: false })
    ]))
    inBothViews(containers, "[]Container", "required")
    const kind = await ok("resources_explain", { version: "v1", kind: "Pod" })
    expect(kind.structured).toMatchObject({ kind: "Pod", apiVersion: "v1", field: "" })
    expect(fieldsOf(kind.structured).map((f) => f["name"])).toEqual(["apiVersion", "kind", "metadata", "spec", "status"])
    inBothViews(kind, "PodSpec", "Pod is a collection of containers")
  })

  it("recursive: the tree of dotted field names below, bounded", async () => {
    const r = await ok("resources_explain", { ...DEPLOY, field: "spec.strategy", recursive: true })
    const names = fieldsOf(r.structured).map((f) => f["name"])
    expect(names).toEqual(["rollingUpdate", "rollingUpdate.maxSurge", "rollingUpdate.maxUnavailable", "type"])
    expect(fieldsOf(r.structured).find((f) => f["name"] === "rollingUpdate.maxSurge")?.["type"]).toBe("IntOrString")
    inBothViews(r, "rollingUpdate.maxSurge", "IntOrString")
    const big = await ok("resources_explain", { version: "v1", kind: "Pod", field: "spec", recursive: true })
    expect(fieldsOf(big.structured).length).toBeGreaterThan(100)
    // within the byte budget in each view, and says where the tree was cut
    expect(Buffer.byteLength(big.text)).toBeLessThan(64 * 1024)
    expect(Buffer.byteLength(JSON.stringify(big.structured))).toBeLessThan(64 * 1024)
    inBothViews(big, "cut at 400 fields")
  })

  it("a path that does not exist is NotFound listing the fields of the last valid level", async () => {
    const r = await fails("resources_explain", { ...DEPLOY, field: "spec.template.spec.containers.resourcez" }, "NotFound")
    expect(r.error?.message).toContain("\"resourcez\"")
    expect(r.error?.details).toContain("Fields of spec.template.spec.containers <[]Container>:")
    expect(r.error?.details).toContain("resources")
    expect(r.error?.details).toContain("image")
    inBothViews(r, "resourcez", "spec.template.spec.containers", "resources, ")
    const leaf = await fails("resources_explain", { ...DEPLOY, field: "spec.replicas.count" }, "NotFound")
    expect(leaf.error?.details).toContain("spec.replicas is <integer>, which has no fields")
  })

  it("explains a CRD from its structural schema, right after the CRD is created", async () => {
    await crds.createCustomResourceDefinition({
      body: {
        metadata: { name: crdName },
        spec: {
          group: crdGroup,
          names: { kind: "Gadget", plural: "gadgets", singular: "gadget", shortNames: ["gdg"] },
          scope: "Namespaced",
          versions: [{
            name: "v1",
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: "object",
                description: "A gadget of the explain test.",
                properties: {
                  spec: {
                    type: "object",
                    description: "What the gadget should be.",
                    required: ["size"],
                    properties: {
                      size: { type: "string", description: "How big the gadget is. Small or large.", _enum: ["small", "large"] },
                      ports: {
                        type: "array",
                        description: "Ports the gadget listens on.",
                        items: { type: "object", properties: { port: { type: "integer", description: "The port number." } } }
                      }
                    }
                  }
                }
              }
            }
          }]
        }
      }
    })
    const gadget = { group: crdGroup, version: "v1", kind: "gdg" }
    const spec = await retry(async () => {
      const r = await call(server.client, "resources_explain", { context: "dev-cluster", ...gadget, field: "spec" })
      if (r.isError) throw new Error(r.text)
      return r
    }, "the CRD to be explained")
    expect(spec.structured).toMatchObject({ kind: "Gadget", apiVersion: `${crdGroup}/v1`, field: "spec", type: "Object", description: "What the gadget should be." })
    expect(fieldsOf(spec.structured)).toEqual([
      { name: "ports", type: "[]Object", required: false, description: "Ports the gadget listens on." },
      { name: "size", type: "string", required: true, description: "How big the gadget is." }
    ])
    inBothViews(spec, "What the gadget should be.", "Ports the gadget listens on.", "How big the gadget is.")
    const port = await ok("resources_explain", { ...gadget, field: "spec.ports.port" })
    expect(port.structured).toMatchObject({ field: "spec.ports.port", type: "integer", description: "The port number.", fields: [] })
    const size = await ok("resources_explain", { ...gadget, field: "spec.size" })
    expect(size.structured?.["enum"]).toEqual(["small", "large"])
    expect(size.text).toContain("ENUM:     small, large")
    inBothViews(size, "small", "large")
  })

  it("runs across contexts with `contexts`", async () => {
    const r = await call(server.client, "resources_explain", { ...DEPLOY, field: "spec.replicas", contexts: ["dev-cluster", "prod-cluster"] })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["answered"]).toBe(2)
    inBothViews(r, "dev-cluster", "prod-cluster", "Number of desired pods")
  })
})

describe("resources_relationships", () => {
  const webPods = async () => (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })).items.map((p) => p.metadata?.name ?? "").sort()

  it("a Deployment's Pod: its owners up to the Deployment", async () => {
    const [pod] = await webPods()
    const r = await ok("resources_relationships", { version: "v1", kind: "Pod", name: pod, namespace: ns })
    expect(r.structured?.["columns"]).toEqual(["depth", "relation", "kind", "name", "namespace", "status"])
    const rows = rowsOf(r)
    expect(rows.map((row) => [row["depth"], row["relation"], row["kind"]])).toEqual([
      ["-2", "owner", "Deployment"],
      ["-1", "owner", "ReplicaSet"],
      ["0", "self", "Pod"]
    ])
    expect(rows[0]).toMatchObject({ name: "web", namespace: ns, status: "2/2 ready" })
    expect(rows[1]?.["name"]).toMatch(/^web-/u)
    expect(rows[2]).toMatchObject({ name: pod, status: "Running 1/1" })
    inBothViews(r, "2 owner(s) up, 0 dependent(s) down")
  })

  it("a Deployment: down to its ReplicaSet and its Pods", async () => {
    const pods = await webPods()
    const r = await ok("resources_relationships", { ...DEPLOY, name: "web", namespace: ns })
    const rows = rowsOf(r)
    expect(rows[0]).toMatchObject({ depth: "0", relation: "self", kind: "Deployment", name: "web", status: "2/2 ready" })
    expect(rows[1]).toMatchObject({ depth: "1", relation: "owns", kind: "ReplicaSet", status: "2/2 ready" })
    const podRows = rows.filter((row) => row["kind"] === "Pod")
    expect(podRows.map((row) => row["name"]).sort()).toEqual(pods)
    expect(podRows.every((row) => row["depth"] === "2" && row["relation"] === "owns" && row["status"] === "Running 1/1")).toBe(true)
    inBothViews(r, "0 owner(s) up, 3 dependent(s) down", ...pods)
  })

  it("a Service: its EndpointSlices and the Pods behind them; an Ingress: its Services and on down", async () => {
    const pods = await webPods()
    const r = await ok("resources_relationships", { version: "v1", kind: "Service", name: "web", namespace: ns })
    const rows = rowsOf(r)
    expect(rows[0]).toMatchObject({ depth: "0", relation: "self", kind: "Service", name: "web" })
    expect(rows[0]?.["status"]).toMatch(/^ClusterIP /u)
    expect(rows[1]).toMatchObject({ depth: "1", relation: "endpoint slice", kind: "EndpointSlice", status: "2/2 endpoints ready" })
    expect(rows[1]?.["name"]).toMatch(/^web-/u)
    expect(rows.slice(2).map((row) => [row["depth"], row["relation"], row["kind"], row["name"]]).sort()).toEqual(
      pods.map((p) => ["2", "endpoint", "Pod", p])
    )
    inBothViews(r, "endpoint slice", "2/2 endpoints ready", ...pods)

    const ingress = rowsOf(await ok("resources_relationships", { group: "networking.k8s.io", version: "v1", kind: "Ingress", name: "front", namespace: ns }))
    expect(ingress.map((row) => [row["depth"], row["relation"], row["kind"]])).toEqual([
      ["0", "self", "Ingress"],
      ["1", "backend", "Service"],
      ["2", "endpoint slice", "EndpointSlice"],
      ["3", "endpoint", "Pod"],
      ["3", "endpoint", "Pod"]
    ])
  })

  it("an object that does not exist is NotFound", async () => {
    await fails("resources_relationships", { ...DEPLOY, name: "nope", namespace: ns }, "NotFound")
  })
})
