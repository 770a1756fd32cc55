/** nodes_drain: cordon a node and evict its pods as kubectl drain does (kube/drain.ts), reporting each pod. */
import { Effect, Schema } from "effect"
import { type DrainReport, drainNode, type PodStatus } from "../../kube/drain.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, Name } from "../params.js"

const DEFAULT_TIMEOUT = 60

const Params = Schema.Struct({
  name: Name.annotate({ description: "node name (see nodes_summary)" }),
  grace_period_seconds: Schema.optionalKey(
    Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 3600 })).annotate({
      description: "seconds each pod gets to shut down; omit for each pod's own terminationGracePeriodSeconds"
    })
  ),
  timeout_seconds: Schema.optionalKey(
    Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 600 })).annotate({
      description: `how long to keep retrying evictions a PodDisruptionBudget refuses and to wait for evicted pods to be gone (default ${DEFAULT_TIMEOUT}); what is left then is reported as blocked or terminating`
    })
  ),
  force: Schema.optionalKey(Schema.Boolean.annotate({
    description: "also evict pods no controller manages (nothing recreates them), as kubectl drain --force"
  })),
  delete_emptydir_data: Schema.optionalKey(Schema.Boolean.annotate({
    description: "also evict pods with emptyDir volumes, whose data is lost, as kubectl drain --delete-emptydir-data"
  })),
  dry_run: Schema.optionalKey(DryRun.annotate({
    description: "cordon and evict as a server-side dry run (dryRun=All): nothing changes; the report says which pods would be evicted, skipped or blocked by a PodDisruptionBudget now"
  }))
})

const STATUSES = ["evicted", "terminating", "would be evicted", "blocked", "skipped", "not attempted"] as const satisfies ReadonlyArray<PodStatus>

const DrainOutput = Schema.Struct({
  node: Schema.String,
  cordon: Schema.Literals(["cordoned", "already cordoned", "uncordoned", "already schedulable"]),
  dry_run: Schema.Boolean,
  complete: Schema.Boolean.annotate({ description: "every pod that has to leave did (dry run: would be evicted now)" }),
  refused: Schema.optionalKey(Schema.String.annotate({ description: "why no pod was evicted (pods that need force or delete_emptydir_data)" })),
  counts: Schema.Record(Schema.String, Schema.Finite).annotate({ description: "pods per status" }),
  pods: Schema.Array(Schema.Struct({
    namespace: Schema.String,
    name: Schema.String,
    status: Schema.Literals(STATUSES),
    reason: Schema.optionalKey(Schema.String),
    attempts: Schema.optionalKey(Schema.Finite.annotate({ description: "eviction requests sent" }))
  })).annotate({
    description: "each pod on the node: evicted (gone), terminating (evicted, still shutting down at the timeout), would be evicted (dry run), blocked (a PodDisruptionBudget or a filter refused it), skipped (DaemonSet, mirror or terminating pod), not attempted"
  }),
  elapsed_seconds: Schema.Finite
})

const render = (r: DrainReport) => {
  const counts: Record<string, number> = {}
  for (const p of r.pods) counts[p.status] = (counts[p.status] ?? 0) + 1
  const tally = Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(", ") || "no pods on the node"
  const elapsed = Math.round(r.elapsedMs / 100) / 10
  return text({
    text: [
      ...(r.dryRun ? [DRY_RUN_NOTE] : []),
      `node/${r.node} ${r.cordon}; drain ${r.complete ? "complete" : "incomplete"} in ${elapsed}s: ${tally}`,
      ...(r.refused !== undefined ? [r.refused] : []),
      ...r.pods.map((p) => `  ${p.namespace}/${p.name}: ${p.status}${p.reason !== undefined ? ` (${p.reason})` : ""}`),
      ...(r.complete || r.dryRun ? [] : ["Run nodes_drain again to retry; nodes_uncordon makes the node schedulable again."])
    ].join("\n"),
    data: {
      node: r.node,
      cordon: r.cordon,
      dry_run: r.dryRun,
      complete: r.complete,
      ...(r.refused !== undefined ? { refused: r.refused } : {}),
      counts,
      pods: r.pods.map((p) => ({
        namespace: p.namespace,
        name: p.name,
        status: p.status,
        ...(p.reason !== undefined ? { reason: p.reason } : {}),
        ...(p.attempts !== undefined ? { attempts: p.attempts } : {})
      })),
      elapsed_seconds: elapsed
    },
    narrow: "a node with fewer pods"
  })
}

export const nodesDrain = clusterTool({
  name: "nodes_drain",
  description: "Drain a node as kubectl drain does: cordon it, then evict its pods through the Eviction API, so PodDisruptionBudgets are honoured (a refused eviction is retried until timeout_seconds, then reported as blocked with the budget's message). DaemonSet pods, mirror pods and pods already terminating are skipped; pods without a controller (force) or with emptyDir data (delete_emptydir_data) stop the drain before any eviction unless allowed. Waits for evicted pods to be gone. Reports each pod: evicted, terminating, would be evicted (dry_run), blocked, skipped or not attempted. The node stays cordoned; nodes_uncordon undoes that.",
  params: Params,
  output: DrainOutput,
  annotations: { title: "Drain a node", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  about: (input) => ({ objects: `node ${input.name} (cordon and evict its pods)`, dryRun: input.dry_run === true }),
  run: (input) =>
    Effect.map(
      drainNode(input.name, {
        force: input.force === true,
        deleteEmptyDirData: input.delete_emptydir_data === true,
        gracePeriodSeconds: input.grace_period_seconds,
        timeoutSeconds: input.timeout_seconds ?? DEFAULT_TIMEOUT,
        dryRun: input.dry_run === true
      }),
      render
    )
})
