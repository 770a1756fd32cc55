/**
 * rollout_status, rollout_restart, rollout_undo and resources_wait through the MCP client against the test
 * control plane: a Deployment on dev-cluster rolls out (kwok makes its pods Ready), a new image is revision
 * 2, a restart makes a new ReplicaSet, undo to revision 1 restores the image; waits for a condition, a
 * JSONPath value and deletion, a wait that times out, progress notifications on the wire before the result;
 * read-only mode hides the mutating ones.
 */
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node"
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, callOk, clusterInfo, inBothViews, retry, type StdioServer, startStdio } from "../support/mcp.js"

const info = clusterInfo()
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-roll-${suffix}`
const WEB = { kind: "Deployment", name: "web", namespace: ns }

const deployment = (name: string, image: string) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image }] } }
  }
})

let server: StdioServer

const ok = (tool: string, args: Record<string, unknown>) => callOk(server.client, tool, args)

const imageOf = async (name: string): Promise<string | undefined> =>
  (await apps.readNamespacedDeployment({ name, namespace: ns })).spec?.template.spec?.containers[0]?.image

const replicaSets = async (name: string) =>
  (await apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: `app=${name}` })).items.map((rs) => ({
    name: rs.metadata?.name ?? "",
    revision: rs.metadata?.annotations?.["deployment.kubernetes.io/revision"] ?? "",
    image: rs.spec?.template?.spec?.containers[0]?.image ?? ""
  }))

/** A tool call with a progressToken; what the server wrote, in wire order (progress messages, then "result"). */
const withProgress = async (tool: string, args: Record<string, unknown>) => {
  const transport = server.client.transport
  if (transport === undefined) throw new Error("not connected")
  const wire: Array<string> = []
  const deliver = transport.onmessage
  transport.onmessage = (message, extra) => {
    if ("method" in message && message.method === "notifications/progress") wire.push(String(message.params?.["message"]))
    else if ("result" in message) wire.push("result")
    deliver?.(message, extra)
  }
  try {
    const result = await server.client.callTool({ name: tool, arguments: { context: "dev-cluster", ...args } }, CallToolResultSchema, { onprogress: () => undefined })
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
    return { result, wire }
  } finally {
    transport.onmessage = deliver
  }
}

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: ns } } })
  server = await startStdio()
  await ok("resources_apply", { manifest: deployment("web", "registry.example/app:1.0") })
})

afterAll(async () => {
  await server?.close()
  await core.deleteNamespace({ name: ns }).catch(() => undefined)
})

describe("rollouts of a Deployment", () => {
  it("rollout_status with wait: done once kwok's pods are Ready, kubectl's words in both views, progress per poll before the result", async () => {
    const { result, wire } = await withProgress("rollout_status", { ...WEB, wait: true, timeout: 60 })
    const structured = result.structuredContent
    expect(structured).toMatchObject({ kind: "Deployment", name: "web", namespace: ns, state: "done", done: true, revision: "1" })
    expect(JSON.stringify(structured)).toContain("\"replicas\":{\"desired\":2,\"current\":2,\"updated\":2,\"ready\":2,\"available\":2}")
    expect(wire.at(-1)).toBe("result")
    expect(wire.length).toBeGreaterThanOrEqual(2)
    expect(wire.at(-2)).toBe("deployment \"web\" successfully rolled out")
    // without wait, the same answer at once
    const now = await ok("rollout_status", WEB)
    inBothViews(now, "deployment \"web\" successfully rolled out", "revision 1")
    expect(now.structured).not.toHaveProperty("polls")
  })

  it("a new image is revision 2; rollout_restart sets restartedAt and a new ReplicaSet appears", async () => {
    await ok("resources_patch", { group: "apps", version: "v1", ...WEB, patch: { spec: { template: { spec: { containers: [{ name: "app", image: "registry.example/app:2.0" }] } } } } })
    const rolled = await ok("rollout_status", { ...WEB, wait: true, timeout: 60 })
    inBothViews(rolled, "deployment \"web\" successfully rolled out", "revision 2")

    const dry = await ok("rollout_restart", { ...WEB, dry_run: true })
    inBothViews(dry, "Dry run: nothing was persisted.", "kubectl.kubernetes.io/restartedAt")
    expect((await replicaSets("web")).length).toBe(2)

    const before = await replicaSets("web")
    const r = await ok("rollout_restart", WEB)
    const at = String(r.structured?.["restarted_at"])
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/u)
    inBothViews(r, "deployment.apps/web restarted", `restartedAt ${at}`, "spec.template.metadata.annotations")
    const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns })
    expect(d.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBe(at)
    await retry(async () => {
      const after = await replicaSets("web")
      expect(after.length).toBe(before.length + 1)
      expect(after.find((rs) => rs.revision === "3")?.image).toBe("registry.example/app:2.0")
    }, "a third ReplicaSet")
    const done = await ok("rollout_status", { ...WEB, wait: true, timeout: 60 })
    inBothViews(done, "successfully rolled out", "revision 3")
  })

  it("rollout_undo to revision 1 restores the image (dry run first changes nothing); undo to a missing revision is NotFound", async () => {
    const dry = await ok("rollout_undo", { ...WEB, to_revision: 1, dry_run: true })
    inBothViews(dry, "Dry run: nothing was persisted.", "rolled back to revision 1")
    expect(await imageOf("web")).toBe("registry.example/app:2.0")

    const u = await ok("rollout_undo", { ...WEB, to_revision: 1 })
    expect(u.structured).toMatchObject({ action: "rolled back", to_revision: 1, revisions: [1, 2, 3], dry_run: false })
    inBothViews(u, "deployment.apps/web in namespace", "rolled back to revision 1", "spec.template.spec.containers[0].image: \"registry.example/app:2.0\" → \"registry.example/app:1.0\"")
    expect(await imageOf("web")).toBe("registry.example/app:1.0")
    // the restart annotation belonged to revision 3's template: revision 1's has none
    const d = await apps.readNamespacedDeployment({ name: "web", namespace: ns })
    expect(d.spec?.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBeUndefined()
    expect(d.spec?.template.metadata?.labels?.["pod-template-hash"]).toBeUndefined()
    const done = await ok("rollout_status", { ...WEB, wait: true, timeout: 60 })
    inBothViews(done, "successfully rolled out", "revision 4")

    const again = await ok("rollout_undo", { ...WEB, to_revision: 4 })
    inBothViews(again, "skipped rollback (current template already matches revision 4)")

    const missing = await call(server.client, "rollout_undo", { context: "dev-cluster", ...WEB, to_revision: 42 })
    expect(missing.isError).toBe(true)
    expect(missing.error?.type).toBe("NotFound")
    inBothViews(missing, "unable to find specified revision 42 in history")
  })
})

describe("rollouts of a StatefulSet", () => {
  const DB = { kind: "StatefulSet", name: "db", namespace: ns }
  const stsImage = async () => (await apps.readNamespacedStatefulSet({ name: "db", namespace: ns })).spec?.template.spec?.containers[0]?.image

  it("status as kubectl words it (the API defaults a partition), undo through the ControllerRevision", async () => {
    await ok("resources_apply", {
      manifest: {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "db", namespace: ns },
        spec: {
          replicas: 1,
          serviceName: "db",
          selector: { matchLabels: { app: "db" } },
          template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "registry.example/db:1" }] } }
        }
      }
    })
    const first = await ok("rollout_status", { ...DB, wait: true, timeout: 60 })
    inBothViews(first, "partitioned roll out complete: 1 new pods have been updated...")
    await ok("resources_patch", { group: "apps", version: "v1", ...DB, patch: { spec: { template: { spec: { containers: [{ name: "db", image: "registry.example/db:2" }] } } } } })
    const second = await ok("rollout_status", { ...DB, wait: true, timeout: 60 })
    inBothViews(second, "partitioned roll out complete: 1 new pods have been updated...")
    expect(await stsImage()).toBe("registry.example/db:2")

    const u = await ok("rollout_undo", DB)
    expect(u.structured).toMatchObject({ action: "rolled back", to_revision: 1, revisions: [1, 2] })
    inBothViews(u, "statefulset.apps/db in namespace", "rolled back to revision 1", "spec.template.spec.containers[0].image: \"registry.example/db:2\" → \"registry.example/db:1\"")
    expect(await stsImage()).toBe("registry.example/db:1")
  })
})

describe("resources_wait", () => {
  const DEPLOY = { group: "apps", version: "v1", kind: "Deployment", name: "web", namespace: ns }

  it("until a condition holds, and until a JSONPath has a value, by name and by label selector", async () => {
    const r = await ok("resources_wait", { ...DEPLOY, condition: "Available", timeout: 60 })
    expect(r.structured).toMatchObject({ kind: "Deployment", name: "web", waited_for: "condition Available=True", met: true })
    inBothViews(r, "condition Available=True met: deployment.apps/web", "Available=True (MinimumReplicasAvailable)")

    const jp = await ok("resources_wait", { ...DEPLOY, jsonpath: "{.status.readyReplicas}", value: "2", timeout: 60 })
    inBothViews(jp, "jsonpath {.status.readyReplicas} = \"2\" met", "{.status.readyReplicas} = 2")

    const pods = await ok("resources_wait", { version: "v1", kind: "Pod", namespace: ns, label_selector: "app=web", condition: "Ready", timeout: 60 })
    const objects = pods.structured?.["objects"]
    expect(Array.isArray(objects) ? objects.length : 0).toBeGreaterThanOrEqual(2)
    inBothViews(pods, "Ready=True")
  })

  it("until deleted, while the object is deleted meanwhile; progress reports the state before the result", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "doomed" }, data: { a: "1" } } })
    const waiting = withProgress("resources_wait", { version: "v1", kind: "ConfigMap", name: "doomed", namespace: ns, delete: true, timeout: 30 })
    await new Promise((r) => setTimeout(r, 1500))
    await core.deleteNamespacedConfigMap({ name: "doomed", namespace: ns })
    const { result, wire } = await waiting
    expect(result.structuredContent).toMatchObject({ waited_for: "deletion", met: true, objects: [{ name: "doomed", state: "deleted" }] })
    expect(wire[0]).toBe(`configmap/doomed in namespace "${ns}": doomed: still exists`)
    expect(wire.at(-1)).toBe("result")
    expect(wire.at(-2)).toContain("doomed: deleted")
  })

  it("a wait that is not met in time is a Timeout error that says what it waited for and what it saw", async () => {
    const started = Date.now()
    const r = await call(server.client, "resources_wait", { context: "dev-cluster", ...DEPLOY, condition: "Available=False", timeout: 2 })
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("Timeout")
    expect(r.error?.tool).toBe("resources_wait")
    inBothViews(r, `timed out after 2s waiting for condition Available=False on deployment.apps/web in namespace "${ns}"`, "Available=True")
  })

  it("refuses what it cannot wait for before asking the cluster", async () => {
    const none = await call(server.client, "resources_wait", { context: "dev-cluster", ...DEPLOY })
    expect(none.error?.type).toBe("InvalidInput")
    const bad = await call(server.client, "resources_wait", { context: "dev-cluster", ...DEPLOY, jsonpath: "{.status[" })
    expect(bad.error?.type).toBe("InvalidInput")
    const long = await call(server.client, "resources_wait", { context: "dev-cluster", ...DEPLOY, delete: true, timeout: 301 })
    expect(long.error?.type).toBe("InvalidInput")
  })
})

describe("read-only mode", () => {
  it("lists rollout_status and resources_wait but not restart or undo, and refuses those by name", async () => {
    const readOnly = await startStdio({ args: ["--read-only"] })
    try {
      const names = (await readOnly.client.listTools()).tools.map((t) => t.name)
      expect(names).toEqual(expect.arrayContaining(["rollout_status", "resources_wait"]))
      expect(names).not.toContain("rollout_restart")
      expect(names).not.toContain("rollout_undo")
      for (const tool of ["rollout_restart", "rollout_undo"]) {
        const r = await call(readOnly.client, tool, { context: "dev-cluster", ...WEB })
        expect(r.error?.type, tool).toBe("ReadOnly")
      }
      const s = await call(readOnly.client, "rollout_status", { context: "dev-cluster", ...WEB })
      expect(s.isError, s.text).toBe(false)
      expect(await imageOf("web")).toBe("registry.example/app:1.0")
    } finally {
      await readOnly.close()
    }
  })
})
