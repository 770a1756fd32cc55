/**
 * The data of ConfigMaps and Secrets, key by key: read (Secret values decoded only where the context reveals
 * them, masked as the sanitizer masks them otherwise) and set/remove keys with one merge patch guarded by the
 * resourceVersion read. A write reports keys, actions and sizes, never a value.
 */
import { Effect, Schema } from "effect"
import { InvalidInput, type KubeError } from "../errors.js"
import { maskedValue } from "../output/sanitize.js"
import { callJson } from "./call.js"
import { access, Kube } from "./Kube.js"
import { DEFAULT_FIELD_MANAGER } from "./objects.js"
import { namespaceOr } from "./scope.js"

export type DataKind = "ConfigMap" | "Secret"

const RESOURCE: Record<DataKind, string> = { ConfigMap: "configmaps", Secret: "secrets" }

/** The fields read of a ConfigMap or Secret. */
const DataObject = Schema.Struct({
  metadata: Schema.Struct({
    name: Schema.String,
    namespace: Schema.optionalKey(Schema.String),
    resourceVersion: Schema.optionalKey(Schema.String)
  }),
  type: Schema.optionalKey(Schema.String),
  immutable: Schema.optionalKey(Schema.Boolean),
  data: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.String))),
  binaryData: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.String)))
})
type DataObject = typeof DataObject.Type

const dataPath = (kind: DataKind, namespace: string, name: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/${RESOURCE[kind]}/${encodeURIComponent(name)}`

const check = (kind: DataKind, verb: string, namespace: string, name: string) => access({ verb, resource: RESOURCE[kind], namespace, name })

const readObject = (kind: DataKind, namespace: string, name: string): Effect.Effect<DataObject, KubeError, Kube> =>
  callJson(check(kind, "get", namespace, name), { path: dataPath(kind, namespace, name) }, DataObject)

const base64Bytes = (v: string): Buffer => Buffer.from(v, "base64")

/** UTF-8 text when the bytes are valid UTF-8 (they round-trip), else undefined. */
const asText = (bytes: Buffer): string | undefined => {
  const text = bytes.toString("utf8")
  return Buffer.from(text, "utf8").equals(bytes) ? text : undefined
}

/** One key as shown: its value, or the mask / note that stands for it. */
export interface DataEntry {
  readonly key: string
  /** The value as text, or "<masked: n bytes>", or "<binary: n bytes>" (or base64 of binary revealed Secret bytes). */
  readonly value: string
  /** Size of the stored value, decoded. */
  readonly bytes: number
  /** "binaryData" for a ConfigMap's binary key; "base64" when a revealed Secret value is not text. */
  readonly note?: string
}

export interface DataView {
  readonly kind: DataKind
  readonly name: string
  readonly namespace: string
  /** The Secret's type (Opaque, kubernetes.io/tls, …). */
  readonly type: string | undefined
  readonly immutable: boolean
  /** Secrets: whether values are shown (the context's reveal_secrets). ConfigMaps: always true. */
  readonly revealed: boolean
  readonly entries: ReadonlyArray<DataEntry>
  /** Keys asked for that the object does not have. */
  readonly missing: ReadonlyArray<string>
  /** Every key of the object, when only some were asked for. */
  readonly allKeys: ReadonlyArray<string>
  readonly resourceVersion: string
}

const binaryNote = (bytes: number) => `<binary: ${bytes} byte${bytes === 1 ? "" : "s"}>`

const entriesOf = (kind: DataKind, obj: DataObject, reveal: boolean): Array<DataEntry> => {
  const data = Object.entries(obj.data ?? {})
  if (kind === "ConfigMap") {
    return [
      ...data.map(([key, value]) => ({ key, value, bytes: Buffer.byteLength(value, "utf8") })),
      ...Object.entries(obj.binaryData ?? {}).map(([key, value]) => {
        const bytes = base64Bytes(value).length
        return { key, value: binaryNote(bytes), bytes, note: "binaryData" }
      })
    ]
  }
  return data.map(([key, value]) => {
    const decoded = base64Bytes(value)
    if (!reveal) return { key, value: maskedValue(decoded.length), bytes: decoded.length }
    const text = asText(decoded)
    return text !== undefined ? { key, value: text, bytes: decoded.length } : { key, value, bytes: decoded.length, note: "base64" }
  })
}

/**
 * The keys of a ConfigMap or Secret with their values (`keys`: only those). Secret values are decoded from
 * base64 only when the context reveals secrets; otherwise each is "<masked: n bytes>", as everywhere else.
 */
export const getData = (
  kind: DataKind,
  ref: { readonly name: string; readonly namespace?: string | undefined; readonly keys?: ReadonlyArray<string> | undefined }
): Effect.Effect<DataView, KubeError, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const namespace = namespaceOr(ref.namespace, kube.info.namespace)
    const obj = yield* readObject(kind, namespace, ref.name)
    const reveal = kind === "ConfigMap" || kube.settings.revealSecrets
    const all = entriesOf(kind, obj, reveal).sort((a, b) => a.key.localeCompare(b.key))
    const wanted = ref.keys !== undefined ? new Set(ref.keys) : undefined
    return {
      kind,
      name: obj.metadata.name,
      namespace,
      type: obj.type,
      immutable: obj.immutable === true,
      revealed: reveal,
      entries: wanted === undefined ? all : all.filter((e) => wanted.has(e.key)),
      missing: ref.keys === undefined ? [] : [...new Set(ref.keys)].filter((k) => !all.some((e) => e.key === k)),
      allKeys: wanted === undefined ? [] : all.map((e) => e.key),
      resourceVersion: obj.metadata.resourceVersion ?? ""
    }
  })

// ---- set ----

export interface KeyChange {
  readonly key: string
  readonly action: "added" | "changed" | "unchanged" | "removed" | "absent"
  /** Size of the value before (decoded), when the key existed. */
  readonly previousBytes?: number
  /** Size of the value after, when the key is set. */
  readonly bytes?: number
}

export interface DataChange {
  readonly kind: DataKind
  readonly name: string
  readonly namespace: string
  readonly action: "updated" | "unchanged"
  readonly dryRun: boolean
  readonly keys: ReadonlyArray<KeyChange>
  readonly resourceVersion: string
}

export interface DataEdit {
  readonly name: string
  readonly namespace?: string | undefined
  /** Keys to set, plain text (a Secret's are encoded to base64 here). */
  readonly set?: Readonly<Record<string, string>> | undefined
  readonly remove?: ReadonlyArray<string> | undefined
  readonly dryRun: boolean
}

const badEdit = (message: string, path: string) => new InvalidInput({ message, issues: [{ path, message }] })

/** The stored bytes of a key (ConfigMap data is text, binaryData and Secret data base64). */
const storedBytes = (kind: DataKind, obj: DataObject, key: string): Buffer | undefined => {
  const data = obj.data?.[key]
  if (data !== undefined) return kind === "Secret" ? base64Bytes(data) : Buffer.from(data, "utf8")
  const binary = kind === "ConfigMap" ? obj.binaryData?.[key] : undefined
  return binary !== undefined ? base64Bytes(binary) : undefined
}

/**
 * Sets and removes keys of a ConfigMap or Secret with one merge patch that carries the resourceVersion read
 * (a concurrent writer makes it a Conflict, not a lost update). Values given are plain text; a Secret's are
 * stored base64-encoded. Nothing is sent when every key already is as asked. Reports sizes, never values.
 */
export const setData = (kind: DataKind, edit: DataEdit): Effect.Effect<DataChange, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    const set = Object.entries(edit.set ?? {})
    const remove = [...new Set(edit.remove ?? [])]
    if (set.length === 0 && remove.length === 0) return yield* badEdit("Nothing to do: give `data` (keys to set) and/or `remove` (keys to delete)", "data")
    const both = set.filter(([k]) => remove.includes(k)).map(([k]) => k)
    if (both.length > 0) return yield* badEdit(`Keys both set and removed: ${both.join(", ")}`, "remove")
    const namespace = namespaceOr(edit.namespace, kube.info.namespace)
    const obj = yield* readObject(kind, namespace, edit.name)

    const data: Record<string, string | null> = {}
    const binaryData: Record<string, null> = {}
    const keys: Array<KeyChange> = []
    for (const [key, value] of set) {
      const before = storedBytes(kind, obj, key)
      const after = Buffer.from(value, "utf8")
      // a ConfigMap key moves from binaryData to data: the API refuses a key in both
      const wasBinary = kind === "ConfigMap" && obj.binaryData?.[key] !== undefined
      const same = before !== undefined && before.equals(after) && !wasBinary
      keys.push({
        key,
        action: before === undefined ? "added" : same ? "unchanged" : "changed",
        ...(before !== undefined ? { previousBytes: before.length } : {}),
        bytes: after.length
      })
      if (same) continue
      data[key] = kind === "Secret" ? after.toString("base64") : value
      if (wasBinary) binaryData[key] = null
    }
    for (const key of remove) {
      const before = storedBytes(kind, obj, key)
      keys.push(before === undefined ? { key, action: "absent" } : { key, action: "removed", previousBytes: before.length })
      if (obj.data?.[key] !== undefined) data[key] = null
      if (kind === "ConfigMap" && obj.binaryData?.[key] !== undefined) binaryData[key] = null
    }
    keys.sort((a, b) => a.key.localeCompare(b.key))
    const base = { kind, name: obj.metadata.name, namespace, dryRun: edit.dryRun, keys }
    const rv = obj.metadata.resourceVersion ?? ""
    if (Object.keys(data).length === 0 && Object.keys(binaryData).length === 0) return { ...base, action: "unchanged", resourceVersion: rv }
    const after = yield* callJson(check(kind, "patch", namespace, edit.name), {
      method: "PATCH",
      path: dataPath(kind, namespace, edit.name),
      query: { fieldManager: DEFAULT_FIELD_MANAGER, dryRun: edit.dryRun ? "All" : undefined },
      body: {
        metadata: { resourceVersion: rv },
        ...(Object.keys(data).length > 0 ? { data } : {}),
        ...(Object.keys(binaryData).length > 0 ? { binaryData } : {})
      },
      contentType: "application/merge-patch+json"
    }, DataObject)
    return { ...base, action: "updated", resourceVersion: after.metadata.resourceVersion ?? "" }
  })
