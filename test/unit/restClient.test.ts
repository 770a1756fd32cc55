/**
 * The REST client's own behaviour on the wire: Retry-After on 429, and the per-call timeout. The server is a
 * real one on loopback; the waits are on the TestClock, so the test proves the timing without sleeping.
 */
import { KubeConfig } from "@kubernetes/client-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { createServer, type Server } from "node:http"
import { makeRestClient } from "../../src/cluster/restClient.js"

describe("restClient", () => {
  let server: Server
  let hits = 0
  let port = 0
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++
      if (req.url?.startsWith("/busy") === true && hits < 3) {
        res.writeHead(429, { "retry-after": "2", "content-type": "application/json" })
        res.end(JSON.stringify({ kind: "Status", code: 429, reason: "TooManyRequests", message: "storage is (re)initializing" }))
        return
      }
      if (req.url === "/hang") return // never answers
      res.writeHead(200, { "content-type": "application/json" })
      res.end(JSON.stringify({ ok: true, url: req.url }))
    })
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok))
    const address = server.address()
    port = typeof address === "object" && address !== null ? address.port : 0
  })
  afterAll(() => {
    server.closeAllConnections()
    server.close()
  })

  const client = (timeoutMs: number) => {
    const kc = new KubeConfig()
    kc.loadFromOptions({
      clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: "u", token: "t" }],
      contexts: [{ name: "ctx", cluster: "c", user: "u" }],
      currentContext: "ctx"
    })
    return makeRestClient("ctx", kc, timeoutMs)
  }

  /** Lets real I/O (the loopback round trip) happen until the server has seen `n` requests. */
  const untilHits = (n: number) =>
    Effect.promise(async () => {
      for (let i = 0; i < 2000 && hits < n; i++) await new Promise((r) => setImmediate(r))
      return hits
    })

  it.effect("retries a 429 after its Retry-After, not before, and returns the eventual answer", () =>
    Effect.gen(function*() {
      hits = 0
      const c = yield* client(10_000)
      const call = yield* Effect.forkChild(c.text({ path: "/busy", query: { limit: 5 } }))
      expect(yield* untilHits(1)).toBe(1)
      // Retry-After: 2 → nothing is sent again before two seconds have passed
      yield* TestClock.adjust("1999 millis")
      expect(yield* untilHits(2)).toBe(1)
      yield* TestClock.adjust("1 millis")
      expect(yield* untilHits(2)).toBe(2)
      yield* TestClock.adjust("2 seconds")
      expect(yield* untilHits(3)).toBe(3)
      const body = yield* Fiber.join(call)
      expect(JSON.parse(body)).toEqual({ ok: true, url: "/busy?limit=5" })
    }))

  it.effect("takes a 429 as the answer when the caller retries on its own (an eviction a budget refuses)", () =>
    Effect.gen(function*() {
      hits = 0
      const c = yield* client(10_000)
      const error = yield* Effect.flip(c.text({ path: "/busy", retryTooManyRequests: false }))
      expect(hits).toBe(1)
      expect(error).toMatchObject({ _tag: "ApiError", code: 429, reason: "TooManyRequests" })
    }))

  it.effect("fails with Timeout when the server does not answer within the timeout", () =>
    Effect.gen(function*() {
      hits = 0
      const c = yield* client(500)
      const call = yield* Effect.forkChild(Effect.flip(c.text({ path: "/hang" })))
      expect(yield* untilHits(1)).toBe(1)
      yield* TestClock.adjust("500 millis")
      const error = yield* Fiber.join(call)
      expect(error._tag).toBe("Timeout")
      expect(error.message).toContain("did not answer within 500 ms")
    }))
})
