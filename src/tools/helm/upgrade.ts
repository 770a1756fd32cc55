/** helm_upgrade: upgrade a release to a chart (or new values), by the helm binary. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { HelmWriteOutput, upgradeRelease, valuesNote, writeOutput } from "../../kube/helmWrite.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { ChartRef, ChartVersion, HelmDryRun, HelmValues, HelmWait, NamespaceParam, ReleaseName } from "../params.js"

export const helmUpgrade = clusterTool({
  name: "helm_upgrade",
  description: "Upgrade a helm release to a chart and values (helm upgrade), writing a new revision. By default the " +
    "values are exactly those given (helm --reset-values); reuse_values keeps the previous revision's values and " +
    "merges the given ones over them. install: true installs when the release does not exist. Needs a helm binary " +
    "(HelmUnavailable otherwise). Values given are never echoed back unless the context reveals secrets.",
  params: Schema.Struct({
    name: ReleaseName,
    chart: ChartRef,
    namespace: Schema.optionalKey(NamespaceParam),
    values: Schema.optionalKey(HelmValues),
    reuse_values: Schema.optionalKey(Schema.Boolean.annotate({
      description: "start from the previous revision's values and merge the given ones over them (helm --reuse-values); default: only the values given"
    })),
    version: Schema.optionalKey(ChartVersion),
    install: Schema.optionalKey(Schema.Boolean.annotate({ description: "install the release if it does not exist yet (helm upgrade --install)" })),
    create_namespace: Schema.optionalKey(Schema.Boolean.annotate({ description: "with install: create the namespace if it does not exist" })),
    wait: Schema.optionalKey(HelmWait),
    dry_run: Schema.optionalKey(HelmDryRun)
  }),
  subject: "helm release",
  output: HelmWriteOutput,
  annotations: { title: "Upgrade a helm release", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const settings = yield* AppSettings
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const { objects, release } = yield* upgradeRelease(settings.helm, {
        release: input.name,
        chart: input.chart,
        namespace,
        values: input.values !== undefined ? JSON.stringify(input.values) : undefined,
        reuseValues: input.reuse_values,
        version: input.version,
        install: input.install,
        createNamespace: input.create_namespace,
        wait: input.wait,
        dryRun: input.dry_run
      })
      const values = valuesNote(input.values, kube.settings.revealSecrets)
      const reply: Reply = document(writeOutput(input.dry_run === true ? "upgraded (dry run)" : "upgraded", release, objects, {
        ...(values !== undefined ? { values } : {})
      }))
      return reply
    })
})
