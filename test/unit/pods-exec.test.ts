/**
 * kube/exec.ts with a fake exec transport (no socket) on the Kube test layer: output and exit code, the
 * refusals before connecting, a refused upgrade through the one Status mapping, and the timeout on the
 * TestClock closing the connection (also one still opening).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { type ExecConnection, type ExecSink, type ExecTarget, ExecTransport, type ExecTransportApi, execInPod } from "../../src/kube/exec.js"
import { fakeServer, testKubeLayer } from "../support/kube.js"

const runningPod = (containers: ReadonlyArray<string>, extra: { phase?: string; nodeName?: string } = {}) => ({
  metadata: { name: "web", namespace: "default" },
  spec: { ...(extra.nodeName !== "" ? { nodeName: extra.nodeName ?? "node-1" } : {}), containers: containers.map((name) => ({ name })) },
  status: {
    phase: extra.phase ?? "Running",
    containerStatuses: containers.map((name) => ({ name, ready: true, restartCount: 0, state: { running: {} } }))
  }
})

/** A connection the test closes (or never closes); records whether exec closed it. */
class FakeConnection implements ExecConnection {
  closedByExec = false
  private listeners: Array<() => void> = []
  private ended = false
  readonly onClose = (listener: () => void): void => {
    if (this.ended) listener()
    else this.listeners.push(listener)
  }
  readonly close = (): void => {
    this.closedByExec = true
  }
  /** The kubelet ends the command: the connection closes. */
  end(): void {
    this.ended = true
    for (const l of this.listeners) l()
  }
}

const transport = (open: (target: ExecTarget, sink: ExecSink) => Promise<ExecConnection>) => {
  const targets: Array<ExecTarget> = []
  const api: ExecTransportApi = {
    open: (_kubeConfig, target, sink) => {
      targets.push(target)
      return open(target, sink)
    }
  }
  return { api, targets }
}

/** Lets the fiber run until it waits on the clock (promise callbacks included). */
const settle = Effect.promise(() => new Promise((r) => setImmediate(r))).pipe(Effect.repeat({ times: 5 }))

const server = (pod: unknown) => fakeServer(() => ({ body: pod }))

describe("execInPod", () => {
  it.effect("collects stdout, stderr and the exit code of the status frame; the default container is named", () =>
    Effect.gen(function*() {
      const conn = new FakeConnection()
      const t = transport(async (_target, sink) => {
        sink.stdout.write("out\n")
        sink.stderr.write("err\n")
        sink.onStatus({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } })
        conn.end()
        return conn
      })
      const done = yield* execInPod("default", "web", { command: ["sh", "-c", "exit 3"], timeoutMs: 30_000 }).pipe(
        Effect.provideService(ExecTransport, t.api),
        Effect.provide(testKubeLayer(server(runningPod(["app", "side"]))))
      )
      expect(t.targets).toEqual([{ namespace: "default", pod: "web", container: "app", command: ["sh", "-c", "exit 3"] }])
      expect(done).toEqual({
        container: "app",
        defaulted: "container \"app\" (the first one); containers: app, side",
        exitCode: 3,
        stdout: { text: "out\n", bytes: 4, dropped: 0 },
        stderr: { text: "err\n", bytes: 4, dropped: 0 }
      })
      expect(conn.closedByExec).toBe(true)
    }))

  it.effect("Success is exit code 0; no status is an unknown exit code; a failure without one is an ApiError", () =>
    Effect.gen(function*() {
      const run = (status: unknown) =>
        execInPod("default", "web", { container: "app", command: ["nope"], timeoutMs: 30_000 }).pipe(
          Effect.provideService(
            ExecTransport,
            transport(async (_target, sink) => {
              const conn = new FakeConnection()
              sink.stderr.write("exec: \"nope\": executable file not found\n")
              if (status !== undefined) sink.onStatus(status)
              conn.end()
              return conn
            }).api
          ),
          Effect.provide(testKubeLayer(server(runningPod(["app"]))))
        )
      expect((yield* run({ status: "Success" })).exitCode).toBe(0)
      expect((yield* run(undefined)).exitCode).toBeUndefined()
      const failed = yield* Effect.flip(run({ status: "Failure", reason: "InternalError", code: 500, message: "executable file not found" }))
      expect(failed).toMatchObject({
        _tag: "ApiError",
        code: 500,
        reason: "InternalError",
        message: "exec of [\"nope\"] in default/web container \"app\" failed: executable file not found"
      })
      expect(failed.details).toContain("executable file not found")
    }))

  it.effect("refuses a completed pod, an unscheduled one and an unknown container before connecting", () =>
    Effect.gen(function*() {
      const t = transport(() => Promise.reject(new Error("must not connect")))
      const refuse = (pod: unknown, container?: string) =>
        Effect.flip(execInPod("default", "web", { container, command: ["true"], timeoutMs: 30_000 }).pipe(
          Effect.provideService(ExecTransport, t.api),
          Effect.provide(testKubeLayer(server(pod)))
        ))
      expect(yield* refuse(runningPod(["app"], { phase: "Succeeded" }))).toMatchObject({
        _tag: "Invalid",
        message: "Cannot exec into a container of a completed pod; pod \"web\" is Succeeded"
      })
      expect(yield* refuse(runningPod(["app"], { phase: "Pending", nodeName: "" }))).toMatchObject({
        _tag: "Invalid",
        message: "Cannot exec into default/web container \"app\": the pod is not scheduled to a node yet"
      })
      expect((yield* refuse(runningPod(["app"]), "x"))._tag).toBe("InvalidInput")
      expect(t.targets).toEqual([])
    }))

  it.effect("a refused upgrade maps through the Status mapping: 403 Forbidden on create pods/exec, 426 without SPDY fallback", () =>
    Effect.gen(function*() {
      const refusedWith = (error: Error) =>
        Effect.flip(execInPod("default", "web", { command: ["true"], timeoutMs: 30_000 }).pipe(
          Effect.provideService(ExecTransport, transport(() => Promise.reject(error)).api),
          Effect.provide(testKubeLayer(server(runningPod(["app"]))))
        ))
      expect(yield* refusedWith(new Error("Unexpected server response: 403"))).toMatchObject({
        _tag: "Forbidden",
        context: "test",
        message: "exec into default/web container \"app\" was refused: HTTP 403",
        verb: "create",
        resource: "pods/exec",
        namespace: "default"
      })
      const upgrade = yield* refusedWith(new Error("Unexpected server response: 426"))
      expect(upgrade).toMatchObject({ _tag: "ApiError", code: 426, message: "exec into default/web container \"app\" was refused: HTTP 426" })
      expect(upgrade.details).toContain("no SPDY fallback")
      expect((yield* refusedWith(new Error("Unexpected server response: 404")))._tag).toBe("NotFound")
      expect(yield* refusedWith(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toMatchObject({
        _tag: "Unavailable",
        message: "Cluster API server https://fake.invalid is unreachable (ECONNREFUSED)"
      })
    }))

  it.effect("the timeout (TestClock) closes the connection and reports the output so far", () =>
    Effect.gen(function*() {
      const conn = new FakeConnection()
      const t = transport(async (_target, sink) => {
        sink.stdout.write("tick\n")
        return conn
      })
      const fiber = yield* execInPod("default", "web", { command: ["sleep", "60"], timeoutMs: 5_000 }).pipe(
        Effect.provideService(ExecTransport, t.api),
        Effect.provide(testKubeLayer(server(runningPod(["app"])))),
        Effect.flip,
        Effect.forkChild
      )
      yield* settle
      yield* TestClock.adjust("4999 millis")
      yield* settle
      expect(conn.closedByExec).toBe(false)
      expect(fiber.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      const e = yield* Fiber.join(fiber)
      expect(e).toMatchObject({ _tag: "Timeout", message: "[\"sleep\",\"60\"] in default/web container \"app\" did not finish within 5 s" })
      expect(e.details).toContain("Output so far: 5 bytes stdout, 0 bytes stderr; last stdout: \"tick\\n\"")
      expect(conn.closedByExec).toBe(true)
    }))

  it.effect("a connection still opening when the timeout fires is closed once it opens", () =>
    Effect.gen(function*() {
      const conn = new FakeConnection()
      let open: (c: ExecConnection) => void = () => undefined
      const t = transport(() => new Promise<ExecConnection>((resolve) => (open = resolve)))
      const fiber = yield* execInPod("default", "web", { command: ["true"], timeoutMs: 1_000 }).pipe(
        Effect.provideService(ExecTransport, t.api),
        Effect.provide(testKubeLayer(server(runningPod(["app"])))),
        Effect.flip,
        Effect.forkChild
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      expect((yield* Fiber.join(fiber))._tag).toBe("Timeout")
      expect(conn.closedByExec).toBe(false)
      open(conn)
      yield* settle
      expect(conn.closedByExec).toBe(true)
    }))
})
