// The workload tier on dev-cluster: kube-controller-manager + kube-scheduler + kwok turn a Deployment into
// Running pods on a fake node; pods/log and pods/exec go through the real apiserver to kwok.
import { Writable } from "node:stream"
import { AppsV1Api, CoreV1Api, Exec, Metrics, type V1Pod, type V1Status } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { adminKubeConfig, kubeConfigFor, statusOf, waitForMetrics } from "./harness.js"
import { sleep } from "./proc.js"

const info = inject("cluster")
const kc = adminKubeConfig(info, "dev")
const core = kc.makeApiClient(CoreV1Api)
const apps = kc.makeApiClient(AppsV1Api)
const namespace = `workload-${process.pid}-${Date.now() % 100_000}`
const replicas = 3

const runningPods = async (): Promise<V1Pod[]> =>
  (await core.listNamespacedPod({ namespace, labelSelector: "app=demo" })).items.filter((p) => p.status?.phase === "Running")

let pods: V1Pod[] = []

beforeAll(async () => {
  await core.createNamespace({ body: { metadata: { name: namespace } } })
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "demo" },
      spec: {
        replicas,
        selector: { matchLabels: { app: "demo" } },
        template: {
          metadata: { labels: { app: "demo" }, annotations: { "kwok.x-k8s.io/usage-cpu": "250m", "kwok.x-k8s.io/usage-memory": "64Mi" } },
          spec: { containers: [{ name: "app", image: "registry.example/demo:1.0" }] }
        }
      }
    }
  })
  const deadline = Date.now() + 45_000
  while ((pods = await runningPods()).length < replicas) {
    if (Date.now() > deadline) throw new Error(`only ${pods.length}/${replicas} pods Running after 45 s in ${namespace}`)
    await sleep(250)
  }
})

afterAll(async () => {
  // The namespace controller (kube-controller-manager) finalizes the deletion.
  await core.deleteNamespace({ name: namespace })
})

const firstPod = (): { name: string; container: string } => {
  const pod = pods[0]
  const name = pod?.metadata?.name
  const container = pod?.spec?.containers[0]?.name
  if (name === undefined || container === undefined) throw new Error("no running pod")
  return { name, container }
}

/** Collects a stream's output as text. */
class Collect extends Writable {
  text = ""
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.text += chunk.toString("utf8")
    done()
  }
}

/** Runs a command through pods/exec (WebSocket) and resolves with stdout, stderr and the final v1.Status. */
const exec = (pod: string, container: string, command: string[]): Promise<{ stdout: string; stderr: string; status: V1Status }> =>
  new Promise((resolve, reject) => {
    const stdout = new Collect()
    const stderr = new Collect()
    const timer = setTimeout(() => reject(new Error(`exec ${command.join(" ")} did not finish in 20 s`)), 20_000)
    new Exec(kc)
      .exec(namespace, pod, container, command, stdout, stderr, null, false, (status) => {
        clearTimeout(timer)
        // The status frame can arrive before the last output frame is flushed into the streams.
        setTimeout(() => resolve({ stdout: stdout.text, stderr: stderr.text, status }), 50)
      })
      .catch((e: unknown) => {
        clearTimeout(timer)
        reject(e instanceof Error ? e : new Error(String(e)))
      })
  })

describe("workload tier", () => {
  it("runs a Deployment's pods on the kwok node", async () => {
    expect(pods).toHaveLength(replicas)
    for (const p of pods) {
      expect(p.spec?.nodeName).toBe(info.workload.kwokNode)
      expect(p.status?.podIP).toMatch(/^10\.244\./)
      expect(p.status?.containerStatuses?.[0]?.ready).toBe(true)
    }
    const d = await apps.readNamespacedDeployment({ name: "demo", namespace })
    expect(d.status?.readyReplicas).toBe(replicas)
    const node = await core.readNode({ name: info.workload.kwokNode })
    // The apiserver canonicalizes the quantity "1000" the harness set to "1k".
    expect(node.status?.allocatable?.pods).toBe("1k")
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True")
  })

  it("serves the configured log text through pods/log", async () => {
    const { name, container } = firstPod()
    const text = await core.readNamespacedPodLog({ name, namespace, container })
    expect(text).toBe(info.workload.logText)
    expect(text).toContain("INFO starting")
    expect(text).toContain("ERROR failed")
    const tail = await core.readNamespacedPodLog({ name, namespace, container, tailLines: 2 })
    expect(tail).toBe(info.workload.logText.trimEnd().split("\n").slice(-2).join("\n") + "\n")
    const previous = await core.readNamespacedPodLog({ name, namespace, container, previous: true })
    expect(previous).toBe(info.workload.previousLogText)
  })

  it("runs pods/exec commands and reports success", async () => {
    const { name, container } = firstPod()
    const r = await exec(name, container, ["sh", "-c", "echo hello-from-exec; pwd; echo to-stderr >&2"])
    expect(r.stdout).toBe(`hello-from-exec\n${info.workload.execWorkDir}\n`)
    expect(r.stderr).toBe("to-stderr\n")
    expect(r.status.status).toBe("Success")
  })

  it("reports a non-zero exit code like a kubelet (NonZeroExitCode + ExitCode cause)", async () => {
    const { name, container } = firstPod()
    const r = await exec(name, container, ["sh", "-c", "echo partial; exit 7"])
    expect(r.stdout).toBe("partial\n")
    expect(r.status.status).toBe("Failure")
    expect(r.status.reason).toBe("NonZeroExitCode")
    expect(r.status.details?.causes?.find((c) => c.reason === "ExitCode")?.message).toBe("7")
  })

  it("refuses pods/log to the restricted user (its Role has no pods/log)", async () => {
    const restricted = kubeConfigFor(info, "restricted").makeApiClient(CoreV1Api)
    const pod = (await restricted.listNamespacedPod({ namespace: "team-a" })).items
    expect(Array.isArray(pod)).toBe(true)
    let status: number | undefined
    try {
      await restricted.readNamespacedPodLog({ name: "any", namespace: "team-a" })
    } catch (e) {
      status = statusOf(e)
    }
    expect(status).toBe(403)
  })

  it.runIf(info.workload.metrics)("serves metrics.k8s.io for the pods and the kwok node", { timeout: 120_000 }, async () => {
    await waitForMetrics(info, { podNamespace: namespace, timeoutMs: 100_000 })
    const m = new Metrics(kc)
    const podMetrics = await m.getPodMetrics(namespace)
    expect(podMetrics.items.map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata?.name).sort())
    // The usage comes from the pod annotations via kwok's ClusterResourceUsage.
    const usage = podMetrics.items[0]?.containers[0]?.usage
    expect(usage?.memory).toBe("64Mi")
    expect(usage?.cpu).toMatch(/^\d+(n|u|m)?$/)
    const nodes = await m.getNodeMetrics()
    expect(nodes.items.map((n) => n.metadata.name)).toContain(info.workload.kwokNode)
  })
})
