/**
 * Core v1 Events, for every tool that shows them (events_list, pods_get, resources_describe): one schema,
 * one "last seen" rule, one path, and the two reads: a listing (filtered, newest first, repeats folded) and
 * the events of one object.
 *
 * Core v1 rather than events.k8s.io/v1: both are views of the same stored objects (events written through
 * either API appear in both), but core v1 is what `kubectl get events` and most RBAC roles name, its field
 * selectors (involvedObject.kind/name, type) are the ones users know, and it exposes count/firstTimestamp/
 * lastTimestamp directly, with eventTime/series for events written the new way.
 */
import { Clock, Effect, Schema } from "effect"
import { parseDurationMs } from "../config/duration.js"
import type { InvalidInput, KubeError } from "../errors.js"
import { access, Kube } from "./Kube.js"
import { age, ListMeta, ObjectMeta } from "./meta.js"
import { readAllPages } from "./paging.js"
import { type ListScope, listScope, selectorValue } from "./scope.js"

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

/** Newest-first needs the whole set (the API returns events in key order); this bounds the read. */
export const MAX_EVENTS = 10_000

const timeOf = (e: Event): number => {
  const t = Date.parse(lastSeen(e) ?? "")
  return Number.isNaN(t) ? 0 : t
}

export interface ListEventsOptions {
  readonly namespace?: string | undefined
  readonly allNamespaces?: boolean | undefined
  /** Field selector involvedObject.kind, escaped. */
  readonly involvedKind?: string | undefined
  /** Field selector involvedObject.name, escaped. */
  readonly involvedName?: string | undefined
  readonly type?: "Normal" | "Warning" | undefined
  /** Only events last seen within this duration ("90s", "1h30m", a bare number of seconds). */
  readonly since?: string | undefined
  /** Rows kept after folding: the newest. */
  readonly limit?: number | undefined
}

/** Events with the same involved object, type, reason and message, as one row. */
export interface FoldedEvent {
  readonly namespace: string
  readonly type: string
  readonly reason: string
  /** kind/name of the involved object. */
  readonly object: string
  /** Whole (the caller decides how much of it to show). */
  readonly message: string
  /** Summed over the folded events. */
  readonly count: number
  /** The latest of their last-seen times, as the API wrote it. */
  readonly lastSeen: string | undefined
  readonly age: string
}

export interface EventListing {
  readonly scope: ListScope
  /** Events read and within `since`, before folding. */
  readonly events: number
  /** Rows after folding, before `limit`. */
  readonly folded: number
  /** Newest first, at most `limit`. */
  readonly rows: ReadonlyArray<FoldedEvent>
  /** False when MAX_EVENTS were read and the list went on. */
  readonly complete: boolean
}

/** Same involved object + type + reason + message → one row with the summed count and the latest time. */
const fold = (events: ReadonlyArray<Event>, now: number): Array<FoldedEvent> => {
  const rows = new Map<string, { row: FoldedEvent; last: number }>()
  for (const e of events) {
    const namespace = e.metadata.namespace ?? e.involvedObject?.namespace ?? ""
    const object = `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`
    const row: FoldedEvent = {
      namespace,
      type: e.type ?? "",
      reason: e.reason ?? "",
      object,
      message: e.message ?? "",
      count: countOf(e),
      lastSeen: lastSeen(e),
      age: age(lastSeen(e), now)
    }
    const key = JSON.stringify([namespace, e.involvedObject?.namespace ?? "", object, row.type, row.reason, row.message])
    const last = timeOf(e)
    const seen = rows.get(key)
    if (seen === undefined) rows.set(key, { row, last })
    else {
      const count = seen.row.count + row.count
      rows.set(key, last > seen.last ? { row: { ...row, count }, last } : { row: { ...seen.row, count }, last: seen.last })
    }
  }
  return [...rows.values()].sort((a, b) => b.last - a.last || a.row.object.localeCompare(b.row.object)).map((r) => r.row)
}

/**
 * events_list: every page up to MAX_EVENTS of the namespace's (or all namespaces') events matching the
 * involved object and type, narrowed to the `since` window on the clock, folded, newest first.
 */
export const listEvents = (options: ListEventsOptions): Effect.Effect<EventListing, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const scope = yield* listScope({ namespace: options.namespace, all_namespaces: options.allNamespaces }, kube.info.namespace)
    const namespace = scope.all ? undefined : scope.namespace
    const fieldSelector = [
      ...(options.involvedKind !== undefined ? [`involvedObject.kind=${selectorValue(options.involvedKind)}`] : []),
      ...(options.involvedName !== undefined ? [`involvedObject.name=${selectorValue(options.involvedName)}`] : []),
      ...(options.type !== undefined ? [`type=${options.type}`] : [])
    ].join(",")
    const { complete, items } = yield* readAllPages(
      access({ verb: "list", resource: "events", namespace }),
      { path: eventsPath(namespace), query: { fieldSelector } },
      EventList,
      MAX_EVENTS
    )
    const now = yield* Clock.currentTimeMillis
    const sinceMs = options.since !== undefined ? parseDurationMs(options.since) : undefined
    const recent = sinceMs === undefined ? items : items.filter((e) => {
      const seen = lastSeen(e)
      return seen !== undefined && Date.parse(seen) >= now - sinceMs
    })
    const folded = fold(recent, now)
    return {
      scope,
      events: recent.length,
      folded: folded.length,
      rows: options.limit !== undefined ? folded.slice(0, options.limit) : folded,
      complete
    }
  })

export interface ObjectRef {
  readonly kind: string
  readonly name: string
  /** Undefined for a cluster-scoped object (its events may be in any namespace). */
  readonly namespace?: string | undefined
  /** Known: only this incarnation's events (an earlier object of the same name had another uid). */
  readonly uid?: string | undefined
}

/**
 * The events about one object, newest first. Selected by kind and name, so the request can go out before
 * the object is read (its uid then drops events of an earlier object of the same name).
 */
export const eventsFor = (ref: ObjectRef): Effect.Effect<ReadonlyArray<Event>, KubeError, Kube> =>
  readAllPages(
    access({ verb: "list", resource: "events", namespace: ref.namespace }),
    {
      path: eventsPath(ref.namespace),
      query: { fieldSelector: `involvedObject.kind=${selectorValue(ref.kind)},involvedObject.name=${selectorValue(ref.name)}` }
    },
    EventList,
    MAX_EVENTS
  ).pipe(
    Effect.map(({ items }) =>
      items
        .filter((e) => ref.uid === undefined || e.involvedObject?.uid === undefined || e.involvedObject.uid === ref.uid)
        // the server lists oldest first; reversed, the stable sort keeps the later of equal times first
        .reverse()
        .sort(newestFirst)
    )
  )
