/**
 * Secret values never leave the server unless the configuration reveals them: a Secret with a known value,
 * then every tool that could show it (get, list in all outputs, describe, diff, apply and patch reports,
 * errors, events) is called and its whole result — text and structured content — searched for the value
 * and its base64 form.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, type StdioServer, startStdio, type ToolCallResult } from "../support/mcp.js"

const info = clusterInfo()
const core = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-res-sec-${suffix}`

const VALUE = "s3cr3t-value-XYZ"
const APPLIED = "apply-s3cr3t-QRS"
const CHANGED = "n3w-s3cr3t-ABC-123"
const PATCHED = "p4tch-s3cr3t-DEF"
const SET_DATA = "s3t-d4ta-s3cr3t-GHI"
const b64 = (s: string) => Buffer.from(s).toString("base64")
const NEEDLES = [VALUE, APPLIED, CHANGED, PATCHED, SET_DATA].flatMap((v) => [v, b64(v)])

const SECRET = { version: "v1", kind: "Secret" }
const secretManifest = (name: string, value: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, namespace: ns },
  stringData: { password: value }
})

let server: StdioServer
const outputs: Array<{ what: string; r: ToolCallResult }> = []

const run = async (what: string, tool: string, args: Record<string, unknown>, expectError = false) => {
  const r = await call(server.client, tool, { context: "dev-cluster", ...args })
  expect(r.isError, `${what}: ${r.text}`).toBe(expectError)
  outputs.push({ what, r })
  return r
}

const leaks = (r: ToolCallResult): Array<string> => {
  const all = `${r.text}\n${JSON.stringify(r.structured ?? {})}`
  return NEEDLES.filter((n) => all.includes(n))
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  await core.createNamespacedSecret({
    namespace: ns,
    body: {
      metadata: {
        name: "creds",
        labels: { app: "kmcp-secrets" },
        // what kubectl apply (client-side) leaves behind: the whole manifest, value included
        annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ stringData: { password: VALUE } }) }
      },
      stringData: { password: VALUE, token: VALUE }
    }
  })
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("Secret values are masked by default", () => {
  it("in get (yaml, json, summary): keys and byte sizes kept", async () => {
    const yaml = await run("get yaml", "resources_get", { ...SECRET, name: "creds", namespace: ns })
    expect(yaml.text).toContain(`password: '<masked: ${VALUE.length} bytes>'`)
    expect(yaml.text).toContain("token:")
    expect(yaml.text).not.toContain("last-applied")
    const json = await run("get json", "resources_get", { ...SECRET, name: "creds", namespace: ns, output: "json" })
    expect(json.structured?.["data"]).toEqual({ password: `<masked: ${VALUE.length} bytes>`, token: `<masked: ${VALUE.length} bytes>` })
    await run("get summary", "resources_get", { ...SECRET, name: "creds", namespace: ns, output: "summary" })
  })

  it("in lists (summary, yaml, json; one namespace and all namespaces)", async () => {
    const summary = await run("list summary", "resources_list", { ...SECRET, namespace: ns })
    expect(summary.text).toContain("creds")
    const yaml = await run("list yaml", "resources_list", { ...SECRET, namespace: ns, output: "yaml" })
    expect(yaml.text).toContain("<masked:")
    await run("list json", "resources_list", { ...SECRET, namespace: ns, output: "json" })
    const all = await run("list all namespaces yaml", "resources_list", {
      ...SECRET,
      all_namespaces: true,
      label_selector: "app=kmcp-secrets",
      output: "yaml"
    })
    expect(all.text).toContain("name: creds")
  })

  it("in describe", async () => {
    const r = await run("describe", "resources_describe", { ...SECRET, name: "creds", namespace: ns })
    expect(r.text).toContain("<masked:")
  })

  it("in apply results (created, dry run, configured) and errors", async () => {
    const created = await run("apply create", "resources_apply", { manifest: secretManifest("applied", APPLIED) })
    expect(created.structured?.["results"]).toEqual([expect.objectContaining({ name: "applied", action: "created" })])
    const live = await core.readNamespacedSecret({ name: "applied", namespace: ns })
    expect(Buffer.from(live.data?.["password"] ?? "", "base64").toString()).toBe(APPLIED)
    // creds' data was written by another manager: changing a value without force is a Conflict, naming fields only
    const conflict = await run("apply conflict", "resources_apply", {
      manifest: { ...secretManifest("creds", CHANGED), stringData: undefined, data: { token: b64(CHANGED) } }
    }, true)
    expect(conflict.error?.type).toBe("Conflict")
    await run("apply dry run", "resources_apply", { manifest: secretManifest("creds", CHANGED), dry_run: true })
    await run("diff changed value", "resources_diff", { manifest: secretManifest("creds", CHANGED) })
    // stringData is write-only, so it conflicts with nobody: creds' password changes
    await run("apply creds", "resources_apply", { manifest: secretManifest("creds", CHANGED) })
    const configured = await run("apply configured", "resources_apply", { manifest: secretManifest("applied", CHANGED) })
    expect(configured.text).toContain(`data.password: "<masked: ${APPLIED.length} bytes>" → "<masked: ${CHANGED.length} bytes, changed>"`)
    await run("apply yaml text", "resources_apply", {
      manifest: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: other\n  namespace: ${ns}\ndata:\n  key: ${b64(VALUE)}\n`
    })
    await run("apply invalid", "resources_apply", {
      manifest: { ...secretManifest("bad", VALUE), data: { "bad key!": b64(VALUE) } }
    }, true)
  })

  it("in diffs: a changed value shows as changed, not as the value", async () => {
    const r = await run("diff", "resources_diff", { manifest: secretManifest("applied", PATCHED) })
    expect(r.text).toMatch(/^- {2}password: '<masked: \d+ bytes>'$/m)
    expect(r.text).toMatch(/^\+ {2}password: '<masked: \d+ bytes, changed>'$/m)
    const fresh = await run("diff new", "resources_diff", { manifest: secretManifest("fresh", VALUE) })
    expect(fresh.text).toContain("--- /dev/null")
  })

  it("in patch reports", async () => {
    const r = await run("patch", "resources_patch", { ...SECRET, name: "creds", namespace: ns, patch: { stringData: { password: PATCHED } } })
    expect(r.structured?.["changes"]).toEqual([`data.password: "<masked: ${CHANGED.length} bytes>" → "<masked: ${PATCHED.length} bytes, changed>"`])
  })

  it("in secrets_get_data and secrets_set_data (dry run and real)", async () => {
    const got = await run("secrets_get_data", "secrets_get_data", { name: "creds", namespace: ns })
    expect(got.structured?.["data"]).toEqual({ password: `<masked: ${PATCHED.length} bytes>`, token: `<masked: ${VALUE.length} bytes>` })
    await run("secrets_set_data dry run", "secrets_set_data", { name: "creds", namespace: ns, data: { "api-key": SET_DATA }, dry_run: true })
    const set = await run("secrets_set_data", "secrets_set_data", { name: "creds", namespace: ns, data: { "api-key": SET_DATA } })
    expect(set.structured?.["keys"]).toEqual([{ key: "api-key", action: "added", bytes: SET_DATA.length }])
    const live = await core.readNamespacedSecret({ name: "creds", namespace: ns })
    expect(Buffer.from(live.data?.["api-key"] ?? "", "base64").toString()).toBe(SET_DATA)
    await run("secrets_get_data after set", "secrets_get_data", { name: "creds", namespace: ns, keys: ["api-key"] })
  })

  it("in events_list, when the server has it", async () => {
    const { tools } = await server.client.listTools()
    if (!tools.some((t) => t.name === "events_list")) return
    await run("events_list", "events_list", { namespace: ns })
  })

  it("appears in no output at all", () => {
    expect(outputs.length).toBeGreaterThanOrEqual(15)
    const found = outputs.flatMap(({ r, what }) => leaks(r).map((n) => `${what}: ${n}`))
    expect(found).toEqual([])
  })
})

describe("reveal_secrets = true", () => {
  it("shows the stored values", async () => {
    const reveal = await startStdio({ config: "[security]\nreveal_secrets = true\n" })
    try {
      const r = await call(reveal.client, "resources_get", { context: "dev-cluster", ...SECRET, name: "creds", namespace: ns })
      expect(r.isError, r.text).toBe(false)
      expect(r.text).toContain(`password: ${b64(PATCHED)}`)
      expect(r.text).toContain(`token: ${b64(VALUE)}`)
      // the last-applied annotation is stripped even then
      expect(r.text).not.toContain("last-applied")
      const data = await call(reveal.client, "secrets_get_data", { context: "dev-cluster", name: "creds", namespace: ns })
      expect(data.structured?.["data"]).toEqual({ "api-key": SET_DATA, password: PATCHED, token: VALUE })
      const list = await call(reveal.client, "resources_list", { context: "dev-cluster", ...SECRET, namespace: ns, output: "json" })
      expect(JSON.stringify(list.structured)).toContain(b64(VALUE))
    } finally {
      await reveal.close()
    }
  })
})
