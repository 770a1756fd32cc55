/**
 * How a pod's state reads. The READY / STATUS / RESTARTS columns exactly as kubectl computes them (printPod in
 * k8s.io/kubernetes pkg/printers/internalversion/printers.go), so an agent sees "CrashLoopBackOff",
 * "Init:0/1" or "Terminating" where the phase alone would say Running or Pending; the row of
 * `kubectl get pods -o wide`; and the summary pods_get shows. `now` is the caller's Clock time.
 */
import { countOf, type Event, lastSeen } from "./events.js"
import { age } from "./meta.js"
import type { Container, ContainerState, ContainerStatus, Pod } from "./pods.js"

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

export const podStatus = (pod: Pod, now: number): PodStatusColumns => {
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

/** A pod as `kubectl get pods -o wide` shows it. */
export interface PodRow extends PodStatusColumns {
  readonly namespace: string
  readonly name: string
  readonly age: string
  readonly node: string
  readonly ip: string
}

export const podRow = (pod: Pod, now: number): PodRow => ({
  namespace: pod.metadata.namespace ?? "",
  name: pod.metadata.name,
  ...podStatus(pod, now),
  age: age(pod.metadata.creationTimestamp, now),
  node: pod.spec?.nodeName ?? "<none>",
  ip: pod.status?.podIP ?? "<none>"
})

// ---- the summary of one pod ----

/** Only the set fields, so the summary stays short. */
const compact = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""))

const stateOf = (s: ContainerState | undefined): Record<string, unknown> | undefined => {
  if (s?.running !== undefined) return compact({ state: "running", started_at: s.running.startedAt })
  if (s?.waiting !== undefined) return compact({ state: "waiting", reason: s.waiting.reason, message: s.waiting.message })
  if (s?.terminated !== undefined) {
    const t = s.terminated
    return compact({
      state: "terminated",
      reason: t.reason,
      exit_code: t.exitCode,
      signal: t.signal !== 0 ? t.signal : undefined,
      message: t.message,
      started_at: t.startedAt,
      finished_at: t.finishedAt
    })
  }
  return undefined
}

const containerSummary = (name: string, image: string | undefined, st: ContainerStatus | undefined) =>
  compact({
    name,
    image: st?.image ?? image,
    ready: st?.ready ?? false,
    restarts: st?.restartCount ?? 0,
    state: stateOf(st?.state) ?? "not started",
    last_state: stateOf(st?.lastState)
  })

const eventSummary = (e: Event, now: number) => {
  const count = countOf(e)
  return compact({
    last_seen: `${age(lastSeen(e), now)} ago`,
    type: e.type,
    reason: e.reason,
    message: e.message,
    count: count > 1 ? count : undefined
  })
}

/**
 * A pod's essentials as a person reads them: kubectl's status, conditions, each container's state and last
 * state, placement, owner, and the given events (newest first), or why they are not shown.
 */
export const podSummary = (
  pod: Pod,
  events: { readonly events: ReadonlyArray<Event>; readonly eventsHidden?: string },
  now: number
): Record<string, unknown> => {
  const s = podStatus(pod, now)
  const st = pod.status
  const owner = (pod.metadata.ownerReferences ?? []).find((o) => o.controller === true) ?? pod.metadata.ownerReferences?.[0]
  const ips = (st?.podIPs ?? []).map((i) => i.ip)
  const statusesBy = (list: ReadonlyArray<ContainerStatus> | undefined) => new Map((list ?? []).map((c) => [c.name, c]))
  const main = statusesBy(st?.containerStatuses)
  const init = statusesBy(st?.initContainerStatuses)
  const initContainers = pod.spec?.initContainers ?? []
  return compact({
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    status: s.status,
    phase: st?.phase,
    ready: s.ready,
    restarts: s.restarts,
    reason: st?.reason,
    message: st?.message,
    node: pod.spec?.nodeName ?? (st?.nominatedNodeName !== undefined ? `<none> (nominated ${st.nominatedNodeName})` : "<none>"),
    ip: st?.podIP,
    ips: ips.length > 1 ? ips : undefined,
    host_ip: st?.hostIP,
    qos: st?.qosClass,
    owner: owner !== undefined ? `${owner.kind}/${owner.name}` : undefined,
    age: age(pod.metadata.creationTimestamp, now),
    started_at: st?.startTime,
    deletion_requested_at: pod.metadata.deletionTimestamp,
    labels: pod.metadata.labels,
    conditions: (st?.conditions ?? []).map((c) =>
      compact({ type: c.type, status: c.status, reason: c.reason, message: c.message, since: c.lastTransitionTime })
    ),
    init_containers: initContainers.length > 0
      ? initContainers.map((c) => ({ ...containerSummary(c.name, c.image, init.get(c.name)), ...(c.restartPolicy === "Always" ? { sidecar: true } : {}) }))
      : undefined,
    containers: (pod.spec?.containers ?? []).map((c) => containerSummary(c.name, c.image, main.get(c.name))),
    events: events.eventsHidden !== undefined ? `not shown: ${events.eventsHidden}` : events.events.map((e) => eventSummary(e, now))
  })
}
