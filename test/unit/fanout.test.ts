/**
 * Calls across many contexts, in pure logic: context selection by glob, the fan-out deadline and concurrency
 * (TestClock, no sleeps), and the budgeter's fair share between contexts. The same behaviour end to end, over
 * a real fleet of twelve contexts: test/tools/fleet.test.ts.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ClusterRegistry, type ContextInfo } from "../../src/cluster/registry.js"
import { AppSettings } from "../../src/config/appSettings.js"
import { loadSettings, parseCli } from "../../src/config/load.js"
import { NotFound } from "../../src/errors.js"
import { render } from "../../src/output/budget.js"
import { document, fanout, table, text } from "../../src/output/reply.js"
import { eachContext, selectContexts } from "../../src/tool/fanout.js"

const settingsLayer = (env: Record<string, string>) =>
  Layer.effect(AppSettings, parseCli([]).pipe(Effect.flatMap((cli) => loadSettings({ cli, env, cwd: "/work" })), Effect.orDie))

const NAMES = ["dev-a", "dev-b", "prod-eu", "prod-us", "arn:aws:eks:eu-west-1:1:cluster/prod-x"]
const registryLayer = Layer.succeed(ClusterRegistry, {
  provider: "kubeconfig",
  contexts: Effect.succeed({
    contexts: NAMES.map((name): ContextInfo => ({ name, cluster: name, user: "u", namespace: "default" })),
    current: "dev-a"
  }),
  resolve: () => Effect.die(new Error("not used")),
  view: () => Effect.die(new Error("not used")),
  status: Effect.die(new Error("not used")),
  onContextsChanged: () => Effect.void
})

describe("selectContexts", () => {
  it.effect("globs match whole names (`*` crosses `/`), plain names pass through, each once, sorted", () =>
    Effect.gen(function*() {
      expect(yield* selectContexts(["prod-*", "dev-b", "prod-eu"])).toEqual(["dev-b", "prod-eu", "prod-us"])
      expect(yield* selectContexts(["*prod-x"])).toEqual(["arn:aws:eks:eu-west-1:1:cluster/prod-x"])
      expect(yield* selectContexts(["dev-?"])).toEqual(["dev-a", "dev-b"])
      // a plain name that is no context stays: it fails in its own slot with UnknownContext
      expect(yield* selectContexts(["typo", "dev-a"])).toEqual(["dev-a", "typo"])
      // regex characters in a pattern are literal
      expect(yield* selectContexts(["dev.*", "*"]).pipe(Effect.map((s) => s.length))).toBe(5)
      const none = yield* Effect.flip(selectContexts(["stage-*"]))
      expect(none._tag).toBe("UnknownContext")
      expect(none.available).toEqual(NAMES)
    }).pipe(Effect.provide(registryLayer)))
})

describe("eachContext", () => {
  it.effect("a context still running at the deadline is a Timeout, the others keep their answers; done is reported per context", () =>
    Effect.gen(function*() {
      const done: Array<string> = []
      const fiber = yield* eachContext(
        ["fast", "hung", "missing"],
        (c) => (c === "hung" ? Effect.never : c === "missing" ? Effect.fail(new NotFound({ context: c, message: "gone" })) : Effect.succeed(c.length)),
        { onDone: (n, total, c) => Effect.sync(() => done.push(`${n}/${total} ${c}`)) }
      ).pipe(Effect.forkChild)
      yield* TestClock.adjust("59999 millis")
      expect(fiber.pollUnsafe()).toBeUndefined()
      expect(done).toEqual(["1/3 fast", "2/3 missing"])
      yield* TestClock.adjust("1 millis")
      const outcomes = yield* Fiber.join(fiber)
      expect(outcomes.map((o) => [o.context, o.ok ? o.value : o.error._tag])).toEqual([["fast", 4], ["hung", "Timeout"], ["missing", "NotFound"]])
      expect(done).toEqual(["1/3 fast", "2/3 missing", "3/3 hung"])
    }).pipe(Effect.provide(settingsLayer({}))))

  it.effect("at most fanout_concurrency contexts at a time; one not started by the deadline is a Timeout too", () =>
    Effect.gen(function*() {
      let running = 0
      let peak = 0
      const fiber = yield* eachContext(["a", "b", "c", "d", "e"], (c) =>
        Effect.gen(function*() {
          running++
          peak = Math.max(peak, running)
          yield* Effect.sleep(c === "a" || c === "b" ? "20 seconds" : "30 seconds")
          running--
          return c
        })).pipe(Effect.forkChild)
      yield* TestClock.adjust("20 seconds") // a, b done; c, d start
      yield* TestClock.adjust("25 seconds") // the 45 s deadline: c, d still running; e never started
      const outcomes = yield* Fiber.join(fiber)
      expect(peak).toBe(2)
      expect(outcomes.map((o) => (o.ok ? o.value : o.error._tag))).toEqual(["a", "b", "Timeout", "Timeout", "Timeout"])
    }).pipe(Effect.provide(settingsLayer({ KUBE_MCP_KUBERNETES_FANOUT_CONCURRENCY: "2", KUBE_MCP_KUBERNETES_FANOUT_TIMEOUT: "45s" }))))
})

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v))

describe("budget across contexts", () => {
  const many = Array.from({ length: 2000 }, (_, i) => [`pod-${i}`, "Running"])

  it("merges tables CONTEXT first; the budget is shared max-min fairly; failures in both views", () => {
    const r = render(
      fanout([
        { context: "big", reply: table({ columns: ["name", "status"], rows: many }) },
        { context: "small", reply: table({ columns: ["name", "status", "node"], rows: [["web", "Running", "n1"]], continue: "tok" }) },
        { context: "dead", failure: { type: "Unavailable", message: "connection refused" } }
      ]),
      8192
    )
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(8192)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(8192)
    expect(r.structured["columns"]).toEqual(["context", "name", "status", "node"])
    const rows = r.structured["rows"]
    if (!Array.isArray(rows)) throw new Error("no rows")
    // the small context is whole, the big one cut; a missing column is an empty cell
    expect(rows).toContainEqual(["small", "web", "Running", "n1"])
    expect(rows[0]).toEqual(["big", "pod-0", "Running", ""])
    expect(r.structured["contexts"]).toEqual([
      { context: "big", ok: true, rows: rows.length - 1, total: 2000 },
      { context: "small", ok: true, rows: 1, continue: "tok" },
      { context: "dead", ok: false, error: { type: "Unavailable", message: "connection refused" } }
    ])
    expect(r.structured["answered"]).toBe(2)
    expect(r.structured["asked"]).toBe(3)
    expect(r.structured["truncated"]).toMatchObject({ shown: rows.length, total: 2001 })
    expect(r.text.split("\n")[0]).toBe("2 of 3 context(s) answered")
    expect(r.text).toContain(`context "dead": Unavailable: connection refused`)
    expect(r.text).toContain(`call with context="small" and continue="tok"`)
    expect(r.text).toContain("cut: big.")
  })

  it("gives other results one section each; a small answer stays whole and leaves its share to a large one", () => {
    const log = Array.from({ length: 4000 }, (_, i) => `line ${i}`).join("\n")
    const r = render(
      fanout([
        { context: "a", reply: text({ text: log, data: { pod: "p" }, field: "log", keepTail: true }) },
        { context: "b", reply: document({ name: "web", image: "registry.example/web:1" }) },
        { context: "c", failure: { type: "NotFound", message: "pods \"p\" not found" } }
      ]),
      8192
    )
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(8192)
    expect(jsonBytes(r.structured)).toBeLessThanOrEqual(8192)
    const sections = r.structured["contexts"]
    if (!Array.isArray(sections)) throw new Error("no sections")
    expect(sections[1]).toEqual({ context: "b", ok: true, result: { name: "web", image: "registry.example/web:1" } })
    expect(sections[2]).toEqual({ context: "c", ok: false, error: { type: "NotFound", message: "pods \"p\" not found" } })
    const a = sections[0]?.result
    // the log keeps its newest lines, and took more than an even third of the budget
    expect(String(a?.log)).toContain("line 3999")
    expect(jsonBytes(a)).toBeGreaterThan(8192 / 3)
    expect(r.structured["truncated"]).toMatchObject({ shown: 1, total: 2 })
    expect(r.text).toMatch(/=== context "a" ===\n[\s\S]*line 3999[\s\S]*=== context "b" ===\n[\s\S]*web[\s\S]*=== context "c" ===\nNotFound: /u)
  })
})
