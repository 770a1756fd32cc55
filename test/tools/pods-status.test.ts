/** podStatus against the cases of kubectl's printPod (no cluster needed: statuses a kubelet would write). */
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { podStatus } from "../../src/kube/podStatus.js"
import { Pod } from "../../src/kube/pods.js"

const now = Date.parse("2026-01-15T12:00:00Z")
const decode = Schema.decodeUnknownSync(Pod)

const pod = (spec: Record<string, unknown>, status: Record<string, unknown>, metadata: Record<string, unknown> = {}) =>
  decode({ metadata: { name: "p", ...metadata }, spec, status })

const one = { containers: [{ name: "app" }] }
const running = { name: "app", ready: true, restartCount: 0, state: { running: { startedAt: "2026-01-15T11:00:00Z" } } }

describe("podStatus (kubectl printPod)", () => {
  it("Running, ready n/m", () => {
    expect(podStatus(pod(one, { phase: "Running", containerStatuses: [running] }), now)).toEqual({ ready: "1/1", status: "Running", restarts: "0" })
  })

  it("Pending without container statuses shows the phase; ContainerCreating from the waiting reason", () => {
    expect(podStatus(pod(one, { phase: "Pending" }), now).status).toBe("Pending")
    const creating = pod(one, { phase: "Pending", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "ContainerCreating" } } }] })
    expect(podStatus(creating, now)).toEqual({ ready: "0/1", status: "ContainerCreating", restarts: "0" })
  })

  it("CrashLoopBackOff with restarts and the time of the last one", () => {
    const p = pod(one, {
      phase: "Running",
      containerStatuses: [{
        name: "app",
        ready: false,
        restartCount: 7,
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-01-15T11:55:00Z" } }
      }]
    })
    expect(podStatus(p, now)).toEqual({ ready: "0/1", status: "CrashLoopBackOff", restarts: "7 (5m ago)" })
  })

  it("Completed, Error, ExitCode:N and Signal:N from terminated containers", () => {
    const term = (t: Record<string, unknown>) => pod(one, { phase: "Succeeded", containerStatuses: [{ name: "app", ready: false, restartCount: 0, state: { terminated: t } }] })
    expect(podStatus(term({ exitCode: 0, reason: "Completed" }), now).status).toBe("Completed")
    expect(podStatus(term({ exitCode: 2, reason: "Error" }), now).status).toBe("Error")
    expect(podStatus(term({ exitCode: 2 }), now).status).toBe("ExitCode:2")
    expect(podStatus(term({ exitCode: 137, signal: 9 }), now).status).toBe("Signal:9")
  })

  it("a completed container next to a running one is Running (Ready condition) or NotReady", () => {
    const spec = { containers: [{ name: "a" }, { name: "b" }] }
    const statuses = [
      { name: "a", ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } },
      { ...running, name: "b" }
    ]
    expect(podStatus(pod(spec, { phase: "Running", conditions: [{ type: "Ready", status: "False" }], containerStatuses: statuses }), now))
      .toEqual({ ready: "1/2", status: "Running", restarts: "0" })
    expect(podStatus(pod(spec, { phase: "Running", containerStatuses: statuses }), now).status).toBe("NotReady")
  })

  it("init containers: Init:i/n, Init:<reason>, Init:ExitCode; sidecars count as containers", () => {
    const spec = { initContainers: [{ name: "i1" }, { name: "i2" }], containers: [{ name: "app" }] }
    const waitingApp = [{ name: "app", ready: false, restartCount: 0, state: { waiting: { reason: "PodInitializing" } } }]
    const done = { name: "i1", ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }
    expect(podStatus(pod(spec, {
      phase: "Pending",
      initContainerStatuses: [done, { name: "i2", ready: false, restartCount: 0, state: { running: {} } }],
      containerStatuses: waitingApp
    }), now).status).toBe("Init:1/2")
    expect(podStatus(pod(spec, {
      phase: "Pending",
      initContainerStatuses: [{ name: "i1", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } } }],
      containerStatuses: waitingApp
    }), now)).toMatchObject({ status: "Init:CrashLoopBackOff", restarts: "3" })
    expect(podStatus(pod(spec, {
      phase: "Failed",
      initContainerStatuses: [{ name: "i1", ready: false, restartCount: 0, state: { terminated: { exitCode: 3 } } }]
    }), now).status).toBe("Init:ExitCode:3")
    const sidecarSpec = { initContainers: [{ name: "proxy", restartPolicy: "Always" }], containers: [{ name: "app" }] }
    expect(podStatus(pod(sidecarSpec, {
      phase: "Running",
      conditions: [{ type: "Initialized", status: "True" }],
      initContainerStatuses: [{ name: "proxy", ready: true, started: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [running]
    }), now)).toEqual({ ready: "2/2", status: "Running", restarts: "1" })
  })

  it("Terminating while deleted, Unknown for a lost node, SchedulingGated, status.reason (Evicted)", () => {
    const deleting = { deletionTimestamp: "2026-01-15T11:59:00Z" }
    expect(podStatus(pod(one, { phase: "Running", containerStatuses: [running] }, deleting), now).status).toBe("Terminating")
    expect(podStatus(pod(one, { phase: "Succeeded" }, deleting), now).status).toBe("Succeeded")
    expect(podStatus(pod(one, { phase: "Running", reason: "NodeLost" }, deleting), now).status).toBe("Unknown")
    expect(podStatus(pod(one, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }), now).status)
      .toBe("SchedulingGated")
    expect(podStatus(pod(one, { phase: "Failed", reason: "Evicted" }), now).status).toBe("Evicted")
  })
})
