/**
 * pods_list with 500 pods on the kwok node: server-side paging (limit + continue) and the byte budget of an
 * unpaged list. Prints the byte sizes of the compact list (whole and as budgeted) next to the raw API list.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, rowsOf, type StdioServer, startStdio } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const ns = `kmcp-pods-paging-${Math.random().toString(36).slice(2, 8)}`
const PODS = 500
const CONCURRENCY = 8
/** The compact 500-pod list (~34 KB) fits the default 64 KiB, so the cut is exercised with a 16 KiB budget. */
const BUDGET = 16 * 1024

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const createPod = async (i: number): Promise<void> => {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      await dev.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: `load-${String(i).padStart(3, "0")}`, labels: { app: "load", shard: String(i % 10) } },
          spec: { nodeName: info.workload.kwokNode, containers: [{ name: "app", image: "registry.example/load:1.0" }] }
        }
      })
      return
    } catch (e) {
      // the namespace's "default" ServiceAccount appears a moment after the namespace; retry until then
      if (Date.now() > deadline) throw e
      await sleep(200)
    }
  }
}

let server: StdioServer
let wide: StdioServer

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: ns } } })
  const t0 = Date.now()
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < PODS) await createPod(next++)
  }))
  for (;;) {
    const list = await dev.listNamespacedPod({ namespace: ns })
    if (list.items.length === PODS && list.items.every((p) => p.status?.phase === "Running")) break
    if (Date.now() - t0 > 170_000) throw new Error(`only ${list.items.length} pods after ${Date.now() - t0} ms`)
    await sleep(1000)
  }
  console.log(`created ${PODS} pods (Running on kwok) in ${Date.now() - t0} ms`)
  server = await startStdio({ config: `[output]\nmax_bytes = ${BUDGET}\n` })
  // a budget large enough to measure the whole compact list
  wide = await startStdio({ config: "[output]\nmax_bytes = 4194304\n" })
}, 240_000)

afterAll(async () => {
  await server?.close()
  await wide?.close()
  await dev.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("pods_list with 500 pods", () => {
  it("limit=100 returns 100 rows and a continue token that fetches the next page", async () => {
    const first = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, limit: 100 })
    expect(first.isError).toBe(false)
    const page1 = rowsOf(first)
    expect(page1).toHaveLength(100)
    const token = first.structured?.["continue"]
    expect(typeof token).toBe("string")
    expect(first.text).toContain("continue=")
    const second = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, limit: 100, continue: token })
    const page2 = rowsOf(second)
    expect(page2).toHaveLength(100)
    const names1 = new Set(page1.map((r) => r["name"]))
    expect(page2.some((r) => names1.has(r["name"] ?? ""))).toBe(false)
    expect(page2[0]?.["name"]).toBe("load-100")
    // walk the rest: 500 distinct pods in 5 pages, the last without a token
    let pages = 2
    let cursor = second.structured?.["continue"]
    const seen = new Set([...names1, ...page2.map((r) => r["name"])])
    while (typeof cursor === "string") {
      const page = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, limit: 100, continue: cursor })
      for (const r of rowsOf(page)) seen.add(r["name"])
      cursor = page.structured?.["continue"]
      pages++
    }
    expect(pages).toBe(5)
    expect(seen.size).toBe(PODS)
  })

  it("without a limit the result stays within the byte budget and says it was cut and how to narrow", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns })
    expect(r.isError).toBe(false)
    // each view alone fits the budget: what a structured-first client hands the model, and what a text-first one does
    expect(Buffer.byteLength(r.views.structured)).toBeLessThanOrEqual(BUDGET)
    expect(Buffer.byteLength(r.views.text)).toBeLessThanOrEqual(BUDGET)
    const truncated = r.structured?.["truncated"]
    expect(truncated).toMatchObject({ total: PODS, note: expect.stringContaining("output cut") })
    const shown = typeof truncated === "object" && truncated !== null && "shown" in truncated ? Number(truncated.shown) : -1
    expect(shown).toBeGreaterThan(100)
    expect(shown).toBeLessThan(PODS)
    expect(rowsOf(r)).toHaveLength(shown)
    // the same last row in both views
    const last = rowsOf(r).at(-1)?.["name"] ?? "?"
    inBothViews(r, last)
    expect(r.text).toMatch(/output cut: showing \d+ of 500 rows/)
    expect(r.text).toContain("limit (then continue)")
    expect(r.text).toContain("label_selector")

    const whole = await call(wide.client, "pods_list", { context: "dev-cluster", namespace: ns })
    expect(rowsOf(whole)).toHaveLength(PODS)
    const raw = Buffer.byteLength(JSON.stringify(await dev.listNamespacedPod({ namespace: ns })))
    const textView = Buffer.byteLength(whole.views.text)
    const structuredView = Buffer.byteLength(whole.views.structured)
    console.log(
      `500-pod list: structured view ${structuredView} bytes, text view ${textView} bytes, ` +
        `${Math.round(structuredView / PODS)} bytes/pod; raw API JSON ${raw} bytes (${(raw / structuredView).toFixed(1)}x); ` +
        `budgeted result (max_bytes ${BUDGET}) ${r.views.structured.length} + ${r.views.text.length} bytes with ${shown} rows`
    )
  })

  it("a selector narrows it under the budget", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, label_selector: "shard=3" })
    expect(rowsOf(r)).toHaveLength(PODS / 10)
    expect(r.structured?.["truncated"]).toBeUndefined()
  })
})
