/**
 * The one place that makes Kubernetes objects fit to show: it strips `metadata.managedFields` and the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (noise, and the annotation holds a full copy
 * of the applied manifest, Secret values included), and masks the values of Secret `data`/`stringData`
 * (keys and byte sizes kept) unless the context's settings reveal them. It walks whole values, so lists,
 * apply results, diff sides and anything embedding objects are covered by one call.
 */
import type { KubeApi } from "../kube/Kube.js"

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

export interface SanitizeOptions {
  /** Show Secret values as stored (config security.reveal_secrets / per-context reveal_secrets). */
  readonly revealSecrets: boolean
}

export const optionsOf = (cluster: KubeApi): SanitizeOptions => ({ revealSecrets: cluster.settings.revealSecrets })

export const maskedValue = (bytes: number, note?: string): string =>
  `<masked: ${bytes} byte${bytes === 1 ? "" : "s"}${note !== undefined ? `, ${note}` : ""}>`

/** `data` holds base64; its byte size is that of the decoded value. */
const dataBytes = (v: string): number => Buffer.from(v, "base64").length
const stringDataBytes = (v: string): number => Buffer.byteLength(v, "utf8")

/** A core v1 Secret. Items of a typed list (SecretList) carry no kind, hence the hint. */
export const isSecret = (obj: Record<string, unknown>, kindHint?: string): boolean => {
  const kind = obj["kind"] ?? kindHint
  const apiVersion = obj["apiVersion"]
  return kind === "Secret" && (apiVersion === undefined || apiVersion === "v1")
}

/** Items of `SecretList` (apiVersion v1) are Secrets without their own kind; a generic `List` names each item's kind. */
const itemKindOf = (list: Record<string, unknown>): string | undefined => {
  const kind = list["kind"]
  if (typeof kind !== "string" || kind === "List" || !kind.endsWith("List")) return undefined
  return list["apiVersion"] === "v1" || list["apiVersion"] === undefined ? kind.slice(0, -"List".length) : undefined
}

const cleanMetadata = (meta: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(meta)) {
    if (k === "managedFields") continue
    if (k === "annotations" && isRecord(v)) {
      const annotations = Object.fromEntries(Object.entries(v).filter(([a]) => a !== LAST_APPLIED))
      if (Object.keys(annotations).length > 0) out[k] = annotations
      continue
    }
    out[k] = v
  }
  return out
}

const maskMap = (value: unknown, size: (v: string) => number, changed?: ReadonlySet<string>): unknown =>
  isRecord(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [
      k,
      typeof v === "string" ? maskedValue(size(v), changed?.has(k) === true ? "changed" : undefined) : maskedValue(0)
    ]))
    : value

/** Masks a Secret's values; `changed` marks keys whose value differs from the other side of a comparison. */
export const maskSecret = (
  secret: Record<string, unknown>,
  changed?: { readonly data: ReadonlySet<string>; readonly stringData: ReadonlySet<string> }
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...secret }
  if ("data" in out) out["data"] = maskMap(out["data"], dataBytes, changed?.data)
  if ("stringData" in out) out["stringData"] = maskMap(out["stringData"], stringDataBytes, changed?.stringData)
  return out
}

const walk = (value: unknown, opts: SanitizeOptions, kindHint: string | undefined): unknown => {
  if (Array.isArray(value)) return value.map((v) => walk(v, opts, kindHint))
  if (!isRecord(value)) return value
  const itemKind = itemKindOf(value)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === "metadata" && isRecord(v)) out[k] = cleanMetadata(v)
    else if (k === "items" && Array.isArray(v)) out[k] = v.map((item) => walk(item, opts, itemKind))
    else out[k] = walk(v, opts, undefined)
  }
  return !opts.revealSecrets && isSecret(value, kindHint) ? maskSecret(out) : out
}

/**
 * A copy of `value` fit to show: noise stripped at every level, Secret values masked unless revealed.
 * `kindHint` names the kind of a bare object that lacks `kind` (e.g. an item taken out of a typed list).
 */
export const sanitize = (value: unknown, opts: SanitizeOptions, kindHint?: string): unknown => walk(value, opts, kindHint)

/** `sanitize` for a value known to be an object (keeps the record type for callers that read it). */
export const sanitizeObject = (obj: Record<string, unknown>, opts: SanitizeOptions, kindHint?: string): Record<string, unknown> => {
  const clean = walk(obj, opts, kindHint)
  return isRecord(clean) ? clean : {}
}

const changedKeys = (a: unknown, b: unknown): Set<string> => {
  const left = isRecord(a) ? a : {}
  const right = isRecord(b) ? b : {}
  const keys = new Set([...Object.keys(left), ...Object.keys(right)])
  return new Set([...keys].filter((k) => left[k] !== right[k]))
}

/**
 * Both sides of a comparison (diff, apply report), sanitized. Masked values of equal size would hide a
 * change, so for Secrets a value that differs is masked as "<masked: n bytes, changed>" on the new side.
 */
export const sanitizePair = (
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
  opts: SanitizeOptions
): readonly [Record<string, unknown> | undefined, Record<string, unknown> | undefined] => {
  const b = before !== undefined ? sanitizeObject(before, opts) : undefined
  const a = after !== undefined ? sanitizeObject(after, opts) : undefined
  if (opts.revealSecrets || before === undefined || after === undefined || !isSecret(after) || a === undefined) return [b, a]
  const marked = maskSecret(sanitizeObject(after, { revealSecrets: true }), {
    data: changedKeys(before["data"], after["data"]),
    stringData: changedKeys(before["stringData"], after["stringData"])
  })
  return [b, marked]
}
