/**
 * Comparing two versions of an object: a line-based unified diff of their YAML, and the list of changed
 * field paths that mutation reports show. Both work on sanitized objects (see kube/sanitize.ts).
 */
import { dump } from "js-yaml"
import { isRecord } from "../../output/sanitize.js"

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

export const toYaml = (value: unknown): string => dump(value, { lineWidth: -1, noRefs: true, skipInvalid: true, sortKeys: true })

type Op = { readonly tag: " " | "-" | "+"; readonly line: string }

/** Above this many cells the middle part is shown as replaced wholesale instead of aligned (bounded memory). */
const MAX_CELLS = 4_000_000

const editScript = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): Array<Op> => {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const ops: Array<Op> = a.slice(0, start).map((line) => ({ tag: " ", line }))
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  const n = midA.length
  const m = midB.length
  if (n * m > MAX_CELLS) {
    ops.push(...midA.map((line): Op => ({ tag: "-", line })), ...midB.map((line): Op => ({ tag: "+", line })))
  } else {
    // longest common subsequence table, suffix form: lcs[i][j] for midA[i..], midB[j..]
    const width = m + 1
    const lcs = new Uint32Array((n + 1) * width)
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0)
      }
    }
    let i = 0
    let j = 0
    while (i < n || j < m) {
      const la = midA[i]
      const lb = midB[j]
      if (i < n && j < m && la === lb && la !== undefined) {
        ops.push({ tag: " ", line: la })
        i++
        j++
      } else if (j < m && lb !== undefined && (i >= n || (lcs[i * width + j + 1] ?? 0) >= (lcs[(i + 1) * width + j] ?? 0))) {
        ops.push({ tag: "+", line: lb })
        j++
      } else if (la !== undefined) {
        ops.push({ tag: "-", line: la })
        i++
      } else break
    }
    // removals before additions within a change block, as diff(1) prints them
    for (let k = 0; k < ops.length; k++) {
      if (ops[k]?.tag === " ") continue
      let end = k
      while (end < ops.length && ops[end]?.tag !== " ") end++
      const block = ops.slice(k, end)
      ops.splice(k, block.length, ...block.filter((o) => o.tag === "-"), ...block.filter((o) => o.tag === "+"))
      k = end
    }
  }
  ops.push(...a.slice(endA).map((line): Op => ({ tag: " ", line })))
  return ops
}

const splitLines = (text: string): Array<string> => (text === "" ? [] : text.replace(/\n$/, "").split("\n"))

/** A unified diff (3 lines of context) of two texts; "" when they are equal. */
export const unifiedDiff = (before: string, after: string, fromLabel: string, toLabel: string, context = 3): string => {
  const ops = editScript(splitLines(before), splitLines(after))
  if (ops.every((o) => o.tag === " ")) return ""
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`]
  // positions (1-based) in a and b at each op
  let posA = 1
  let posB = 1
  const at = ops.map((o) => {
    const p = { a: posA, b: posB }
    if (o.tag !== "+") posA++
    if (o.tag !== "-") posB++
    return p
  })
  let k = 0
  while (k < ops.length) {
    if (ops[k]?.tag === " ") {
      k++
      continue
    }
    const first = Math.max(0, k - context)
    let last = k
    // extend the hunk while the next change is within 2*context unchanged lines
    for (;;) {
      let next = last + 1
      while (next < ops.length && ops[next]?.tag === " ") next++
      if (next < ops.length && next - last - 1 <= 2 * context) last = next
      else break
    }
    const end = Math.min(ops.length, last + context + 1)
    const hunk = ops.slice(first, end)
    const start = at[first] ?? { a: 1, b: 1 }
    const countA = hunk.filter((o) => o.tag !== "+").length
    const countB = hunk.filter((o) => o.tag !== "-").length
    out.push(`@@ -${countA === 0 ? start.a - 1 : start.a},${countA} +${countB === 0 ? start.b - 1 : start.b},${countB} @@`)
    for (const o of hunk) out.push(`${o.tag}${o.line}`)
    k = end
  }
  return out.join("\n")
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
