/** helm_install: install a chart as a new release, by the helm binary. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { HelmWriteOutput, installRelease, valuesNote, writeOutput } from "../../kube/helmWrite.js"
import { namespaceOr } from "../../kube/scope.js"
import { document, type Reply } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { ChartRef, ChartVersion, HelmDryRun, HelmValues, HelmWait, NamespaceParam, ReleaseName } from "../params.js"

export const helmInstall = clusterTool({
  name: "helm_install",
  description: "Install a helm chart as a new release (helm install), with the context's credentials. The chart is a " +
    "local chart directory or .tgz on the server, a repository reference or an oci:// reference. Needs a helm binary " +
    "([helm] binary or helm on PATH; HelmUnavailable otherwise). Reports the release's revision, status and the " +
    "objects it created; values given are never echoed back unless the context reveals secrets.",
  params: Schema.Struct({
    name: ReleaseName,
    chart: ChartRef,
    namespace: Schema.optionalKey(NamespaceParam),
    values: Schema.optionalKey(HelmValues),
    version: Schema.optionalKey(ChartVersion),
    create_namespace: Schema.optionalKey(Schema.Boolean.annotate({ description: "create the namespace if it does not exist (helm --create-namespace)" })),
    wait: Schema.optionalKey(HelmWait),
    dry_run: Schema.optionalKey(HelmDryRun)
  }),
  subject: "helm release",
  output: HelmWriteOutput,
  annotations: { title: "Install a helm chart", readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const settings = yield* AppSettings
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const { objects, release } = yield* installRelease(settings.helm, {
        release: input.name,
        chart: input.chart,
        namespace,
        values: input.values !== undefined ? JSON.stringify(input.values) : undefined,
        version: input.version,
        createNamespace: input.create_namespace,
        wait: input.wait,
        dryRun: input.dry_run
      })
      const values = valuesNote(input.values, kube.settings.revealSecrets)
      const reply: Reply = document(writeOutput(input.dry_run === true ? "installed (dry run)" : "installed", release, objects, {
        ...(values !== undefined ? { values } : {}),
        notes: release.raw.info?.notes ?? ""
      }))
      return reply
    })
})
