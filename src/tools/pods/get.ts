/** pods_get: a pod's essentials as a person reads them, or the whole object as yaml/json. */
import { Effect, Schema } from "effect"
import { selectorValue } from "../../kube/scope.js"
import { access, type KubeApi } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { countOf, type Event, EventList, eventsPath, lastSeen, newestFirst } from "../../kube/events.js"
import { age } from "../../kube/meta.js"
import { optionsOf, sanitizeObject } from "../../output/sanitize.js"
import { document, ObjectOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam, Output } from "../params.js"
import { podStatus } from "./podStatus.js"
import { type ContainerState, type ContainerStatus, namespaceOf, Pod, podPath } from "./schema.js"

/** Events shown in the summary: the newest few are what explains a pod's state. */
const MAX_EVENTS = 10

const AnyObject = Schema.Record(Schema.String, Schema.Unknown)

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

/** Recent events of this pod (this incarnation: matched by uid), newest first; a denial does not fail the get. */
/**
 * Selected by name, so the list can be fetched together with the pod; events of an earlier pod of the same
 * name are dropped by uid once the pod is known.
 */
const eventsNamed = (cluster: KubeApi, name: string, namespace: string) =>
  callJson(access({ verb: "list", resource: "events", namespace }),
    {
      path: eventsPath(namespace),
      query: { fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${selectorValue(name)}` }
    },
    EventList
  ).pipe(
    Effect.map((list) => list.items),
    Effect.catchTags({
      Forbidden: (e) => Effect.succeed(`not shown: ${e.message}`),
      ApiError: (e) => Effect.succeed(`not shown: ${e.message}`)
    })
  )

const recentEvents = (events: ReadonlyArray<Event> | string, pod: Pod, now: number): unknown =>
  typeof events === "string"
    ? events
    : events
      .filter((e) => pod.metadata.uid === undefined || e.involvedObject?.uid === undefined || e.involvedObject.uid === pod.metadata.uid)
      .sort(newestFirst)
      .slice(0, MAX_EVENTS)
      .map((e) => {
        const count = countOf(e)
        return compact({
          last_seen: `${age(lastSeen(e), now)} ago`,
          type: e.type,
          reason: e.reason,
          message: e.message,
          count: count > 1 ? count : undefined
        })
      })

export const summarize = (pod: Pod, events: unknown, now: number) => {
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
    events
  })
}

export const podsGet = clusterTool({
  name: "pods_get",
  description:
    "Show one pod. summary (default): status as kubectl shows it, phase, conditions, each container's image, readiness, restarts, state and last state (reason, exit code), node, IPs, owner, QoS class and the pod's most recent events (newest first). output yaml/json: the whole object (managedFields and the last-applied annotation removed).",
  params: Schema.Struct({
    name: Name.annotate({ description: "pod name" }),
    namespace: Schema.optionalKey(NamespaceParam),
    output: Schema.optionalKey(Output)
  }),
  output: ObjectOutput,
  annotations: { title: "Get a pod", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const namespace = namespaceOf(input.namespace, cluster.info.namespace)
      const check = access({ verb: "get", resource: "pods", namespace, name: input.name })
      const request = { path: podPath(namespace, input.name) }
      if (input.output === "yaml" || input.output === "json") {
        const obj = yield* callJson(check, request, AnyObject)
        return document(sanitizeObject(obj, optionsOf(cluster), "Pod"), input.output, "output summary")
      }
      // the pod and its events are independent requests: one round trip instead of two
      const [pod, events] = yield* Effect.all([callJson(check, request, Pod), eventsNamed(cluster, input.name, namespace)], {
        concurrency: 2
      })
      const now = Date.now()
      return document(summarize(pod, recentEvents(events, pod, now), now), "yaml", "output summary, or pods_logs / events_list for details")
    })
})
