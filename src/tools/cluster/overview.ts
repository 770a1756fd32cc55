/** clusters_overview: every context (or the selected ones) in one row each: is it up, and what is wrong. */
import { Effect, Schema } from "effect"
import type { KubeError } from "../../errors.js"
import { type ClusterOverview, clusterOverview, type Part } from "../../kube/overview.js"
import { table, TableOutput } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"

const COLUMNS = ["reachable", "version", "rtt_ms", "nodes_ready", "pods", "pods_not_running", "top_reasons", "warnings_1h", "problems"]

const show = <A>(p: Part<A>, f: (a: A) => string): string => (p.value !== undefined ? f(p.value) : "?")

const row = (o: ClusterOverview): Array<string> => [
  "yes",
  o.version,
  String(o.rttMs),
  show(o.nodes, (n) => `${n.ready}/${n.total}`),
  show(o.pods, (p) => `${p.total}${p.complete ? "" : "+"}`),
  show(o.pods, (p) => String(p.unhealthy)),
  show(o.pods, (p) => p.reasons.slice(0, 3).map(([reason, n]) => `${reason}=${n}`).join(" ")),
  show(o.warnings, (w) => `${w.lastHour}${w.complete ? "" : "+"}`),
  [o.nodes, o.pods, o.warnings].flatMap((p, i) => (p.problem !== undefined ? [`${["nodes", "pods", "events"][i]}: ${p.problem}`] : [])).join("; ")
]

const unreachable = (e: KubeError): Array<string> => ["no", "", "", "", "", "", "", "", `${e._tag}: ${e.message}`]

export const clustersOverview = clusterTool({
  name: "clusters_overview",
  description: "One row per context, all contexts unless `contexts` or `context` narrows them: reachable (or why not), " +
    "server version, round-trip ms of GET /version, nodes ready/total, pods in all namespaces, pods not Running/Completed " +
    "with their top reasons (CrashLoopBackOff, Pending, ImagePullBackOff, … as kubectl's STATUS shows them), Warning " +
    "events of the last hour. A part the context's user may not read shows \"?\" and says why under problems; \"+\" " +
    "after a count means it stopped at its cap (20000 pods, 10000 events).",
  params: Schema.Struct({}),
  output: TableOutput,
  annotations: { title: "Overview of clusters", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  defaultContexts: ["*"],
  run: () =>
    clusterOverview.pipe(
      Effect.map(row),
      Effect.catch((e: KubeError) => Effect.succeed(unreachable(e))),
      Effect.map((cells) => table({ columns: COLUMNS, rows: [cells], narrow: "contexts" }))
    )
})
