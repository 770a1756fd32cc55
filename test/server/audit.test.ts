/**
 * The audit log through a real MCP client against the real control plane: exactly one line per call with
 * its fields, refused calls included, never a Secret value; every completed call's line survives SIGKILL;
 * rotation; the stderr form for a cluster's log pipeline.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, connectHttp, NODE_ARGS, REPO, startHttp, startStdio, writeTemp } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const ns = `kmcp-audit-${Math.random().toString(36).slice(2, 8)}`
const SECRET_VALUE = "audit-s3cret-VALUE"

const cm = (name: string, value = "1") => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: ns }, data: { a: value } })

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)
const linesOf = (file: string): Array<Record<string, unknown>> =>
  readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => {
    const parsed: unknown = JSON.parse(l)
    if (!isRecord(parsed)) throw new Error(`not a JSON object: ${l}`)
    return parsed
  })

const auditConfig = (path: string, extra = "") => `[audit]\npath = "${path}"\n${extra}[contexts."prod-cluster"]\nread_only = true\n`

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: ns } } })
})
afterAll(async () => {
  await dev.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("audit log", () => {
  it("mutations: one line per mutating call with its fields, refused ones too; reads not; never a Secret value", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-audit-")), "audit.log")
    const server = await startStdio({ config: auditConfig(file) })
    try {
      const c = server.client
      expect((await call(c, "pods_list", { context: "dev-cluster", namespace: ns })).isError).toBe(false)
      expect((await call(c, "resources_apply", { context: "dev-cluster", manifest: cm("one") })).isError).toBe(false)
      expect((await call(c, "resources_apply", { context: "dev-cluster", manifest: cm("one") })).isError).toBe(false)
      expect((await call(c, "resources_apply", { context: "dev-cluster", manifest: cm("one", "2"), dry_run: true })).isError).toBe(false)
      expect((await call(c, "resources_delete", { context: "dev-cluster", version: "v1", kind: "ConfigMap", name: "one", namespace: ns })).isError).toBe(false)
      const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: ns }, stringData: { password: SECRET_VALUE } }
      expect((await call(c, "resources_apply", { context: "dev-cluster", manifest: secret })).isError).toBe(false)
      expect((await call(c, "resources_apply", { context: "prod-cluster", manifest: cm("refused") })).error?.type).toBe("ReadOnly")
      expect((await call(c, "resources_delete", { context: "dev-cluster", version: "v1", kind: "ConfigMap", bogus: 1 })).error?.type).toBe("InvalidInput")
      expect((await call(c, "resources_get", { context: "dev-cluster", version: "v1", kind: "Secret", name: "creds", namespace: ns })).isError).toBe(false)

      const lines = linesOf(file)
      expect(lines.map((l) => [l["tool"], l["outcome"], l["dry_run"]])).toEqual([
        ["resources_apply", "created", false],
        ["resources_apply", "unchanged", false],
        ["resources_apply", "configured", true],
        ["resources_delete", "deleted", false],
        ["resources_apply", "created", false],
        ["resources_apply", "ReadOnly", false],
        ["resources_delete", "InvalidInput", false]
      ])
      const first = lines[0] ?? {}
      expect(first).toMatchObject({
        caller: { transport: "stdio" },
        verb: "apply",
        context: "dev-cluster",
        objects: [{ apiVersion: "v1", kind: "ConfigMap", namespace: ns, name: "one", outcome: "created" }]
      })
      expect(Date.parse(String(first["time"]))).toBeGreaterThan(Date.now() - 120_000)
      expect(typeof first["duration_ms"]).toBe("number")
      expect(lines[3]).toMatchObject({ verb: "delete", objects: [{ kind: "ConfigMap", name: "one", outcome: "deleted" }] })
      expect(lines[5]).toMatchObject({ context: "prod-cluster", outcome: "ReadOnly" })
      const text = readFileSync(file, "utf8")
      expect(text).not.toContain(SECRET_VALUE)
      expect(text).not.toContain(Buffer.from(SECRET_VALUE).toString("base64"))
    } finally {
      await server.close()
    }
  }, 60_000)

  it("all: every call, reads and fan-out included", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-audit-")), "audit.log")
    const server = await startStdio({ config: auditConfig(file, `include = "all"\n`) })
    try {
      await call(server.client, "config_contexts_list")
      await call(server.client, "pods_list", { contexts: ["*"], namespace: ns })
      await call(server.client, "resources_get", { context: "dev-cluster", version: "v1", kind: "ConfigMap", name: "nope", namespace: ns })
      expect(linesOf(file).map((l) => [l["tool"], l["outcome"], l["contexts"]])).toEqual([
        ["config_contexts_list", "ok", undefined],
        ["pods_list", "ok", ["*"]],
        ["resources_get", "NotFound", undefined]
      ])
    } finally {
      await server.close()
    }
  }, 60_000)

  it("over HTTP the caller is the transport and the MCP session", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-audit-")), "audit.log")
    const http = await startHttp({ config: auditConfig(file, `include = "all"\n`) })
    try {
      const client = await connectHttp(http.url)
      await call(client, "config_contexts_list")
      const lines = linesOf(file)
      expect(lines).toHaveLength(1)
      const caller = lines[0]?.["caller"]
      expect(isRecord(caller) ? caller["transport"] : undefined).toBe("http")
      expect(isRecord(caller) ? String(caller["session"]) : "").toMatch(/^[0-9a-f-]{36}$/u)
      await client.close()
    } finally {
      await http.stop()
    }
  }, 60_000)

  it("SIGKILL mid-session leaves every completed call's line intact and parseable", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kube-mcp-audit-")), "audit.log")
    const server = await startStdio({ config: auditConfig(file) })
    for (let i = 0; i < 5; i++) {
      expect((await call(server.client, "resources_apply", { context: "dev-cluster", manifest: cm(`k-${i}`) })).isError).toBe(false)
    }
    // one more in flight, then the process dies without any chance to flush
    const inFlight = call(server.client, "resources_apply", { context: "dev-cluster", manifest: cm("k-last") }).catch(() => undefined)
    process.kill(server.pid, "SIGKILL")
    await inFlight
    await server.close().catch(() => undefined)
    const lines = linesOf(file)
    expect(lines.slice(0, 5).map((l) => (Array.isArray(l["objects"]) && isRecord(l["objects"][0]) ? l["objects"][0]["name"] : ""))).toEqual(
      ["k-0", "k-1", "k-2", "k-3", "k-4"]
    )
    expect(lines.length).toBeLessThanOrEqual(6)
  }, 60_000)

  it("rotates past max_size, keeping `keep` files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kube-mcp-audit-"))
    const file = join(dir, "audit.log")
    const server = await startStdio({ config: auditConfig(file, `include = "all"\nmax_size = 1024\nkeep = 2\n`) })
    try {
      for (let i = 0; i < 16; i++) await call(server.client, "config_contexts_list")
    } finally {
      await server.close()
    }
    const files = [file, `${file}.1`, `${file}.2`]
    for (const f of files) {
      expect(existsSync(f), f).toBe(true)
      expect(readFileSync(f).length).toBeLessThanOrEqual(1024)
    }
    expect(existsSync(`${file}.3`)).toBe(false)
    // the newest lines are in the current file, every line whole
    expect(files.flatMap(linesOf).every((l) => l["tool"] === "config_contexts_list")).toBe(true)
  }, 60_000)

  it("path = \"stderr\": JSON lines marked as audit records, among the server's log lines", async () => {
    const server = await startStdio({ config: auditConfig("stderr") })
    try {
      await call(server.client, "resources_apply", { context: "dev-cluster", manifest: cm("via-stderr") })
    } finally {
      await server.close()
    }
    const audit = server.stderr().split("\n").filter((l) => l.includes("\"audit\":true")).map((l) => JSON.parse(l))
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ audit: true, tool: "resources_apply", outcome: "created" })
    // stderr stays JSON lines only
    for (const l of server.stderr().split("\n").filter((x) => x !== "")) expect(() => JSON.parse(l), l).not.toThrow()
  }, 60_000)

  it("a path that cannot be opened stops the start with a clear message (exit 2)", () => {
    const config = writeTemp("config.toml", auditConfig("/proc/no/such/dir/audit.log"))
    const r = spawnSync(process.execPath, [...NODE_ARGS, "--config", config, "--kubeconfig", info.kubeconfig], { cwd: REPO, input: "", encoding: "utf8", timeout: 30_000 })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("kube-mcp: audit.path: cannot open /proc/no/such/dir/audit.log")
    expect(r.stdout).toBe("")
  })
})
