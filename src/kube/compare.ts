/**
 * What differs between versions of an object: the changed field paths that mutation reports show (apply,
 * patch), on sanitized objects (output/sanitize.ts), without the fields every write changes; and the field
 * differences of one object as several clusters hold it (resources_compare).
 */
import { createHash } from "node:crypto"
import { isRecord, isSecret, LAST_APPLIED } from "../output/sanitize.js"

/** Fields that change on every write or never matter to a reader of a diff. */
const NOISE = ["resourceVersion", "generation", "managedFields", "uid", "creationTimestamp"] as const

export const withoutNoise = (obj: Record<string, unknown>): Record<string, unknown> => {
  const meta = obj["metadata"]
  if (!isRecord(meta)) return obj
  const cleaned: Record<string, unknown> = { ...meta }
  for (const k of NOISE) delete cleaned[k]
  return { ...obj, metadata: cleaned }
}

/** Without `status`: what a write to the main resource changes (status is the controllers' to write). */
export const specOnly = (obj: Record<string, unknown>): Record<string, unknown> => {
  const { status: _status, ...rest } = withoutNoise(obj)
  return rest
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? "null"
  return s.length > 80 ? `${s.slice(0, 77)}...` : s
}

/** "spec.replicas: 1 → 3", "metadata.labels.tier: added \"web\"": what differs between two objects. */
export const changedPaths = (before: unknown, after: unknown, max = 30): Array<string> => {
  const out: Array<string> = []
  const visit = (a: unknown, b: unknown, path: string) => {
    if (out.length > max) return
    if (isRecord(a) && isRecord(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        const p = path === "" ? k : `${path}.${k}`
        if (!(k in a)) out.push(`${p}: added ${show(b[k])}`)
        else if (!(k in b)) out.push(`${p}: removed (was ${show(a[k])})`)
        else visit(a[k], b[k], p)
      }
      return
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      a.forEach((x, i) => visit(x, b[i], `${path}[${i}]`))
      return
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${path}: ${show(a)} → ${show(b)}`)
  }
  visit(before, after, "")
  return out.length > max ? [...out.slice(0, max), `... and more (see resources_diff for the full picture)`] : out
}

// ---- the same object on several clusters (resources_compare) ----

/** Annotations the cluster's controllers or kubectl write: they differ between clusters and mean nothing there. */
const SERVER_ANNOTATIONS = [LAST_APPLIED, "deployment.kubernetes.io/revision"]

/** A value's digest: enough to tell equal from different, nothing to recover the value from. */
const digest = (base64: string): string => `sha256:${createHash("sha256").update(Buffer.from(base64, "base64")).digest("hex").slice(0, 16)}`

/**
 * One object as it can be compared across clusters: what each cluster sets on its own is removed (status,
 * uid, resourceVersion, generation, managedFields, creationTimestamp, the namespace, owner uids, revision and
 * last-applied annotations, a Service's cluster IPs, a Pod's node, a PVC's volume). Defaulted fields stay:
 * both API servers default the same fields the same way, so they differ only where the objects do. Secret
 * values become digests.
 */
export const comparable = (obj: Record<string, unknown>): Record<string, unknown> => {
  const { status: _status, ...rest } = withoutNoise(obj)
  const out: Record<string, unknown> = { ...rest }
  const meta = out["metadata"]
  if (isRecord(meta)) {
    const { namespace: _ns, selfLink: _self, ...m } = meta
    const annotations = m["annotations"]
    if (isRecord(annotations)) {
      const kept = Object.fromEntries(Object.entries(annotations).filter(([k]) => !SERVER_ANNOTATIONS.includes(k)))
      if (Object.keys(kept).length > 0) m["annotations"] = kept
      else delete m["annotations"]
    }
    const owners = m["ownerReferences"]
    if (Array.isArray(owners)) m["ownerReferences"] = owners.map((o) => (isRecord(o) ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== "uid")) : o))
    out["metadata"] = m
  }
  const spec = out["spec"]
  if (isRecord(spec)) {
    const kind = out["kind"]
    const drop = kind === "Service" ? ["clusterIP", "clusterIPs"] : kind === "Pod" ? ["nodeName"] : kind === "PersistentVolumeClaim" ? ["volumeName"] : []
    if (drop.length > 0) out["spec"] = Object.fromEntries(Object.entries(spec).filter(([k]) => !drop.includes(k)))
  }
  if (isSecret(out)) {
    const data = out["data"]
    if (isRecord(data)) out["data"] = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? digest(v) : v]))
    const stringData = out["stringData"]
    if (isRecord(stringData)) {
      out["stringData"] = Object.fromEntries(Object.entries(stringData).map(([k, v]) => [k, typeof v === "string" ? digest(Buffer.from(v).toString("base64")) : v]))
    }
  }
  return out
}

const isNamed = (v: unknown): v is Record<string, unknown> & { readonly name: string } => isRecord(v) && typeof v["name"] === "string"

/**
 * Leaf paths and their values (as JSON). Lists whose items all have a name (containers, env, ports, volumes)
 * are keyed by it — `spec.template.spec.containers[name=app].image` — so an added item does not shift the
 * others.
 */
export const flatten = (value: unknown, path = "", out = new Map<string, string>()): Map<string, string> => {
  if (isRecord(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === "" ? k : `${path}.${k}`, out)
  } else if (Array.isArray(value) && value.length > 0) {
    const byName = value.every(isNamed) && new Set(value.map((v) => v.name)).size === value.length
    value.forEach((v, i) => flatten(v, `${path}[${byName && isNamed(v) ? `name=${v.name}` : i}]`, out))
  } else out.set(path, JSON.stringify(value) ?? "null")
  return out
}

export interface FieldDifference {
  readonly path: string
  /** Per object compared, in order: the value as JSON, or undefined where the field is absent. */
  readonly values: ReadonlyArray<string | undefined>
}

/** The fields whose values are not the same in all the objects, in path order. */
export const fieldDifferences = (objects: ReadonlyArray<Record<string, unknown>>): Array<FieldDifference> => {
  const flat = objects.map((o) => flatten(comparable(o)))
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort()
  return paths.flatMap((path) => {
    const values = flat.map((f) => f.get(path))
    return values.every((v) => v === values[0]) ? [] : [{ path, values }]
  })
}
