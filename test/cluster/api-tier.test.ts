// The API tier of the test control plane: two separate clusters, RBAC users, the kubeconfig contract.
import { readFileSync } from "node:fs"
import { ApisApi, CoreV1Api, CustomObjectsApi, KubeConfig, Metrics, VersionApi } from "@kubernetes/client-node"
import { describe, expect, inject, it } from "vitest"
import { adminKubeConfig, kubeConfigFor, mintServiceAccountToken, readState, statusOf } from "./harness.js"
import { isRunning } from "./proc.js"

const info = inject("cluster")

/** Runs a client-node call that must fail, and returns the HTTP status it failed with. */
const failureStatus = async (call: () => Promise<unknown>): Promise<number | undefined> => {
  try {
    await call()
  } catch (e) {
    return statusOf(e)
  }
  throw new Error("expected the call to fail")
}

const namespaces = async (kc: KubeConfig): Promise<string[]> =>
  (await kc.makeApiClient(CoreV1Api).listNamespace()).items.flatMap((n) => (n.metadata?.name === undefined ? [] : [n.metadata.name]))

describe("kubeconfig", () => {
  it("has exactly the contexts dev-cluster, prod-cluster, restricted with their namespaces", () => {
    const kc = new KubeConfig()
    kc.loadFromFile(info.kubeconfig)
    expect(kc.getContexts().map((c) => c.name).sort()).toEqual(["dev-cluster", "prod-cluster", "restricted"])
    expect(kc.getCurrentContext()).toBe("dev-cluster")
    const byName = new Map(kc.getContexts().map((c) => [c.name, c]))
    expect(byName.get("dev-cluster")).toMatchObject({ cluster: "dev", user: "dev-admin", namespace: "default" })
    expect(byName.get("prod-cluster")).toMatchObject({ cluster: "prod", user: "prod-admin", namespace: "production" })
    expect(byName.get("restricted")).toMatchObject({ cluster: "dev", user: "restricted", namespace: "team-a" })
    // Self-contained: certificates embedded, no file references.
    const raw = readFileSync(info.kubeconfig, "utf8")
    expect(raw).toContain("certificate-authority-data:")
    expect(raw).toContain("client-key-data:")
    expect(raw).not.toMatch(/^\s+(certificate-authority|client-certificate|client-key):/m)
    expect(kc.getCluster("dev")?.server).toBe(info.clusters.dev.server)
    expect(kc.getCluster("prod")?.server).toBe(info.clusters.prod.server)
  })
})

describe("two clusters", () => {
  it("serve different namespace sets (team-a only on dev, production only on prod)", async () => {
    const dev = await namespaces(adminKubeConfig(info, "dev"))
    const prod = await namespaces(adminKubeConfig(info, "prod"))
    expect(dev).toContain("team-a")
    expect(dev).not.toContain("production")
    expect(prod).toContain("production")
    expect(prod).not.toContain("team-a")
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      expect(dev).toContain(ns)
      expect(prod).toContain(ns)
    }
  })

  it("are separate stores: an object created on dev does not appear on prod", async () => {
    const name = `only-on-dev-${Date.now()}`
    const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
    const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
    await dev.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name }, data: { k: "v" } } })
    try {
      expect((await dev.readNamespacedConfigMap({ name, namespace: "default" })).data).toEqual({ k: "v" })
      expect(await failureStatus(() => prod.readNamespacedConfigMap({ name, namespace: "default" }))).toBe(404)
    } finally {
      await dev.deleteNamespacedConfigMap({ name, namespace: "default" })
    }
  })

  it("do not accept each other's client certificates (one CA per cluster)", async () => {
    const devKc = adminKubeConfig(info, "dev")
    const devUser = devKc.getCurrentUser()
    if (devUser === null) throw new Error("dev-cluster context has no user")
    const crossed = new KubeConfig()
    // prod's server and CA, dev's admin certificate.
    crossed.loadFromOptions({
      clusters: [{ name: "prod", server: info.clusters.prod.server, caData: Buffer.from(readFileSync(info.clusters.prod.caFile)).toString("base64"), skipTLSVerify: false }],
      users: [devUser],
      contexts: [{ name: "crossed", cluster: "prod", user: devUser.name }],
      currentContext: "crossed"
    })
    expect(await failureStatus(() => crossed.makeApiClient(CoreV1Api).listNamespace())).toBe(401)
  })

  it("report the stamped Kubernetes version", async () => {
    const v = await adminKubeConfig(info, "prod").makeApiClient(VersionApi).getCode()
    expect(v.gitVersion).toBe("v1.37.2")
    expect(v.minor).toBe("37")
  })
})

describe("restricted user", () => {
  const core = kubeConfigFor(info, "restricted").makeApiClient(CoreV1Api)

  it("is refused (403) listing pods in default", async () => {
    expect(await failureStatus(() => core.listNamespacedPod({ namespace: "default" }))).toBe(403)
  })

  it("can list pods, services, configmaps and events in team-a", async () => {
    const ns = "team-a"
    expect(Array.isArray((await core.listNamespacedPod({ namespace: ns })).items)).toBe(true)
    expect(Array.isArray((await core.listNamespacedService({ namespace: ns })).items)).toBe(true)
    // kube-root-ca.crt is published into every namespace by kube-controller-manager.
    const cms = (await core.listNamespacedConfigMap({ namespace: ns })).items.map((c) => c.metadata?.name)
    expect(cms).toContain("kube-root-ca.crt")
    expect(Array.isArray((await core.listNamespacedEvent({ namespace: ns })).items)).toBe(true)
  })

  it("cannot write, read secrets, or list namespaces", async () => {
    expect(await failureStatus(() => core.createNamespacedConfigMap({ namespace: "team-a", body: { metadata: { name: "nope" } } }))).toBe(403)
    expect(await failureStatus(() => core.listNamespacedSecret({ namespace: "team-a" }))).toBe(403)
    expect(await failureStatus(() => core.listNamespace())).toBe(403)
  })
})

describe("ServiceAccount tokens (TokenRequest)", () => {
  it("mints a token that authenticates as the ServiceAccount with exactly its RBAC", async () => {
    const sa = await mintServiceAccountToken(info, "prod", {
      namespace: "production",
      name: `viewer-${Date.now()}`,
      bind: { clusterRole: "view", scope: "namespace" }
    })
    expect(sa.server).toBe(info.clusters.prod.server)
    expect(sa.token.split(".")).toHaveLength(3)
    const kc = new KubeConfig()
    kc.loadFromOptions({
      clusters: [{ name: "prod", server: sa.server, caData: sa.caData, skipTLSVerify: false }],
      users: [{ name: "sa", token: sa.token }],
      contexts: [{ name: "sa", cluster: "prod", user: "sa", namespace: "production" }],
      currentContext: "sa"
    })
    const core = kc.makeApiClient(CoreV1Api)
    expect(Array.isArray((await core.listNamespacedPod({ namespace: "production" })).items)).toBe(true)
    expect(await failureStatus(() => core.listNamespacedPod({ namespace: "default" }))).toBe(403)
    expect(await failureStatus(() => core.listNamespacedSecret({ namespace: "production" }))).toBe(403)
  })
})

describe("metrics.k8s.io", () => {
  it("is not served on prod-cluster (absent from discovery, 404 from the API server)", async () => {
    const prod = adminKubeConfig(info, "prod")
    const groups = (await prod.makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name)
    expect(groups).toContain("apps")
    expect(groups).not.toContain("metrics.k8s.io")
    const objects = prod.makeApiClient(CustomObjectsApi)
    expect(await failureStatus(() => objects.listClusterCustomObject({ group: "metrics.k8s.io", version: "v1beta1", plural: "nodes" }))).toBe(404)
    // Note for tool code: client-node's Metrics helper turns that plain-text 404 into an ApiException with
    // code 500 ("invalid json response body"), so a MetricsUnavailable mapping cannot rely on its code.
    expect(await failureStatus(() => new Metrics(prod).getNodeMetrics())).toBe(500)
  })

  it.runIf(info.workload.metrics)("is registered on dev-cluster (discovery lists metrics.k8s.io)", async () => {
    const groups = (await adminKubeConfig(info, "dev").makeApiClient(ApisApi).getAPIVersions()).groups.map((g) => g.name)
    expect(groups).toContain("metrics.k8s.io")
  })
})

describe("process bookkeeping", () => {
  it("records every running control-plane process in state.json", () => {
    const state = readState(info.stateDir)
    expect(state?.ready).toBe(true)
    const recorded = state?.processes ?? []
    expect(recorded.map((p) => p.pid).sort()).toEqual([...info.pids].sort())
    expect(recorded.map((p) => p.name)).toEqual(expect.arrayContaining(["etcd", "dev-apiserver", "prod-apiserver"]))
    for (const p of recorded) expect(isRunning(p), `${p.name} (pid ${p.pid})`).toBe(true)
  })
})
