/**
 * pods_list, pods_get, pods_logs, pods_exec, pods_top, pods_delete through the MCP client against the test
 * control plane. dev-cluster pods run on the kwok node (logs = workload.logText, exec runs on this host,
 * metrics from metrics-server); prod-cluster has no nodes, so statuses set there stay as written.
 */
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig, mintServiceAccountToken, waitForMetrics } from "../cluster/harness.js"
import { call, clusterInfo, retry, rowsOf, startStdio, type StdioServer, writeTemp } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const suffix = Math.random().toString(36).slice(2, 8)
const ns = `kmcp-pods-${suffix}`
const kwokNode = info.workload.kwokNode
const logLines = info.workload.logText.trimEnd().split("\n")
const HOLD = "kmcp.test/hold"

const waitUntil = async (f: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 300))
  }
}

const devPod = (name: string, containers: Array<string>, annotations: Record<string, string> = {}): V1Pod => ({
  metadata: { name, labels: { app: name, suite: "kmcp-pods" }, annotations },
  spec: { nodeName: kwokNode, containers: containers.map((c) => ({ name: c, image: `registry.example/${c}:1.0` })) }
})

const create = (api: CoreV1Api, namespace: string, body: V1Pod) =>
  // ServiceAccount admission needs the namespace's "default" SA, which the controller adds a moment later
  retry(() => api.createNamespacedPod({ namespace, body }), `create pod ${body.metadata?.name}`)

let server: StdioServer
let podUid = ""

beforeAll(async () => {
  await Promise.all([dev.createNamespace({ body: { metadata: { name: ns } } }), prod.createNamespace({ body: { metadata: { name: ns } } })])
  const web = await create(dev, ns, devPod("web", ["app"], {
    "kwok.x-k8s.io/usage-cpu": "250m",
    "kwok.x-k8s.io/usage-memory": "64Mi",
    "kubectl.kubernetes.io/last-applied-configuration": "{\"secret\":\"last-applied-marker\"}"
  }))
  podUid = web.metadata?.uid ?? ""
  await Promise.all([
    create(dev, ns, devPod("multi", ["app", "side"], { "kwok.x-k8s.io/usage-memory": "100Mi" })),
    create(dev, ns, devPod("doomed", ["app"])),
    create(dev, ns, { metadata: { name: "done" }, spec: { nodeName: kwokNode, restartPolicy: "Never", containers: [{ name: "app", image: "x" }] } })
  ])
  // an event about web, as the kubelet would record it
  await dev.createNamespacedEvent({
    namespace: ns,
    body: {
      metadata: { name: `web.${suffix}` },
      involvedObject: { kind: "Pod", name: "web", namespace: ns, uid: podUid, apiVersion: "v1" },
      reason: "Pulled",
      message: "Successfully pulled image registry.example/app:1.0",
      type: "Normal",
      count: 3,
      firstTimestamp: new Date(Date.now() - 60_000),
      lastTimestamp: new Date(),
      source: { component: "kubelet" }
    }
  })
  // prod: no scheduler, no kubelet. A crash-looping pod (status written by hand) stays as written.
  await create(prod, ns, { metadata: { name: "crashy" }, spec: { containers: [{ name: "app", image: "crash:1" }] } })
  await prod.replaceNamespacedPodStatus({
    name: "crashy",
    namespace: ns,
    body: {
      metadata: { name: "crashy", namespace: ns },
      spec: { containers: [{ name: "app", image: "crash:1" }] },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False" }],
        containerStatuses: [{
          name: "app",
          image: "crash:1",
          imageID: "",
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } },
          lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: new Date(Date.now() - 120_000), startedAt: new Date(Date.now() - 180_000) } }
        }]
      }
    }
  })
  // dev: a pod held in Terminating by a finalizer (on prod the pod GC would mark an unscheduled one Failed)
  await create(dev, ns, { ...devPod("held", ["app"]), metadata: { name: "held", finalizers: [HOLD] } })
  await dev.deleteNamespacedPod({ name: "held", namespace: ns })
  await waitUntil(async () => {
    const list = await dev.listNamespacedPod({ namespace: ns })
    return list.items.filter((p) => p.status?.phase === "Running").length >= 3 && list.items.some((p) => p.metadata?.name === "done" && p.status?.phase === "Running")
  }, "kwok to run the dev pods")
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  for (const name of ["held", "held2"]) {
    await dev.patchNamespacedPod({ name, namespace: ns, body: [{ op: "remove", path: "/metadata/finalizers" }] }).catch(() => undefined)
  }
  await Promise.all([
    dev.deleteNamespace({ name: ns }).catch(() => undefined),
    prod.deleteNamespace({ name: ns }).catch(() => undefined)
  ])
})

describe("pods_list", () => {
  it("lists the namespace's pods with kubectl's columns", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns })
    expect(r.isError).toBe(false)
    expect(r.structured?.["columns"]).toEqual(["name", "ready", "status", "restarts", "age", "node", "ip"])
    const rows = rowsOf(r)
    const web = rows.find((row) => row["name"] === "web")
    expect(web).toMatchObject({ ready: "1/1", status: "Running", restarts: "0", node: kwokNode })
    expect(web?.["ip"]).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(rows.find((row) => row["name"] === "multi")).toMatchObject({ ready: "2/2", status: "Running" })
    expect(r.text).toContain("NAME")
  })

  it("shows the reason kubectl shows: CrashLoopBackOff with restarts and when, Terminating", async () => {
    const rows = rowsOf(await call(server.client, "pods_list", { context: "prod-cluster", namespace: ns }))
    const crashy = rows.find((row) => row["name"] === "crashy")
    expect(crashy).toMatchObject({ ready: "0/1", status: "CrashLoopBackOff", node: "<none>" })
    expect(crashy?.["restarts"]).toMatch(/^5 \(\d+[sm] ago\)$/)
    const devRows = rowsOf(await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns }))
    expect(devRows.find((row) => row["name"] === "held")).toMatchObject({ status: "Terminating" })
  })

  it("filters with label_selector and adds the namespace column with all_namespaces", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", all_namespaces: true, label_selector: "app=web,suite=kmcp-pods" })
    expect(r.structured?.["columns"]).toEqual(["namespace", "name", "ready", "status", "restarts", "age", "node", "ip"])
    expect(rowsOf(r).filter((row) => row["namespace"] === ns).map((row) => row["name"])).toEqual(["web"])
  })

  it("refuses namespace together with all_namespaces instead of ignoring the namespace", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, all_namespaces: true })
    expect(r.error?.type).toBe("InvalidInput")
    expect(r.error?.message).toContain("Give either namespace or all_namespaces, not both")
    // an empty namespace with all_namespaces is no conflict
    const all = await call(server.client, "pods_list", { context: "dev-cluster", namespace: "", all_namespaces: true, label_selector: "suite=kmcp-pods" })
    expect(all.isError, all.text).toBe(false)
  })

  it("field_selector is applied by the server", async () => {
    const r = await call(server.client, "pods_list", { context: "dev-cluster", namespace: ns, field_selector: "metadata.name=multi" })
    expect(rowsOf(r).map((row) => row["name"])).toEqual(["multi"])
  })

  it("Forbidden for the restricted user outside team-a", async () => {
    const r = await call(server.client, "pods_list", { context: "restricted", namespace: "default" })
    expect(r.isError).toBe(true)
    expect(r.error).toMatchObject({ type: "Forbidden", cluster: "restricted", tool: "pods_list" })
  })

  it("InvalidInput for an out-of-range limit and an unknown parameter", async () => {
    const limit = await call(server.client, "pods_list", { context: "dev-cluster", limit: 0 })
    expect(limit.error).toMatchObject({ type: "InvalidInput", issues: expect.arrayContaining([expect.objectContaining({ path: "limit" })]) })
    const unknown = await call(server.client, "pods_list", { context: "dev-cluster", colour: "red" })
    expect(unknown.error).toMatchObject({ type: "InvalidInput", issues: [expect.objectContaining({ path: "colour" })] })
  })
})

describe("pods_get", () => {
  it("summarizes status, containers, owner, QoS and recent events", async () => {
    const r = await call(server.client, "pods_get", { context: "dev-cluster", namespace: ns, name: "web" })
    expect(r.isError).toBe(false)
    const s = r.structured ?? {}
    expect(s).toMatchObject({ name: "web", namespace: ns, status: "Running", phase: "Running", ready: "1/1", node: kwokNode, qos: "BestEffort" })
    expect(s["containers"]).toEqual([
      expect.objectContaining({ name: "app", image: "registry.example/app:1.0", ready: true, restarts: 0, state: expect.objectContaining({ state: "running" }) })
    ])
    expect(s["conditions"]).toEqual(expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True" })]))
    expect(s["events"]).toEqual([expect.objectContaining({ type: "Normal", reason: "Pulled", count: 3 })])
    expect(r.text).toContain("Successfully pulled image")
  })

  it("shows last state with reason and exit code", async () => {
    const r = await call(server.client, "pods_get", { context: "prod-cluster", namespace: ns, name: "crashy" })
    expect(r.structured?.["containers"]).toEqual([
      expect.objectContaining({
        restarts: 5,
        state: expect.objectContaining({ state: "waiting", reason: "CrashLoopBackOff" }),
        last_state: expect.objectContaining({ state: "terminated", reason: "OOMKilled", exit_code: 137 })
      })
    ])
    expect(r.structured?.["status"]).toBe("CrashLoopBackOff")
  })

  it("output yaml/json: the whole object without managedFields and last-applied", async () => {
    for (const output of ["yaml", "json"] as const) {
      const r = await call(server.client, "pods_get", { context: "dev-cluster", namespace: ns, name: "web", output })
      expect(r.isError).toBe(false)
      expect(r.text).toContain("kwok.x-k8s.io/usage-cpu")
      expect(r.text).toContain(kwokNode)
      expect(r.text).not.toContain("managedFields")
      expect(r.text).not.toContain("last-applied")
      expect(r.text).not.toContain("last-applied-marker")
    }
  })

  it("NotFound for a missing pod; Forbidden for the restricted user", async () => {
    const missing = await call(server.client, "pods_get", { context: "dev-cluster", namespace: ns, name: "nope" })
    expect(missing.error).toMatchObject({ type: "NotFound", cluster: "dev-cluster" })
    const denied = await call(server.client, "pods_get", { context: "restricted", namespace: "default", name: "web" })
    expect(denied.error?.type).toBe("Forbidden")
  })
})

describe("pods_logs", () => {
  const logs = (args: Record<string, unknown>) => call(server.client, "pods_logs", { context: "dev-cluster", namespace: ns, name: "web", ...args })

  it("returns the container's log", async () => {
    const r = await logs({})
    expect(r.isError).toBe(false)
    expect(r.text).toBe(logLines.join("\n"))
    expect(r.structured).toMatchObject({ container: "app", lines: logLines.length })
  })

  it("tail_lines keeps the last lines", async () => {
    expect((await logs({ tail_lines: 2 })).text).toBe(logLines.slice(-2).join("\n"))
  })

  it("grep keeps matching lines; with tail_lines the last matching ones", async () => {
    const errors = logLines.filter((l) => / ERROR /.test(l))
    expect(errors.length).toBe(2)
    expect((await logs({ grep: " ERROR " })).text).toBe(errors.join("\n"))
    expect((await logs({ grep: "ERROR|WARN", tail_lines: 1 })).text).toBe(errors.slice(-1).join("\n"))
    const none = await logs({ grep: "no such text" })
    expect(none.text).toContain("no log lines")
    expect(none.structured?.["lines"]).toBe(0)
  })

  it("since and since_time select by the runtime timestamps (kwok applies sinceSeconds/sinceTime)", async () => {
    // the log lines are from 2026-01-15T10:00:00-15Z: a short window holds none of them
    const recent = await logs({ since: "1h" })
    expect(recent.isError).toBe(false)
    expect(recent.text).toContain("no log lines")
    // a window that starts between 10:00:09 and 10:00:12 (margin for the request's latency)
    const seconds = Math.ceil((Date.now() - Date.parse("2026-01-15T10:00:10.500Z")) / 1000)
    const window = await logs({ since: `${seconds}s` })
    expect(window.text).toBe(logLines.filter((l) => l >= "2026-01-15T10:00:12").join("\n"))
    const fromTime = await logs({ since_time: "2026-01-15T10:00:08Z" })
    expect(fromTime.text).toBe(logLines.filter((l) => l >= "2026-01-15T10:00:08").join("\n"))
  })

  it("limit_bytes cuts the log on the server", async () => {
    const r = await logs({ limit_bytes: 100 })
    expect(r.text).toBe(info.workload.logText.slice(0, 100))
  })

  it("timestamps and previous", async () => {
    const stamped = await logs({ timestamps: true, tail_lines: 1 })
    expect(stamped.text).toBe(`2026-01-15T10:00:15.000000000Z ${logLines.at(-1)}`)
    const previous = await logs({ previous: true })
    expect(previous.text).toBe(info.workload.previousLogText.trimEnd())
  })

  it("a multi-container pod without container: InvalidInput naming the containers; all_containers reads each", async () => {
    const r = await logs({ name: "multi" })
    expect(r.error?.type).toBe("InvalidInput")
    expect(r.error?.message).toContain("app, side")
    expect(r.error?.details).toContain("all_containers")
    const all = await logs({ name: "multi", all_containers: true, grep: "health" })
    expect(all.text).toBe(["app", "side"].map((c) => `[${c}] ${logLines.at(-1)}`).join("\n"))
    const side = await logs({ name: "multi", container: "side", tail_lines: 1 })
    expect(side.text).toBe(logLines.at(-1))
  })

  it("structured failures: invalid regex, unknown container, both since and since_time, NotFound, Forbidden", async () => {
    const badRegex = await logs({ grep: "(unclosed" })
    expect(badRegex.error?.type).toBe("InvalidInput")
    expect(badRegex.error?.message).toContain("grep")
    const badContainer = await logs({ container: "nope" })
    expect(badContainer.error?.type).toBe("InvalidInput")
    expect(badContainer.error?.message).toContain("app")
    expect((await logs({ since: "5m", since_time: "2026-01-15T10:00:08Z" })).error?.type).toBe("InvalidInput")
    expect((await logs({ since: "yesterday" })).error?.type).toBe("InvalidInput")
    expect((await logs({ name: "nope" })).error?.type).toBe("NotFound")
    const denied = await call(server.client, "pods_logs", { context: "restricted", namespace: "default", name: "web" })
    expect(denied.error?.type).toBe("Forbidden")
  })
})

describe("pods_exec", () => {
  it("returns stdout, stderr and a non-zero exit code", async () => {
    const r = await call(server.client, "pods_exec", {
      context: "dev-cluster",
      namespace: ns,
      name: "web",
      command: ["sh", "-c", "echo out; echo err >&2; exit 3"]
    })
    expect(r.isError).toBe(false)
    expect(r.structured).toMatchObject({ exit_code: 3, container: "app", stdout_bytes: 4, stderr_bytes: 4 })
    expect(r.text).toContain("--- stdout (4 bytes) ---\nout\n")
    expect(r.text).toContain("--- stderr (4 bytes) ---\nerr\n")
    expect(r.text).toContain("exit code 3")
  })

  it("exit code 0 and the default container of a multi-container pod is named", async () => {
    const r = await call(server.client, "pods_exec", { context: "dev-cluster", namespace: ns, name: "multi", command: ["echo", "hello"] })
    expect(r.structured).toMatchObject({ exit_code: 0, container: "app" })
    expect(String(r.structured?.["defaulted"])).toContain("app, side")
    expect(r.text).toContain("hello")
  })

  it("Timeout closes the connection", async () => {
    const t0 = Date.now()
    const r = await call(server.client, "pods_exec", { context: "dev-cluster", namespace: ns, name: "web", command: ["sleep", "20"], timeout: 2 })
    expect(r.error?.type).toBe("Timeout")
    expect(Date.now() - t0).toBeLessThan(10_000)
  })

  it("structured failures: NotFound, InvalidInput (empty command, unknown container), Forbidden", async () => {
    const base = { context: "dev-cluster", namespace: ns }
    expect((await call(server.client, "pods_exec", { ...base, name: "nope", command: ["true"] })).error?.type).toBe("NotFound")
    expect((await call(server.client, "pods_exec", { ...base, name: "web", command: [] })).error?.type).toBe("InvalidInput")
    expect((await call(server.client, "pods_exec", { ...base, name: "web", command: ["true"], timeout: 301 })).error?.type).toBe("InvalidInput")
    expect((await call(server.client, "pods_exec", { ...base, name: "web", container: "x", command: ["true"] })).error?.type).toBe("InvalidInput")
    const pending = await call(server.client, "pods_exec", { context: "prod-cluster", namespace: ns, name: "crashy", command: ["true"] })
    expect(pending.error).toMatchObject({ type: "Invalid", cluster: "prod-cluster" })
    expect(pending.error?.message).toContain("not scheduled")
    const denied = await call(server.client, "pods_exec", { context: "restricted", namespace: "default", name: "web", command: ["true"] })
    expect(denied.error?.type).toBe("Forbidden")
  })

  it("Forbidden when the WebSocket upgrade is refused (a user who may read pods but not exec)", async () => {
    const sa = await mintServiceAccountToken(info, "dev", { namespace: ns, name: "viewer", bind: { clusterRole: "view", scope: "namespace" } })
    const kubeconfig = writeTemp("viewer.kubeconfig", JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "dev", cluster: { server: sa.server, "certificate-authority-data": sa.caData } }],
      users: [{ name: "viewer", user: { token: sa.token } }],
      contexts: [{ name: "viewer", context: { cluster: "dev", user: "viewer", namespace: ns } }],
      "current-context": "viewer"
    }))
    const viewer = await startStdio({ kubeconfig })
    try {
      // the viewer may read the pod, so the refusal comes from the exec upgrade itself
      expect((await call(viewer.client, "pods_get", { name: "web" })).isError).toBe(false)
      const r = await call(viewer.client, "pods_exec", { name: "web", command: ["true"] })
      expect(r.error).toMatchObject({ type: "Forbidden", verb: "create", resource: "pods/exec" })
    } finally {
      await viewer.close()
    }
  })

  it("exec of a completed pod is refused before connecting", async () => {
    await dev.replaceNamespacedPodStatus({
      name: "done",
      namespace: ns,
      body: { ...(await dev.readNamespacedPod({ name: "done", namespace: ns })), status: { phase: "Succeeded" } }
    })
    expect((await dev.readNamespacedPod({ name: "done", namespace: ns })).status?.phase).toBe("Succeeded")
    const r = await call(server.client, "pods_exec", { context: "dev-cluster", namespace: ns, name: "done", command: ["true"] })
    expect(r.error?.type).toBe("Invalid")
  })
})

describe("pods_top", () => {
  it("returns cpu and memory from metrics.k8s.io, sorted on request", async () => {
    await waitForMetrics(info, { podNamespace: ns })
    await waitUntil(async () => {
      const rows = rowsOf(await call(server.client, "pods_top", { context: "dev-cluster", namespace: ns }))
      return rows.some((r) => r["name"] === "web") && rows.some((r) => r["name"] === "multi")
    }, "metrics of web and multi", 60_000)
    const r = await call(server.client, "pods_top", { context: "dev-cluster", namespace: ns, sort_by: "memory" })
    expect(r.structured?.["columns"]).toEqual(["name", "cpu", "memory"])
    const rows = rowsOf(r)
    const web = rows.find((row) => row["name"] === "web")
    expect(web?.["memory"]).toBe("64Mi")
    expect(web?.["cpu"]).toMatch(/^\d+m$/)
    expect(Number(web?.["cpu"]?.slice(0, -1))).toBeGreaterThan(150)
    expect(rows.find((row) => row["name"] === "multi")?.["memory"]).toBe("200Mi")
    expect(rows[0]?.["name"]).toBe("multi")
    const one = rowsOf(await call(server.client, "pods_top", { context: "dev-cluster", namespace: ns, name: "web" }))
    expect(one).toEqual([expect.objectContaining({ name: "web", memory: "64Mi" })])
    const all = await call(server.client, "pods_top", { context: "dev-cluster", all_namespaces: true, label_selector: "suite=kmcp-pods" })
    expect(all.structured?.["columns"]).toEqual(["namespace", "name", "cpu", "memory"])
    expect(rowsOf(all).some((row) => row["namespace"] === ns && row["name"] === "web")).toBe(true)
  }, 150_000)

  it("MetricsUnavailable on a cluster without metrics.k8s.io", async () => {
    const r = await call(server.client, "pods_top", { context: "prod-cluster", namespace: ns })
    expect(r.error).toMatchObject({ type: "MetricsUnavailable", cluster: "prod-cluster", tool: "pods_top" })
    const named = await call(server.client, "pods_top", { context: "prod-cluster", namespace: ns, name: "crashy" })
    expect(named.error?.type).toBe("MetricsUnavailable")
  })

  it("NotFound for a pod that does not exist; Forbidden for the restricted user", async () => {
    expect((await call(server.client, "pods_top", { context: "dev-cluster", namespace: ns, name: "nope" })).error?.type).toBe("NotFound")
    expect((await call(server.client, "pods_top", { context: "restricted", namespace: "default" })).error?.type).toBe("Forbidden")
  })
})

describe("pods_delete", () => {
  it("dry_run leaves the pod; a real delete reports deleted and the resourceVersion", async () => {
    const dry = await call(server.client, "pods_delete", { context: "dev-cluster", namespace: ns, name: "doomed", dry_run: true })
    expect(dry.isError).toBe(false)
    expect(dry.structured).toMatchObject({ result: "deleted (dry run)", name: "doomed", namespace: ns })
    expect((await dev.readNamespacedPod({ name: "doomed", namespace: ns })).metadata?.deletionTimestamp).toBeUndefined()
    const r = await call(server.client, "pods_delete", { context: "dev-cluster", namespace: ns, name: "doomed", grace_period_seconds: 0 })
    expect(r.structured).toMatchObject({ result: "deleted", name: "doomed" })
    // the API server answers with the pod (its last resourceVersion) or, when it removed it at once, with a
    // Status that carries none; which one depends on whether kwok already acknowledged the pod (timing)
    const rv = r.structured?.["resource_version"]
    if (rv !== undefined) expect(rv).toMatch(/^\d+$/)
    await waitUntil(async () => (await dev.listNamespacedPod({ namespace: ns, fieldSelector: "metadata.name=doomed" })).items.length === 0, "doomed to go")
  })

  it("a pod held by a finalizer is reported as terminating", async () => {
    await create(dev, ns, { ...devPod("held2", ["app"]), metadata: { name: "held2", finalizers: [HOLD] } })
    const r = await call(server.client, "pods_delete", { context: "dev-cluster", namespace: ns, name: "held2" })
    expect(r.structured).toMatchObject({ result: "deleted" })
    expect(String(r.structured?.["terminating"])).toMatch(/within 30s|finalizers/)
  })

  it("NotFound, Forbidden, and annotations mark it destructive", async () => {
    expect((await call(server.client, "pods_delete", { context: "dev-cluster", namespace: ns, name: "nope" })).error?.type).toBe("NotFound")
    const denied = await call(server.client, "pods_delete", { context: "restricted", namespace: "team-a", name: "anything" })
    expect(denied.error).toMatchObject({ type: "Forbidden", cluster: "restricted" })
    const tools = await server.client.listTools()
    const del = tools.tools.find((t) => t.name === "pods_delete")
    expect(del?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false })
    expect(tools.tools.find((t) => t.name === "pods_exec")?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false })
  })
})
