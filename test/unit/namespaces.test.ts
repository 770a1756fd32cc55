/** kube/namespaces.ts on the Kube test layer: one page, the caller's selector and token, ages from the TestClock. */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { listNamespaces } from "../../src/kube/namespaces.js"
import { fakeServer, testKubeLayer } from "../support/kube.js"

const NOW = Date.parse("2026-01-15T12:00:00Z")
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString()

const namespace = (name: string, createdAgo: number, phase?: string) => ({
  metadata: { name, creationTimestamp: ago(createdAgo) },
  ...(phase !== undefined ? { status: { phase } } : {})
})

describe("listNamespaces", () => {
  it.effect("one page: name, status, age; the next page's token", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW)
      const server = fakeServer(() => ({
        body: {
          kind: "NamespaceList",
          metadata: { continue: "more" },
          items: [namespace("default", 400 * 86400, "Active"), namespace("team-a", 90, "Terminating"), namespace("odd", 7200)]
        }
      }))
      const page = yield* listNamespaces({ labelSelector: "team in (a,b)", limit: 3, continue: "start" }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual(["GET /api/v1/namespaces?labelSelector=team+in+%28a%2Cb%29&limit=3&continue=start"])
      expect(page.namespaces).toEqual([
        { name: "default", status: "Active", age: "400d" },
        { name: "team-a", status: "Terminating", age: "90s" },
        { name: "odd", status: "", age: "2h" }
      ])
      expect(page.continue).toBe("more")
      yield* TestClock.adjust("1 hour")
      const later = yield* listNamespaces({}).pipe(Effect.provide(testKubeLayer(server)))
      // without a limit the server pages at PAGE_SIZE
      expect(server.requests[1]).toBe("GET /api/v1/namespaces?limit=500")
      expect(later.namespaces.map((ns) => ns.age)).toEqual(["400d", "61m", "3h"])
    }))

  it.effect("a denial is the API server's Forbidden", () =>
    Effect.gen(function*() {
      const server = fakeServer(() => ({
        status: 403,
        body: { kind: "Status", code: 403, reason: "Forbidden", message: "namespaces is forbidden: User \"u\" cannot list resource \"namespaces\"" }
      }))
      const error = yield* Effect.flip(listNamespaces({}).pipe(Effect.provide(testKubeLayer(server))))
      expect(error._tag).toBe("Forbidden")
      expect(error.message).toMatch(/forbidden/i)
    }))
})
