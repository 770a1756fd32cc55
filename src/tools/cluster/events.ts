/** events_list: what happened, newest first, repeats folded (the listing is kube/events.ts listEvents). */
import { Effect, Schema } from "effect"
import { listEvents, MAX_EVENTS } from "../../kube/events.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { AllNamespaces, NamespaceParam } from "../params.js"

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
  run: (input) =>
    Effect.gen(function*() {
      const listing = yield* listEvents({
        namespace: input.namespace,
        allNamespaces: input.all_namespaces,
        involvedKind: input.involved_kind,
        involvedName: input.involved_name,
        type: input.type,
        since: input.since,
        limit: input.limit
      })
      const all = listing.scope.all
      const where = listing.scope.all ? "all namespaces" : `namespace "${listing.scope.namespace}"`
      const notes = [
        `${listing.events} event(s) in ${where}${input.since !== undefined ? ` seen in the last ${input.since}` : ""}, ${listing.folded} after folding repeats`,
        ...(listing.rows.length < listing.folded ? [`showing the newest ${listing.rows.length}`] : []),
        ...(!listing.complete ? [`only the first ${MAX_EVENTS} events were read; narrow with involved_kind/involved_name, type or a namespace`] : [])
      ]
      return table({
        columns: [...(all ? ["namespace"] : []), "last seen", "type", "reason", "object", "count", "message"],
        rows: listing.rows.map((r) => [...(all ? [r.namespace] : []), r.age, r.type, r.reason, r.object, String(r.count), oneLine(r.message)]),
        summary: `${notes.join("; ")}.`,
        narrow: "type=Warning, involved_kind/involved_name, since, a namespace, or limit"
      })
    })
})
