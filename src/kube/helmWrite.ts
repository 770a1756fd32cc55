/**
 * The helm write operations (install, upgrade, rollback, uninstall) on the context of the current Kube, run
 * by the helm binary (helmRun.ts). Before helm starts, the context's policy and RBAC pre-check are asked
 * about what helm will write: the release Secrets in the release's namespace (so `denied_resources` with
 * "secrets" and `allowed_namespaces` refuse a write, nothing sent) and, for install and upgrade on a context
 * with a policy, every object of the rendered chart (rendered first by a server-side dry run).
 */
import { Effect, Schema } from "effect"
import { isRecord } from "../output/sanitize.js"
import { HelmFailed, type HelmUnavailable, type KubeError } from "../errors.js"
import { parseApiVersion } from "./discovery.js"
import { getRelease, type Release, releaseOf, ReleaseJson } from "./helm.js"
import { type HelmSettings, runHelm } from "./helmRun.js"
import { access, Kube } from "./Kube.js"
import { parseYamlDocument } from "./manifest.js"

export type HelmWriteError = KubeError | HelmUnavailable | HelmFailed

/** One object of a rendered manifest, as "Kind/name" (namespace when it names one). */
export interface ManifestObject {
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | undefined
}

/** The objects of helm's rendered manifest (documents split on ---, comments and empty documents skipped). */
export const manifestObjects = (manifest: string): Array<ManifestObject> =>
  manifest.split(/^---[ \t]*$/mu).flatMap((doc) => {
    const d = parseYamlDocument(doc)
    if (!isRecord(d) || !isRecord(d["metadata"])) return []
    const { apiVersion, kind } = d
    const { name, namespace } = d["metadata"]
    return typeof apiVersion === "string" && typeof kind === "string" && typeof name === "string"
      ? [{ apiVersion, kind, name, namespace: typeof namespace === "string" ? namespace : undefined }]
      : []
  })

export const objectLabel = (o: ManifestObject): string => `${o.kind}/${o.name}${o.namespace !== undefined ? ` (namespace ${o.namespace})` : ""}`

/** helm writes its release Secrets in the release's namespace: the policy and RBAC decide before helm runs. */
const authorizeReleaseWrite = (namespace: string, verbs: ReadonlyArray<string>): Effect.Effect<void, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    for (const verb of verbs) yield* kube.authorize(access({ verb, resource: "secrets", namespace }))
  })

/** Every object of a rendered chart, checked against the policy (and RBAC when required) for `verb`. */
const authorizeObjects = (objects: ReadonlyArray<ManifestObject>, namespace: string, verb: string): Effect.Effect<void, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    for (const o of objects) {
      const gv = parseApiVersion(o.apiVersion)
      const info = (yield* kube.resources(gv)).find((r) => r.kind === o.kind)
      // a kind not served yet (a CRD the chart itself creates) is left to the API server
      if (info === undefined) continue
      yield* kube.authorize(access({
        verb,
        group: info.group,
        resource: info.resource,
        namespace: info.namespaced ? o.namespace ?? namespace : undefined,
        name: o.name,
        clusterScoped: !info.namespaced
      }))
    }
  })

const hasPolicy = (s: { readonly deniedResources: ReadonlyArray<string>; readonly allowedNamespaces: ReadonlyArray<string>; readonly requireRbac: boolean }) =>
  s.deniedResources.length > 0 || s.allowedNamespaces.length > 0 || s.requireRbac

const decodeRelease = Schema.decodeUnknownEffect(Schema.fromJsonString(ReleaseJson))

const parseReleaseOutput = (context: string, stdout: string, namespace: string): Effect.Effect<Release, HelmFailed> =>
  decodeRelease(stdout.trim()).pipe(
    Effect.map((r) => releaseOf(r, namespace)),
    Effect.mapError((e) =>
      new HelmFailed({ context, message: "helm succeeded but its JSON output could not be read", details: e.message.slice(0, 500) })
    )
  )

export interface ChartWrite {
  readonly release: string
  readonly chart: string
  readonly namespace: string
  /** Values as YAML/JSON text (written to a private file, never on the command line). */
  readonly values?: string | undefined
  readonly version?: string | undefined
  readonly createNamespace?: boolean | undefined
  readonly wait?: boolean | undefined
  readonly dryRun?: boolean | undefined
}

export interface UpgradeWrite extends ChartWrite {
  readonly install?: boolean | undefined
  readonly reuseValues?: boolean | undefined
}

export interface WriteResult {
  readonly release: Release
  readonly objects: ReadonlyArray<ManifestObject>
}

const chartArgs = (w: ChartWrite): Array<string> => [
  "-o", "json",
  ...(w.version !== undefined && w.version !== "" ? ["--version", w.version] : []),
  ...(w.wait === true ? ["--wait"] : [])
]

/** install or upgrade: policy first, then (with a policy) a server-side dry run to check the chart's objects. */
const chartWrite = (settings: HelmSettings, w: ChartWrite, args: ReadonlyArray<string>, verbs: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const kube = yield* Kube
    yield* authorizeReleaseWrite(w.namespace, verbs)
    const values = w.values !== undefined ? [w.values] : []
    const dryRunArgs = [...args.slice(0, args.indexOf("--")), "--dry-run=server", ...args.slice(args.indexOf("--"))]
    if (hasPolicy(kube.settings) || w.dryRun === true) {
      const out = yield* runHelm(kube, settings, { args: dryRunArgs, namespace: w.namespace, valuesFiles: values, timeoutFlag: true })
      const rendered = yield* parseReleaseOutput(kube.info.name, out.stdout, w.namespace)
      const objects = manifestObjects(rendered.raw.manifest ?? "")
      if (hasPolicy(kube.settings)) yield* authorizeObjects(objects, w.namespace, verbs.includes("update") ? "update" : "create")
      if (w.dryRun === true) return { release: rendered, objects }
    }
    const out = yield* runHelm(kube, settings, { args, namespace: w.namespace, valuesFiles: values, timeoutFlag: true })
    const release = yield* parseReleaseOutput(kube.info.name, out.stdout, w.namespace)
    return { release, objects: manifestObjects(release.raw.manifest ?? "") }
  })

export const installRelease = (settings: HelmSettings, w: ChartWrite): Effect.Effect<WriteResult, HelmWriteError, Kube> =>
  chartWrite(settings, w, [
    "install",
    ...chartArgs(w),
    ...(w.createNamespace === true ? ["--create-namespace"] : []),
    "--",
    w.release,
    w.chart
  ], ["create"])

export const upgradeRelease = (settings: HelmSettings, w: UpgradeWrite): Effect.Effect<WriteResult, HelmWriteError, Kube> =>
  chartWrite(settings, w, [
    "upgrade",
    ...chartArgs(w),
    ...(w.install === true ? ["--install"] : []),
    ...(w.install === true && w.createNamespace === true ? ["--create-namespace"] : []),
    ...(w.reuseValues === true ? ["--reuse-values"] : ["--reset-values"]),
    "--",
    w.release,
    w.chart
  ], ["create", "update"])

/** Rolls back to `revision` (0 or omitted: the previous one); the result is the new revision helm wrote. */
export const rollbackRelease = (
  settings: HelmSettings,
  w: { readonly release: string; readonly namespace: string; readonly revision?: number | undefined; readonly wait?: boolean | undefined; readonly dryRun?: boolean | undefined }
): Effect.Effect<{ readonly before: Release; readonly after: Release; readonly target: number }, HelmWriteError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    yield* authorizeReleaseWrite(w.namespace, ["create", "update"])
    const before = yield* getRelease(w.namespace, w.release)
    const target = w.revision !== undefined && w.revision > 0 ? w.revision : before.revision - 1
    // the target must exist (helm's own message for a missing one is less clear); its objects are what helm writes
    const targetRelease = yield* getRelease(w.namespace, w.release, target)
    if (hasPolicy(kube.settings)) yield* authorizeObjects(manifestObjects(targetRelease.raw.manifest ?? ""), w.namespace, "update")
    yield* runHelm(kube, settings, {
      args: ["rollback", ...(w.wait === true ? ["--wait"] : []), ...(w.dryRun === true ? ["--dry-run"] : []), "--", w.release, String(target)],
      namespace: w.namespace,
      timeoutFlag: true
    })
    const after = w.dryRun === true ? before : yield* getRelease(w.namespace, w.release)
    return { before, after, target }
  })

export const uninstallRelease = (
  settings: HelmSettings,
  w: { readonly release: string; readonly namespace: string; readonly keepHistory?: boolean | undefined; readonly wait?: boolean | undefined; readonly dryRun?: boolean | undefined }
): Effect.Effect<{ readonly release: Release; readonly objects: ReadonlyArray<ManifestObject>; readonly output: string }, HelmWriteError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    yield* authorizeReleaseWrite(w.namespace, ["delete"])
    const release = yield* getRelease(w.namespace, w.release)
    const objects = manifestObjects(release.raw.manifest ?? "")
    if (hasPolicy(kube.settings)) yield* authorizeObjects(objects, w.namespace, "delete")
    const out = yield* runHelm(kube, settings, {
      args: [
        "uninstall",
        ...(w.keepHistory === true ? ["--keep-history"] : []),
        ...(w.wait === true ? ["--wait"] : []),
        ...(w.dryRun === true ? ["--dry-run"] : []),
        "--",
        w.release
      ],
      namespace: w.namespace,
      timeoutFlag: true
    })
    return { release, objects, output: out.stdout.trim() }
  })

/** What every helm write reports (structuredContent of helm_install/upgrade/rollback/uninstall). */
export const HelmWriteOutput = Schema.Struct({
  result: Schema.String.annotate({ description: "installed, upgraded, rolled back, uninstalled; \"(dry run)\" when nothing was changed" }),
  release: Schema.String,
  namespace: Schema.String,
  revision: Schema.Finite.annotate({ description: "the release's revision after the call (the one that would be written, for a dry run)" }),
  status: Schema.String,
  chart: Schema.String,
  app_version: Schema.String,
  description: Schema.String,
  objects: Schema.Array(Schema.String).annotate({ description: "the objects of the release's manifest, as Kind/name" }),
  values: Schema.optionalKey(Schema.String.annotate({ description: "what became of the values given (never echoed unless the context reveals secrets)" })),
  notes: Schema.optionalKey(Schema.String),
  output: Schema.optionalKey(Schema.String.annotate({ description: "what helm printed" }))
})
export type HelmWriteOutput = typeof HelmWriteOutput.Type

/** How every helm result names a release: the same fields, read and write alike. */
export const releaseFields = (r: Release) => ({
  release: r.name,
  namespace: r.namespace,
  revision: r.revision,
  status: r.status,
  chart: r.chart,
  app_version: r.appVersion,
  description: r.description
})

export const writeOutput = (
  result: string,
  r: Release,
  objects: ReadonlyArray<ManifestObject>,
  extra: { readonly values?: string; readonly notes?: string; readonly output?: string } = {}
): HelmWriteOutput => ({
  result,
  ...releaseFields(r),
  objects: objects.map(objectLabel),
  ...(extra.values !== undefined ? { values: extra.values } : {}),
  ...(extra.notes !== undefined && extra.notes !== "" ? { notes: extra.notes } : {}),
  ...(extra.output !== undefined && extra.output !== "" ? { output: extra.output } : {})
})

/** What the result says about the values given: they are never echoed back unless the context reveals secrets. */
export const valuesNote = (values: Readonly<Record<string, unknown>> | undefined, reveal: boolean): string | undefined =>
  values === undefined
    ? undefined
    : reveal
    ? JSON.stringify(values)
    : `${Object.keys(values).length} top-level key(s) given: ${Object.keys(values).join(", ")} (values not shown; helm_get with a context that reveals secrets shows them)`
