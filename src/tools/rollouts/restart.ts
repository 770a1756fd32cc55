/** rollout_restart: kubectl rollout restart (the pod template's restartedAt annotation), every pod replaced by the rollout strategy. */
import { Effect, Schema } from "effect"
import { inNamespace, refOf } from "../../kube/objects.js"
import { restartRollout } from "../../kube/rollouts.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, Name, NamespaceParam, WorkloadKind } from "../params.js"

const Params = Schema.Struct({
  kind: WorkloadKind,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  dry_run: Schema.optionalKey(DryRun)
})

const RestartOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  action: Schema.Literals(["restarted"]),
  dry_run: Schema.Boolean,
  note: Schema.optionalKey(Schema.String.annotate({ description: "with dry_run: that nothing was persisted" })),
  summary: Schema.String.annotate({ description: "what was done, in one line" }),
  restarted_at: Schema.String.annotate({ description: "the kubectl.kubernetes.io/restartedAt annotation set on the pod template" }),
  resourceVersion: Schema.String,
  changes: Schema.Array(Schema.String).annotate({ description: "the fields that changed, as path: before → after" })
})

export const rolloutRestart = clusterTool({
  name: "rollout_restart",
  description: "Restart a Deployment, StatefulSet or DaemonSet as kubectl rollout restart does: sets the pod template's " +
    "kubectl.kubernetes.io/restartedAt annotation to now, so the controller replaces every pod following the rollout " +
    "strategy. A paused Deployment is refused. Reports the change and the resourceVersion; dry_run checks without persisting. " +
    "Follow with rollout_status (wait) to see it finish.",
  params: Params,
  output: RestartOutput,
  annotations: { title: "Restart a rollout", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const dryRun = input.dry_run === true
      const r = yield* restartRollout(input, dryRun, "rollout_restart")
      const summary = `${refOf(r.info, r.name)} restarted${inNamespace(r.namespace)} (restartedAt ${r.restartedAt}, resourceVersion ${r.resourceVersion})`
      const reply: Reply = text({
        text: [
          ...(dryRun ? [DRY_RUN_NOTE] : []),
          summary,
          ...r.changes.map((c) => `  ${c}`)
        ].join("\n"),
        data: {
          kind: r.info.kind,
          name: r.name,
          ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
          action: "restarted",
          dry_run: dryRun,
          ...(dryRun ? { note: DRY_RUN_NOTE } : {}),
          summary,
          restarted_at: r.restartedAt,
          resourceVersion: r.resourceVersion,
          changes: r.changes
        }
      })
      return reply
    })
})
