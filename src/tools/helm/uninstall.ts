/** helm_uninstall: uninstall a release and delete its objects, by the helm binary. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { HelmWriteOutput, uninstallRelease, writeOutput } from "../../kube/helmWrite.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { HelmWait, NamespaceParam, ReleaseName } from "../params.js"

export const helmUninstall = clusterTool({
  name: "helm_uninstall",
  description: "Uninstall a helm release (helm uninstall): deletes the objects of its manifest and its release records " +
    "(keep_history keeps the records, marked uninstalled). Needs a helm binary (HelmUnavailable otherwise).",
  params: Schema.Struct({
    name: ReleaseName,
    namespace: Schema.optionalKey(NamespaceParam),
    keep_history: Schema.optionalKey(Schema.Boolean.annotate({ description: "keep the release's records, so helm_history still shows it (helm --keep-history)" })),
    wait: Schema.optionalKey(HelmWait.annotate({ description: "wait until the release's objects are deleted (helm --wait), up to [helm] timeout" })),
    dry_run: Schema.optionalKey(Schema.Boolean.annotate({ description: "simulate the uninstall (helm uninstall --dry-run); nothing is deleted" }))
  }),
  subject: "helm release",
  output: HelmWriteOutput,
  annotations: { title: "Uninstall a helm release", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const settings = yield* AppSettings
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const { objects, output, release } = yield* uninstallRelease(settings.helm, {
        release: input.name,
        namespace,
        keepHistory: input.keep_history,
        wait: input.wait,
        dryRun: input.dry_run
      })
      const reply: Reply = document(writeOutput(input.dry_run === true ? "uninstalled (dry run)" : "uninstalled", release, objects, { output }))
      return reply
    })
})
