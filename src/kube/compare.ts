/**
 * What differs between two versions of an object: the changed field paths that mutation reports show
 * (apply, patch), on sanitized objects (output/sanitize.ts), without the fields every write changes.
 */
import { isRecord } from "../output/sanitize.js"

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
