/**
 * V8's heap sizing for a server (`server.heap`, issue #17). Node sizes V8's heap for a big machine: a 4 GiB
 * old-space limit on 16 GiB and more, 16 MiB young semi-spaces, and an old space allowed to grow up to 4×
 * what survived the last full collection. Under a server's steady allocation (8 calls in flight) RSS then
 * climbs to 2–3× the live data. Semi-spaces of 8 MiB and an old-space limit of 1 GiB (which also lowers
 * that growth factor) halve the peak RSS under load at about the same CPU per call (bench/RESULTS.md).
 *
 * V8 reads these only when the process starts, so the server re-executes itself with them
 * (`process.execve`: same pid, same stdio; Node ≥ 22.15, not on Windows) right after its configuration is
 * read, before it logs, listens or reads stdin. That repeats the start-up so far (~150 ms), which a
 * long-running HTTP server does not notice and a stdio server, started per client and answering one
 * client, would: `auto` bounds the heap when HTTP is served. It never raises a limit: where Node's own
 * limit is already lower (a container's memory limit) only the young generation is set. Sizing the user
 * gave as node flags or in NODE_OPTIONS wins.
 */
import { Effect } from "effect"
import { getHeapStatistics } from "node:v8"
import type { Settings } from "./config/settings.js"

export const BOUNDED_HEAP = { semiSpaceMiB: 8, oldSpaceMiB: 1024 } as const

export interface HeapInputs {
  readonly mode: Settings["heap"]
  readonly transports: Settings["transports"]
  /** The node flags of this process and NODE_OPTIONS, split on whitespace. */
  readonly nodeFlags: ReadonlyArray<string>
  /** V8's current heap limit (old space and young generation). */
  readonly heapLimitMiB: number
}

/** The node flags to restart with; none: run as started. */
export const boundedHeapFlags = (i: HeapInputs): Array<string> => {
  const wanted = i.mode === "bounded" || (i.mode === "auto" && i.transports.includes("http"))
  if (!wanted || i.nodeFlags.some((f) => /^--max-(old|semi)-space-size(-percentage)?=/.test(f))) return []
  return [
    `--max-semi-space-size=${BOUNDED_HEAP.semiSpaceMiB}`,
    // the limit includes the young generation: only lower it, and only where that changes something
    ...(i.heapLimitMiB > BOUNDED_HEAP.oldSpaceMiB * 1.1 ? [`--max-old-space-size=${BOUNDED_HEAP.oldSpaceMiB}`] : [])
  ]
}

/** Restarts this process with the bounded heap flags when `server.heap` asks for them and they are not in place yet. */
export const boundHeap = (settings: Settings): Effect.Effect<void> =>
  Effect.sync(() => {
    const execve = process.execve
    const script = process.argv[1]
    if (execve === undefined || script === undefined) return
    const flags = boundedHeapFlags({
      mode: settings.heap,
      transports: settings.transports,
      nodeFlags: [...process.execArgv, ...(process.env["NODE_OPTIONS"] ?? "").split(/\s+/)],
      heapLimitMiB: getHeapStatistics().heap_size_limit / 2 ** 20
    })
    if (flags.length > 0) execve(process.execPath, [process.execPath, ...process.execArgv, ...flags, script, ...process.argv.slice(2)], process.env)
  })
