/** The REST client's own behaviour on the wire: Retry-After on 429, and the per-call timeout. */
import { KubeConfig } from "@kubernetes/client-node"
import { Effect } from "effect"
import { createServer, type Server } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeRestClient } from "../../src/cluster/restClient.js"

describe("restClient", () => {
  let server: Server
  let hits = 0
  let port = 0
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits++
      if (req.url?.startsWith("/busy") === true && hits < 3) {
        res.writeHead(429, { "retry-after": "1", "content-type": "application/json" })
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

  it("retries a 429 after Retry-After and returns the eventual answer", async () => {
    hits = 0
    const t0 = Date.now()
    const body = await Effect.runPromise(Effect.flatMap(client(10_000), (c) => c.text({ path: "/busy", query: { limit: 5 } })))
    expect(JSON.parse(body)).toEqual({ ok: true, url: "/busy?limit=5" })
    expect(hits).toBe(3)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900)
  })

  it("fails with Timeout when the server does not answer within the timeout", async () => {
    const t0 = Date.now()
    const error = await Effect.runPromise(Effect.flip(Effect.flatMap(client(500), (c) => c.text({ path: "/hang" }))))
    expect(error._tag).toBe("Timeout")
    expect(Date.now() - t0).toBeLessThan(2000)
  })
})
