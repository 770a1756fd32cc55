/** Providers: single (locked context), in-cluster (real ServiceAccount token + CA), kubeconfig reload and merge. */
import { KubeConfig } from "@kubernetes/client-node"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { mintServiceAccountToken } from "../cluster/harness.js"
import { call, clusterInfo, NODE_ARGS, REPO, rowsOf, startStdio, type StdioServer } from "../support/mcp.js"

const names = async (server: StdioServer, context?: string) =>
  rowsOf(await call(server.client, "namespaces_list", context !== undefined ? { context } : {})).map((r) => r["name"])

describe("single provider", () => {
  let server: StdioServer
  afterAll(() => server.close())

  it("accepts no context or the configured one, refuses others naming the configured context", async () => {
    server = await startStdio({ args: ["--provider", "single", "--context", "prod-cluster"] })
    expect(await names(server)).toContain("production")
    expect(await names(server, "prod-cluster")).toContain("production")
    const r = await call(server.client, "namespaces_list", { context: "dev-cluster" })
    expect(r.error).toMatchObject({
      type: "UnknownContext",
      message: "Context 'dev-cluster' not available in single-cluster mode (configured: prod-cluster)",
      details: "Single-cluster provider only allows the configured context",
      cluster: "dev-cluster",
      tool: "namespaces_list"
    })
    const listed = await call(server.client, "config_contexts_list")
    expect(listed.structured).toMatchObject({ contexts: [{ name: "prod-cluster" }], current_context: "prod-cluster" })
  })

  it("refuses to start without the context it is locked to", () => {
    const r = spawnSync(process.execPath, [...NODE_ARGS, "--provider", "single"], { cwd: REPO, encoding: "utf8", input: "" })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("kubernetes.context")
    expect(r.stdout).toBe("")
  })
})

describe("in-cluster provider", () => {
  let server: StdioServer
  afterAll(() => server.close())

  it("works with a real ServiceAccount token and CA, ignoring the context parameter", async () => {
    const info = clusterInfo()
    const sa = await mintServiceAccountToken(info, "prod", {
      name: "kube-mcp-provider-test",
      namespace: "production",
      bind: { clusterRole: "view", scope: "cluster" }
    })
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-sa-"))
    writeFileSync(join(dir, "token"), sa.token)
    writeFileSync(join(dir, "ca.crt"), sa.caPem)
    writeFileSync(join(dir, "namespace"), "production")
    const url = new URL(sa.server)
    server = await startStdio({
      kubeconfig: "",
      config: `[kubernetes]\nprovider = "in-cluster"\nin_cluster_dir = "${dir}"\n`,
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port }
    })
    expect(await names(server)).toContain("production")
    // the context parameter is ignored: there is only the pod's own cluster
    expect(await names(server, "anything")).toContain("production")
    const listed = await call(server.client, "config_contexts_list")
    expect(listed.structured).toEqual({
      contexts: [{ name: "in-cluster", cluster: "in-cluster", user: "in-cluster", namespace: "production" }],
      current_context: "in-cluster"
    })
    const view = await call(server.client, "config_kubeconfig_view")
    expect(view.text).not.toContain(sa.token)
  })
})

describe("kubeconfig provider", () => {
  const servers: Array<StdioServer> = []
  afterAll(() => Promise.all(servers.map((s) => s.close())))

  it("picks up added and removed contexts without a restart", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-kc-")), "config")
    const original = readFileSync(clusterInfo().kubeconfig, "utf8")
    writeFileSync(file, original)
    const server = await startStdio({ kubeconfig: file })
    servers.push(server)
    expect((await call(server.client, "namespaces_list", { context: "staging" })).error?.type).toBe("UnknownContext")

    const kc = new KubeConfig()
    kc.loadFromString(original)
    kc.addContext({ name: "staging", cluster: "prod", user: kc.getContextObject("prod-cluster")?.user ?? "", namespace: "production" })
    writeFileSync(file, kc.exportConfig())
    expect(await names(server, "staging")).toContain("production")

    const without = new KubeConfig()
    without.loadFromOptions({
      clusters: kc.getClusters(),
      users: kc.getUsers(),
      contexts: kc.getContexts().filter((c) => c.name !== "prod-cluster"),
      currentContext: "dev-cluster"
    })
    writeFileSync(file, without.exportConfig())
    const gone = await call(server.client, "namespaces_list", { context: "prod-cluster" })
    expect(gone.error).toMatchObject({ type: "UnknownContext", available: ["dev-cluster", "restricted", "staging"] })
    // untouched contexts keep working
    expect(await names(server, "dev-cluster")).toContain("team-a")
  })

  it("merges several KUBECONFIG paths, the first file winning per name", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-merge-"))
    const kc = new KubeConfig()
    kc.loadFromFile(clusterInfo().kubeconfig)
    const part = (contexts: Array<string>, current: string) => {
      const p = new KubeConfig()
      p.loadFromOptions({
        clusters: kc.getClusters(),
        users: kc.getUsers(),
        contexts: kc.getContexts().filter((c) => contexts.includes(c.name)),
        currentContext: current
      })
      return p.exportConfig()
    }
    writeFileSync(join(dir, "a"), part(["prod-cluster"], "prod-cluster"))
    // the second file also defines prod-cluster, pointing at dev: the first file's definition must win
    const clash = new KubeConfig()
    clash.loadFromOptions({
      clusters: kc.getClusters(),
      users: kc.getUsers(),
      contexts: [...kc.getContexts().filter((c) => c.name === "dev-cluster"), { ...kc.getContextObject("dev-cluster"), name: "prod-cluster", cluster: "dev", user: kc.getContextObject("dev-cluster")?.user ?? "" }],
      currentContext: "dev-cluster"
    })
    writeFileSync(join(dir, "b"), clash.exportConfig())
    const server = await startStdio({ kubeconfig: "", env: { KUBECONFIG: `${join(dir, "a")}:${join(dir, "b")}` } })
    servers.push(server)
    const listed = await call(server.client, "config_contexts_list")
    expect(listed.structured).toMatchObject({ current_context: "prod-cluster" })
    expect(await names(server, "prod-cluster")).toContain("production")
    expect(await names(server, "dev-cluster")).toContain("team-a")
  })
})
