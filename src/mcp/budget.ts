/**
 * The one output budgeter. Every tool result passes through `render`: tables keep as many rows as fit,
 * documents and text are cut at line boundaries, and anything cut ends with a note saying what was cut
 * and how to narrow. The byte count covers text and structured content together.
 */
// js-yaml directly: client-node's dumpYaml re-serialises known kinds through its model classes, which drops
// fields the model does not know (newer API fields, CRD schemas' x-kubernetes-* keys).
import { dump } from "js-yaml"
import type { Reply, TableReply } from "./reply.js"

export interface Rendered {
  readonly text: string
  readonly structured: Record<string, unknown> | undefined
}

const bytes = (s: string): number => Buffer.byteLength(s, "utf8")

export const renderTable = (columns: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()
  return [line(columns.map((c) => c.toUpperCase())), ...rows.map(line)].join("\n")
}

/**
 * The rows travel once, as the aligned text table every client shows a model; the structured part carries
 * what a program needs to page (columns, count, continue, truncation) without a second copy of the rows.
 */
const tableStructured = (t: TableReply, rows: ReadonlyArray<ReadonlyArray<string>>, truncated: Record<string, unknown> | undefined) => ({
  columns: t.columns,
  count: rows.length,
  ...(t.continue !== undefined && t.continue !== "" ? { continue: t.continue } : {}),
  ...(truncated !== undefined ? { truncated } : {})
})

const tableText = (t: TableReply, rows: ReadonlyArray<ReadonlyArray<string>>, tail: string): string =>
  [
    ...(t.summary !== undefined ? [t.summary] : []),
    rows.length > 0 ? renderTable(t.columns, rows) : "No resources found.",
    ...(t.continue !== undefined && t.continue !== "" ? [`More items exist: call again with continue="${t.continue}".`] : []),
    ...(tail !== "" ? [tail] : [])
  ].join("\n")

const renderTableWithin = (t: TableReply, maxBytes: number): Rendered => {
  const size = (n: number, tail: string, truncated?: Record<string, unknown>) =>
    bytes(tableText(t, t.rows.slice(0, n), tail)) + bytes(JSON.stringify(tableStructured(t, t.rows.slice(0, n), truncated)))
  if (size(t.rows.length, "") <= maxBytes) {
    return { text: tableText(t, t.rows, ""), structured: tableStructured(t, t.rows, undefined) }
  }
  // a server continue token resumes after the last row fetched, not the last row shown
  const gap = t.continue !== undefined && t.continue !== ""
    ? " The continue token resumes after the last row fetched, so pass limit at most this row count to page without gaps."
    : ""
  const note = (n: number) =>
    `[output cut: showing ${n} of ${t.rows.length} rows to stay within ${maxBytes} bytes. Narrow with ${
      t.narrow ?? "limit and continue, label_selector, field_selector or a namespace"
    }.${gap}]`
  const truncatedFor = (n: number) => ({ shown: n, total: t.rows.length, note: note(n) })
  // binary search the largest row count that fits with its note
  let lo = 0
  let hi = t.rows.length
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (size(mid, note(mid), truncatedFor(mid)) <= maxBytes) lo = mid
    else hi = mid - 1
  }
  const rows = t.rows.slice(0, lo)
  return { text: tableText(t, rows, note(lo)), structured: tableStructured(t, rows, truncatedFor(lo)) }
}

/** Cut text at a line boundary so that it plus the note fits. */
const cutText = (body: string, maxBytes: number, note: (shown: number, total: number) => string, keepTail: boolean) => {
  const total = bytes(body)
  if (total <= maxBytes) return { text: body, cut: false }
  const room = Math.max(0, maxBytes - bytes(note(total, total)) - 2)
  const buf = Buffer.from(body, "utf8")
  let piece = keepTail ? buf.subarray(buf.length - room).toString("utf8") : buf.subarray(0, room).toString("utf8")
  // drop a partial line (and a partial multi-byte character) at the cut
  piece = keepTail ? piece.slice(piece.indexOf("\n") + 1) : piece.slice(0, Math.max(0, piece.lastIndexOf("\n")))
  const shown = bytes(piece)
  return { text: keepTail ? `${note(shown, total)}\n${piece}` : `${piece}\n${note(shown, total)}`, cut: true }
}

export const render = (reply: Reply, maxBytes: number): Rendered => {
  switch (reply._tag) {
    case "Table":
      return renderTableWithin(reply, maxBytes)
    case "Document": {
      const body = reply.format === "json" ? JSON.stringify(reply.data, null, 2) : dump(reply.data, { lineWidth: -1, noRefs: true, skipInvalid: true }).trimEnd()
      // the structured copy is only sent when both fit; the text rendering is what a model reads
      const withData = bytes(body) + bytes(JSON.stringify(reply.data)) <= maxBytes
      const { text } = cutText(body, maxBytes, (shown, total) =>
        `[output cut: showing ${shown} of ${total} bytes. Narrow with ${reply.narrow ?? "a more specific name, selector or namespace"}.]`, false)
      const structured = typeof reply.data === "object" && reply.data !== null && !Array.isArray(reply.data)
        ? Object.fromEntries(Object.entries(reply.data))
        : { value: reply.data }
      return { text, structured: withData ? structured : undefined }
    }
    case "Text": {
      const meta = reply.data !== undefined ? JSON.stringify(reply.data) : ""
      const { cut, text } = cutText(reply.text, Math.max(1024, maxBytes - bytes(meta)), (shown, total) =>
        `[output cut: showing ${reply.keepTail === true ? "the last " : ""}${shown} of ${total} bytes. Narrow with ${
          reply.narrow ?? "a more specific request"
        }.]`, reply.keepTail === true)
      return {
        text,
        structured: reply.data !== undefined ? { ...reply.data, ...(cut ? { truncated: true } : {}) } : undefined
      }
    }
  }
}
