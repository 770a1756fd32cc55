/** rollout_undo: kubectl rollout undo, to the previous revision or a given one, reporting what changed. */
import { Effect, Schema } from "effect"
import { inNamespace, refOf } from "../../kube/objects.js"
import { undoRollout } from "../../kube/rollouts.js"
import { type Reply, text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { DRY_RUN_NOTE, DryRun, Name, NamespaceParam, WorkloadKind } from "../params.js"

const Params = Schema.Struct({
  kind: WorkloadKind,
  name: Name,
  namespace: Schema.optionalKey(NamespaceParam),
  to_revision: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 1_000_000_000 })).annotate({
    description: "the revision to go back to: a Deployment's ReplicaSets carry it in their deployment.kubernetes.io/revision " +
      "annotation, ControllerRevisions in revision, and every rollout_undo result lists the revisions found; omit or 0 for the previous one"
  })),
  dry_run: Schema.optionalKey(DryRun)
})

const UndoOutput = Schema.Struct({
  kind: Schema.String,
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  action: Schema.Literals(["rolled back", "skipped"]).annotate({ description: "skipped: the pod template already matches that revision" }),
  dry_run: Schema.Boolean,
  note: Schema.optionalKey(Schema.String.annotate({ description: "with dry_run: that nothing was persisted" })),
  summary: Schema.String.annotate({ description: "what was done, in one line" }),
  to_revision: Schema.Finite,
  source: Schema.String.annotate({ description: "the ReplicaSet (Deployment) or ControllerRevision the template comes from" }),
  revisions: Schema.Array(Schema.Finite).annotate({ description: "the revisions found, oldest first" }),
  resourceVersion: Schema.String,
  changes: Schema.Array(Schema.String).annotate({ description: "the fields that changed, as path: before → after" })
})

export const rolloutUndo = clusterTool({
  name: "rollout_undo",
  description: "Roll a Deployment, StatefulSet or DaemonSet back to the previous revision or to_revision, as kubectl " +
    "rollout undo does: a Deployment gets the pod template of the ReplicaSet with that revision (without its " +
    "pod-template-hash label) and its annotations; a StatefulSet or DaemonSet gets its ControllerRevision. Skipped when " +
    "the template already matches; a paused Deployment is refused. Reports the fields that changed; dry_run checks " +
    "without persisting.",
  params: Params,
  output: UndoOutput,
  annotations: { title: "Undo a rollout", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input) =>
    Effect.gen(function*() {
      const dryRun = input.dry_run === true
      const u = yield* undoRollout(input, input.to_revision ?? 0, dryRun, "rollout_undo")
      const ref = `${refOf(u.info, u.name)}${inNamespace(u.namespace)}`
      const summary = `${
        u.action === "skipped"
          ? `${ref}: skipped rollback (current template already matches revision ${u.toRevision})`
          : `${ref} rolled back to revision ${u.toRevision} (from ${u.source}; resourceVersion ${u.resourceVersion})`
      }; revisions found: ${u.revisions.join(", ")}`
      const reply: Reply = text({
        text: [...(dryRun ? [DRY_RUN_NOTE] : []), summary, ...u.changes.map((c) => `  ${c}`)].join("\n"),
        data: {
          kind: u.kind,
          name: u.name,
          ...(u.namespace !== undefined ? { namespace: u.namespace } : {}),
          action: u.action,
          dry_run: dryRun,
          ...(dryRun ? { note: DRY_RUN_NOTE } : {}),
          summary,
          to_revision: u.toRevision,
          source: u.source,
          revisions: u.revisions,
          resourceVersion: u.resourceVersion,
          changes: u.changes
        }
      })
      return reply
    })
})
