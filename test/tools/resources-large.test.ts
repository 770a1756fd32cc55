/**
 * resources_list with a limit far above a page (issue #17): the list is read from the API server in pages of
 * PAGE_SIZE and reading stops once the answer's byte budget is full, with a continue token where it stopped.
 * 1,200 ConfigMaps in one namespace (created as one List), a 16 KiB budget: limit 5000 must not read them all.
 */
import { execFileSync } from "node:child_process"
import { CoreV1Api } from "@kubernetes/client-node"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, rowsOf, startStdio, type StdioServer, writeTemp } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const ns = `kmcp-large-${Math.random().toString(36).slice(2, 8)}`
const COUNT = 1200
const BUDGET = 16_384
const CM = { group: "", version: "v1", kind: "ConfigMap", context: "dev-cluster", namespace: ns }

let server: StdioServer

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: ns } } })
  const items = Array.from({ length: COUNT }, (_, i) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${String(i).padStart(4, "0")}`, namespace: ns },
    data: { key: `value-${i}` }
  }))
  // one kubectl create of a List: much faster than 1,200 client calls
  const kubectl = join(info.binDir, "kubectl")
  execFileSync(kubectl, ["--kubeconfig", info.kubeconfig, "--context", "dev-cluster", "create", "-f", writeTemp("cms.json", JSON.stringify({ apiVersion: "v1", kind: "List", items }))], { stdio: "ignore" })
  server = await startStdio({ config: `[output]\nmax_bytes = ${BUDGET}\n` })
}, 120_000)

afterAll(async () => {
  await server?.close()
  await dev.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("resources_list with a large limit", () => {
  it("stops reading once the budget is full and says where to continue", async () => {
    const r = await call(server.client, "resources_list", { ...CM, limit: 5000 })
    expect(r.isError).toBe(false)
    const s = r.structured as { continue?: string; truncated?: { shown: number; total: number } }
    // read page by page (500 rows each) until the rows read pass 16 KiB: fewer than the 1,201 there are
    // (the namespace's kube-root-ca.crt included), and whole pages
    const read = s.truncated?.total ?? 0
    expect(read).toBeGreaterThan(0)
    expect(read).toBeLessThan(COUNT)
    expect(read % 500).toBe(0)
    expect(s.continue).toBeTypeOf("string")
    expect(rowsOf(r).length).toBe(s.truncated?.shown)
    expect(r.text).toContain(`(${COUNT + 1 - read} more)`)
    // the token resumes after the last row read
    const next = await call(server.client, "resources_list", { ...CM, limit: 5000, continue: s.continue })
    expect(rowsOf(next)[0]?.["name"]).toBe(`cm-${String(read).padStart(4, "0")}`)
  })

  it("reads past one page when the rows fit, up to limit", async () => {
    const wide = await startStdio({ config: "[output]\nmax_bytes = 4194304\n" })
    try {
      const r = await call(wide.client, "resources_list", { ...CM, limit: 1100 })
      expect(rowsOf(r)).toHaveLength(1100)
      expect(rowsOf(r)[1099]?.["name"]).toBe("cm-1099")
      const rest = await call(wide.client, "resources_list", { ...CM, limit: 1100, continue: (r.structured as { continue?: string }).continue })
      expect(rowsOf(rest).map((row) => row["name"])).toEqual([...Array.from({ length: 100 }, (_, i) => `cm-${1100 + i}`), "kube-root-ca.crt"])
      const yaml = await call(wide.client, "resources_list", { ...CM, limit: 1100, output: "json" })
      expect(yaml.text.match(/"kind": "ConfigMap"/g)).toHaveLength(1100)
    } finally {
      await wide.close()
    }
  })
})
