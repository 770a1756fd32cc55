/**
 * events_list: what happened, newest first, repeats folded.
 *
 * Reads core v1 events rather than events.k8s.io/v1: both are views of the same stored objects (events
 * written through either API appear in both), but core v1 is what `kubectl get events` and most RBAC roles
 * name, its field selectors (involvedObject.kind/name, type) are the ones users know, and it exposes
 * count/firstTimestamp/lastTimestamp directly, with eventTime/series for events written the new way.
 */
import { Effect, Schema } from "effect"
import { listScope, selectorValue } from "../../kube/scope.js"
import { access } from "../../kube/Kube.js"
import { parseDurationMs } from "../../config/duration.js"
import { countOf, type Event, EventList, eventsPath, lastSeen } from "../../kube/events.js"
import { age } from "../../kube/meta.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, NamespaceParam } from "../params.js"
import { readAllPages } from "../../kube/paging.js"

/** Newest-first needs the whole set (the API returns events in key order); this bounds the read. */
const MAX_EVENTS = 10_000
/** Messages longer than this are cut with an ellipsis: a table row, not a log. */
const MAX_MESSAGE = 300

const Duration = Schema.String.check(
  Schema.isMaxLength(32),
  Schema.isPattern(/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$|^\d+$/u)
).annotate({ description: "only events seen within this duration, e.g. 90s, 10m, 1h, 1h30m (a bare number is seconds)" })


const oneLine = (message: string): string => {
  const flat = message.replace(/\s*\n\s*/g, " ").trim()
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat
}

interface Folded {
  namespace: string
  type: string
  reason: string
  object: string
  message: string
  count: number
  last: number
  lastText: string | undefined
}

/** Same involved object + reason + message → one row with the summed count and the latest time. */
export const fold = (events: ReadonlyArray<Event>): Array<Folded> => {
  const rows = new Map<string, Folded>()
  for (const e of events) {
    const namespace = e.metadata.namespace ?? e.involvedObject?.namespace ?? ""
    const object = `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`
    const reason = e.reason ?? ""
    const message = e.message ?? ""
    const type = e.type ?? ""
    const key = JSON.stringify([namespace, e.involvedObject?.namespace ?? "", object, type, reason, message])
    const seen = lastSeen(e)
    const time = seen !== undefined ? Date.parse(seen) : Number.NaN
    const last = Number.isNaN(time) ? 0 : time
    const row = rows.get(key)
    if (row === undefined) {
      rows.set(key, { namespace, type, reason, object, message, count: countOf(e), last, lastText: seen })
    } else {
      row.count += countOf(e)
      if (last > row.last) {
        row.last = last
        row.lastText = seen
      }
    }
  }
  return [...rows.values()].sort((a, b) => b.last - a.last || a.object.localeCompare(b.object))
}

export const eventsList = clusterTool({
  name: "events_list",
  description:
    "List events, newest first, with repeats folded: events with the same involved object, reason and message become one row with the summed count and the latest time. Columns: last seen, type, reason, object (kind/name), count, message (long messages are cut). Filter by involved object, type and age; reads at most 10000 events per call.",
  params: Schema.Struct({
    namespace: Schema.optionalKey(NamespaceParam),
    all_namespaces: Schema.optionalKey(AllNamespaces),
    involved_kind: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)).annotate({
      description: "kind of the object the events are about, e.g. Pod, Deployment, Node (field selector involvedObject.kind)"
    })),
    involved_name: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)).annotate({
      description: "name of the object the events are about (field selector involvedObject.name)"
    })),
    type: Schema.optionalKey(Schema.Literals(["Normal", "Warning"]).annotate({ description: "only Normal or only Warning events" })),
    since: Schema.optionalKey(Duration),
    limit: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 5000 })).annotate({
      description: "maximum number of rows (after folding) to return; the newest are kept"
    }))
  }),
  output: TableOutput,
  annotations: { title: "List events", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const scope = yield* listScope(input, cluster.info.namespace)
      const all = scope.all
      const namespace = scope.all ? "" : scope.namespace
      const fieldSelector = [
        ...(input.involved_kind !== undefined ? [`involvedObject.kind=${selectorValue(input.involved_kind)}`] : []),
        ...(input.involved_name !== undefined ? [`involvedObject.name=${selectorValue(input.involved_name)}`] : []),
        ...(input.type !== undefined ? [`type=${input.type}`] : [])
      ].join(",")
      const { complete, items } = yield* readAllPages(access({ verb: "list", resource: "events", namespace }),
        {
          path: eventsPath(all ? undefined : namespace),
          query: { fieldSelector }
        },
        EventList,
        MAX_EVENTS
      )
      const now = Date.now()
      const sinceMs = input.since !== undefined ? parseDurationMs(input.since) : undefined
      const recent = sinceMs === undefined ? items : items.filter((e) => {
        const seen = lastSeen(e)
        return seen !== undefined && Date.parse(seen) >= now - sinceMs
      })
      const folded = fold(recent)
      const shown = input.limit !== undefined ? folded.slice(0, input.limit) : folded
      const where = all ? "all namespaces" : `namespace "${namespace}"`
      const notes = [
        `${recent.length} event(s) in ${where}${sinceMs !== undefined ? ` seen in the last ${input.since}` : ""}, ${folded.length} after folding repeats`,
        ...(shown.length < folded.length ? [`showing the newest ${shown.length}`] : []),
        ...(!complete ? [`only the first ${MAX_EVENTS} events were read; narrow with involved_kind/involved_name, type or a namespace`] : [])
      ]
      return table({
        columns: [...(all ? ["namespace"] : []), "last seen", "type", "reason", "object", "count", "message"],
        rows: shown.map((r) => [
          ...(all ? [r.namespace] : []),
          age(r.lastText, now),
          r.type,
          r.reason,
          r.object,
          String(r.count),
          oneLine(r.message)
        ]),
        summary: `${notes.join("; ")}.`,
        narrow: "type=Warning, involved_kind/involved_name, since, a namespace, or limit"
      })
    })
})
