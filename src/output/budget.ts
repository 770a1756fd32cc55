/**
 * The one output budgeter. Every tool result passes through `render`, which gives the same data two
 * renderings: `structured` (structuredContent; structured-first clients hand the model only this) and `text`
 * (text-first clients). Each rendering alone stays within the byte cap, both are cut at the same place
 * (the same rows, the same lines), and a cut says in both what was cut and how to narrow.
 */
// js-yaml directly: client-node's dumpYaml re-serialises known kinds through its model classes, which drops
// fields the model does not know (newer API fields, CRD schemas' x-kubernetes-* keys).
import { dump } from "js-yaml"
import type { ContextFailure, DocumentReply, FanoutPart, FanoutReply, Reply, TableReply, TextReply } from "./reply.js"

export interface Rendered {
  readonly text: string
  readonly structured: Record<string, unknown>
}

const bytes = (s: string): number => Buffer.byteLength(s, "utf8")
const jsonBytes = (v: unknown): number => bytes(JSON.stringify(v))

const upper = (c: string): string => c.toUpperCase()

export const renderTable = (
  columns: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  header: (column: string, index: number) => string = upper
): string => {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)))
  const headers = columns.map(header)
  const headerWidths = columns.map((_, i) => Math.max(widths[i] ?? 0, (headers[i] ?? "").length))
  const pad = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(headerWidths[i] ?? 0))).join("  ").trimEnd()
  return [pad(headers), ...rows.map(pad)].join("\n")
}

interface Truncated {
  readonly shown: number
  readonly total: number
  readonly note: string
}

const hasContinue = (t: TableReply): t is TableReply & { continue: string } => t.continue !== undefined && t.continue !== ""

const tableStructured = (t: TableReply, rows: ReadonlyArray<ReadonlyArray<string>>, truncated: Truncated | undefined) => ({
  columns: t.columns,
  rows,
  count: rows.length,
  ...(hasContinue(t) ? { continue: t.continue } : {}),
  ...(truncated !== undefined ? { truncated } : {}),
  ...(t.summary !== undefined ? { notes: [t.summary] } : {})
})

const tableText = (t: TableReply, rows: ReadonlyArray<ReadonlyArray<string>>, truncated: Truncated | undefined): string =>
  [
    ...(t.summary !== undefined ? [t.summary] : []),
    rows.length > 0 ? renderTable(t.columns, rows, t.headers === "as-given" ? (c) => c : upper) : "No resources found.",
    ...(hasContinue(t) ? [`More items exist: call again with continue="${t.continue}".`] : []),
    ...(truncated !== undefined ? [truncated.note] : [])
  ].join("\n")

const renderTableWithin = (t: TableReply, maxBytes: number): Rendered => {
  // a server continue token resumes after the last row fetched, not the last row shown
  const gap = hasContinue(t)
    ? " The continue token resumes after the last row fetched, so pass limit at most this row count to page without gaps."
    : ""
  const truncatedAt = (n: number): Truncated | undefined =>
    n === t.rows.length ? undefined : {
      shown: n,
      total: t.rows.length,
      note: `[output cut: showing ${n} of ${t.rows.length} rows to stay within ${maxBytes} bytes. Narrow with ${
        t.narrow ?? "limit and continue, label_selector, field_selector or a namespace"
      }.${gap}]`
    }
  const at = (n: number): Rendered => {
    const rows = t.rows.slice(0, n)
    return { text: tableText(t, rows, truncatedAt(n)), structured: tableStructured(t, rows, truncatedAt(n)) }
  }
  const fits = (r: Rendered) => bytes(r.text) <= maxBytes && jsonBytes(r.structured) <= maxBytes
  const whole = at(t.rows.length)
  if (fits(whole)) return whole
  // binary search the largest row count whose two renderings fit with their note
  let lo = 0
  let hi = t.rows.length - 1
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(at(mid))) lo = mid
    else hi = mid - 1
  }
  return at(lo)
}

/** The first (or, with keepTail, the last) whole lines of `body` within `room` bytes. */
const linesWithin = (body: string, room: number, keepTail: boolean): string => {
  const buf = Buffer.from(body, "utf8")
  if (buf.length <= room) return body
  const piece = keepTail ? buf.subarray(buf.length - room).toString("utf8") : buf.subarray(0, room).toString("utf8")
  // drop a partial line (and a partial multi-byte character) at the cut
  return keepTail ? piece.slice(piece.indexOf("\n") + 1) : piece.slice(0, Math.max(0, piece.lastIndexOf("\n")))
}

/**
 * Cuts `body` at a line boundary to the longest piece for which `fits` holds (both renderings built from the
 * same piece). `fits` is monotone in the piece's length, so a binary search over the byte room finds it.
 */
const cutToFit = (body: string, keepTail: boolean, fits: (piece: string) => boolean): string => {
  let lo = 0
  let hi = bytes(body)
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(linesWithin(body, mid, keepTail))) lo = mid
    else hi = mid - 1
  }
  return linesWithin(body, lo, keepTail)
}

const byteNote = (shown: number, total: number, narrow: string, tail: boolean): string =>
  `[output cut: showing ${tail ? "the last " : ""}${shown} of ${total} bytes. Narrow with ${narrow}.]`

const joinNote = (piece: string, note: string, keepTail: boolean): string =>
  piece === "" ? note : keepTail ? `${note}\n${piece}` : `${piece}\n${note}`

const renderDocument = (reply: DocumentReply, maxBytes: number): Rendered => {
  const body = reply.format === "json"
    ? JSON.stringify(reply.data, null, 2)
    : dump(reply.data, { lineWidth: -1, noRefs: true, skipInvalid: true }).trimEnd()
  if (bytes(body) <= maxBytes && jsonBytes(reply.data) <= maxBytes) return { text: body, structured: { ...reply.data } }
  // too large: both views carry the same start of the text form, with the same note
  const total = bytes(body)
  const narrow = reply.narrow ?? "a more specific name, selector or namespace"
  const build = (piece: string) => {
    const truncated = { shown: bytes(piece), total, note: byteNote(bytes(piece), total, narrow, false) }
    return { text: joinNote(piece, truncated.note, false), structured: { format: reply.format, document: piece, truncated } }
  }
  const piece = cutToFit(body, false, (p) => {
    const r = build(p)
    return bytes(r.text) <= maxBytes && jsonBytes(r.structured) <= maxBytes
  })
  return build(piece)
}

/** Cuts the longest string fields of a report until its JSON fits (exec's stdout/stderr, long messages). */
const shrinkStrings = (data: Record<string, unknown>, maxBytes: number, keepTail: boolean, narrow: string): Record<string, unknown> => {
  const total = jsonBytes(data)
  if (total <= maxBytes) return data
  const note = `[output cut: long fields shortened to stay within ${maxBytes} bytes. Narrow with ${narrow}.]`
  const out: Record<string, unknown> = { ...data, truncated: data["truncated"] ?? { shown: 0, total, note } }
  for (let i = 0; i < 8 && jsonBytes(out) > maxBytes; i++) {
    const longest = Object.entries(out)
      .filter((e): e is [string, string] => typeof e[1] === "string")
      .sort((a, b) => b[1].length - a[1].length)[0]
    if (longest === undefined) break
    const [key, value] = longest
    // escaping makes the JSON of a string longer than its bytes: scale the room by that ratio
    const allowed = maxBytes - (jsonBytes(out) - jsonBytes(value)) - 16
    const ratio = jsonBytes(value) / Math.max(1, bytes(value))
    out[key] = linesWithin(value, Math.max(0, Math.floor(allowed / ratio)), keepTail)
  }
  const t = out["truncated"]
  if (typeof t === "object" && t !== null && "shown" in t && t.shown === 0) out["truncated"] = { shown: jsonBytes(out), total, note }
  return out
}

const renderText = (reply: TextReply, maxBytes: number): Rendered => {
  const keepTail = reply.keepTail === true
  const total = bytes(reply.text)
  const narrow = reply.narrow ?? "a more specific request"
  const field = reply.field
  const build = (piece: string): Rendered => {
    const cut = piece.length < reply.text.length
    const truncated = cut ? { shown: bytes(piece), total, note: byteNote(bytes(piece), total, narrow, keepTail) } : undefined
    return {
      text: truncated !== undefined ? joinNote(piece, truncated.note, keepTail) : piece,
      structured: {
        ...reply.data,
        ...(field !== undefined ? { [field]: piece } : {}),
        ...(truncated !== undefined ? { truncated } : {})
      }
    }
  }
  const whole = build(reply.text)
  if (bytes(whole.text) <= maxBytes && jsonBytes(whole.structured) <= maxBytes) return whole
  if (field === undefined) {
    // the structured form does not carry the text: cut each view on its own terms
    const piece = cutToFit(reply.text, keepTail, (p) => bytes(build(p).text) <= maxBytes)
    const cut = build(piece)
    return { text: cut.text, structured: shrinkStrings(cut.structured, maxBytes, keepTail, narrow) }
  }
  return build(cutToFit(reply.text, keepTail, (p) => {
    const r = build(p)
    return bytes(r.text) <= maxBytes && jsonBytes(r.structured) <= maxBytes
  }))
}

// ---- many contexts in one answer ----

const failureLine = (context: string, f: ContextFailure): string => `context "${context}": ${f.type}: ${f.message}`
const answeredLine = (parts: ReadonlyArray<FanoutPart>): string => {
  const answered = parts.filter((p) => "reply" in p).length
  return `${answered} of ${parts.length} context(s) answered`
}

/** The columns of every context's table, in order of first appearance, after CONTEXT. */
const unionColumns = (tables: ReadonlyArray<TableReply>): Array<string> => {
  const out = ["context"]
  for (const t of tables) for (const c of t.columns) if (!out.includes(c)) out.push(c)
  return out
}

/**
 * Tables of many contexts as one table, CONTEXT first. The budget is shared max-min fairly: the largest
 * per-context row count k for which both renderings fit, so a context with few rows is never cut to make
 * room for one with many.
 */
const renderFanoutTable = (reply: FanoutReply, tables: ReadonlyArray<readonly [string, TableReply]>, maxBytes: number): Rendered => {
  const columns = unionColumns(tables.map(([, t]) => t))
  const byContext = new Map(tables)
  const answered = tables.length
  const asked = reply.parts.length
  const most = Math.max(0, ...tables.map(([, t]) => t.rows.length))
  // custom columns keep their headers as given; CONTEXT is ours
  const asGiven = tables.every(([, t]) => t.headers === "as-given")
  const header = (c: string, i: number): string => (i === 0 || !asGiven ? c.toUpperCase() : c)
  const narrow = reply.narrow ?? "fewer contexts, limit, label_selector, field_selector or a namespace"
  const at = (k: number): Rendered => {
    const rows: Array<Array<string>> = []
    const contexts: Array<Record<string, unknown>> = []
    const lines: Array<string> = []
    const cut: Array<string> = []
    for (const part of reply.parts) {
      const t = byContext.get(part.context)
      if ("failure" in part || t === undefined) {
        if ("failure" in part) {
          contexts.push({ context: part.context, ok: false, error: part.failure })
          lines.push(failureLine(part.context, part.failure))
        }
        continue
      }
      const n = Math.min(k, t.rows.length)
      const index = columns.map((c) => t.columns.indexOf(c))
      for (const r of t.rows.slice(0, n)) rows.push(index.map((i, j) => (j === 0 ? part.context : i < 0 ? "" : r[i] ?? "")))
      if (n < t.rows.length) cut.push(part.context)
      const more = hasContinue(t) ? t.continue : undefined
      contexts.push({
        context: part.context,
        ok: true,
        rows: n,
        ...(n < t.rows.length ? { total: t.rows.length } : {}),
        ...(more !== undefined ? { continue: more } : {}),
        ...(t.summary !== undefined ? { notes: [t.summary] } : {})
      })
      if (t.summary !== undefined) lines.push(`context "${part.context}": ${t.summary}`)
      if (more !== undefined) lines.push(`context "${part.context}": more items exist: call with context="${part.context}" and continue="${more}".`)
    }
    const total = tables.reduce((sum, [, t]) => sum + t.rows.length, 0)
    const truncated = cut.length === 0 ? undefined : {
      shown: rows.length,
      total,
      note: `[output cut: at most ${k} row(s) per context to stay within ${maxBytes} bytes; cut: ${cut.join(", ")}. Narrow with ${narrow}.]`
    }
    return {
      text: [
        answeredLine(reply.parts),
        rows.length > 0 ? renderTable(columns, rows, header) : "No resources found.",
        ...lines,
        ...(truncated !== undefined ? [truncated.note] : [])
      ].join("\n"),
      structured: { columns, rows, count: rows.length, answered, asked, contexts, ...(truncated !== undefined ? { truncated } : {}) }
    }
  }
  const fits = (r: Rendered) => bytes(r.text) <= maxBytes && jsonBytes(r.structured) <= maxBytes
  const whole = at(most)
  if (fits(whole)) return whole
  let lo = 0
  let hi = most - 1
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (fits(at(mid))) lo = mid
    else hi = mid - 1
  }
  return at(lo)
}

const sectionHeader = (context: string): string => `=== context "${context}" ===`

/**
 * Anything but tables: one section per context. Each context's reply is rendered by the single-context rules
 * within its share of the budget; shares are water-filled (a small answer leaves its unused share to the
 * others), and the shares shrink until the whole fits.
 */
const renderSections = (reply: FanoutReply, maxBytes: number): Rendered => {
  const ok = reply.parts.flatMap((p) => ("reply" in p ? [{ context: p.context, reply: p.reply }] : []))
  const need = new Map(ok.map((p) => {
    const full = render(p.reply, maxBytes)
    return [p.context, Math.max(bytes(full.text), jsonBytes(full.structured))] as const
  }))
  const failures = reply.parts.flatMap((p) => ("failure" in p ? [{ context: p.context, ok: false, error: p.failure }] : []))
  const overhead = 200 + jsonBytes(failures) * 2 + reply.parts.reduce((sum, p) => sum + 2 * bytes(p.context) + 64, 0)
  const build = (room: number): Rendered => {
    // water-filling: the smallest needs first, each taking at most an equal share of what is left
    const shares = new Map<string, number>()
    let left = Math.max(0, room)
    const order = [...ok].sort((a, b) => (need.get(a.context) ?? 0) - (need.get(b.context) ?? 0))
    order.forEach((p, i) => {
      const share = Math.min(need.get(p.context) ?? 0, Math.floor(left / (order.length - i)))
      shares.set(p.context, share)
      left -= share
    })
    const cut: Array<string> = []
    const texts: Array<string> = [answeredLine(reply.parts)]
    const contexts: Array<Record<string, unknown>> = []
    for (const part of reply.parts) {
      if ("failure" in part) {
        contexts.push({ context: part.context, ok: false, error: part.failure })
        texts.push(`${sectionHeader(part.context)}\n${part.failure.type}: ${part.failure.message}${part.failure.details !== undefined ? `\n${part.failure.details}` : ""}`)
        continue
      }
      const share = shares.get(part.context) ?? 0
      if (share < (need.get(part.context) ?? 0)) cut.push(part.context)
      const r = render(part.reply, Math.max(256, share))
      contexts.push({ context: part.context, ok: true, result: r.structured })
      texts.push(`${sectionHeader(part.context)}\n${r.text}`)
    }
    const truncated = cut.length === 0 ? undefined : {
      shown: ok.length - cut.length,
      total: ok.length,
      note: `[output cut: the answers of ${cut.join(", ")} were shortened to share ${maxBytes} bytes between ${reply.parts.length} context(s). ` +
        `Narrow with ${reply.narrow ?? "fewer contexts or a more specific request"}.]`
    }
    if (truncated !== undefined) texts.push(truncated.note)
    return {
      text: texts.join("\n\n"),
      structured: { answered: ok.length, asked: reply.parts.length, contexts, ...(truncated !== undefined ? { truncated } : {}) }
    }
  }
  let room = maxBytes - overhead
  let out = build(room)
  for (let i = 0; i < 8 && (bytes(out.text) > maxBytes || jsonBytes(out.structured) > maxBytes); i++) {
    room = Math.floor(room * 0.85)
    out = build(room)
  }
  return out
}

const renderFanout = (reply: FanoutReply, maxBytes: number): Rendered => {
  const tables = reply.parts.flatMap((p) => ("reply" in p && p.reply._tag === "Table" ? [[p.context, p.reply] as const] : []))
  const answered = reply.parts.filter((p) => "reply" in p).length
  return answered > 0 && tables.length === answered ? renderFanoutTable(reply, tables, maxBytes) : renderSections(reply, maxBytes)
}

export const render = (reply: Reply, maxBytes: number): Rendered => {
  switch (reply._tag) {
    case "Fanout":
      return renderFanout(reply, maxBytes)
    case "Table":
      return renderTableWithin(reply, maxBytes)
    case "Document":
      return renderDocument(reply, maxBytes)
    case "Text":
      return renderText(reply, maxBytes)
  }
}
