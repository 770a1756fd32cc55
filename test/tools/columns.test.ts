/**
 * `columns` (kubectl custom-columns) on the list tools, through the MCP client against the test control plane:
 * pods_list, resources_list and namespaces_list project whole objects to the columns named, in both views; filters, missing
 * fields, paging, masked Secret values, a bad spec refused with the rule, and a call across two contexts.
 */
import { AppsV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, callOk, clusterInfo, inBothViews, retry, rowsOf, type StdioServer, startStdio } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const apps = adminKubeConfig(info, "dev").makeApiClient(AppsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-cols-${suffix}`
const IMAGES = "NAME:.metadata.name,IMAGES:.spec.containers[*].image"
const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }

const pod = (name: string, images: Array<string>): V1Pod => ({
  metadata: { name, labels: { suite: "kmcp-cols" } },
  spec: { containers: images.map((image, i) => ({ name: i === 0 ? "app" : `side${i}`, image })) }
})
const create = (api: CoreV1Api, body: V1Pod) => retry(() => api.createNamespacedPod({ namespace: ns, body }), `create pod ${body.metadata?.name}`)

let server: StdioServer

const ok = (tool: string, args: Record<string, unknown>) => callOk(server.client, tool, args)

beforeAll(async () => {
  const labels = { "kmcp.test/team": `cols-${suffix}` }
  await Promise.all([dev.createNamespace({ body: { metadata: { name: ns, labels } } }), prod.createNamespace({ body: { metadata: { name: ns, labels } } })])
  await Promise.all([
    create(dev, pod("multi", ["registry.example/app:1.0", "registry.example/proxy:2.1"])),
    create(dev, pod("solo", ["registry.example/app:1.0"])),
    create(prod, pod("prod-web", ["registry.example/web:3.0"]))
  ])
  await apps.createNamespacedDeployment({
    namespace: ns,
    body: {
      metadata: { name: "shop", labels: { app: "shop" } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "shop" } },
        template: {
          metadata: { labels: { app: "shop" } },
          spec: {
            containers: [
              { name: "app", image: "registry.example/shop:4.2" },
              { name: "metrics", image: "registry.example/exporter:0.9" }
            ]
          }
        }
      }
    }
  })
  await dev.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "creds" }, stringData: { password: "hunter2-columns" } } })
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  await Promise.all([dev.deleteNamespace({ name: ns }), prod.deleteNamespace({ name: ns })].map((p) => p.catch(() => undefined)))
})

describe("pods_list with columns", () => {
  it("lists the images of every pod: several containers joined with \",\", in both views", async () => {
    const r = await ok("pods_list", { namespace: ns, columns: IMAGES })
    expect(r.structured?.["columns"]).toEqual(["NAME", "IMAGES"])
    expect(rowsOf(r)).toEqual([
      { NAME: "multi", IMAGES: "registry.example/app:1.0,registry.example/proxy:2.1" },
      { NAME: "solo", IMAGES: "registry.example/app:1.0" }
    ])
    expect(r.views.text).toMatch(/^NAME\s+IMAGES$/mu)
    inBothViews(r, "registry.example/app:1.0,registry.example/proxy:2.1")
  })

  it("keeps headers as given (kubectl prints them verbatim) and renders a missing field as <none>", async () => {
    const r = await ok("pods_list", { namespace: ns, columns: "name:{.metadata.name},qos:.status.qosClass,team:.metadata.labels.team" })
    expect(r.structured?.["columns"]).toEqual(["name", "qos", "team"])
    expect(r.views.text).toMatch(/^name\s+qos\s+team$/mu)
    const rows = rowsOf(r)
    expect(rows.map((row) => row["team"])).toEqual(["<none>", "<none>"])
    inBothViews(r, "<none>")
  })

  it("pages with limit and continue", async () => {
    const first = await ok("pods_list", { namespace: ns, columns: IMAGES, limit: 1 })
    expect(rowsOf(first)).toHaveLength(1)
    const token = first.structured?.["continue"]
    expect(typeof token).toBe("string")
    const second = await ok("pods_list", { namespace: ns, columns: IMAGES, limit: 1, continue: token })
    expect(rowsOf(second).map((row) => row["NAME"])).toEqual(["solo"])
  })

  it("is cut by the byte budget like any table, in both views", async () => {
    const small = await startStdio({ config: "[output]\nmax_bytes = 1024\n" })
    try {
      const r = await call(small.client, "pods_list", { context: "dev-cluster", namespace: ns, columns: "NAME:.metadata.name,META:.metadata,SPEC:.spec" })
      expect(r.isError, r.text).toBe(false)
      const truncated = r.structured?.["truncated"]
      expect(truncated).toMatchObject({ total: 2 })
      const shown = rowsOf(r)
      expect(shown.length).toBeLessThan(2)
      expect(Buffer.byteLength(r.views.text)).toBeLessThanOrEqual(1024)
      expect(Buffer.byteLength(JSON.stringify(r.structured))).toBeLessThanOrEqual(1024)
      inBothViews(r, "[output cut: showing")
    } finally {
      await small.close()
    }
  })

  it("across two contexts: one table, CONTEXT first, each context projected", async () => {
    const r = await call(server.client, "pods_list", { contexts: ["dev-cluster", "prod-cluster"], namespace: ns, columns: IMAGES })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["columns"]).toEqual(["context", "NAME", "IMAGES"])
    expect(rowsOf(r)).toEqual([
      { context: "dev-cluster", NAME: "multi", IMAGES: "registry.example/app:1.0,registry.example/proxy:2.1" },
      { context: "dev-cluster", NAME: "solo", IMAGES: "registry.example/app:1.0" },
      { context: "prod-cluster", NAME: "prod-web", IMAGES: "registry.example/web:3.0" }
    ])
    expect(r.views.text).toMatch(/^CONTEXT\s+NAME\s+IMAGES$/mu)
    expect(r.structured?.["answered"]).toBe(2)
  })

  it("refuses a bad spec as InvalidInput stating the rule and quoting the bad part, and keeps serving", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, columns: "NAME:.metadata.name,IMAGES" })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("InvalidInput")
    expect(r.error?.message).toContain("\"IMAGES\" is not HEADER:JSONPATH")
    expect(r.error?.message).toContain("comma-separated list of HEADER:JSONPATH pairs")
    const unclosed = await call(server.client, "pods_list", { contexts: ["dev-cluster", "prod-cluster"], namespace: ns, columns: "X:.spec.containers[*.image" })
    expect(unclosed.error?.type).toBe("InvalidInput")
    expect(unclosed.error?.message).toContain("a \"[\" is not closed")
    // still serving
    expect(rowsOf(await ok("pods_list", { namespace: ns, columns: IMAGES }))).toHaveLength(2)
  })
})

describe("resources_list with columns", () => {
  it("projects Deployments with a filter expression and a missing field", async () => {
    const r = await ok("resources_list", {
      ...DEPLOY,
      namespace: ns,
      columns: "NAME:.metadata.name,APP:.spec.template.spec.containers[?(@.name==\"app\")].image," +
        "SIDECARS:.spec.template.spec.containers[?(@.name!=\"app\")].name,NODESELECTOR:.spec.template.spec.nodeSelector"
    })
    expect(r.structured?.["columns"]).toEqual(["NAME", "APP", "SIDECARS", "NODESELECTOR"])
    expect(rowsOf(r)).toEqual([{ NAME: "shop", APP: "registry.example/shop:4.2", SIDECARS: "metrics", NODESELECTOR: "<none>" }])
    inBothViews(r, "registry.example/shop:4.2")
    expect(r.text).toContain(`1 deployments.apps in namespace "${ns}"`)
  })

  it("masks Secret values in projected data", async () => {
    const r = await ok("resources_list", { version: "v1", kind: "Secret", namespace: ns, columns: "NAME:.metadata.name,PASSWORD:.data.password,DATA:.data" })
    const [row] = rowsOf(r)
    expect(row?.["PASSWORD"]).toBe("<masked: 15 bytes>")
    expect(row?.["DATA"]).toBe(JSON.stringify({ password: "<masked: 15 bytes>" }))
    expect(r.views.text).not.toContain("hunter2")
    expect(r.views.structured).not.toContain(Buffer.from("hunter2-columns").toString("base64"))
  })

  it("refuses columns together with output yaml/json", async () => {
    const r = await call(server.client, "resources_list", { context: "dev-cluster", ...DEPLOY, namespace: ns, columns: IMAGES, output: "yaml" })
    expect(r.error?.type).toBe("InvalidInput")
  })
})

describe("namespaces_list with columns", () => {
  it("projects namespaces: a label with a dotted key, the phase", async () => {
    const r = await ok("namespaces_list", {
      label_selector: `kmcp.test/team=cols-${suffix}`,
      columns: "NAME:.metadata.name,TEAM:.metadata.labels['kmcp.test/team'],PHASE:.status.phase"
    })
    expect(rowsOf(r)).toEqual([{ NAME: ns, TEAM: `cols-${suffix}`, PHASE: "Active" }])
    expect(r.views.text).toMatch(/^NAME\s+TEAM\s+PHASE$/mu)
  })
})
