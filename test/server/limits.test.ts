/**
 * Per-context safety: the RBAC pre-check and its TTL cache (counted on the API server), per-context rate
 * limits, and a dead cluster that fails within its timeout without delaying the others.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer, type Server, type Socket } from "node:net"
import { KubeConfig } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, clusterInfo, rowsOf, startStdio, type StdioServer, writeTemp } from "../support/mcp.js"

/** SelfSubjectAccessReviews the prod API server has answered so far (its own request counter). */
const reviewCount = (): number => {
  const info = clusterInfo()
  const metrics = execFileSync(`${info.binDir}/kubectl`, ["--kubeconfig", info.kubeconfig, "--context", "prod-cluster", "get", "--raw", "/metrics"], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024
  })
  return metrics
    .split("\n")
    .filter((l) => l.startsWith("apiserver_request_total{") && l.includes(`resource="selfsubjectaccessreviews"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0)
}

describe("RBAC pre-check with require_rbac", () => {
  let server: StdioServer
  beforeAll(async () => {
    server = await startStdio({ config: "[security]\nrequire_rbac = true\nrbac_cache_ttl = \"3s\"\n" })
  })
  afterAll(() => server.close())

  it("makes one SelfSubjectAccessReview per decision within the TTL, and a new one after it", async () => {
    const before = reviewCount()
    for (let i = 0; i < 5; i++) {
      expect(rowsOf(await call(server.client, "namespaces_list", { context: "prod-cluster" })).length).toBeGreaterThan(0)
    }
    expect(reviewCount() - before).toBe(1)
    await new Promise((r) => setTimeout(r, 3500))
    await call(server.client, "namespaces_list", { context: "prod-cluster" })
    expect(reviewCount() - before).toBe(2)
  })

  it("refuses a denied action with Forbidden before any request is sent", async () => {
    const r = await call(server.client, "namespaces_list", { context: "restricted" })
    expect(r.error).toMatchObject({ type: "Forbidden", cluster: "restricted", verb: "list", resource: "namespaces" })
    expect(r.error?.details).toContain("RBAC pre-check")
  })
})

describe("per-context rate limits", () => {
  let server: StdioServer
  beforeAll(async () => {
    server = await startStdio({ config: "[kubernetes]\nqps = 2\nburst = 2\n" })
  })
  afterAll(() => server.close())

  it("qps=2 burst=2: ten calls on one context take >= 4 s while another context is not slowed", async () => {
    // handles are built on first use: build both first, then wait for the buckets to refill
    await Promise.all(["dev-cluster", "prod-cluster"].map((context) => call(server.client, "namespaces_list", { context })))
    await new Promise((r) => setTimeout(r, 1200))
    const t0 = Date.now()
    let devDone = false
    const dev = Promise.all(Array.from({ length: 10 }, () => call(server.client, "namespaces_list", { context: "dev-cluster" })))
      .finally(() => (devDone = true))
    await new Promise((r) => setTimeout(r, 200))
    const p0 = Date.now()
    const prod = await Promise.all([0, 1].map(() => call(server.client, "namespaces_list", { context: "prod-cluster" })))
    const prodMs = Date.now() - p0
    // prod answered while dev's queue was still draining
    expect(devDone).toBe(false)
    const devResults = await dev
    const devMs = Date.now() - t0
    expect(devResults.every((r) => !r.isError)).toBe(true)
    expect(prod.every((r) => !r.isError)).toBe(true)
    expect(devMs).toBeGreaterThanOrEqual(3900)
    expect(prodMs).toBeLessThan(2000)
  })
})

describe("an unreachable cluster", () => {
  let server: StdioServer
  let blackhole: Server
  const sockets: Array<Socket> = []
  beforeAll(async () => {
    // accepts TCP connections and never answers: the TLS handshake hangs like a dead API server
    blackhole = createServer((s) => sockets.push(s))
    await new Promise<void>((ok) => blackhole.listen(0, "127.0.0.1", ok))
    const address = blackhole.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    const kc = new KubeConfig()
    kc.loadFromString(readFileSync(clusterInfo().kubeconfig, "utf8"))
    kc.addCluster({ name: "dead", server: `https://127.0.0.1:${port}`, skipTLSVerify: true })
    kc.addContext({ name: "dead-cluster", cluster: "dead", user: kc.getContextObject("dev-cluster")?.user ?? "" })
    server = await startStdio({
      kubeconfig: writeTemp("kubeconfig", kc.exportConfig()),
      config: "[contexts.\"dead-cluster\"]\ntimeout = \"2s\"\n"
    })
  })
  afterAll(async () => {
    await server.close()
    sockets.forEach((s) => s.destroy())
    blackhole.close()
  })

  it("fails within its timeout with a structured error and does not delay other contexts", async () => {
    await call(server.client, "namespaces_list", { context: "prod-cluster" }) // build the live handle first
    const t0 = Date.now()
    let deadDone = false
    const dead = call(server.client, "namespaces_list", { context: "dead-cluster" }).finally(() => (deadDone = true))
    await new Promise((r) => setTimeout(r, 100))
    const p0 = Date.now()
    const alive = await call(server.client, "namespaces_list", { context: "prod-cluster" })
    const aliveMs = Date.now() - p0
    // the live cluster answered while the dead one was still waiting for its timeout
    expect(deadDone).toBe(false)
    const r = await dead
    const deadMs = Date.now() - t0
    expect(alive.isError).toBe(false)
    expect(aliveMs).toBeLessThan(1500)
    expect(r.error).toMatchObject({ type: "Timeout", cluster: "dead-cluster", tool: "namespaces_list" })
    expect(deadMs).toBeGreaterThanOrEqual(1900)
    expect(deadMs).toBeLessThan(4000)
  })

  it("a refused connection is a structured Unavailable error", async () => {
    const kc = new KubeConfig()
    kc.loadFromString(readFileSync(clusterInfo().kubeconfig, "utf8"))
    kc.addCluster({ name: "gone", server: "https://127.0.0.1:1", skipTLSVerify: true })
    kc.addContext({ name: "gone-cluster", cluster: "gone", user: kc.getContextObject("dev-cluster")?.user ?? "" })
    const s = await startStdio({ kubeconfig: writeTemp("kubeconfig", kc.exportConfig()) })
    try {
      const r = await call(s.client, "namespaces_list", { context: "gone-cluster" })
      expect(r.error).toMatchObject({ type: "Unavailable", cluster: "gone-cluster" })
      expect(r.error?.message).toContain("ECONNREFUSED")
    } finally {
      await s.close()
    }
  })
})
