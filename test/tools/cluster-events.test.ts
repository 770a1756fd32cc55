/** events_list through the MCP client: events written with known times and counts, then filtered, folded, ordered. */
import { CoreV1Api, type CoreV1Event, V1MicroTime } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, rowsOf, type StdioServer, startStdio } from "../support/mcp.js"

const info = clusterInfo()
const dev = adminKubeConfig(info, "dev").makeApiClient(CoreV1Api)
const namespace = `kmcp-ev-events-${Math.random().toString(36).slice(2, 8)}`
const now = Date.now()
const ago = (seconds: number) => new Date(now - seconds * 1000)
const LONG = `volume mount failed: ${"x".repeat(1000)}`

interface Fixture {
  name: string
  kind: string
  object: string
  type: "Normal" | "Warning"
  reason: string
  message: string
  count: number
  lastAgo: number
}

/** Two BackOff records for web-1 with the same message fold into one row (count 5 + 3). */
const FIXTURES: ReadonlyArray<Fixture> = [
  { name: "backoff-a", kind: "Pod", object: "web-1", type: "Warning", reason: "BackOff", message: "Back-off restarting failed container app", count: 5, lastAgo: 60 },
  { name: "backoff-b", kind: "Pod", object: "web-1", type: "Warning", reason: "BackOff", message: "Back-off restarting failed container app", count: 3, lastAgo: 30 },
  { name: "pulled", kind: "Pod", object: "web-1", type: "Normal", reason: "Pulled", message: "Container image \"nginx\" already present on machine", count: 1, lastAgo: 7200 },
  { name: "scaled", kind: "Deployment", object: "web", type: "Normal", reason: "ScalingReplicaSet", message: "Scaled up replica set web-abc to 3", count: 1, lastAgo: 600 },
  { name: "mount", kind: "Pod", object: "db-0", type: "Warning", reason: "FailedMount", message: LONG, count: 2, lastAgo: 300 }
]

const body = (f: Fixture): CoreV1Event => ({
  metadata: { name: f.name, namespace },
  involvedObject: { kind: f.kind, name: f.object, namespace, apiVersion: f.kind === "Pod" ? "v1" : "apps/v1" },
  type: f.type,
  reason: f.reason,
  message: f.message,
  count: f.count,
  firstTimestamp: ago(f.lastAgo + 3600),
  lastTimestamp: ago(f.lastAgo),
  source: { component: "kmcp-test" }
})

/** An event written the events.k8s.io way: eventTime + series, no lastTimestamp (null in core v1). */
const seriesEvent: CoreV1Event = {
  metadata: { name: "started-series", namespace },
  involvedObject: { kind: "Pod", name: "db-0", namespace, apiVersion: "v1" },
  type: "Normal",
  reason: "Started",
  message: "Started container db",
  eventTime: new V1MicroTime(ago(3600).getTime()),
  series: { count: 4, lastObservedTime: new V1MicroTime(ago(10).getTime()) },
  reportingComponent: "kmcp-test",
  reportingInstance: "kmcp-test-1",
  action: "Start"
}

let server: StdioServer

beforeAll(async () => {
  await dev.createNamespace({ body: { metadata: { name: namespace } } })
  for (const f of FIXTURES) await dev.createNamespacedEvent({ namespace, body: body(f) })
  await dev.createNamespacedEvent({ namespace, body: seriesEvent })
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  await dev.deleteNamespace({ name: namespace }).catch(() => undefined)
})

const list = async (args: Record<string, unknown>) => {
  const r = await call(server.client, "events_list", { context: "dev-cluster", namespace, ...args })
  expect(r.isError, r.text).toBe(false)
  return { r, rows: rowsOf(r) }
}

const key = (row: Record<string, string>) => `${row["object"]} ${row["reason"]}`

describe("events_list", () => {
  it("lists newest first with repeats folded", async () => {
    const { r, rows } = await list({})
    expect(r.structured?.["columns"]).toEqual(["last seen", "type", "reason", "object", "count", "message"])
    expect(rows.map(key)).toEqual([
      "Pod/db-0 Started",
      "Pod/web-1 BackOff",
      "Pod/db-0 FailedMount",
      "Deployment/web ScalingReplicaSet",
      "Pod/web-1 Pulled"
    ])
    const backoff = rows[1]
    expect(backoff?.["count"]).toBe("8")
    expect(backoff?.["type"]).toBe("Warning")
    // the latest of the two records: 30 s ago, not 60
    expect(backoff?.["last seen"]).toMatch(/^(2\d|3\d|4\d)s$/)
    expect(rows[0]?.["count"]).toBe("4")
    expect(rows[4]?.["last seen"]).toMatch(/^(2h|12[01]m)$/)
    expect(r.text).toContain("6 event(s)")
    expect(r.text).toContain("5 after folding")
  })

  it("cuts very long messages with an ellipsis", async () => {
    const { rows } = await list({ involved_name: "db-0", type: "Warning" })
    const message = rows[0]?.["message"] ?? ""
    expect(message.length).toBeLessThanOrEqual(300)
    expect(message.endsWith("…")).toBe(true)
    expect(message.startsWith("volume mount failed: xxx")).toBe(true)
  })

  it("filters by type", async () => {
    const { rows } = await list({ type: "Warning" })
    expect(rows.map(key)).toEqual(["Pod/web-1 BackOff", "Pod/db-0 FailedMount"])
    expect(rows.every((row) => row["type"] === "Warning")).toBe(true)
  })

  it("filters by involved kind and name", async () => {
    expect((await list({ involved_kind: "Deployment" })).rows.map(key)).toEqual(["Deployment/web ScalingReplicaSet"])
    expect((await list({ involved_name: "db-0" })).rows.map(key)).toEqual(["Pod/db-0 Started", "Pod/db-0 FailedMount"])
    expect((await list({ involved_kind: "Pod", involved_name: "web-1" })).rows.map(key)).toEqual(["Pod/web-1 BackOff", "Pod/web-1 Pulled"])
    // a value is escaped, so it cannot add selector terms
    expect((await list({ involved_name: "web-1,type=Normal" })).rows).toEqual([])
  })

  it("filters by since", async () => {
    const { rows } = await list({ since: "15m" })
    expect(rows.map(key)).toEqual(["Pod/db-0 Started", "Pod/web-1 BackOff", "Pod/db-0 FailedMount", "Deployment/web ScalingReplicaSet"])
    expect((await list({ since: "2m" })).rows.map(key)).toEqual(["Pod/db-0 Started", "Pod/web-1 BackOff"])
  })

  it("keeps the newest rows with limit", async () => {
    const { r, rows } = await list({ limit: 2 })
    expect(rows.map(key)).toEqual(["Pod/db-0 Started", "Pod/web-1 BackOff"])
    expect(r.text).toContain("showing the newest 2")
  })

  it("adds a namespace column across all namespaces", async () => {
    const r = await call(server.client, "events_list", { context: "dev-cluster", all_namespaces: true, involved_name: "web-1", type: "Warning" })
    expect(r.isError, r.text).toBe(false)
    expect(r.structured?.["columns"]).toEqual(["namespace", "last seen", "type", "reason", "object", "count", "message"])
    const mine = rowsOf(r).filter((row) => row["namespace"] === namespace)
    expect(mine.map(key)).toEqual(["Pod/web-1 BackOff"])
  })

  it("uses the context's namespace when none is given", async () => {
    // restricted's namespace is team-a, where it may list events
    const r = await call(server.client, "events_list", { context: "restricted" })
    expect(r.isError, r.text).toBe(false)
    expect(r.text).toContain(`namespace "team-a"`)
    // an empty namespace is the same as none (it used to request /api/v1/namespaces//events)
    const empty = await call(server.client, "events_list", { context: "restricted", namespace: "" })
    expect(empty.isError, empty.text).toBe(false)
    expect(empty.text).toContain(`namespace "team-a"`)
  })

  it("reports Forbidden where the user may not list events", async () => {
    const r = await call(server.client, "events_list", { context: "restricted", namespace: "default" })
    expect(r.isError).toBe(true)
    expect(r.error?.type).toBe("Forbidden")
    expect(r.error?.cluster).toBe("restricted")
  })

  it("rejects a malformed since and namespace with all_namespaces", async () => {
    const bad = await call(server.client, "events_list", { context: "dev-cluster", since: "yesterday" })
    expect(bad.error?.type).toBe("InvalidInput")
    expect(JSON.stringify(bad.error?.["issues"])).toContain("since")
    const both = await call(server.client, "events_list", { context: "dev-cluster", namespace, all_namespaces: true })
    expect(both.error?.type).toBe("InvalidInput")
    const type = await call(server.client, "events_list", { context: "dev-cluster", type: "Error" })
    expect(type.error?.type).toBe("InvalidInput")
  })
})
