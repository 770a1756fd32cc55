/**
 * Helm releases, read the way helm itself reads them, without a helm binary: helm (v3 and v4) stores each
 * revision of a release as a Secret of type `helm.sh/release.v1` named `sh.helm.release.v1.<name>.v<revision>`
 * and labelled `owner=helm`, `name=<release>`, `version=<revision>`, `status=<status>`. Its `data.release` is
 * base64 (the Secret's own encoding) of base64 (helm's) of gzip of the release as JSON.
 *
 * Every read goes through the context's Kube (callJson), so the context's policy and the RBAC pre-check apply:
 * a context that denies `secrets` cannot read releases, and the error says why.
 */
import { Effect, Schema } from "effect"
import { dump as toYaml } from "js-yaml"
import { gunzip, gzipSync } from "node:zlib"
import { ApiError, KubeError, NotFound } from "../errors.js"
import { isRecord, maskedValue, sanitize } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { access, Kube } from "./Kube.js"
import { ListMeta } from "./meta.js"
import { readAllPages } from "./paging.js"
import { parseYamlDocument } from "./manifest.js"

export const RELEASE_SECRET_TYPE = "helm.sh/release.v1"
export const releaseSecretName = (release: string, revision: number): string => `sh.helm.release.v1.${release}.v${revision}`

/** Release names as helm accepts them (DNS-1123 label-ish, at most 53 characters). */
export const RELEASE_NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/u

const Values = Schema.Record(Schema.String, Schema.Unknown)

/** The fields of helm's release JSON (pkg/release) this server reads. */
export const ReleaseJson = Schema.Struct({
  name: Schema.String,
  namespace: Schema.optionalKey(Schema.String),
  version: Schema.Finite,
  info: Schema.optionalKey(Schema.Struct({
    first_deployed: Schema.optionalKey(Schema.String),
    last_deployed: Schema.optionalKey(Schema.String),
    deleted: Schema.optionalKey(Schema.String),
    description: Schema.optionalKey(Schema.String),
    status: Schema.optionalKey(Schema.String),
    notes: Schema.optionalKey(Schema.String)
  })),
  chart: Schema.optionalKey(Schema.NullOr(Schema.Struct({
    metadata: Schema.optionalKey(Schema.NullOr(Schema.Struct({
      name: Schema.optionalKey(Schema.String),
      version: Schema.optionalKey(Schema.String),
      appVersion: Schema.optionalKey(Schema.String),
      description: Schema.optionalKey(Schema.String)
    }))),
    values: Schema.optionalKey(Schema.NullOr(Values))
  }))),
  config: Schema.optionalKey(Schema.NullOr(Values)),
  manifest: Schema.optionalKey(Schema.String),
  hooks: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.Struct({
    name: Schema.optionalKey(Schema.String),
    kind: Schema.optionalKey(Schema.String),
    path: Schema.optionalKey(Schema.String),
    manifest: Schema.optionalKey(Schema.String),
    events: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.String))),
    weight: Schema.optionalKey(Schema.Finite)
  }))))
})
export type ReleaseJson = typeof ReleaseJson.Type

/** One revision of a release, as the tools show it. */
export interface Release {
  readonly name: string
  readonly namespace: string
  readonly revision: number
  readonly status: string
  /** "<chart name>-<chart version>", as helm list prints it. */
  readonly chart: string
  readonly appVersion: string
  /** RFC 3339, when this revision was deployed. */
  readonly updated: string
  readonly description: string
  readonly raw: ReleaseJson
}

const SecretItem = Schema.Struct({
  metadata: Schema.Struct({
    name: Schema.String,
    namespace: Schema.optionalKey(Schema.String),
    labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String))
  }),
  type: Schema.optionalKey(Schema.String),
  data: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.String)))
})
type SecretItem = typeof SecretItem.Type
const SecretList = Schema.Struct({ metadata: Schema.optionalKey(ListMeta), items: Schema.Array(SecretItem) })

const GZIP_MAGIC = [0x1f, 0x8b, 0x08]
/** A release record bigger than this once unzipped is refused (Secrets hold at most 1 MiB zipped). */
const MAX_RELEASE_BYTES = 64 * 1024 * 1024

const gunzipBounded = (data: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => gunzip(data, { maxOutputLength: MAX_RELEASE_BYTES }, (e, out) => (e !== null ? reject(e) : resolve(out))))

const decodeReleaseJson = Schema.decodeUnknownEffect(Schema.fromJsonString(ReleaseJson))

/**
 * `data.release` of a release Secret, as the API returns it (base64 of helm's base64 of gzip of JSON), to the
 * release JSON. Records helm wrote without gzip (plain base64 of JSON) are read too, as helm reads them.
 */
export const decodeReleaseData = (data: string): Effect.Effect<ReleaseJson, string> =>
  Effect.gen(function*() {
    const helmText = Buffer.from(data, "base64").toString("latin1")
    const zipped = Buffer.from(helmText, "base64")
    const isGzip = GZIP_MAGIC.every((b, i) => zipped[i] === b)
    const json = isGzip
      ? yield* Effect.tryPromise({ try: () => gunzipBounded(zipped), catch: (e) => `not a gzip stream: ${e instanceof Error ? e.message : String(e)}` })
      : zipped
    return yield* decodeReleaseJson(json.toString("utf8")).pipe(Effect.mapError((e) => `not a helm release: ${e.message.slice(0, 300)}`))
  })

/**
 * The release JSON to the Secret data helm writes (gzip, base64, then the Secret's base64): what tests and
 * fixtures use to store a release the way helm does.
 */
export const encodeReleaseData = (release: unknown): string =>
  Buffer.from(gzipSync(Buffer.from(JSON.stringify(release))).toString("base64")).toString("base64")

const chartOf = (r: ReleaseJson): { readonly chart: string; readonly appVersion: string } => {
  const meta = r.chart?.metadata ?? undefined
  const name = meta?.name ?? ""
  return { chart: name !== "" ? `${name}-${meta?.version ?? ""}` : "", appVersion: meta?.appVersion ?? "" }
}

export const releaseOf = (r: ReleaseJson, secretNamespace: string, labels?: Readonly<Record<string, string>>): Release => ({
  name: r.name,
  namespace: r.namespace !== undefined && r.namespace !== "" ? r.namespace : secretNamespace,
  revision: r.version,
  status: r.info?.status ?? labels?.["status"] ?? "unknown",
  ...chartOf(r),
  updated: r.info?.last_deployed ?? r.info?.first_deployed ?? "",
  description: r.info?.description ?? "",
  raw: r
})

const encodeKubeError = Schema.encodeSync(KubeError)
const decodeKubeError = Schema.decodeSync(KubeError)

/** A refusal to read Secrets, explained: helm releases are Secrets. */
const explainSecrets = (e: KubeError): KubeError =>
  e._tag === "PolicyDenied" || e._tag === "Forbidden"
    ? decodeKubeError({
      ...encodeKubeError(e),
      details: `${e.details !== undefined && e.details !== "" ? `${e.details} ` : ""}` +
        `Helm stores releases as Secrets (type ${RELEASE_SECRET_TYPE}), so reading releases needs read access to secrets; ` +
        "a context that may not read secrets cannot read helm releases."
    })
    : e

const decodeItem = (context: string, item: SecretItem): Effect.Effect<Release | undefined, ApiError> => {
  const data = item.data?.["release"]
  if (item.type !== undefined && item.type !== RELEASE_SECRET_TYPE) return Effect.succeed(undefined)
  if (data === undefined) return Effect.succeed(undefined)
  return decodeReleaseData(data).pipe(
    Effect.map((r) => releaseOf(r, item.metadata.namespace ?? "", item.metadata.labels)),
    Effect.mapError((why) =>
      new ApiError({
        context,
        code: 200,
        message: `Secret ${item.metadata.namespace ?? ""}/${item.metadata.name} is labelled owner=helm but its release record cannot be read`,
        details: why
      })
    )
  )
}

/** Label selector for helm's release Secrets, optionally of one release. */
const selectorOf = (release?: string): string => `owner=helm${release !== undefined ? `,name=${release}` : ""}`

/** Every stored revision (of one release, or of all), in one namespace or all ("" = all). */
export const listRevisions = (
  namespace: string,
  release?: string
): Effect.Effect<ReadonlyArray<Release>, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const path = namespace === "" ? "/api/v1/secrets" : `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`
    const { items } = yield* readAllPages(
      access({ verb: "list", resource: "secrets", namespace }),
      { path, query: { labelSelector: selectorOf(release) } },
      SecretList
    )
    const decoded = yield* Effect.forEach(items, (item) => decodeItem(kube.info.name, item), { concurrency: 4 })
    return decoded.filter((r): r is Release => r !== undefined)
  }).pipe(Effect.mapError(explainSecrets))

/** The newest revision of each release, sorted by namespace then name (what `helm list` shows). */
export const latestReleases = (revisions: ReadonlyArray<Release>): Array<Release> => {
  const latest = new Map<string, Release>()
  for (const r of revisions) {
    const key = `${r.namespace}/${r.name}`
    const seen = latest.get(key)
    if (seen === undefined || r.revision > seen.revision) latest.set(key, r)
  }
  return [...latest.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name))
}

export const listReleases = (namespace: string): Effect.Effect<Array<Release>, KubeError, Kube> =>
  Effect.map(listRevisions(namespace), latestReleases)

const notFound = (context: string, release: string, namespace: string, revision?: number): NotFound =>
  new NotFound({
    context,
    message: revision === undefined
      ? `Helm release "${release}" not found in namespace "${namespace}"`
      : `Revision ${revision} of helm release "${release}" not found in namespace "${namespace}"`,
    details: revision === undefined
      ? "helm_list shows the releases of a namespace (all_namespaces for every namespace)."
      : "helm_history lists the revisions kept."
  })

/** The revisions of one release, oldest first; NotFound when it has none. */
export const releaseHistory = (namespace: string, release: string): Effect.Effect<Array<Release>, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const revisions = (yield* listRevisions(namespace, release)).filter((r) => r.name === release)
    if (revisions.length === 0) return yield* notFound(kube.info.name, release, namespace)
    return [...revisions].sort((a, b) => a.revision - b.revision)
  })

/** One revision (the newest when `revision` is omitted). */
export const getRelease = (namespace: string, release: string, revision?: number): Effect.Effect<Release, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    if (revision === undefined) {
      const history = yield* releaseHistory(namespace, release)
      const newest = history[history.length - 1]
      return newest ?? (yield* notFound(kube.info.name, release, namespace))
    }
    const name = releaseSecretName(release, revision)
    const item = yield* callJson(
      access({ verb: "get", resource: "secrets", namespace, name }),
      { path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}` },
      SecretItem
    ).pipe(
      Effect.mapError((e) => (e._tag === "NotFound" ? notFound(kube.info.name, release, namespace, revision) : explainSecrets(e)))
    )
    const decoded = yield* decodeItem(kube.info.name, item)
    return decoded ?? (yield* notFound(kube.info.name, release, namespace, revision))
  })

// ---- values, manifest, hooks, fit to show ----

/**
 * Helm's coalescing of chart values with the user-supplied ones (`helm get values --all`): maps merge key by
 * key, the user's value wins, and a user-supplied null removes the key.
 */
export const coalesceValues = (chart: Readonly<Record<string, unknown>>, user: Readonly<Record<string, unknown>>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...chart }
  for (const [k, v] of Object.entries(user)) {
    const base = out[k]
    if (v === null) delete out[k]
    else if (isRecord(v) && isRecord(base)) out[k] = coalesceValues(base, v)
    else out[k] = v
  }
  return out
}

const scalarBytes = (v: unknown): number => Buffer.byteLength(typeof v === "string" ? v : JSON.stringify(v) ?? "")

/** Values with every leaf masked as Secret values are (keys, list lengths and sizes kept). */
export const maskValues = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(maskValues) : isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskValues(x)])) : v === null ? null : maskedValue(scalarBytes(v))

const SECRET_KIND = /^\s*kind:\s*["']?Secret["']?\s*$/mu

/**
 * A rendered manifest with the values of every Secret in it masked unless revealed (the other objects as
 * rendered). A manifest that cannot be parsed is withheld rather than shown unmasked.
 */
export const maskManifest = (manifest: string, revealSecrets: boolean): string => {
  if (revealSecrets || !SECRET_KIND.test(manifest)) return manifest
  // document by document, so the other documents keep helm's "# Source:" comments and layout
  return manifest.split(/^---[ \t]*$/mu).map((doc) => {
    if (!SECRET_KIND.test(doc)) return doc
    const parsed = parseYamlDocument(doc)
    if (!isRecord(parsed)) return "\n# (a document withheld: it names kind Secret and could not be parsed to mask its values)\n"
    const source = /^# Source: .*$/mu.exec(doc)?.[0]
    return `\n${source !== undefined ? `${source}\n` : ""}${toYaml(sanitize(parsed, { revealSecrets: false }), { noRefs: true, lineWidth: -1 })}`
  }).join("---")
}

/** What helm_get shows of one revision. */
export interface ReleaseDetails {
  readonly values?: Record<string, unknown>
  readonly manifest?: string
  readonly notes?: string
  readonly hooks?: ReadonlyArray<{ readonly name: string; readonly kind: string; readonly events: ReadonlyArray<string>; readonly manifest: string }>
}

export type ReleasePart = "values" | "manifest" | "notes" | "hooks"

export const releaseDetails = (
  r: Release,
  parts: ReadonlyArray<ReleasePart>,
  options: { readonly allValues: boolean; readonly revealSecrets: boolean }
): ReleaseDetails => {
  const user = r.raw.config ?? {}
  const values = options.allValues ? coalesceValues(r.raw.chart?.values ?? {}, user) : user
  const shownValues = options.revealSecrets ? values : maskValues(values)
  return {
    ...(parts.includes("values") ? { values: isRecord(shownValues) ? shownValues : {} } : {}),
    ...(parts.includes("manifest") ? { manifest: maskManifest(r.raw.manifest ?? "", options.revealSecrets) } : {}),
    ...(parts.includes("notes") ? { notes: r.raw.info?.notes ?? "" } : {}),
    ...(parts.includes("hooks")
      ? {
        hooks: (r.raw.hooks ?? []).map((h) => ({
          name: h.name ?? "",
          kind: h.kind ?? "",
          events: h.events ?? [],
          manifest: maskManifest(h.manifest ?? "", options.revealSecrets)
        }))
      }
      : {})
  }
}
