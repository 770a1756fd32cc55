/**
 * resources_export and resources_copy through the MCP client against the test control plane: a namespace on
 * dev-cluster with a Deployment (running on the kwok node), a ConfigMap, a Service with a cluster IP and a
 * Secret; exported clean (server-written fields gone, controller-made objects skipped with the reason), then
 * copied into prod-cluster under another namespace: dry run (nothing on prod afterwards, read with the admin
 * client), real (created), again (unchanged); Secrets only from a context that reveals them; a read-only
 * target and an unknown source refused.
 */
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, statusOf } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, retry, type StdioServer, startStdio, type ToolCallResult } from "../support/mcp.js"
import { deploymentManifest } from "../support/objects.js"

const info = clusterInfo()
const devCore = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const devApps = adminKubeConfig(info, "dev").makeApiClient(AppsV1Api)
const prodCore = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const prodApps = adminKubeConfig(info, "prod").makeApiClient(AppsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-copy-${suffix}`
const target = `kmcp-copy-${suffix}-restored`
const DEPLOY = { group: "apps", version: "v1", kind: "Deployment" }
const CM = { version: "v1", kind: "ConfigMap" }
const SECRET = { version: "v1", kind: "Secret" }
const SECRET_VALUE = "c0py-s3cr3t-JKL"
const b64 = (s: string) => Buffer.from(s).toString("base64")

let server: StdioServer

const ok = async (s: StdioServer, tool: string, args: Record<string, unknown>) => {
  const r = await call(s.client, tool, args)
  expect(r.isError, `${tool}: ${r.text}`).toBe(false)
  return r
}
const copy = (args: Record<string, unknown>, s: StdioServer = server) =>
  ok(s, "resources_copy", { from_context: "dev-cluster", to_context: "prod-cluster", namespace: ns, to_namespace: target, ...args })

interface ResultRow {
  readonly kind: string
  readonly name: string
  readonly namespace?: string
  readonly action: string
  readonly reason?: string
  readonly error?: { readonly type: string; readonly message: string }
}
const isRow = (v: unknown): v is ResultRow =>
  typeof v === "object" && v !== null && "kind" in v && "name" in v && "action" in v
const resultsOf = (r: ToolCallResult): Array<ResultRow> => {
  const results = r.structured?.["results"]
  return Array.isArray(results) ? results.filter(isRow) : []
}
const actionsOf = (r: ToolCallResult): Record<string, string> =>
  Object.fromEntries(resultsOf(r).map((row) => [`${row.kind}/${row.name}`, row.action]))

/** Whether prod answers 404 for a read (the admin client; no tool in between). */
const absentOnProd = (read: () => Promise<unknown>): Promise<boolean> =>
  read().then(() => false, (e: unknown) => {
    if (statusOf(e) === 404) return true
    throw e
  })

/** Text and structured views, so an absent field is absent from what either kind of client shows. */
const neitherView = (r: ToolCallResult, ...absent: ReadonlyArray<string>) => {
  for (const a of absent) {
    expect(r.views.text, `text view holds ${a}`).not.toContain(a)
    expect(r.views.structured, `structured view holds ${a}`).not.toContain(a)
  }
}

beforeAll(async () => {
  await devCore.createNamespace({ body: { metadata: { name: ns } } })
  await devCore.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "app-config", labels: { app: "web" } }, data: { greeting: "hello from dev" } } })
  await devCore.createNamespacedSecret({ namespace: ns, body: { metadata: { name: "creds" }, stringData: { password: SECRET_VALUE } } })
  await devCore.createNamespacedService({
    namespace: ns,
    body: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } }
  })
  await devApps.createNamespacedDeployment({ namespace: ns, body: deploymentManifest("web", ns, 1, "registry.example/web:1.0") })
  server = await startStdio()
  // the controllers' own objects, which the export must skip: the root CA ConfigMap and the web Pod
  await retry(() => devCore.readNamespacedConfigMap({ name: "kube-root-ca.crt", namespace: ns }), "kube-root-ca.crt published")
  await retry(async () => {
    const pods = await devCore.listNamespacedPod({ namespace: ns, labelSelector: "app=web" })
    if (pods.items.length !== 1 || pods.items[0]?.spec?.nodeName === undefined) throw new Error("web pod not scheduled yet")
  }, "web pod scheduled")
})

afterAll(async () => {
  await server?.close()
  await devCore.deleteNamespace({ name: ns }).catch(() => undefined)
  await prodCore.deleteNamespace({ name: target }).catch(() => undefined)
})

describe("resources_export", () => {
  it("exports ConfigMaps without server-written fields, and skips kube-root-ca.crt with the reason", async () => {
    const r = await ok(server, "resources_export", { context: "dev-cluster", ...CM, namespace: ns })
    inBothViews(r, "name: app-config", "greeting: hello from dev", "kind: ConfigMap", "apiVersion: v1", `namespace: ${ns}`, "kube-root-ca.crt")
    neitherView(r, "uid:", "resourceVersion", "creationTimestamp", "managedFields")
    expect(r.structured?.["objects"]).toEqual([{ kind: "ConfigMap", apiVersion: "v1", name: "app-config", namespace: ns }])
    expect(r.structured?.["skipped"]).toEqual([
      expect.objectContaining({ name: "kube-root-ca.crt", reason: expect.stringContaining("kube-controller-manager") })
    ])
    // the manifest is YAML text whose only document is the ConfigMap; the skip is a # comment
    const manifest = String(r.structured?.["manifest"])
    expect(manifest).toBe(r.text)
    expect(manifest).toMatch(/^# skipped configmap\/kube-root-ca.crt -n /m)
    expect(manifest.match(/^kind: /gm)).toHaveLength(1)
  })

  it("drops a Service's clusterIP(s) and status, and a Deployment's revision annotation and status", async () => {
    const live = await devCore.readNamespacedService({ name: "web", namespace: ns })
    const ip = live.spec?.clusterIP ?? ""
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    const svc = await ok(server, "resources_export", { context: "dev-cluster", version: "v1", kind: "Service", namespace: ns })
    inBothViews(svc, "name: web", "targetPort: 8080", "app: web")
    neitherView(svc, ip, "clusterIP", "status:", "uid:", "resourceVersion", "creationTimestamp")
    await retry(async () => {
      const d = await devApps.readNamespacedDeployment({ name: "web", namespace: ns })
      if (d.metadata?.annotations?.["deployment.kubernetes.io/revision"] === undefined) throw new Error("no revision yet")
    }, "web's revision annotation")
    const deploy = await ok(server, "resources_export", { context: "dev-cluster", ...DEPLOY, namespace: ns })
    inBothViews(deploy, "kind: Deployment", "image: registry.example/web:1.0", "replicas: 1")
    neitherView(deploy, "deployment.kubernetes.io/revision", "status:", "availableReplicas", "uid:", "resourceVersion", "generation", "managedFields")
  })

  it("skips Pods and ReplicaSets their controllers create, naming the controller", async () => {
    const pods = await ok(server, "resources_export", { context: "dev-cluster", version: "v1", kind: "Pod", namespace: ns })
    expect(pods.structured?.["objects"]).toEqual([])
    inBothViews(pods, "created by its controller ReplicaSet/web-")
    neitherView(pods, "nodeName")
    const rs = await ok(server, "resources_export", { context: "dev-cluster", group: "apps", version: "v1", kind: "ReplicaSet", namespace: ns })
    expect(rs.structured?.["objects"]).toEqual([])
    inBothViews(rs, "created by its controller Deployment/web; copy the Deployment")
  })

  it("keeps Secret values masked when the context does not reveal them, and says the manifest cannot be applied as it is", async () => {
    const r = await ok(server, "resources_export", { context: "dev-cluster", ...SECRET, namespace: ns, names: ["creds"] })
    inBothViews(r, "name: creds", `password: '<masked: ${SECRET_VALUE.length} bytes>'`, "cannot be applied as they are")
    neitherView(r, SECRET_VALUE, b64(SECRET_VALUE))
  })

  it("runs across several contexts with `contexts`, one section per context", async () => {
    const r = await ok(server, "resources_export", { contexts: ["dev-cluster", "prod-cluster"], ...CM, namespace: ns, names: ["app-config"] })
    expect(r.structured?.["answered"]).toBe(2)
    inBothViews(r, "dev-cluster", "prod-cluster", "name: app-config")
  })

  it("names what it did not find", async () => {
    const r = await ok(server, "resources_export", { context: "dev-cluster", ...CM, namespace: ns, names: ["app-config", "nope"] })
    inBothViews(r, "not found: nope")
    expect(r.structured?.["objects"]).toHaveLength(1)
  })
})

describe("resources_copy", () => {
  it("dry run by default: reports what would be created, and nothing exists on prod afterwards", async () => {
    const cms = await copy({ ...CM })
    expect(cms.structured?.["dry_run"]).toBe(true)
    inBothViews(cms, "dry run: nothing was changed")
    expect(cms.text).toContain(`namespace/${target}: would be created`)
    expect(cms.text).toContain(`configmap/app-config -n ${target}: would be created`)
    expect(actionsOf(cms)).toEqual({ [`Namespace/${target}`]: "created", "ConfigMap/app-config": "created", "ConfigMap/kube-root-ca.crt": "skipped" })
    // the namespace comes first ("Namespaces first"), then the objects
    expect(resultsOf(cms)[0]).toMatchObject({ kind: "Namespace", name: target })
    const deploy = await copy({ ...DEPLOY, dry_run: true })
    expect(actionsOf(deploy)).toEqual({ [`Namespace/${target}`]: "created", "Deployment/web": "created" })
    inBothViews(deploy, "dry run: nothing was changed", "would be created")
    expect(await absentOnProd(() => prodCore.readNamespace({ name: target }))).toBe(true)
    expect(await absentOnProd(() => prodCore.readNamespacedConfigMap({ name: "app-config", namespace: target }))).toBe(true)
    expect(await absentOnProd(() => prodApps.readNamespacedDeployment({ name: "web", namespace: target }))).toBe(true)
  })

  it("copies for real with dry_run: false (namespace created first, remapped), then reports unchanged", async () => {
    const cms = await copy({ ...CM, dry_run: false })
    expect(cms.structured?.["dry_run"]).toBe(false)
    expect(cms.text).not.toContain("dry run")
    expect(actionsOf(cms)).toEqual({ [`Namespace/${target}`]: "created", "ConfigMap/app-config": "created", "ConfigMap/kube-root-ca.crt": "skipped" })
    inBothViews(cms, "app-config", "created", "kube-root-ca.crt")
    const cm = await prodCore.readNamespacedConfigMap({ name: "app-config", namespace: target })
    expect(cm.data).toEqual({ greeting: "hello from dev" })
    expect(cm.metadata?.labels).toEqual({ app: "web" })

    // the namespace exists now, so the dry run of the Deployment is checked by prod's API server
    const dry = await copy({ ...DEPLOY })
    expect(actionsOf(dry)).toEqual({ "Deployment/web": "created" })
    expect(resultsOf(dry)[0]?.reason).toBeUndefined()
    expect(await absentOnProd(() => prodApps.readNamespacedDeployment({ name: "web", namespace: target }))).toBe(true)

    const deploy = await copy({ ...DEPLOY, dry_run: false })
    expect(actionsOf(deploy)).toEqual({ "Deployment/web": "created" })
    const d = await prodApps.readNamespacedDeployment({ name: "web", namespace: target })
    expect(d.spec?.template.spec?.containers[0]?.image).toBe("registry.example/web:1.0")
    expect(d.metadata?.ownerReferences).toBeUndefined()
    expect(d.metadata?.managedFields?.map((f) => f.manager)).toContain("kube-mcp")

    const again = await copy({ ...CM, dry_run: false })
    expect(actionsOf(again)).toEqual({ "ConfigMap/app-config": "unchanged", "ConfigMap/kube-root-ca.crt": "skipped" })
    inBothViews(again, "unchanged")
    const deployAgain = await copy({ ...DEPLOY, dry_run: false })
    expect(actionsOf(deployAgain)).toEqual({ "Deployment/web": "unchanged" })
    expect(deployAgain.structured?.["counts"]).toEqual({ created: 0, configured: 0, unchanged: 1, failed: 0, skipped: 0 })

    // the seed's disaster-recovery case closes the loop: the backup compares equal to the primary
    const compared = await ok(server, "resources_compare", {
      contexts: ["dev-cluster", "prod-cluster"], ...DEPLOY, name: "web", namespace: ns, namespaces: { "prod-cluster": target }
    })
    expect(compared.structured?.["rows"]).toEqual([])
    inBothViews(compared, "deployment.apps/web identical in")
    const set = await ok(server, "resources_compare", {
      contexts: ["dev-cluster", "prod-cluster"], ...CM, namespace: ns, namespaces: { "prod-cluster": target }, label_selector: "app=web"
    })
    expect(set.structured?.["rows"]).toEqual([])
  })

  it("reports a changed source object as configured, with the field that changed", async () => {
    await devCore.patchNamespacedConfigMap({ name: "app-config", namespace: ns, body: [{ op: "replace", path: "/data/greeting", value: "hello again" }] })
    const r = await copy({ ...CM, names: ["app-config"], dry_run: false })
    expect(actionsOf(r)).toEqual({ "ConfigMap/app-config": "configured" })
    inBothViews(r, "data.greeting")
    expect((await prodCore.readNamespacedConfigMap({ name: "app-config", namespace: target })).data).toEqual({ greeting: "hello again" })
  })

  it("reports a failure per object, with its error, and goes on with the others", async () => {
    // on prod, "clash" exists already with another value, written by another field manager: apply conflicts
    await devCore.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "clash" }, data: { greeting: "dev value" } } })
    await prodCore.createNamespacedConfigMap({ namespace: target, body: { metadata: { name: "clash" }, data: { greeting: "prod value" } } })
    const r = await copy({ ...CM, names: ["clash", "app-config", "missing"], dry_run: false })
    expect(actionsOf(r)).toEqual({ "ConfigMap/app-config": "unchanged", "ConfigMap/clash": "failed", "ConfigMap/missing": "failed" })
    const clash = resultsOf(r).find((row) => row.name === "clash")
    expect(clash?.error?.type).toBe("Conflict")
    const missing = resultsOf(r).find((row) => row.name === "missing")
    expect(missing?.error?.type).toBe("NotFound")
    inBothViews(r, "clash", "failed", "Conflict", "2 failed")
    expect(r.text).toMatch(/configmap\/clash -n \S+: failed — Conflict: /)
    expect((await prodCore.readNamespacedConfigMap({ name: "clash", namespace: target })).data).toEqual({ greeting: "prod value" })
  })

  it("refuses Secrets, per object, when the source context does not reveal them", async () => {
    const r = await copy({ ...SECRET, names: ["creds"], dry_run: false })
    expect(actionsOf(r)).toEqual({ "Secret/creds": "skipped" })
    inBothViews(r, "reveal_secrets", `[contexts."dev-cluster"] reveal_secrets = true`)
    expect(await absentOnProd(() => prodCore.readNamespacedSecret({ name: "creds", namespace: target }))).toBe(true)
  })

  it("copies Secrets when the source context reveals them, and never shows the value", async () => {
    const reveal = await startStdio({ config: `[contexts."dev-cluster"]\nreveal_secrets = true\n` })
    try {
      const r = await copy({ ...SECRET, names: ["creds"], dry_run: false }, reveal)
      expect(actionsOf(r)).toEqual({ "Secret/creds": "created" })
      neitherView(r, SECRET_VALUE, b64(SECRET_VALUE))
      const s = await prodCore.readNamespacedSecret({ name: "creds", namespace: target })
      expect(s.data?.["password"]).toBe(b64(SECRET_VALUE))
    } finally {
      await reveal.close()
    }
  })

  it("is refused with ReadOnly when the target context is read-only, before anything is applied", async () => {
    const guarded = await startStdio({ config: `[contexts."prod-cluster"]\nread_only = true\n` })
    try {
      const r = await call(guarded.client, "resources_copy", {
        from_context: "dev-cluster", to_context: "prod-cluster", ...CM, namespace: ns, to_namespace: `${target}-ro`, dry_run: false
      })
      expect(r.isError, r.text).toBe(true)
      expect(r.error).toMatchObject({ type: "ReadOnly", tool: "resources_copy" })
      expect(r.error?.message).toContain(`context "prod-cluster" is read-only`)
      expect(await absentOnProd(() => prodCore.readNamespace({ name: `${target}-ro` }))).toBe(true)
      // the other direction still works: only the target must be writable
      const back = await call(guarded.client, "resources_copy", { from_context: "prod-cluster", to_context: "dev-cluster", ...CM, namespace: target })
      expect(back.isError, back.text).toBe(false)
    } finally {
      await guarded.close()
    }
  })

  it("UnknownContext for a bad from_context; InvalidInput for a copy onto itself", async () => {
    const bad = await call(server.client, "resources_copy", { from_context: "nope-cluster", to_context: "prod-cluster", ...CM, namespace: ns })
    expect(bad.isError).toBe(true)
    expect(bad.error?.type, bad.text).toBe("UnknownContext")
    expect(bad.error?.["available"]).toEqual(expect.arrayContaining(["dev-cluster", "prod-cluster"]))
    const self = await call(server.client, "resources_copy", { from_context: "dev-cluster", to_context: "dev-cluster", ...CM, namespace: ns })
    expect(self.error?.type, self.text).toBe("InvalidInput")
    expect(self.error?.message).toContain("the copy would be the objects themselves")
    const noContext = await call(server.client, "resources_copy", { context: "dev-cluster", to_context: "prod-cluster", ...CM })
    expect(noContext.error?.type).toBe("InvalidInput")
    expect(JSON.stringify(noContext.error?.["issues"])).toContain("from_context")
  })
})
