/** The output budgeter: results fit the byte cap and say what was cut and how to narrow. */
import { describe, expect, it } from "vitest"
import { render } from "../../src/mcp/budget.js"
import { document, table, text } from "../../src/mcp/reply.js"

const size = (r: ReturnType<typeof render>) =>
  Buffer.byteLength(r.text) + (r.structured !== undefined ? Buffer.byteLength(JSON.stringify(r.structured)) : 0)

describe("budget", () => {
  const rows = Array.from({ length: 1000 }, (_, i) => [`pod-${i}`, "Running", `${i}`])

  it("passes a small table whole", () => {
    const r = render(table({ columns: ["name", "status", "restarts"], rows: rows.slice(0, 3) }), 65536)
    expect(r.text.split("\n")).toEqual(["NAME   STATUS   RESTARTS", "pod-0  Running  0", "pod-1  Running  1", "pod-2  Running  2"])
    // the rows travel once, in the text; the structured part is for paging
    expect(r.structured).toEqual({ columns: ["name", "status", "restarts"], count: 3 })
  })

  it("cuts a large table to the budget with a note, keeping the continue token", () => {
    const r = render(table({ columns: ["name", "status", "restarts"], rows, continue: "abc", narrow: "label_selector" }), 8192)
    expect(size(r)).toBeLessThanOrEqual(8192)
    const shown = r.structured?.["count"]
    expect(typeof shown === "number" && shown > 50 && shown < 1000).toBe(true)
    expect(r.structured?.["continue"]).toBe("abc")
    expect(r.structured?.["truncated"]).toMatchObject({ shown, total: 1000 })
    expect(r.text).toContain(`showing ${String(shown)} of 1000 rows`)
    expect(r.text).toContain("label_selector")
    expect(r.text).toContain(`continue="abc"`)
    expect(r.text).toContain("pass limit at most this row count to page without gaps")
  })

  it("cuts documents at a line boundary and drops the structured copy when it does not fit", () => {
    const data = { items: Array.from({ length: 2000 }, (_, i) => ({ name: `item-${i}`, value: "x".repeat(20) })) }
    const r = render(document(data, "yaml"), 4096)
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(4096)
    expect(r.structured).toBeUndefined()
    expect(r.text).toMatch(/\[output cut: showing \d+ of \d+ bytes/)
    const small = render(document({ a: 1 }, "json"), 4096)
    expect(small.structured).toEqual({ a: 1 })
  })

  it("keeps the tail of logs when asked", () => {
    const log = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join("\n")
    const r = render(text({ text: log, keepTail: true, data: { pod: "p" } }), 2048)
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(2048)
    expect(r.text.endsWith("line 4999")).toBe(true)
    expect(r.text.startsWith("[output cut: showing the last")).toBe(true)
    expect(r.structured).toEqual({ pod: "p", truncated: true })
  })
})
