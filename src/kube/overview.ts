/**
 * One context at a glance (clusters_overview): reachable, server version, round trip, nodes ready, pods that
 * are not Running/Completed with their reasons, Warning events of the last hour. Only reaching the API server
 * (GET /version) must succeed; a part the user may not read (nodes for a namespaced user) is reported as such.
 */
import { Clock, Effect, Schema } from "effect"
import type { KubeError } from "../errors.js"
import { decodeAnswer } from "./call.js"
import { EventList, eventsPath, lastSeen, MAX_EVENTS } from "./events.js"
import { access, Kube } from "./Kube.js"
import { listNodes, nodeReady } from "./nodes.js"
import { readAllPages, readAllTableRows } from "./paging.js"

const Version = Schema.Struct({ gitVersion: Schema.String })

/** Pods counted per context at most (the Table form: about 150 bytes a pod); beyond, the counts say "at least". */
export const MAX_OVERVIEW_PODS = 20_000
/** How far back Warning events count. */
export const WARNING_WINDOW_MS = 60 * 60 * 1000
/** The pod statuses (kubectl's STATUS column) that are healthy: running, or finished well. */
const HEALTHY = new Set(["Running", "Completed", "Succeeded"])

export interface Part<A> {
  readonly value?: A
  /** Why the part could not be read (e.g. "Forbidden: … may not list nodes"). */
  readonly problem?: string
}

export interface ClusterOverview {
  readonly version: string
  /** Milliseconds of the GET /version round trip. */
  readonly rttMs: number
  readonly nodes: Part<{ readonly ready: number; readonly total: number }>
  readonly pods: Part<{
    readonly total: number
    readonly unhealthy: number
    /** Reasons of the unhealthy pods (kubectl's STATUS), most frequent first. */
    readonly reasons: ReadonlyArray<readonly [string, number]>
    /** False when MAX_OVERVIEW_PODS were counted and more exist. */
    readonly complete: boolean
  }>
  readonly warnings: Part<{ readonly lastHour: number; readonly complete: boolean }>
}

const part = <A>(effect: Effect.Effect<A, KubeError, Kube>): Effect.Effect<Part<A>, never, Kube> =>
  effect.pipe(
    Effect.map((value): Part<A> => ({ value })),
    Effect.catch((e: KubeError) => Effect.succeed<Part<A>>({ problem: `${e._tag}: ${e.message}` }))
  )

const nodeCounts = Effect.map(listNodes(), (nodes) => ({ ready: nodes.filter((n) => nodeReady(n) === "True").length, total: nodes.length }))

/** Every pod's STATUS cell from the server-side Table (no objects): what kubectl get pods -A shows. */
const podHealth = Effect.map(
  readAllTableRows(access({ verb: "list", resource: "pods" }), { path: "/api/v1/pods" }, MAX_OVERVIEW_PODS),
  ({ columns, complete, rows }) => {
    const at = columns.indexOf("Status")
    const reasons = new Map<string, number>()
    for (const cells of rows) {
      const status = at < 0 ? "Unknown" : String(cells[at] ?? "Unknown")
      if (!HEALTHY.has(status)) reasons.set(status, (reasons.get(status) ?? 0) + 1)
    }
    return {
      total: rows.length,
      unhealthy: [...reasons.values()].reduce((a, b) => a + b, 0),
      reasons: [...reasons].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
      complete
    }
  }
)

const recentWarnings = (now: number) =>
  Effect.map(
    readAllPages(access({ verb: "list", resource: "events" }), { path: eventsPath(undefined), query: { fieldSelector: "type=Warning" } }, EventList, MAX_EVENTS),
    ({ complete, items }) => ({
      lastHour: items.filter((e) => {
        const seen = Date.parse(lastSeen(e) ?? "")
        return !Number.isNaN(seen) && seen >= now - WARNING_WINDOW_MS
      }).length,
      complete
    })
  )

export const clusterOverview: Effect.Effect<ClusterOverview, KubeError, Kube> = Effect.gen(function*() {
  const kube = yield* Kube
  const started = yield* Clock.currentTimeMillis
  // /version is readable by every user (system:public-info-viewer): no RBAC pre-check to make
  const version = yield* Effect.flatMap(kube.json({ path: "/version" }), decodeAnswer(Version, kube.info.name, "/version"))
  const now = yield* Clock.currentTimeMillis
  const [nodes, pods, warnings] = yield* Effect.all([part(nodeCounts), part(podHealth), part(recentWarnings(now))], { concurrency: "unbounded" })
  return { version: version.gitVersion, rttMs: now - started, nodes, pods, warnings }
})
