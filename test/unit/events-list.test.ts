/**
 * kube/events.ts on the Kube test layer: the events_list listing (folding, newest first, the `since` window
 * on the TestClock, the paging cap, selector escaping in the request sent) and the events of one object.
 * The end-to-end proof against the control plane is test/tools/cluster-events.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { eventsFor, listEvents, MAX_EVENTS } from "../../src/kube/events.js"
import { fakeServer, testKubeLayer } from "../support/kube.js"

const NOW = Date.parse("2026-01-15T12:00:00Z")
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

interface Fixture {
  readonly name: string
  readonly kind?: string
  readonly object: string
  readonly type?: string
  readonly reason: string
  readonly message?: string
  readonly count?: number
  readonly lastAgo: number
  readonly namespace?: string
  readonly uid?: string
}

const event = (f: Fixture) => ({
  metadata: { name: f.name, namespace: f.namespace ?? "default", creationTimestamp: ago(f.lastAgo + 3600) },
  involvedObject: { kind: f.kind ?? "Pod", name: f.object, namespace: f.namespace ?? "default", ...(f.uid !== undefined ? { uid: f.uid } : {}) },
  type: f.type ?? "Normal",
  reason: f.reason,
  message: f.message ?? `${f.reason} happened`,
  count: f.count ?? 1,
  firstTimestamp: ago(f.lastAgo + 3600),
  lastTimestamp: ago(f.lastAgo)
})

const list = (items: ReadonlyArray<unknown>, cont?: string) => ({ kind: "EventList", metadata: cont !== undefined ? { continue: cont } : {}, items })

/** The decoded query of a recorded request ("GET /path?query"). */
const queryOf = (request: string | undefined) => new URL(`https://x${(request ?? "").replace(/^\w+ /, "")}`).searchParams
const pathOf = (request: string | undefined) => new URL(`https://x${(request ?? "").replace(/^\w+ /, "")}`).pathname

/** In API (key) order, not time order: the listing must sort. */
const FIXTURES: ReadonlyArray<Fixture> = [
  { name: "backoff-a", object: "web-1", type: "Warning", reason: "BackOff", message: "Back-off restarting", count: 5, lastAgo: 60 },
  { name: "pulled", object: "web-1", reason: "Pulled", lastAgo: 7200 },
  { name: "backoff-b", object: "web-1", type: "Warning", reason: "BackOff", message: "Back-off restarting", count: 3, lastAgo: 30 },
  { name: "scaled", kind: "Deployment", object: "web", reason: "ScalingReplicaSet", lastAgo: 600 },
  // same reason and message as the BackOffs, but another object: not folded with them
  { name: "backoff-db", object: "db-0", type: "Warning", reason: "BackOff", message: "Back-off restarting", lastAgo: 90 }
]

describe("listEvents", () => {
  it.effect("folds repeats (summed count, latest time), newest first, ages from the clock", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = fakeServer(() => ({ body: list(FIXTURES.map(event)) }))
      const listing = yield* listEvents({}).pipe(Effect.provide(testKubeLayer(server)))
      expect(pathOf(server.requests[0])).toBe("/api/v1/namespaces/default/events")
      expect(queryOf(server.requests[0]).get("limit")).toBe("500")
      expect(listing.scope).toEqual({ all: false, namespace: "default" })
      expect(listing).toMatchObject({ events: 5, folded: 4, complete: true })
      expect(listing.rows.map((r) => [r.object, r.reason, r.type, r.count, r.age, r.lastSeen])).toEqual([
        ["Pod/web-1", "BackOff", "Warning", 8, "30s", ago(30)],
        ["Pod/db-0", "BackOff", "Warning", 1, "90s", ago(90)],
        ["Deployment/web", "ScalingReplicaSet", "Normal", 1, "10m", ago(600)],
        ["Pod/web-1", "Pulled", "Normal", 1, "2h", ago(7200)]
      ])
      expect(listing.rows[0]).toMatchObject({ namespace: "default", message: "Back-off restarting" })
    }))

  it.effect("since: an event falls out of the window as the clock moves on", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = fakeServer(() => ({ body: list(FIXTURES.map(event)) }))
      const recent = listEvents({ since: "2m" }).pipe(Effect.provide(testKubeLayer(server)))
      const first = yield* recent
      expect(first.rows.map((r) => `${r.object} ${r.reason}`)).toEqual(["Pod/web-1 BackOff", "Pod/db-0 BackOff"])
      expect(first.events).toBe(3)
      // 31 s later db-0's BackOff (now 121 s old) is out; web-1's newer BackOff stays, with both of its records
      yield* TestClock.adjust("31 seconds")
      const later = yield* recent
      expect(later.rows.map((r) => [`${r.object} ${r.reason}`, r.count, r.age])).toEqual([["Pod/web-1 BackOff", 8, "61s"]])
      // a minute later both records are out
      yield* TestClock.adjust("60 seconds")
      expect((yield* recent).rows).toEqual([])
      expect((yield* listEvents({ since: "1h30m" }).pipe(Effect.provide(testKubeLayer(server)))).folded).toBe(3)
    }))

  it.effect("limit keeps the newest rows and says how many there were", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = fakeServer(() => ({ body: list(FIXTURES.map(event)) }))
      const listing = yield* listEvents({ limit: 2 }).pipe(Effect.provide(testKubeLayer(server)))
      expect(listing.folded).toBe(4)
      expect(listing.rows.map((r) => r.object)).toEqual(["Pod/web-1", "Pod/db-0"])
    }))

  it.effect("escapes the involved kind and name, so a value cannot add selector terms", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({ body: list([]) }))
      yield* listEvents({ namespace: "team a", involvedKind: "Pod", involvedName: "web-1,type=Normal", type: "Warning" }).pipe(
        Effect.provide(testKubeLayer(server))
      )
      expect(pathOf(server.requests[0])).toBe("/api/v1/namespaces/team%20a/events")
      expect(queryOf(server.requests[0]).get("fieldSelector")).toBe("involvedObject.kind=Pod,involvedObject.name=web-1\\,type\\=Normal,type=Warning")
    }))

  it.effect("all namespaces: the cluster-wide collection, each row with its namespace; refused together with a namespace", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = fakeServer(() => ({
        body: list([event({ name: "a", object: "x", reason: "Pulled", lastAgo: 5, namespace: "team-a" }), event({ name: "b", object: "x", reason: "Pulled", lastAgo: 9, namespace: "team-b" })])
      }))
      const listing = yield* listEvents({ allNamespaces: true }).pipe(Effect.provide(testKubeLayer(server)))
      expect(pathOf(server.requests[0])).toBe("/api/v1/events")
      expect(listing.scope).toEqual({ all: true })
      // the same object name in two namespaces is two rows
      expect(listing.rows.map((r) => [r.namespace, r.object, r.age])).toEqual([["team-a", "Pod/x", "5s"], ["team-b", "Pod/x", "9s"]])
      const refused = yield* Effect.flip(listEvents({ allNamespaces: true, namespace: "team-a" }).pipe(Effect.provide(testKubeLayer(server))))
      expect(refused._tag).toBe("InvalidInput")
      expect(server.requests).toHaveLength(1)
    }))

  it.effect("reads every page up to the cap, then stops and says the list was not complete", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const page = Array.from({ length: 500 }, (_, i) => event({ name: `e${i}`, object: `p${i % 7}`, reason: "Pulled", lastAgo: i }))
      let served = 0
      const server = fakeServer(() => {
        served++
        return { body: list(page, `token-${served}`) }
      })
      const listing = yield* listEvents({}).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toHaveLength(MAX_EVENTS / 500)
      expect(queryOf(server.requests[0]).get("continue")).toBeNull()
      expect(queryOf(server.requests[1]).get("continue")).toBe("token-1")
      expect(queryOf(server.requests[19]).get("continue")).toBe("token-19")
      expect(listing.complete).toBe(false)
      expect(listing.events).toBe(MAX_EVENTS)
      // 7 objects (p0-p2 on 72 events a page, p3-p6 on 71): 7 rows, counts summed over the 20 pages read
      expect(listing.rows.map((r) => [r.object, r.count])).toEqual([
        ["Pod/p0", 1440],
        ["Pod/p1", 1440],
        ["Pod/p2", 1440],
        ["Pod/p3", 1420],
        ["Pod/p4", 1420],
        ["Pod/p5", 1420],
        ["Pod/p6", 1420]
      ])
    }))

  it.effect("a list that ends within the cap is complete", () =>
    Effect.gen(function*() {
      const pages = [list([event({ name: "a", object: "x", reason: "A", lastAgo: 1 })], "next"), list([event({ name: "b", object: "x", reason: "B", lastAgo: 2 })])]
      let served = 0
      const server = fakeServer(() => ({ body: pages[Math.min(served++, 1)] }))
      const listing = yield* listEvents({}).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toHaveLength(2)
      expect(listing).toMatchObject({ events: 2, folded: 2, complete: true })
    }))
})

describe("eventsFor", () => {
  it.effect("selects by kind and name, keeps this incarnation's events (by uid), newest first", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({
        body: list([
          event({ name: "old-pod", object: "web,1", reason: "Killing", lastAgo: 900, uid: "uid-old" }),
          event({ name: "sched", object: "web,1", reason: "Scheduled", lastAgo: 300, uid: "uid-new" }),
          event({ name: "pulled", object: "web,1", reason: "Pulled", lastAgo: 120, uid: "uid-new" }),
          // same time as Pulled but listed later: the later record comes first
          event({ name: "created", object: "web,1", reason: "Created", lastAgo: 120, uid: "uid-new" }),
          // written without a uid: kept, it may be about this pod
          event({ name: "noted", object: "web,1", reason: "Noted", lastAgo: 600 })
        ])
      }))
      const events = yield* eventsFor({ kind: "Pod", name: "web,1", namespace: "default", uid: "uid-new" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(pathOf(server.requests[0])).toBe("/api/v1/namespaces/default/events")
      expect(queryOf(server.requests[0]).get("fieldSelector")).toBe("involvedObject.kind=Pod,involvedObject.name=web\\,1")
      expect(events.map((e) => e.reason)).toEqual(["Created", "Pulled", "Scheduled", "Noted"])
      const all = yield* eventsFor({ kind: "Node", name: "node-1" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(pathOf(server.requests[1])).toBe("/api/v1/events")
      expect(all.map((e) => e.reason)).toEqual(["Created", "Pulled", "Scheduled", "Noted", "Killing"])
    }))
})
