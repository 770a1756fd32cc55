/** The one namespace rule and field-selector escaping (src/kube/scope.ts). */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { listScope, namespaceOr, selectorValue } from "../../src/kube/scope.js"

describe("namespace rule", () => {
  it("omitted or empty means the context's namespace", () => {
    expect(namespaceOr(undefined, "team-a")).toBe("team-a")
    expect(namespaceOr("", "team-a")).toBe("team-a")
    expect(namespaceOr("web", "team-a")).toBe("web")
  })

  it.effect("all_namespaces lists everything, and never together with a namespace", () =>
    Effect.gen(function*() {
      expect(yield* listScope({ all_namespaces: true }, "d")).toEqual({ all: true })
      expect(yield* listScope({ all_namespaces: true, namespace: "" }, "d")).toEqual({ all: true })
      expect(yield* listScope({ namespace: "" }, "d")).toEqual({ all: false, namespace: "d" })
      const both = yield* Effect.result(listScope({ all_namespaces: true, namespace: "x" }, "d"))
      expect(Result.isFailure(both) && both.failure._tag).toBe("InvalidInput")
    }))

  it("a selector value cannot add terms", () => {
    expect(selectorValue("web,involvedObject.namespace=kube-system")).toBe("web\\,involvedObject.namespace\\=kube-system")
    expect(selectorValue("a\\b")).toBe("a\\\\b")
  })
})
