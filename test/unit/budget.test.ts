/** The output budgeter: both renderings carry the data, each fits the byte cap, and a cut says the same in both. */
import { describe, expect, it } from "vitest"
import { render } from "../../src/output/budget.js"
import { document, fanout, table, text } from "../../src/output/reply.js"
import { modelViews } from "../support/modelView.js"

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v))

describe("budget", () => {
  const rows = Array.from({ length: 1000 }, (_, i) => [`pod-${i}`, "Running", `${i}`])

  it("passes a small table whole, the rows in both renderings", () => {
    const r = render(table({ columns: ["name", "status", "restarts"], rows: rows.slice(0, 3), summary: "3 pods" }), 65536)
    expect(r.text.split("\n")).toEqual(["3 pods", "NAME   STATUS   RESTARTS", "pod-0  Running  0", "pod-1  Running  1", "pod-2  Running  2"])
    expect(r.structured).toEqual({
      columns: ["name", "status", "restarts"],
      rows: [["pod-0", "Running", "0"], ["pod-1", "Running", "1"], ["pod-2", "Running", "2"]],
      count: 3,
      notes: ["3 pods"]
    })
  })

  it("prints custom-column headers as given (kubectl does), and CONTEXT upper-case across contexts", () => {
    const t = table({ columns: ["name", "Images"], rows: [["web", "nginx:1.27,envoy:1.31"]], headers: "as-given" })
    expect(render(t, 65536).text.split("\n")).toEqual(["name  Images", "web   nginx:1.27,envoy:1.31"])
    const across = render(fanout([{ context: "dev", reply: t }, { context: "prod", reply: t }]), 65536)
    expect(across.text.split("\n").slice(1, 2)).toEqual(["CONTEXT  name  Images"])
    expect(across.structured["columns"]).toEqual(["context", "name", "Images"])
  })

  it("cuts a large table at the same row in both renderings, each within the budget, keeping the continue token", () => {
    const r = render(table({ columns: ["name", "status", "restarts"], rows, continue: "abc", narrow: "label_selector" }), 8192)
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(8192)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(8192)
    const shown = r.structured["count"]
    expect(typeof shown === "number" && shown > 50 && shown < 1000).toBe(true)
    const structuredRows = r.structured["rows"]
    expect(Array.isArray(structuredRows) && structuredRows.length).toBe(shown)
    // the last row shown is the same in both
    const lastName = `pod-${Number(shown) - 1}`
    expect(JSON.stringify(structuredRows)).toContain(`"${lastName}"`)
    expect(JSON.stringify(structuredRows)).not.toContain(`"pod-${Number(shown)}"`)
    expect(r.text).toMatch(new RegExp(`^${lastName}\\s`, "m"))
    expect(r.text).not.toMatch(new RegExp(`^pod-${Number(shown)}\\s`, "m"))
    expect(r.structured["continue"]).toBe("abc")
    expect(r.structured["truncated"]).toMatchObject({ shown, total: 1000 })
    const note = String((r.structured["truncated"] as { note: string }).note)
    expect(r.text).toContain(note)
    expect(note).toContain(`showing ${String(shown)} of 1000 rows`)
    expect(note).toContain("label_selector")
    expect(note).toContain("pass limit at most this row count to page without gaps")
    expect(r.text).toContain(`continue="abc"`)
  })

  it("keeps the structured table close to the text table's size", () => {
    const wide = Array.from({ length: 500 }, (_, i) => [`default`, `web-${i}-7d9f8b6c5-abcde`, "1/1", "Running", "0", "5m", "kwok-node-0", `10.0.${i % 250}.${i % 200}`])
    const r = render(table({ columns: ["namespace", "name", "ready", "status", "restarts", "age", "node", "ip"], rows: wide }), 1 << 20)
    const ratio = jsonBytes(r.structured) / Buffer.byteLength(r.text)
    expect(ratio).toBeGreaterThan(0.8)
    expect(ratio).toBeLessThan(1.25)
  })

  it("sends a document whole as its own structured content", () => {
    const small = render(document({ a: 1, b: { c: "x" } }, "json"), 4096)
    expect(small.structured).toEqual({ a: 1, b: { c: "x" } })
    expect(JSON.parse(small.text)).toEqual({ a: 1, b: { c: "x" } })
  })

  it("cuts a large document at the same line in both renderings", () => {
    const data = { items: Array.from({ length: 2000 }, (_, i) => ({ name: `item-${i}`, value: "x\"y".repeat(10) })) }
    const r = render(document(data, "yaml"), 4096)
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(4096)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(4096)
    expect(r.structured["format"]).toBe("yaml")
    const piece = String(r.structured["document"])
    expect(piece).toContain("name: item-0")
    expect(r.text.startsWith(piece)).toBe(true)
    expect(r.text).toMatch(/\[output cut: showing \d+ of \d+ bytes/)
    expect(r.structured["truncated"]).toMatchObject({ shown: Buffer.byteLength(piece) })
  })

  it("keeps the tail of logs in both renderings", () => {
    const log = Array.from({ length: 5000 }, (_, i) => `line ${i} "quoted"`).join("\n")
    const r = render(text({ text: log, keepTail: true, field: "log", data: { pod: "p" } }), 2048)
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(2048)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(2048)
    expect(r.text.endsWith(`line 4999 "quoted"`)).toBe(true)
    expect(r.text.startsWith("[output cut: showing the last")).toBe(true)
    expect(r.structured["pod"]).toBe("p")
    const shownLog = String(r.structured["log"])
    expect(shownLog.endsWith(`line 4999 "quoted"`)).toBe(true)
    expect(r.text.endsWith(shownLog)).toBe(true)
    expect(r.structured["truncated"]).toMatchObject({ total: Buffer.byteLength(log) })
  })

  it("shrinks long string fields of a report that does not carry its text", () => {
    const out = "o\n".repeat(3000)
    const r = render(text({ text: `--- stdout ---\n${out}`, keepTail: true, data: { exit_code: 0, stdout: out } }), 2048)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(2048)
    expect(r.structured["exit_code"]).toBe(0)
    expect(String(r.structured["stdout"]).length).toBeGreaterThan(100)
    expect(r.structured["truncated"]).toBeDefined()
  })

  it("model views: structured-first clients see the JSON, text-first the text", () => {
    const r = render(table({ columns: ["name"], rows: [["alpha"], ["beta"]] }), 4096)
    const views = modelViews({ content: [{ type: "text", text: r.text }], structuredContent: r.structured })
    expect(views.structured).toContain("\"alpha\"")
    expect(views.text).toContain("alpha")
    expect(views.structured).not.toContain("NAME")
  })
})
