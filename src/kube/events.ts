/**
 * Core v1 Events, for every tool that shows them (events_list, pods_get, resources_describe): one schema,
 * one "last seen" rule, one path.
 */
import { Schema } from "effect"
import { ListMeta, ObjectMeta } from "./meta.js"

/** Unset times come back as null in core v1 (e.g. lastTimestamp of an events.k8s.io event). */
const Time = Schema.optional(Schema.NullOr(Schema.String))

export const Event = Schema.Struct({
  metadata: ObjectMeta,
  involvedObject: Schema.optional(Schema.Struct({
    kind: Schema.optional(Schema.String),
    name: Schema.optional(Schema.String),
    namespace: Schema.optional(Schema.String),
    uid: Schema.optional(Schema.String)
  })),
  reason: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  count: Schema.optional(Schema.NullOr(Schema.Number)),
  firstTimestamp: Time,
  lastTimestamp: Time,
  eventTime: Time,
  series: Schema.optional(Schema.NullOr(Schema.Struct({
    count: Schema.optional(Schema.Number),
    lastObservedTime: Time
  }))),
  source: Schema.optional(Schema.Struct({ component: Schema.optional(Schema.String) })),
  reportingComponent: Schema.optional(Schema.String)
})
export type Event = typeof Event.Type

export const EventList = Schema.Struct({ metadata: Schema.optional(ListMeta), items: Schema.Array(Event) })

/**
 * The newest time an event was seen: its series' last observation (events written the new way), else its
 * last repeat, else when it happened or was first recorded.
 */
export const lastSeen = (e: Event): string | undefined =>
  e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp

/** How many times it happened (a series counts its repeats itself). */
export const countOf = (e: Event): number => e.series?.count ?? e.count ?? 1

/** Newest first; events without a time sort last. */
export const newestFirst = (a: Event, b: Event): number => (Date.parse(lastSeen(b) ?? "") || 0) - (Date.parse(lastSeen(a) ?? "") || 0)

/** The events collection of a namespace, or of the whole cluster. */
export const eventsPath = (namespace: string | undefined): string =>
  namespace !== undefined ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : "/api/v1/events"
