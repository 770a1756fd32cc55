/**
 * The HTTP transport's table of MCP sessions, bounded in count and in idle time. Most clients never send
 * DELETE, so without a bound a long-running shared server would keep every session it ever opened.
 * - at `maxSessions`, a new session is refused (the transport answers 503);
 * - a session idle for `idleTimeoutMs` is closed by a sweeper; its id is remembered (boundedly) so a late
 *   request gets 404 "session expired" and the client re-initializes, as the MCP spec asks.
 * Time comes from Effect's Clock (TestClock in tests); lookups are synchronous, for the per-request path.
 */
import { Clock, Duration, Effect, Schedule } from "effect"
import { Telemetry } from "../telemetry/telemetry.js"

export interface SessionEntry {
  readonly close: () => Promise<void>
  lastSeen: number
}

export type Lookup<S> =
  | { readonly _tag: "Live"; readonly session: S }
  | { readonly _tag: "Expired" }
  | { readonly _tag: "Unknown" }

export interface SessionTable<S extends SessionEntry> {
  readonly size: () => number
  readonly isFull: () => boolean
  readonly add: (id: string, session: S) => void
  /** Finds a session and marks it used now. */
  readonly touch: (id: string) => Lookup<S>
  readonly remove: (id: string) => void
  /** Closes every session idle for longer than the timeout; returns how many. */
  readonly sweep: Effect.Effect<number>
  readonly closeAll: Effect.Effect<void>
}

/** Expired ids kept to tell "expired" from "unknown"; older ones are forgotten (and then read as unknown). */
const REMEMBERED_EXPIRED = 10_000

export const makeSessionTable = <S extends SessionEntry>(opts: { readonly maxSessions: number; readonly idleTimeoutMs: number }) =>
  Effect.gen(function*() {
    const clock = yield* Clock.Clock
    const now = () => clock.currentTimeMillisUnsafe()
    const live = new Map<string, S>()
    const expired = new Set<string>()

    const forget = (id: string) => {
      expired.add(id)
      if (expired.size > REMEMBERED_EXPIRED) {
        const oldest = expired.values().next()
        if (oldest.done !== true) expired.delete(oldest.value)
      }
    }

    const closeQuietly = (s: S) => Effect.promise(() => s.close().catch(() => undefined))

    const sweep = Effect.gen(function*() {
      const cutoff = now() - opts.idleTimeoutMs
      const stale = [...live].filter(([, s]) => s.lastSeen <= cutoff)
      for (const [id] of stale) {
        live.delete(id)
        forget(id)
      }
      yield* Effect.forEach(stale, ([, s]) => closeQuietly(s), { concurrency: 16, discard: true })
      if (stale.length > 0) yield* Effect.logDebug("closed idle MCP sessions").pipe(Effect.annotateLogs({ closed: stale.length, open: live.size }))
      return stale.length
    })

    const table: SessionTable<S> = {
      size: () => live.size,
      isFull: () => live.size >= opts.maxSessions,
      add: (id, session) => {
        session.lastSeen = now()
        live.set(id, session)
      },
      touch: (id) => {
        const s = live.get(id)
        if (s !== undefined) {
          s.lastSeen = now()
          return { _tag: "Live", session: s }
        }
        return expired.has(id) ? { _tag: "Expired" } : { _tag: "Unknown" }
      },
      remove: (id) => {
        live.delete(id)
      },
      sweep,
      closeAll: Effect.suspend(() => {
        const all = [...live.values()]
        live.clear()
        return Effect.forEach(all, closeQuietly, { concurrency: 16, discard: true })
      })
    }

    // sweep a few times per timeout, so a session lives at most about 1.25 × the timeout
    const every = Duration.millis(Math.max(10, Math.min(60_000, Math.floor(opts.idleTimeoutMs / 4))))
    yield* Effect.forkScoped(Effect.repeat(Effect.delay(sweep, every), Schedule.forever))
    yield* Effect.addFinalizer(() => table.closeAll)
    yield* (yield* Telemetry).watchSessions(table.size)
    return table
  })
