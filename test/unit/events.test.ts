/** The one Event schema and "last seen" rule shared by events_list, pods_get and resources_describe. */
import { describe, expect, it } from "vitest"
import { Schema } from "effect"
import { countOf, Event, eventsPath, lastSeen, newestFirst } from "../../src/kube/events.js"

const decode = Schema.decodeUnknownSync(Event)
const meta = { name: "e", creationTimestamp: "2026-01-01T00:00:00Z" }

describe("events", () => {
  it("last seen: the series' last observation, then lastTimestamp, eventTime, firstTimestamp, creation", () => {
    expect(lastSeen(decode({ metadata: meta, lastTimestamp: "2026-01-01T00:05:00Z", series: { count: 4, lastObservedTime: "2026-01-01T00:09:00Z" } })))
      .toBe("2026-01-01T00:09:00Z")
    expect(lastSeen(decode({ metadata: meta, lastTimestamp: "2026-01-01T00:05:00Z", eventTime: "2026-01-01T00:01:00Z" }))).toBe("2026-01-01T00:05:00Z")
    // events.k8s.io events read through core v1 have null legacy times
    expect(lastSeen(decode({ metadata: meta, lastTimestamp: null, firstTimestamp: null, eventTime: "2026-01-01T00:02:00.000000Z" })))
      .toBe("2026-01-01T00:02:00.000000Z")
    expect(lastSeen(decode({ metadata: meta, firstTimestamp: "2026-01-01T00:03:00Z" }))).toBe("2026-01-01T00:03:00Z")
    expect(lastSeen(decode({ metadata: meta }))).toBe("2026-01-01T00:00:00Z")
  })

  it("counts a series by its own count, else count, else once; sorts newest first", () => {
    expect(countOf(decode({ metadata: meta, count: 2, series: { count: 7 } }))).toBe(7)
    expect(countOf(decode({ metadata: meta, count: null }))).toBe(1)
    const older = decode({ metadata: meta, lastTimestamp: "2026-01-01T00:01:00Z" })
    const newer = decode({ metadata: meta, lastTimestamp: "2026-01-01T00:02:00Z" })
    expect([older, newer].sort(newestFirst)).toEqual([newer, older])
  })

  it("never builds an empty namespace segment", () => {
    expect(eventsPath("team a")).toBe("/api/v1/namespaces/team%20a/events")
    expect(eventsPath(undefined)).toBe("/api/v1/events")
  })
})
