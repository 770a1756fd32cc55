/** helm_rollback: roll a release back to an earlier revision, by the helm binary. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { HelmWriteOutput, manifestObjects, rollbackRelease, writeOutput } from "../../kube/helmWrite.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { HelmWait, NamespaceParam, ReleaseName } from "../params.js"

export const helmRollback = clusterTool({
  name: "helm_rollback",
  description: "Roll a helm release back to an earlier revision (helm rollback): helm writes a new revision with that " +
    "revision's chart and values. Omit revision for the previous one. Needs a helm binary (HelmUnavailable otherwise).",
  params: Schema.Struct({
    name: ReleaseName,
    revision: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1_000_000 })).annotate({
      description: "the revision to roll back to (helm_history lists them); omit for the previous revision"
    })),
    namespace: Schema.optionalKey(NamespaceParam),
    wait: Schema.optionalKey(HelmWait),
    dry_run: Schema.optionalKey(Schema.Boolean.annotate({ description: "simulate the rollback (helm rollback --dry-run); nothing is changed" }))
  }),
  subject: "helm release",
  output: HelmWriteOutput,
  annotations: { title: "Roll back a helm release", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const settings = yield* AppSettings
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const { after, before, target } = yield* rollbackRelease(settings.helm, {
        release: input.name,
        namespace,
        revision: input.revision,
        wait: input.wait,
        dryRun: input.dry_run
      })
      const reply: Reply = document(writeOutput(
        input.dry_run === true
          ? `rolled back to revision ${target} (dry run; revision ${before.revision} stays current)`
          : `rolled back to revision ${target} (as revision ${after.revision})`,
        after,
        manifestObjects(after.raw.manifest ?? "")
      ))
      return reply
    })
})
