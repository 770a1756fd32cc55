/**
 * resources_describe: what a person reads in `kubectl describe`: the object's essentials, the chain of its
 * controllers (Pod → ReplicaSet → Deployment) and its events, newest first; then the rest of the object.
 * The parts that matter most come first, so a cut at the byte budget loses the long tail, not the events.
 */
import { Effect, Schema } from "effect"
import { describeObject } from "../../kube/objects.js"
import { renderTable } from "../../output/budget.js"
import { toYaml } from "../../output/diff.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { gvkFields, Name, NamespaceParam } from "../params.js"

const Params = Schema.Struct({
  ...gvkFields,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam)
})

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
  run: (input) =>
    Effect.gen(function*() {
      const d = yield* describeObject(input, "resources_describe")
      const { events, meta: m, owners, status } = d
      const { metadata: _meta, ...rest } = d.object
      const lines = [
        field("Name", m.name ?? d.name),
        ...(m.namespace !== undefined ? [field("Namespace", m.namespace)] : []),
        field("Kind", `${d.info.kind} (${d.info.apiVersion})`),
        field("Created", m.creationTimestamp !== undefined ? `${m.creationTimestamp} (${d.age} ago)` : "<unknown>"),
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
          kind: d.info.kind,
          apiVersion: d.info.apiVersion,
          name: m.name ?? d.name,
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
