/** The HTTP session table: bounded in count, idle sessions closed on time (TestClock, no sleeps). */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { formatDuration } from "../../src/config/duration.js"
import { makeSessionTable, type SessionEntry } from "../../src/mcp/sessions.js"

const session = (closed: Array<string>, name: string): SessionEntry => ({
  lastSeen: 0,
  close: () => {
    closed.push(name)
    return Promise.resolve()
  }
})

describe("session table", () => {
  it.effect("refuses past max_sessions and makes room when a session goes", () =>
    Effect.gen(function*() {
      const closed: Array<string> = []
      const t = yield* makeSessionTable({ maxSessions: 2, idleTimeoutMs: 60_000 })
      t.add("a", session(closed, "a"))
      expect(t.isFull()).toBe(false)
      t.add("b", session(closed, "b"))
      expect(t.isFull()).toBe(true)
      t.remove("a")
      expect(t.isFull()).toBe(false)
      expect(t.touch("a")._tag).toBe("Unknown")
      expect(t.touch("b")._tag).toBe("Live")
    }))

  it.effect("closes a session idle past the timeout, keeps a used one, and tells expired from unknown", () =>
    Effect.gen(function*() {
      const closed: Array<string> = []
      const t = yield* makeSessionTable({ maxSessions: 10, idleTimeoutMs: 30 * 60_000 })
      t.add("idle", session(closed, "idle"))
      t.add("busy", session(closed, "busy"))
      yield* TestClock.adjust("20 minutes")
      expect(t.touch("busy")._tag).toBe("Live")
      yield* TestClock.adjust("15 minutes")
      // idle: 35 min unused -> closed by the sweeper; busy: used 15 min ago -> kept
      expect(closed).toEqual(["idle"])
      expect(t.touch("idle")._tag).toBe("Expired")
      expect(t.touch("never-existed")._tag).toBe("Unknown")
      expect(t.size()).toBe(1)
      yield* TestClock.adjust("40 minutes")
      expect(closed).toEqual(["idle", "busy"])
      expect(t.size()).toBe(0)
    }))

  it.effect("closes every session when its scope closes (server shutdown)", () =>
    Effect.gen(function*() {
      const closed: Array<string> = []
      yield* Effect.scoped(Effect.gen(function*() {
        const t = yield* makeSessionTable({ maxSessions: 10, idleTimeoutMs: 60_000 })
        t.add("x", session(closed, "x"))
        t.add("y", session(closed, "y"))
      }))
      expect(closed.sort()).toEqual(["x", "y"])
    }))

  it("formats durations the way the config spells them", () => {
    expect(formatDuration(30 * 60_000)).toBe("30m")
    expect(formatDuration(5_400_000)).toBe("1h30m")
    expect(formatDuration(1500)).toBe("1.5s")
    expect(formatDuration(250)).toBe("250ms")
  })
})
