/**
 * Manifests in: a JSON object, an array of objects, or YAML/JSON text with one or many documents, turned
 * into plain JSON objects with what apply needs checked up front (apiVersion, kind, metadata.name).
 *
 * YAML is read with js-yaml directly rather than client-node's loadAllYaml: that one re-decodes known kinds
 * through its model classes, silently dropping unknown fields (a misspelt `replicas` would vanish instead of
 * being rejected by the server) and renaming CRD schema keys (x-kubernetes-* → x_kubernetes_*).
 */
import { Effect, Schema } from "effect"
import { CORE_SCHEMA, loadAll, Type } from "js-yaml"
import { InvalidInput } from "../errors.js"
import { isRecord } from "../output/sanitize.js"
import { GROUP_PATTERN, parseApiVersion, VERSION_PATTERN } from "./discovery.js"

/**
 * YAML 1.2 core types (what Kubernetes' YAML→JSON conversion yields: no timestamps turned into dates, no
 * yes/no booleans) plus merge keys (`<<: *anchor`), which manifests do use.
 */
const MANIFEST_SCHEMA = CORE_SCHEMA.extend({
  implicit: [new Type("tag:yaml.org,2002:merge", { kind: "scalar", resolve: (data: unknown) => data === "<<" || data === null })]
})

export const MAX_DOCUMENTS = 200

/** A manifest as callers give it: one object, an array of objects, or YAML/JSON text with one or many documents. */
export const Manifest = Schema.Union([
  Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(1024 * 1024)).annotate({
    description: "YAML or JSON text; several YAML documents separated by ---"
  }),
  Schema.Record(Schema.String, Schema.Unknown).annotate({ description: "one Kubernetes object" }),
  Schema.Array(Schema.Record(Schema.String, Schema.Unknown)).check(Schema.isMaxLength(MAX_DOCUMENTS)).annotate({
    description: "several Kubernetes objects"
  })
]).annotate({
  description: "the object(s) to apply: a JSON object with apiVersion, kind and metadata.name, an array of them, " +
    "or YAML/JSON text with one or many documents (a kind: List is expanded)"
})
export type Manifest = typeof Manifest.Type

/** What output/sanitize.ts puts in place of a Secret value. */
const MASKED = /^<masked: \d+ bytes?(, [a-z ]+)?>$/

export interface ManifestDoc {
  /** Position in the manifest (1-based), for messages. */
  readonly index: number
  readonly apiVersion: string
  readonly kind: string
  readonly name: string
  readonly namespace: string | undefined
  readonly object: Record<string, unknown>
}

const bad = (path: string, message: string) =>
  new InvalidInput({ message: `Invalid manifest: ${message}`, issues: [{ path, message }] })

const parseText = (text: string): Effect.Effect<ReadonlyArray<unknown>, InvalidInput> =>
  Effect.try({
    try: () => loadAll(text, null, { schema: MANIFEST_SCHEMA }),
    catch: (e) => bad("manifest", `not valid YAML or JSON: ${e instanceof Error ? e.message : String(e)}`)
  }).pipe(
    // a round trip through JSON leaves plain data only (what the API server receives anyway)
    Effect.map((docs) => docs.filter((d) => d !== null && d !== undefined).map((d): unknown => JSON.parse(JSON.stringify(d))))
  )

/** One YAML document as plain data (the manifest schema: YAML 1.2 core types), or undefined when it does not parse. */
export const parseYamlDocument = (text: string): unknown => {
  try {
    const docs = loadAll(text, null, { schema: MANIFEST_SCHEMA })
    return docs.length === 1 ? JSON.parse(JSON.stringify(docs[0])) : undefined
  } catch {
    return undefined
  }
}

/** `kind: List` (as kubectl writes) stands for its items. */
const expandLists = (docs: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  docs.flatMap((d) => isRecord(d) && d["kind"] === "List" && Array.isArray(d["items"]) ? d["items"] : [d])

const checkDoc = (doc: unknown, index: number, total: number): Effect.Effect<ManifestDoc, InvalidInput> => {
  const path = total > 1 ? `manifest[${index - 1}]` : "manifest"
  const which = total > 1 ? `document ${index} of ${total}` : "the manifest"
  if (!isRecord(doc)) return Effect.fail(bad(path, `${which} is not an object (got ${Array.isArray(doc) ? "an array" : typeof doc})`))
  const apiVersion = doc["apiVersion"]
  const kind = doc["kind"]
  const metadata = doc["metadata"]
  if (typeof apiVersion !== "string" || apiVersion === "") return Effect.fail(bad(`${path}.apiVersion`, `${which} has no apiVersion`))
  const gv = parseApiVersion(apiVersion)
  if (!GROUP_PATTERN.test(gv.group) || !VERSION_PATTERN.test(gv.version)) {
    return Effect.fail(bad(`${path}.apiVersion`, `${which}: "${apiVersion}" is not an API version (e.g. "v1", "apps/v1")`))
  }
  if (typeof kind !== "string" || kind === "") return Effect.fail(bad(`${path}.kind`, `${which} has no kind`))
  const name = isRecord(metadata) ? metadata["name"] : undefined
  if (typeof name !== "string" || name === "") {
    return Effect.fail(bad(`${path}.metadata.name`, `${which} (${kind}) has no metadata.name; server-side apply needs a name (generateName is not supported)`))
  }
  const namespace = isRecord(metadata) && typeof metadata["namespace"] === "string" && metadata["namespace"] !== ""
    ? metadata["namespace"]
    : undefined
  // a Secret copied from this server's own (masked) output would overwrite the real values with placeholders
  if (kind === "Secret" && apiVersion === "v1") {
    for (const field of ["data", "stringData"]) {
      const values = doc[field]
      const placeholder = isRecord(values) ? Object.entries(values).find(([, v]) => typeof v === "string" && MASKED.test(v)) : undefined
      if (placeholder !== undefined) {
        return Effect.fail(bad(
          `${path}.${field}.${placeholder[0]}`,
          `${which} (Secret ${name}) holds the masked placeholder "${String(placeholder[1])}" instead of a value; give the real value (or leave the key out)`
        ))
      }
    }
  }
  return Effect.succeed({ index, apiVersion, kind, name, namespace, object: doc })
}

/** The manifest's objects, in order. */
export const parseManifest = (manifest: Manifest): Effect.Effect<ReadonlyArray<ManifestDoc>, InvalidInput> =>
  Effect.gen(function*() {
    const raw: ReadonlyArray<unknown> = typeof manifest === "string"
      ? yield* parseText(manifest)
      : Array.isArray(manifest)
      ? manifest
      : [manifest]
    const docs = expandLists(raw)
    if (docs.length === 0) return yield* bad("manifest", "it contains no objects")
    if (docs.length > MAX_DOCUMENTS) return yield* bad("manifest", `${docs.length} objects; at most ${MAX_DOCUMENTS} per call`)
    return yield* Effect.forEach(docs, (d, i) => checkDoc(d, i + 1, docs.length))
  })
