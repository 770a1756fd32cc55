/**
 * pods_list reads the API server's Table (kubectl's printPod) instead of whole Pods. These tests hold it to the
 * same rows the object path computes (podRow over the full Pods the API server holds), for pods whose status
 * is written by hand on prod-cluster (no kubelet there, so it stays as written): a crash loop whose last
 * restart was hours ago, an init container waiting, a completed pod, a pod with a sidecar. And the age
 * column read back from the server's HumanDuration against `age`, second by second over every unit.
 */
import { CoreV1Api, type V1PodSpec, type V1PodStatus } from "@kubernetes/client-node"
import { Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { age, ageOfHumanDuration } from "../../src/kube/meta.js"
import { podRow } from "../../src/kube/podStatus.js"
import { Pod } from "../../src/kube/pods.js"
import { adminKubeConfig } from "../cluster/harness.js"
import { call, clusterInfo, retry, rowsOf, startStdio, type StdioServer } from "../support/mcp.js"

const info = clusterInfo()
const prod = adminKubeConfig(info, "prod").makeApiClient(CoreV1Api)
const ns = `kmcp-podtable-${Math.random().toString(36).slice(2, 8)}`
const ago = (ms: number): Date => new Date(Date.now() - ms)
const HOUR = 3_600_000

const STATUSES: Record<string, { spec: V1PodSpec; status: V1PodStatus }> = {
  crashy: {
    spec: { containers: [{ name: "app", image: "crash:1" }, { name: "side", image: "side:1" }] },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: "False" }],
      containerStatuses: [
        {
          name: "app",
          image: "crash:1",
          imageID: "",
          ready: false,
          restartCount: 12,
          state: { waiting: { reason: "CrashLoopBackOff" } },
          lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(2.5 * HOUR), startedAt: ago(3 * HOUR) } }
        },
        { name: "side", image: "side:1", imageID: "", ready: true, restartCount: 1, state: { running: { startedAt: ago(HOUR) } } }
      ]
    }
  },
  initting: {
    spec: { initContainers: [{ name: "migrate", image: "m:1" }], containers: [{ name: "app", image: "a:1" }] },
    status: {
      phase: "Pending",
      initContainerStatuses: [{ name: "migrate", image: "m:1", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff" } } }],
      containerStatuses: [{ name: "app", image: "a:1", imageID: "", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
    }
  },
  done: {
    spec: { restartPolicy: "Never", containers: [{ name: "app", image: "a:1" }] },
    status: {
      phase: "Succeeded",
      podIP: "10.9.8.7",
      containerStatuses: [{
        name: "app",
        image: "a:1",
        imageID: "",
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: "Completed", finishedAt: ago(60_000), startedAt: ago(120_000) } }
      }]
    }
  },
  sidecar: {
    spec: { initContainers: [{ name: "proxy", image: "p:1", restartPolicy: "Always" }], containers: [{ name: "app", image: "a:1" }] },
    status: {
      phase: "Running",
      initContainerStatuses: [{ name: "proxy", image: "p:1", imageID: "", ready: true, started: true, restartCount: 3, state: { running: { startedAt: ago(HOUR) } }, lastState: { terminated: { exitCode: 2, finishedAt: ago(7 * 60_000), startedAt: ago(HOUR) } } }],
      containerStatuses: [{ name: "app", image: "a:1", imageID: "", ready: true, restartCount: 0, state: { running: { startedAt: ago(HOUR) } } }]
    }
  }
}

let server: StdioServer

beforeAll(async () => {
  await prod.createNamespace({ body: { metadata: { name: ns } } })
  for (const [name, { spec, status }] of Object.entries(STATUSES)) {
    await retry(() => prod.createNamespacedPod({ namespace: ns, body: { metadata: { name, labels: { suite: "kmcp-podtable" } }, spec } }), `create ${name}`)
    await prod.replaceNamespacedPodStatus({ name, namespace: ns, body: { metadata: { name, namespace: ns }, spec, status } })
  }
  server = await startStdio()
})

afterAll(async () => {
  await server?.close()
  await prod.deleteNamespace({ name: ns }).catch(() => undefined)
})

/** The rows the object path gives: podRow over every field of the Pods as the API server holds them. */
const fromObjects = async (): Promise<Array<Record<string, string>>> => {
  const list = await prod.listNamespacedPod({ namespace: ns })
  const now = Date.now()
  return list.items.map((p) => podRow(Schema.decodeUnknownSync(Pod)(JSON.parse(JSON.stringify(p))), now)).map((r) => ({
    namespace: r.namespace,
    name: r.name,
    ready: r.ready,
    status: r.status,
    restarts: r.restarts,
    age: r.age,
    node: r.node,
    ip: r.ip
  }))
}

/** Ages of pods a few seconds old differ by the second between two reads. */
const seconds = (a: string | undefined): number => Number(/^(\d+)s$/.exec(a ?? "")?.[1] ?? Number.NaN)

describe("pods_list from the server-side Table", () => {
  it("gives the rows the full Pods give, in one namespace and across namespaces", async () => {
    const expected = await fromObjects()
    expect(expected.map((r) => r.status).sort()).toEqual(["Completed", "CrashLoopBackOff", "Init:ImagePullBackOff", "Running"])
    expect(expected.find((r) => r.name === "crashy")?.restarts).toBe("13 (2h ago)")
    expect(expected.find((r) => r.name === "sidecar")?.restarts).toBe("3 (7m ago)")
    for (const args of [{ namespace: ns }, { all_namespaces: true, field_selector: `metadata.namespace=${ns}` }]) {
      const r = await call(server.client, "pods_list", { context: "prod-cluster", ...args })
      const rows = rowsOf(r)
      expect(rows).toHaveLength(expected.length)
      for (const want of expected) {
        const got = rows.find((r) => r["name"] === want.name)
        const { age: gotAge, ...rest } = got ?? {}
        const { age: wantAge, namespace, ...wantRest } = want
        expect(rest).toEqual({ ...wantRest, ...("namespace" in rest ? { namespace } : {}) })
        expect(Math.abs(seconds(gotAge) - seconds(wantAge))).toBeLessThanOrEqual(2)
      }
    }
  })
})

/** apimachinery's duration.HumanDuration, the form of a Table's age cells (k8s.io/apimachinery/pkg/util/duration). */
const humanDuration = (s: number): string => {
  if (s < 0) return "0s"
  if (s < 120) return `${s}s`
  const minutes = Math.floor(s / 60)
  if (minutes < 10) return s % 60 === 0 ? `${minutes}m` : `${minutes}m${s % 60}s`
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(s / 3600)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 192) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`
  const years = Math.floor(hours / 24 / 365)
  if (hours < 24 * 365 * 8) return Math.floor(hours / 24) % 365 === 0 ? `${years}y` : `${years}y${Math.floor(hours / 24) % 365}d`
  return `${years}y`
}

describe("ageOfHumanDuration", () => {
  it("reads every HumanDuration back to what age gives for the same timestamp", () => {
    const now = Date.parse("2026-06-01T00:00:00Z")
    const samples = [0, 1, 59, 119, 120, 121, 599, 600, 601, 3599, 7199, 7200, 10_799, 10_800, 28_799, 28_800, 172_799, 172_800, 691_199, 691_200]
    for (let s = 0; s < 20 * 365 * 86_400; s = Math.floor(s * 1.07) + 37) samples.push(s)
    for (const s of samples) {
      expect({ s, age: ageOfHumanDuration(humanDuration(s)) }).toEqual({ s, age: age(new Date(now - s * 1000).toISOString(), now) })
    }
    expect(ageOfHumanDuration("<invalid>")).toBe("0s")
    expect(ageOfHumanDuration("<unknown>")).toBe("<unknown>")
  })
})
