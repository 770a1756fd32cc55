/**
 * configmaps_get_data / configmaps_set_data / secrets_get_data / secrets_set_data through the MCP client
 * against the test control plane: values read and written key by key, Secret values masked unless the
 * context reveals them, a value set never echoed in either view, and really stored (read with the admin client).
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, inBothViews, retry, type StdioServer, startStdio, type ToolCallResult } from "../support/mcp.js"

const info = clusterInfo()
const core = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-data-${suffix}`

const b64 = (s: string) => Buffer.from(s).toString("base64")
const INITIAL = "initial-s3cr3t-JKL"
const SET = "set-s3cr3t-MNO-789"
const ADDED = "added-s3cr3t-PQR"

let server: StdioServer
let reveal: StdioServer

const dev = (client: StdioServer, tool: string, args: Record<string, unknown>) => call(client.client, tool, { context: "dev-cluster", namespace: ns, ...args })

/** The value, raw or base64, appears in neither what a structured-first nor what a text-first client hands the model. */
const neverShown = (r: ToolCallResult, ...values: ReadonlyArray<string>) => {
  for (const v of values) {
    for (const needle of [v, b64(v)]) {
      expect(r.views.text, `text view shows ${v}`).not.toContain(needle)
      expect(r.views.structured, `structured view shows ${v}`).not.toContain(needle)
    }
  }
}

/** previous_bytes of one key in a set result's structured report. */
const previousOf = (r: ToolCallResult, key: string): number => {
  const keys = r.structured?.["keys"]
  const found = Array.isArray(keys) ? keys.find((k: unknown) => typeof k === "object" && k !== null && "key" in k && k.key === key) : undefined
  return typeof found === "object" && found !== null && "previous_bytes" in found && typeof found.previous_bytes === "number" ? found.previous_bytes : -1
}

const storedSecret = async (name: string): Promise<Record<string, string>> => {
  const s = await core.readNamespacedSecret({ name, namespace: ns })
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]))
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  await retry(() =>
    core.createNamespacedConfigMap({
      namespace: ns,
      body: {
        metadata: { name: "app" },
        data: { "app.properties": "color=blue\nsize=3\n", mode: "fast" },
        binaryData: { "logo.bin": Buffer.from([0, 1, 2, 255]).toString("base64") }
      }
    }), "create configmap")
  await core.createNamespacedSecret({
    namespace: ns,
    body: { metadata: { name: "creds" }, stringData: { password: INITIAL, user: "admin" }, data: { blob: Buffer.from([0xff, 0xfe, 0x00]).toString("base64") } }
  })
  ;[server, reveal] = await Promise.all([
    startStdio(),
    startStdio({ config: `[contexts."dev-cluster"]\nreveal_secrets = true\n` })
  ])
})

afterAll(async () => {
  await Promise.all([server?.close(), reveal?.close()])
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("configmaps_get_data", () => {
  it("shows every key with its value; binaryData by size", async () => {
    const r = await dev(server, "configmaps_get_data", { name: "app" })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["data"]).toEqual({ "app.properties": "color=blue\nsize=3\n", mode: "fast", "logo.bin": "<binary: 4 bytes>" })
    inBothViews(r, "fast", "<binary: 4 bytes>", "binaryData (not shown as text): logo.bin")
    expect(r.views.text).toContain("mode: fast")
  })

  it("narrows to the keys asked for and names those missing", async () => {
    const r = await dev(server, "configmaps_get_data", { name: "app", keys: ["mode", "nope"] })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["data"]).toEqual({ mode: "fast" })
    expect(r.structured?.["missing"]).toEqual(["nope"])
    expect(r.structured?.["keys"]).toEqual(["app.properties", "logo.bin", "mode"])
  })

  it("is NotFound for an unknown ConfigMap", async () => {
    const r = await dev(server, "configmaps_get_data", { name: "nothing-here" })
    expect(r.error?.type).toBe("NotFound")
  })
})

describe("configmaps_set_data", () => {
  it("dry run reports the change and stores nothing", async () => {
    const r = await dev(server, "configmaps_set_data", { name: "app", data: { mode: "slow" }, dry_run: true })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["dry_run"]).toBe(true)
    expect(r.views.text).toContain("Dry run")
    expect(r.views.text).toContain("mode: changed (4 → 4 bytes)")
    const live = await core.readNamespacedConfigMap({ name: "app", namespace: ns })
    expect(live.data?.["mode"]).toBe("fast")
  })

  it("sets, adds and removes keys (binaryData too), keeping the others", async () => {
    const r = await dev(server, "configmaps_set_data", { name: "app", data: { mode: "slow", extra: "x" }, remove: ["logo.bin", "ghost"] })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["action"]).toBe("updated")
    expect(r.structured?.["keys"]).toEqual([
      { key: "extra", action: "added", bytes: 1 },
      { key: "ghost", action: "absent" },
      { key: "logo.bin", action: "removed", previous_bytes: 4 },
      { key: "mode", action: "changed", bytes: 4, previous_bytes: 4 }
    ])
    const live = await core.readNamespacedConfigMap({ name: "app", namespace: ns })
    expect(live.data).toEqual({ "app.properties": "color=blue\nsize=3\n", mode: "slow", extra: "x" })
    expect(live.binaryData ?? {}).toEqual({})
    expect(r.structured?.["resourceVersion"]).toBe(live.metadata?.resourceVersion)
  })

  it("sends nothing when every key already is as asked", async () => {
    const r = await dev(server, "configmaps_set_data", { name: "app", data: { mode: "slow" } })
    expect(r.structured?.["action"]).toBe("unchanged")
  })

  it("refuses a call with nothing to do and a bad key", async () => {
    const empty = await dev(server, "configmaps_set_data", { name: "app" })
    expect(empty.error?.type).toBe("InvalidInput")
    const bad = await dev(server, "configmaps_set_data", { name: "app", data: { "bad key!": "v" } })
    expect(bad.error?.type).toBe("InvalidInput")
  })
})

describe("secrets_get_data", () => {
  it("masks values by default: keys and decoded sizes only", async () => {
    const r = await dev(server, "secrets_get_data", { name: "creds" })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["revealed"]).toBe(false)
    expect(r.structured?.["data"]).toEqual({
      blob: "<masked: 3 bytes>",
      password: `<masked: ${INITIAL.length} bytes>`,
      user: "<masked: 5 bytes>"
    })
    inBothViews(r, `<masked: ${INITIAL.length} bytes>`, "reveal_secrets is off")
    neverShown(r, INITIAL, "admin")
  })

  it("decodes values where the context reveals them (binary ones as base64)", async () => {
    const r = await dev(reveal, "secrets_get_data", { name: "creds", keys: ["password", "blob"] })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["revealed"]).toBe(true)
    expect(r.structured?.["data"]).toEqual({ blob: Buffer.from([0xff, 0xfe, 0x00]).toString("base64"), password: INITIAL })
    inBothViews(r, INITIAL, "shown as base64: blob")
  })
})

describe("secrets_set_data", () => {
  for (const [label, client] of [["masked", () => server], ["revealed", () => reveal]] as const) {
    it(`never echoes a value set (${label} context), and stores it base64-encoded`, async () => {
      const value = `${SET}-${label}`
      const added = `${ADDED}-${label}`
      const r = await dev(client(), "secrets_set_data", { name: "creds", data: { password: value, [`added-${label}`]: added } })
      expect(r.isError, r.text).toBe(false)
      expect(r.structured?.["keys"]).toEqual(expect.arrayContaining([
        { key: `added-${label}`, action: "added", bytes: added.length },
        expect.objectContaining({ key: "password", action: "changed", bytes: value.length })
      ]))
      expect(r.views.text).toContain(`password: changed (${previousOf(r, "password")} → ${value.length} bytes)`)
      neverShown(r, value, added, INITIAL, SET)
      const stored = await storedSecret("creds")
      expect(stored["password"]).toBe(value)
      expect(stored[`added-${label}`]).toBe(added)
      expect(stored["user"]).toBe("admin")
    })
  }

  it("dry run stores nothing and echoes nothing", async () => {
    const before = await storedSecret("creds")
    const r = await dev(reveal, "secrets_set_data", { name: "creds", data: { password: "dry-run-s3cr3t" }, remove: ["user"], dry_run: true })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["dry_run"]).toBe(true)
    expect(r.views.text).toContain("Dry run")
    expect(r.views.text).toContain("user: removed (was 5 bytes)")
    neverShown(r, "dry-run-s3cr3t", "admin")
    expect(await storedSecret("creds")).toEqual(before)
  })

  it("removes keys", async () => {
    const r = await dev(server, "secrets_set_data", { name: "creds", remove: ["user"] })
    expect(r.isError, r.text).toBe(false)
    expect(Object.keys(await storedSecret("creds"))).not.toContain("user")
  })
})

describe("read-only mode", () => {
  it("hides the set tools and keeps the get tools", async () => {
    const ro = await startStdio({ args: ["--read-only"] })
    try {
      const names = (await ro.client.listTools()).tools.map((t) => t.name)
      expect(names).toEqual(expect.arrayContaining(["configmaps_get_data", "secrets_get_data"]))
      expect(names).not.toContain("configmaps_set_data")
      expect(names).not.toContain("secrets_set_data")
      const refused = await call(ro.client, "secrets_set_data", { context: "dev-cluster", namespace: ns, name: "creds", data: { a: "b" } })
      expect(refused.error?.type).toBe("ReadOnly")
    } finally {
      await ro.close()
    }
  })
})
