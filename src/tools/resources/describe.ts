/**
 * resources_describe: what a person reads in `kubectl describe`: the object's essentials, the chain of its
 * controllers (Pod → ReplicaSet → Deployment) and its events, newest first; then the rest of the object.
 * The parts that matter most come first, so a cut at the byte budget loses the long tail, not the events.
 */
import { Effect, Schema } from "effect"
import { access, type KubeApi } from "../../kube/Kube.js"
import { callJson } from "../../kube/call.js"
import { parseApiVersion, type ResourceInfo, resolveKind } from "../../kube/discovery.js"
import { countOf, EventList, eventsPath, lastSeen, newestFirst } from "../../kube/events.js"
import { age } from "../../kube/meta.js"
import { optionsOf, sanitizeObject } from "../../output/sanitize.js"
import { renderTable } from "../../output/budget.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"

import { metaOf, namespaceFor, objectRefFields, refOf, requireVerb, resolveInput, type OwnerReference } from "./common.js"
import { toYaml } from "./compare.js"
import { getObject, statusLines } from "./get.js"

const Params = Schema.Struct({
  ...objectRefFields
})

export interface EventRow {
  readonly type: string
  readonly reason: string
  readonly age: string
  readonly from: string
  readonly count: number
  readonly message: string
}

const MAX_EVENTS = 30

const DescribeOutput = Schema.Struct({
  kind: Schema.String,
  apiVersion: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  owners: Schema.Array(Schema.String).annotate({ description: "the controller chain, nearest first" }),
  conditions: Schema.optionalKey(Schema.Array(Schema.String)),
  events: Schema.Array(Schema.String).annotate({ description: "newest first" }),
  description: Schema.String.annotate({ description: "the whole description as a person reads it (kubectl describe)" })
})

/** Events about the object with this uid (core v1, field selector on involvedObject.uid), newest first. */
export const eventsFor = (cluster: KubeApi, uid: string, namespace: string | undefined) =>
  callJson(access({ verb: "list", resource: "events", namespace }),
    {
      path: eventsPath(namespace),
      query: { fieldSelector: `involvedObject.uid=${uid}` }
    },
    EventList
  ).pipe(
    Effect.map((list) => {
      const now = Date.now()
      // the server lists oldest first; reversed, a stable sort keeps the later of equal timestamps first
      return [...list.items]
        .reverse()
        .sort(newestFirst)
        .map((e): EventRow => ({
          type: e.type ?? "",
          reason: e.reason ?? "",
          age: age(lastSeen(e), now),
          from: e.source?.component ?? e.reportingComponent ?? "",
          count: countOf(e),
          message: (e.message ?? "").trim()
        }))
    })
  )

interface OwnerLink {
  readonly ref: string
  readonly note?: string
}

/** Follows controller references upwards; an owner that cannot be read ends the chain with a note. */
const ownerChain = (cluster: KubeApi, start: ReadonlyArray<OwnerReference> | undefined, namespace: string | undefined) =>
  Effect.gen(function*() {
    const chain: Array<OwnerLink> = []
    let refs = start ?? []
    const seen = new Set<string>()
    while (chain.length < 10) {
      const owner = refs.find((r) => r.controller === true) ?? refs[0]
      if (owner === undefined || (owner.uid !== undefined && seen.has(owner.uid))) break
      if (owner.uid !== undefined) seen.add(owner.uid)
      const next = yield* resolveKind({ ...parseApiVersion(owner.apiVersion), kind: owner.kind }).pipe(
        Effect.flatMap((info: ResourceInfo) =>
          getObject(cluster, info, owner.name, namespaceFor(info, cluster, namespace)).pipe(
            Effect.map((obj) => ({ link: { ref: refOf(info, owner.name) }, refs: metaOf(obj).ownerReferences ?? [] }))
          )
        ),
        Effect.catch((e) =>
          Effect.succeed({ link: { ref: `${owner.kind}/${owner.name}`, note: `${e._tag}: ${e.message}` }, refs: [] })
        )
      )
      chain.push(next.link)
      refs = next.refs
    }
    return chain
  })

const kv = (record: Readonly<Record<string, string>> | undefined): string =>
  record === undefined || Object.keys(record).length === 0
    ? "<none>"
    : Object.entries(record).map(([k, v]) => `${k}=${v.length > 120 ? `${v.slice(0, 117)}...` : v}`).join(`\n${" ".repeat(16)}`)

const field = (label: string, value: string) => `${`${label}:`.padEnd(16)}${value}`

export const resourcesDescribe = clusterTool({
  name: "resources_describe",
  description: "Describe one object of any kind as kubectl describe does: name, namespace, labels, annotations, age, " +
    "status conditions, its owner chain (e.g. Pod → ReplicaSet → Deployment) and its events (newest first, with counts), " +
    "then the rest of the object (spec/status, Secret values masked). Use it to find out why something is not working.",
  params: Params,
  output: DescribeOutput,
  annotations: { title: "Describe a resource", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const info = yield* resolveInput(cluster, input)
      yield* requireVerb(info, "get", "resources_describe")
      const namespace = namespaceFor(info, cluster, input.namespace)
      const obj = sanitizeObject(yield* getObject(cluster, info, input.name, namespace), optionsOf(cluster), info.kind)
      const m = metaOf(obj)
      const owners = yield* ownerChain(cluster, m.ownerReferences, namespace)
      const events = m.uid !== undefined
        ? yield* eventsFor(cluster, m.uid, namespace).pipe(
          Effect.map((rows) => ({ rows, note: undefined })),
          Effect.catch((e) => Effect.succeed({ rows: [], note: `not readable (${e._tag}: ${e.message})` }))
        )
        : { rows: [], note: undefined }
      const status = statusLines(obj)
      const { metadata: _meta, ...rest } = obj
      const lines = [
        field("Name", m.name ?? input.name),
        ...(m.namespace !== undefined ? [field("Namespace", m.namespace)] : []),
        field("Kind", `${info.kind} (${info.apiVersion})`),
        field("Created", m.creationTimestamp !== undefined ? `${m.creationTimestamp} (${age(m.creationTimestamp)} ago)` : "<unknown>"),
        field("Labels", kv(m.labels)),
        field("Annotations", kv(m.annotations)),
        ...(m.deletionTimestamp !== undefined ? [field("Deleting", `since ${m.deletionTimestamp}; finalizers: ${(m.finalizers ?? []).join(", ") || "none"}`)] : []),
        field("Controlled by", owners.length === 0 ? "<none>" : owners.map((o) => `${o.ref}${o.note !== undefined ? ` (${o.note})` : ""}`).join(" → ")),
        ...(status.phase !== undefined ? [field("Phase", status.phase)] : []),
        ...(status.conditions !== undefined ? ["Conditions:", ...status.conditions.map((c) => `  ${c}`)] : []),
        "",
        `Events${events.note !== undefined ? `: ${events.note}` : events.rows.length === 0 ? ": <none>" : ` (newest first${events.rows.length > MAX_EVENTS ? `, ${MAX_EVENTS} of ${events.rows.length}` : ""}):`}`,
        ...(events.rows.length > 0
          ? [renderTable(
            ["type", "reason", "age", "from", "count", "message"],
            events.rows.slice(0, MAX_EVENTS).map((e) => [e.type, e.reason, e.age, e.from, String(e.count), e.message])
          ).split("\n").map((l) => `  ${l}`).join("\n")]
          : []),
        "",
        "Object (without metadata):",
        toYaml(rest).trimEnd()
      ]
      const reply: Reply = text({
        text: lines.join("\n"),
        data: {
          kind: info.kind,
          apiVersion: info.apiVersion,
          name: m.name ?? input.name,
          ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
          owners: owners.map((o) => o.ref),
          ...(status.conditions !== undefined ? { conditions: status.conditions } : {}),
          events: events.rows.slice(0, MAX_EVENTS).map((e) => `${e.type} ${e.reason} (${e.age}, x${e.count}): ${e.message}`.slice(0, 300))
        },
        field: "description",
        narrow: "resources_get with output yaml for the whole object, or events_list for all events"
      })
      return reply
    })
})
