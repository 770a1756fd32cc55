/**
 * kube/logs.ts on the Kube test layer: the log query sent for each option, grep and tail applied here,
 * container choice, every container read with per-container failures, and the one RBAC check.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { ApiRequest } from "../../src/cluster/restClient.js"
import { allContainerLogs, containerLog } from "../../src/kube/logs.js"
import { type FakeAnswer, fakeServer, testKubeLayer } from "../support/kube.js"

const LOG = [
  "2026-01-15T10:00:00Z INFO start",
  "2026-01-15T10:00:01Z ERROR boom",
  "2026-01-15T10:00:02Z WARN slow",
  "2026-01-15T10:00:03Z ERROR again",
  "2026-01-15T10:00:04Z INFO health ok"
].join("\n") + "\n"

const pod = (containers: ReadonlyArray<string>, init: ReadonlyArray<string> = []) => ({
  metadata: { name: "web", namespace: "default" },
  spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })) }
})

const isLog = (req: ApiRequest) => req.path.endsWith("/log")
const logRequests = (requests: ReadonlyArray<string>) => requests.filter((r) => r.includes("/log"))

describe("containerLog", () => {
  it.effect("sends every server-side option in the log query", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) => (isLog(req) ? { body: LOG } : { body: pod(["app"]) }))
      const log = yield* containerLog("default", "web", undefined, {
        tailLines: 2,
        sinceMs: 90_500,
        previous: true,
        timestamps: true,
        limitBytes: 4096
      }).pipe(Effect.provide(testKubeLayer(server)))
      expect(server.requests).toEqual([
        "GET /api/v1/namespaces/default/pods/web",
        "GET /api/v1/namespaces/default/pods/web/log?container=app&tailLines=2&sinceSeconds=91&previous=true&timestamps=true&limitBytes=4096"
      ])
      expect(log.container).toBe("app")
      expect(log.defaulted).toBeUndefined()
      // the server applied the tail; the answer is taken as sent
      expect(log.lines).toHaveLength(5)
    }))

  it.effect("sinceTime as given; a sub-second since is one second; false flags are not sent", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) => (isLog(req) ? { body: "" } : { body: pod(["app", "side"]) }))
      const layer = testKubeLayer(server)
      const empty = yield* containerLog("default", "web", "side", { sinceTime: "2026-01-15T10:00:08Z", previous: false }).pipe(Effect.provide(layer))
      expect(empty).toEqual({ container: "side", lines: [] })
      yield* containerLog("default", "web", "side", { sinceMs: 200 }).pipe(Effect.provide(layer))
      expect(logRequests(server.requests)).toEqual([
        "GET /api/v1/namespaces/default/pods/web/log?container=side&sinceTime=2026-01-15T10%3A00%3A08Z",
        "GET /api/v1/namespaces/default/pods/web/log?container=side&sinceSeconds=1"
      ])
    }))

  it.effect("grep keeps matching lines; with tail_lines the last matching ones (the tail is not sent)", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) => (isLog(req) ? { body: LOG } : { body: pod(["app"]) }))
      const layer = testKubeLayer(server)
      const errors = yield* containerLog("default", "web", "app", { grep: / ERROR / }).pipe(Effect.provide(layer))
      expect(errors.lines).toEqual(["2026-01-15T10:00:01Z ERROR boom", "2026-01-15T10:00:03Z ERROR again"])
      const last = yield* containerLog("default", "web", "app", { grep: /ERROR|WARN/, tailLines: 2 }).pipe(Effect.provide(layer))
      expect(last.lines).toEqual(["2026-01-15T10:00:02Z WARN slow", "2026-01-15T10:00:03Z ERROR again"])
      expect(logRequests(server.requests)).toEqual([
        "GET /api/v1/namespaces/default/pods/web/log?container=app",
        "GET /api/v1/namespaces/default/pods/web/log?container=app"
      ])
    }))

  it.effect("a pod with several containers and none named: InvalidInput naming them and all_containers; nothing read", () =>
    Effect.gen(function*() {
      const server = fakeServer((req) => (isLog(req) ? { body: LOG } : { body: pod(["app", "side"]) }))
      const e = yield* Effect.flip(containerLog("default", "web", undefined, {}).pipe(Effect.provide(testKubeLayer(server))))
      expect(e._tag).toBe("InvalidInput")
      expect(e.message).toBe("Pod \"web\" has 2 containers; say which one (containers: app, side)")
      expect(e.details).toBe("Pass container (one of: app, side), or all_containers: true.")
      expect(logRequests(server.requests)).toEqual([])
    }))
})

describe("allContainerLogs", () => {
  it.effect("reads init, regular containers in order; one that fails says why and the others still come", () =>
    Effect.gen(function*() {
      const server = fakeServer((req): FakeAnswer =>
        !isLog(req)
          ? { body: pod(["app", "side"], ["setup"]) }
          : req.query?.["container"] === "setup"
          ? { status: 400, body: { kind: "Status", code: 400, reason: "BadRequest", message: "previous terminated container \"setup\" not found" } }
          : { body: `${String(req.query?.["container"])} INFO health ok\n${String(req.query?.["container"])} ERROR x\n` }
      )
      const logs = yield* allContainerLogs("default", "web", { grep: /health/, previous: true }).pipe(Effect.provide(testKubeLayer(server)))
      expect(logs).toEqual([
        { container: "setup", lines: [], error: "Invalid: previous terminated container \"setup\" not found" },
        { container: "app", lines: ["app INFO health ok"] },
        { container: "side", lines: ["side INFO health ok"] }
      ])
      expect(logRequests(server.requests).sort()).toEqual(
        ["app", "setup", "side"].map((c) => `GET /api/v1/namespaces/default/pods/web/log?container=${c}&previous=true`)
      )
    }))

  it.effect("with require_rbac a denied log read is one Forbidden, checked once, before any log request", () =>
    Effect.gen(function*() {
      const server = fakeServer((req): FakeAnswer =>
        req.path.endsWith("selfsubjectaccessreviews")
          ? { status: 201, body: { status: { allowed: !JSON.stringify(req.body).includes("\"subresource\":\"log\"") } } }
          : isLog(req)
          ? { body: LOG }
          : { body: pod(["app", "side"]) }
      )
      const e = yield* Effect.flip(allContainerLogs("default", "web", {}).pipe(Effect.provide(testKubeLayer(server, { settings: { requireRbac: true } }))))
      expect(e).toMatchObject({ _tag: "Forbidden", verb: "get", resource: "pods/log", namespace: "default" })
      expect(logRequests(server.requests)).toEqual([])
      expect(server.requests.filter((r) => r.includes("selfsubjectaccessreviews"))).toHaveLength(2)
    }))
})
