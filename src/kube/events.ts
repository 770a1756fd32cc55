/**
 * Core v1 Events, for every tool that shows them (events_list, pods_get, resources_describe): one schema,
 * one "last seen" rule, one path.
 */
import { Schema } from "effect"
import { ListMeta, ObjectMeta } from "./meta.js"

/** Unset times come back as null in core v1 (e.g. lastTimestamp of an events.k8s.io event). */
const Time = Schema.optionalKey(Schema.NullOr(Schema.String))

export const Event = Schema.Struct({
  metadata: ObjectMeta,
  involvedObject: Schema.optionalKey(Schema.Struct({
    kind: Schema.optionalKey(Schema.String),
    name: Schema.optionalKey(Schema.String),
    namespace: Schema.optionalKey(Schema.String),
    uid: Schema.optionalKey(Schema.String)
  })),
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  type: Schema.optionalKey(Schema.String),
  count: Schema.optionalKey(Schema.NullOr(Schema.Finite)),
  firstTimestamp: Time,
  lastTimestamp: Time,
  eventTime: Time,
  series: Schema.optionalKey(Schema.NullOr(Schema.Struct({
    count: Schema.optionalKey(Schema.Finite),
    lastObservedTime: Time
  }))),
  source: Schema.optionalKey(Schema.Struct({ component: Schema.optionalKey(Schema.String) })),
  reportingComponent: Schema.optionalKey(Schema.String)
})
export type Event = typeof Event.Type

export const EventList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(Event) })

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
