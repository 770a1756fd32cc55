/**
 * The READY / STATUS / RESTARTS columns exactly as kubectl computes them (printPod in
 * k8s.io/kubernetes pkg/printers/internalversion/printers.go), so an agent sees "CrashLoopBackOff",
 * "Init:0/1" or "Terminating" where the phase alone would say Running or Pending.
 */
import { age } from "../../kube/meta.js"
import type { Container, Pod } from "./schema.js"

export interface PodStatusColumns {
  /** "ready/total" */
  readonly ready: string
  readonly status: string
  /** "3" or "3 (5m ago)" when the last restart time is known */
  readonly restarts: string
}

const isSidecar = (c: Container | undefined): boolean => c?.restartPolicy === "Always"

const conditionTrue = (pod: Pod, type: string): boolean =>
  (pod.status?.conditions ?? []).some((c) => c.type === type && c.status === "True")

const later = (a: string | undefined, b: string | undefined): string | undefined => {
  if (a === undefined) return b
  if (b === undefined) return a
  return Date.parse(b) > Date.parse(a) ? b : a
}

export const podStatus = (pod: Pod, now: number = Date.now()): PodStatusColumns => {
  const spec = pod.spec
  const status = pod.status
  const initSpecs = new Map((spec?.initContainers ?? []).map((c) => [c.name, c]))
  const total = (spec?.containers ?? []).length + [...initSpecs.values()].filter(isSidecar).length
  let readyCount = 0
  let restarts = 0
  let sidecarRestarts = 0
  let lastRestart: string | undefined
  let lastSidecarRestart: string | undefined

  const phase = status?.phase ?? ""
  let reason = status?.reason !== undefined && status.reason !== "" ? status.reason : phase
  if ((status?.conditions ?? []).some((c) => c.type === "PodScheduled" && c.reason === "SchedulingGated")) {
    reason = "SchedulingGated"
  }

  let initializing = false
  const initStatuses = status?.initContainerStatuses ?? []
  const initCount = (spec?.initContainers ?? []).length
  for (const [i, c] of initStatuses.entries()) {
    restarts += c.restartCount ?? 0
    const finished = c.lastState?.terminated?.finishedAt
    lastRestart = later(lastRestart, finished)
    const sidecar = isSidecar(initSpecs.get(c.name))
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0
      lastSidecarRestart = later(lastSidecarRestart, finished)
    }
    const terminated = c.state?.terminated
    const waiting = c.state?.waiting
    if (terminated !== undefined && terminated.exitCode === 0) continue
    if (sidecar && c.started === true) {
      if (c.ready === true) readyCount++
      continue
    }
    if (terminated !== undefined) {
      reason = terminated.reason !== undefined && terminated.reason !== ""
        ? `Init:${terminated.reason}`
        : terminated.signal !== undefined && terminated.signal !== 0
        ? `Init:Signal:${terminated.signal}`
        : `Init:ExitCode:${terminated.exitCode ?? 0}`
    } else if (waiting?.reason !== undefined && waiting.reason !== "" && waiting.reason !== "PodInitializing") {
      reason = `Init:${waiting.reason}`
    } else {
      reason = `Init:${i}/${initCount}`
    }
    initializing = true
    break
  }

  if (!initializing || conditionTrue(pod, "Initialized")) {
    restarts = sidecarRestarts
    lastRestart = lastSidecarRestart
    let hasRunning = false
    const statuses = status?.containerStatuses ?? []
    // kubectl walks them backwards, so the first container's reason wins
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]
      if (c === undefined) continue
      restarts += c.restartCount ?? 0
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt)
      const waiting = c.state?.waiting
      const terminated = c.state?.terminated
      if (waiting?.reason !== undefined && waiting.reason !== "") {
        reason = waiting.reason
      } else if (terminated !== undefined && terminated.reason !== undefined && terminated.reason !== "") {
        reason = terminated.reason
      } else if (terminated !== undefined) {
        reason = terminated.signal !== undefined && terminated.signal !== 0
          ? `Signal:${terminated.signal}`
          : `ExitCode:${terminated.exitCode ?? 0}`
      } else if (c.ready === true && c.state?.running !== undefined) {
        hasRunning = true
        readyCount++
      }
    }
    // a pod whose first container completed while another still runs is not "Completed"
    if (reason === "Completed" && hasRunning) {
      reason = (status?.conditions ?? []).some((c) => c.type === "Ready") ? "Running" : "NotReady"
    }
  }

  if (pod.metadata.deletionTimestamp !== undefined && status?.reason === "NodeLost") {
    reason = "Unknown"
  } else if (pod.metadata.deletionTimestamp !== undefined && phase !== "Succeeded" && phase !== "Failed") {
    reason = "Terminating"
  }

  return {
    ready: `${readyCount}/${total}`,
    status: reason,
    restarts: restarts !== 0 && lastRestart !== undefined ? `${restarts} (${age(lastRestart, now)} ago)` : String(restarts)
  }
}
