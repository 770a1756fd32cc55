/**
 * The helm tools end to end, through the MCP client over stdio against the test control plane: a chart the test
 * writes to a temp dir (no chart repository is reachable here) installed on dev-cluster with the helm binary
 * test/cluster/build-helm.sh builds (cached under ~/.cache/kube-mcp/helm/<version>/helm; .ci/run builds it),
 * then listed (on dev, and across dev and prod where the test stores a release Secret itself, encoded as helm
 * encodes it), read (values masked by default, revealed with reveal_secrets), upgraded, rolled back and
 * uninstalled. Without the binary the tests that need it are skipped and say so in their names; the read side
 * is still proved on a release Secret the test writes.
 */
import { CoreV1Api } from "@kubernetes/client-node"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { encodeReleaseData } from "../../src/kube/helm.js"
import { adminKubeConfig } from "../cluster/harness.js"
import { HAVE_HELM, HELM } from "../support/helmBinary.js"
import { callOk, call, clusterInfo, rowsOf, type StdioServer, startStdio, type ToolCallResult } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-helm-${suffix}`
const prodNs = `kmcp-helm-prod-${suffix}`

const needsHelm = HAVE_HELM ? it : it.skip
const named = (title: string) => (HAVE_HELM ? title : `SKIPPED (no helm binary at ${HELM}: run bash test/cluster/build-helm.sh): ${title}`)

const PASSWORD = "helm-s3cr3t-VALUE-42"
const GREETING = "hello-from-values"

/** A tiny chart: values, a ConfigMap, a Deployment, a Secret from a value, notes. */
const writeChart = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), "kube-mcp-chart-")), "tiny")
  mkdirSync(join(dir, "templates"), { recursive: true })
  writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: \"1.2.3\"\n")
  writeFileSync(join(dir, "values.yaml"), "greeting: hi\npassword: chart-default\nreplicas: 1\n")
  writeFileSync(join(dir, "templates/configmap.yaml"), [
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: {{ .Release.Name }}-config",
    "data:",
    "  greeting: {{ .Values.greeting | quote }}",
    ""
  ].join("\n"))
  writeFileSync(join(dir, "templates/secret.yaml"), [
    "apiVersion: v1",
    "kind: Secret",
    "metadata:",
    "  name: {{ .Release.Name }}-creds",
    "stringData:",
    "  password: {{ .Values.password | quote }}",
    ""
  ].join("\n"))
  writeFileSync(join(dir, "templates/deployment.yaml"), [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: {{ .Release.Name }}-web",
    "spec:",
    "  replicas: {{ .Values.replicas }}",
    "  selector:",
    "    matchLabels: { app: {{ .Release.Name }}-web }",
    "  template:",
    "    metadata:",
    "      labels: { app: {{ .Release.Name }}-web }",
    "    spec:",
    "      containers:",
    "        - name: web",
    "          image: nginx:1.27",
    ""
  ].join("\n"))
  writeFileSync(join(dir, "templates/NOTES.txt"), "Thanks for installing {{ .Release.Name }}.\n")
  return dir
}

/** A release Secret written the way helm writes it, on prod-cluster (where no helm runs in this test). */
const storeRelease = async () => {
  const release = {
    name: "stored",
    namespace: prodNs,
    version: 1,
    info: { first_deployed: "2026-01-01T00:00:00Z", last_deployed: "2026-01-01T00:00:00Z", status: "deployed", description: "Install complete", notes: "stored notes" },
    chart: { metadata: { name: "stored-chart", version: "9.9.9", appVersion: "4.5" }, values: { password: "default" } },
    config: { password: PASSWORD },
    manifest: "---\n# Source: stored-chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stored\n",
    hooks: []
  }
  await prod.createNamespacedSecret({
    namespace: prodNs,
    body: {
      metadata: { name: "sh.helm.release.v1.stored.v1", labels: { owner: "helm", name: "stored", version: "1", status: "deployed" } },
      type: "helm.sh/release.v1",
      data: { release: encodeReleaseData(release) }
    }
  })
}

const helmConfig = (binary: string, extra = "") => `[helm]\nbinary = ${JSON.stringify(binary)}\ntimeout = "2m"\n${extra}`

let server: StdioServer
let chart: string

const noLeak = (r: ToolCallResult) => {
  const all = `${r.text}\n${JSON.stringify(r.structured ?? {})}`
  expect(all).not.toContain(PASSWORD)
  expect(all).not.toContain(Buffer.from(PASSWORD).toString("base64"))
}

const helm = (tool: string, args: Record<string, unknown>, s: StdioServer = server) => callOk(s.client, tool, { namespace: ns, ...args })

beforeAll(async () => {
  if (!HAVE_HELM) console.warn(`[helm.test] SKIPPING the helm write tests: no helm binary at ${HELM} (bash test/cluster/build-helm.sh builds it)`)
  chart = writeChart()
  await dev.createNamespace({ body: { metadata: { name: ns } } })
  await prod.createNamespace({ body: { metadata: { name: prodNs } } })
  await storeRelease()
  server = await startStdio({ config: helmConfig(HAVE_HELM ? HELM : "") })
}, 60_000)

afterAll(async () => {
  await server?.close()
  if (chart !== undefined) rmSync(dirname(chart), { recursive: true, force: true })
  await dev.deleteNamespace({ name: ns }).catch(() => undefined)
  await prod.deleteNamespace({ name: prodNs }).catch(() => undefined)
})

describe("helm reads without a binary (a release Secret stored as helm stores it)", () => {
  it("helm_list, helm_get and helm_history decode it; values masked", async () => {
    const list = await call(server.client, "helm_list", { context: "prod-cluster", namespace: prodNs })
    expect(rowsOf(list)).toEqual([
      expect.objectContaining({ name: "stored", namespace: prodNs, revision: "1", status: "deployed", chart: "stored-chart-9.9.9", "app version": "4.5" })
    ])
    const get = await call(server.client, "helm_get", { context: "prod-cluster", namespace: prodNs, name: "stored" })
    expect(get.isError, get.text).toBe(false)
    expect(get.structured).toMatchObject({ release: "stored", revision: 1, values: { password: `<masked: ${PASSWORD.length} bytes>` }, notes: "stored notes" })
    expect(String(get.structured?.["values_masked"])).toContain("reveal_secrets")
    noLeak(get)
    const history = await call(server.client, "helm_history", { context: "prod-cluster", namespace: prodNs, name: "stored" })
    expect(rowsOf(history).map((r) => [r["revision"], r["status"]])).toEqual([["1", "deployed"]])
  })

  it("a release that does not exist: NotFound", async () => {
    const r = await call(server.client, "helm_get", { context: "prod-cluster", namespace: prodNs, name: "nope" })
    expect(r.error).toMatchObject({ type: "NotFound", cluster: "prod-cluster", tool: "helm_get" })
  })

  it("a context that denies secrets cannot read releases, and says why", async () => {
    const denied = await startStdio({ config: `[contexts."prod-cluster"]\ndenied_resources = ["secrets"]\n` })
    try {
      const r = await call(denied.client, "helm_list", { context: "prod-cluster", namespace: prodNs })
      expect(r.error).toMatchObject({ type: "PolicyDenied", cluster: "prod-cluster" })
      expect(r.error?.details).toContain("Helm stores releases as Secrets")
    } finally {
      await denied.close()
    }
  })
})

describe("helm writes with the helm binary", () => {
  needsHelm(named("helm_install installs the local chart on dev-cluster; values are not echoed"), async () => {
    const r = await helm("helm_install", { name: "tiny", chart, values: { password: PASSWORD, greeting: GREETING } })
    expect(r.structured).toMatchObject({ result: "installed", release: "tiny", namespace: ns, revision: 1, status: "deployed", chart: "tiny-0.1.0", app_version: "1.2.3" })
    expect(r.structured?.["objects"]).toEqual(expect.arrayContaining(["ConfigMap/tiny-config", "Secret/tiny-creds", "Deployment/tiny-web"]))
    expect(String(r.structured?.["notes"])).toContain("Thanks for installing tiny.")
    noLeak(r)
    const cm = await dev.readNamespacedConfigMap({ name: "tiny-config", namespace: ns })
    expect(cm.data?.["greeting"]).toBe(GREETING)
  }, 120_000)

  needsHelm(named("helm_install dry_run changes nothing"), async () => {
    const r = await helm("helm_install", { name: "dry", chart, dry_run: true, values: { password: PASSWORD } })
    expect(r.structured).toMatchObject({ result: "installed (dry run)", release: "dry" })
    noLeak(r)
    const secrets = await dev.listNamespacedSecret({ namespace: ns, labelSelector: "owner=helm,name=dry" })
    expect(secrets.items).toEqual([])
  }, 120_000)

  needsHelm(named("helm_list on dev-cluster, and across dev and prod with contexts"), async () => {
    const one = await helm("helm_list", {})
    expect(rowsOf(one)).toEqual([expect.objectContaining({ name: "tiny", revision: "1", status: "deployed", chart: "tiny-0.1.0", "app version": "1.2.3" })])
    const both = await call(server.client, "helm_list", { contexts: ["dev-cluster", "prod-cluster"], all_namespaces: true })
    expect(both.isError, both.text).toBe(false)
    const rows = rowsOf(both)
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ context: "dev-cluster", name: "tiny", namespace: ns }),
      expect.objectContaining({ context: "prod-cluster", name: "stored", namespace: prodNs })
    ]))
  }, 60_000)

  needsHelm(named("helm_get: values masked by default, manifest Secrets masked, notes"), async () => {
    const r = await helm("helm_get", { name: "tiny" })
    expect(r.structured).toMatchObject({
      release: "tiny",
      revision: 1,
      values: { password: `<masked: ${PASSWORD.length} bytes>`, greeting: `<masked: ${GREETING.length} bytes>` },
      notes: "Thanks for installing tiny.\n"
    })
    const manifest = String(r.structured?.["manifest"])
    expect(manifest).toContain("kind: ConfigMap")
    expect(manifest).toContain("kind: Secret")
    expect(manifest).toContain(`password: '<masked: ${PASSWORD.length} bytes>'`)
    noLeak(r)
    const all = await helm("helm_get", { name: "tiny", show: ["values"], all_values: true })
    expect(all.structured?.["values"]).toMatchObject({ replicas: "<masked: 1 byte>" })
    expect(all.structured?.["manifest"]).toBeUndefined()
  })

  needsHelm(named("helm_get with reveal_secrets shows the values"), async () => {
    const reveal = await startStdio({ config: helmConfig(HELM, "[security]\nreveal_secrets = true\n") })
    try {
      const r = await helm("helm_get", { name: "tiny", show: ["values", "manifest"] }, reveal)
      expect(r.structured?.["values"]).toEqual({ password: PASSWORD, greeting: GREETING })
      expect(r.structured?.["values_masked"]).toBeUndefined()
      expect(String(r.structured?.["manifest"])).toContain(PASSWORD)
    } finally {
      await reveal.close()
    }
  })

  needsHelm(named("helm_upgrade with a new value writes revision 2; helm_history shows both"), async () => {
    const r = await helm("helm_upgrade", { name: "tiny", chart, values: { password: PASSWORD, greeting: "bonjour" } })
    expect(r.structured).toMatchObject({ result: "upgraded", revision: 2, status: "deployed" })
    noLeak(r)
    expect((await dev.readNamespacedConfigMap({ name: "tiny-config", namespace: ns })).data?.["greeting"]).toBe("bonjour")
    const history = await helm("helm_history", { name: "tiny" })
    expect(rowsOf(history).map((h) => [h["revision"], h["status"]])).toEqual([["1", "superseded"], ["2", "deployed"]])
    const first = await helm("helm_get", { name: "tiny", revision: 1, show: ["values"] })
    expect(first.structured?.["values"]).toMatchObject({ greeting: `<masked: ${GREETING.length} bytes>` })
  }, 120_000)

  needsHelm(named("helm_rollback to revision 1 writes revision 3 with revision 1's values"), async () => {
    const r = await helm("helm_rollback", { name: "tiny", revision: 1 })
    expect(r.structured).toMatchObject({ result: "rolled back to revision 1 (as revision 3)", revision: 3, status: "deployed" })
    expect((await dev.readNamespacedConfigMap({ name: "tiny-config", namespace: ns })).data?.["greeting"]).toBe(GREETING)
  }, 120_000)

  needsHelm(named("helm_uninstall removes the release and its objects"), async () => {
    const r = await helm("helm_uninstall", { name: "tiny" })
    expect(r.structured).toMatchObject({ result: "uninstalled", release: "tiny" })
    expect(r.structured?.["objects"]).toEqual(expect.arrayContaining(["ConfigMap/tiny-config"]))
    expect(rowsOf(await helm("helm_list", {}))).toEqual([])
    await expect(dev.readNamespacedConfigMap({ name: "tiny-config", namespace: ns })).rejects.toThrow()
    const gone = await call(server.client, "helm_uninstall", { context: "dev-cluster", namespace: ns, name: "tiny" })
    expect(gone.error?.type).toBe("NotFound")
  }, 120_000)

  needsHelm(named("a write on a context whose policy denies secrets is refused before helm runs"), async () => {
    const denied = await startStdio({ config: helmConfig(HELM, `[contexts."dev-cluster"]\ndenied_resources = ["secrets"]\n`) })
    try {
      const r = await call(denied.client, "helm_install", { context: "dev-cluster", namespace: ns, name: "refused", chart })
      expect(r.error).toMatchObject({ type: "PolicyDenied", rule: "denied_resources" })
      const secrets = await dev.listNamespacedSecret({ namespace: ns, labelSelector: "owner=helm,name=refused" })
      expect(secrets.items).toEqual([])
    } finally {
      await denied.close()
    }
  }, 60_000)

  needsHelm(named("a chart with an object the policy denies is refused before anything changes"), async () => {
    const denied = await startStdio({ config: helmConfig(HELM, `[contexts."dev-cluster"]\ndenied_resources = ["apps/deployments"]\n`) })
    try {
      const r = await call(denied.client, "helm_install", { context: "dev-cluster", namespace: ns, name: "blocked", chart })
      expect(r.error).toMatchObject({ type: "PolicyDenied", rule: "denied_resources", verb: "create", resource: "deployments" })
      const secrets = await dev.listNamespacedSecret({ namespace: ns, labelSelector: "owner=helm,name=blocked" })
      expect(secrets.items).toEqual([])
      await expect(dev.readNamespacedConfigMap({ name: "blocked-config", namespace: ns })).rejects.toThrow()
    } finally {
      await denied.close()
    }
  }, 60_000)
})

describe("without a helm binary, and in read-only mode", () => {
  it("no binary configured or on PATH: HelmUnavailable saying how to get one", async () => {
    const none = await startStdio({ config: helmConfig(""), env: { PATH: "/nonexistent" } })
    const missing = await startStdio({ config: helmConfig("/nonexistent/helm") })
    try {
      const r = await call(none.client, "helm_install", { context: "dev-cluster", namespace: ns, name: "x", chart: "/tmp/none" })
      expect(r.error).toMatchObject({ type: "HelmUnavailable", cluster: "dev-cluster", tool: "helm_install" })
      expect(r.error?.message).toContain("not on the server's PATH")
      expect(r.error?.details).toContain("[helm] binary")
      const m = await call(missing.client, "helm_uninstall", { context: "prod-cluster", namespace: prodNs, name: "stored" })
      expect(m.error).toMatchObject({ type: "HelmUnavailable" })
      expect(m.error?.message).toContain("/nonexistent/helm")
      // the reads still work without one
      const list = await call(none.client, "helm_list", { context: "prod-cluster", namespace: prodNs })
      expect(rowsOf(list).map((row) => row["name"])).toEqual(["stored"])
    } finally {
      await Promise.all([none.close(), missing.close()])
    }
  }, 60_000)

  it("read-only mode lists the helm reads and hides the writes", async () => {
    const ro = await startStdio({ args: ["--read-only"] })
    try {
      const names = (await ro.client.listTools()).tools.map((t) => t.name).filter((n) => n.startsWith("helm_"))
      expect(names.sort()).toEqual(["helm_get", "helm_history", "helm_list"])
      const annotations = Object.fromEntries((await server.client.listTools()).tools.map((t) => [t.name, t.annotations]))
      for (const read of ["helm_list", "helm_get", "helm_history"]) expect(annotations[read]).toMatchObject({ readOnlyHint: true })
      expect(annotations["helm_install"]).toMatchObject({ readOnlyHint: false })
      expect(annotations["helm_upgrade"]).toMatchObject({ readOnlyHint: false })
      for (const destructive of ["helm_rollback", "helm_uninstall"]) expect(annotations[destructive]).toMatchObject({ readOnlyHint: false, destructiveHint: true })
      const r = await call(ro.client, "helm_rollback", { context: "dev-cluster", name: "tiny" })
      expect(r.error?.type).toBe("ReadOnly")
    } finally {
      await ro.close()
    }
  })
})
