/**
 * Exec: run a command in a pod's container through the API server's exec subresource (no stdin, no TTY).
 *
 * Transport: client-node's `Exec` (WebSocket, channel protocols v5.channel.k8s.io down to channel.k8s.io).
 * client-node has no SPDY client, so there is no SPDY fallback: a server or proxy that refuses the
 * WebSocket upgrade is reported as such. The connection is a scoped resource: closed when the command
 * ends, when the timeout interrupts it, or when the call is cancelled.
 */
import type { KubeConfig } from "@kubernetes/client-node"
import { Context, Duration, Effect, Schema } from "effect"
import { Writable } from "node:stream"
import { StatusBody, statusToError, transportError } from "../cluster/apiStatus.js"
import { ApiError, Invalid, type InvalidInput, type KubeError, Timeout } from "../errors.js"
import { callerKubeConfig } from "./callerKubeConfig.js"
import { clientNode } from "./clientNode.js"
import { access, Kube, type KubeApi } from "./Kube.js"
import { pickContainer } from "./podContainers.js"
import { getPod, type Pod, podPath } from "./pods.js"
import { Telemetry } from "../telemetry/telemetry.js"

/** Output kept per stream while the command runs; the oldest bytes go first (the end says how it finished). */
const MAX_STREAM_BYTES = 4 * 1024 * 1024
export const DEFAULT_EXEC_TIMEOUT_S = 30

/** The status frame (channel 3) the kubelet sends when the command ends: a metav1.Status. */
type ExecStatus = typeof StatusBody.Type
const decodeStatus = Schema.decodeUnknownOption(StatusBody)

// ---- the transport: how a connection is opened (client-node's WebSocket; tests provide a fake) ----

/** An open exec connection; the kubelet sends the status frame, then closes it. */
export interface ExecConnection {
  /** Calls `listener` once the connection is closed (at once if it already is). */
  readonly onClose: (listener: () => void) => void
  readonly close: () => void
}

export interface ExecTarget {
  readonly namespace: string
  readonly pod: string
  readonly container: string
  readonly command: ReadonlyArray<string>
}

/** Where the connection writes: stdout, stderr, and the status frame as sent. */
export interface ExecSink {
  readonly stdout: Writable
  readonly stderr: Writable
  readonly onStatus: (status: unknown) => void
}

export interface ExecTransportApi {
  /** Resolves once the connection is open; rejects with the upgrade's failure ("Unexpected server response: 403"). */
  readonly open: (kubeConfig: KubeConfig, target: ExecTarget, sink: ExecSink) => Promise<ExecConnection>
}

const webSocketTransport: ExecTransportApi = {
  open: async (kubeConfig, t, sink) => {
    const { Exec } = await clientNode()
    const ws = await new Exec(kubeConfig).exec(t.namespace, t.pod, t.container, [...t.command], sink.stdout, sink.stderr, null, false, sink.onStatus)
    return {
      onClose: (listener) => {
        // the command may have ended before anyone listens
        if (ws.readyState === ws.CLOSED) listener()
        else ws.on("close", listener)
      },
      close: () => ws.close()
    }
  }
}

/** How exec connections are opened: client-node's WebSocket unless a test provides another. */
export const ExecTransport = Context.Reference<ExecTransportApi>("kube-mcp/ExecTransport", { defaultValue: () => webSocketTransport })

// ---- collecting the output ----

/** A stream's bytes, keeping the newest MAX_STREAM_BYTES. */
class Tail extends Writable {
  private chunks: Array<Buffer> = []
  private kept = 0
  dropped = 0
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (error?: Error | null) => void): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk
    this.chunks.push(buf)
    this.kept += buf.length
    while (this.kept > MAX_STREAM_BYTES && this.chunks.length > 1) {
      const first = this.chunks.shift()
      this.kept -= first?.length ?? 0
      this.dropped += first?.length ?? 0
    }
    done()
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8")
  }
  get bytes(): number {
    return this.kept + this.dropped
  }
}

/** What one exec collects: both streams and the status frame (written by the connection's callbacks). */
class Capture implements ExecSink {
  readonly stdout = new Tail()
  readonly stderr = new Tail()
  status: ExecStatus | undefined
  readonly onStatus = (s: unknown): void => {
    const decoded = decodeStatus(s)
    this.status = decoded._tag === "Some" ? decoded.value : { status: "Unknown" }
  }
}

/** A stream's output: its newest bytes (`text`), how many it wrote in all and how many were dropped. */
export interface StreamOutput {
  readonly text: string
  readonly bytes: number
  readonly dropped: number
}

const outputOf = (t: Tail): StreamOutput => ({ text: t.text, bytes: t.bytes, dropped: t.dropped })

// ---- the session ----

const NO_SPDY = "The API server (or a proxy in front of it) does not accept WebSocket exec; kube-mcp has no SPDY fallback (client-node implements WebSocket only)."

const messageOf = (e: unknown): string => {
  if (e instanceof Error) return e.message
  const decoded = Schema.decodeUnknownOption(Schema.Struct({ message: Schema.String }))(e)
  return decoded._tag === "Some" ? decoded.value.message : String(e)
}

/**
 * A failed upgrade only tells its HTTP status ("Unexpected server response: 403"): the one Status mapping
 * reads it, as for the POST kubectl sends (the API server authorizes exec as create on pods/exec), with a
 * sentence naming the exec standing in for the body client-node does not expose.
 */
const refused = (kube: KubeApi, target: ExecTarget, e: unknown): KubeError => {
  const message = messageOf(e)
  const code = Number(/Unexpected server response: (\d+)/.exec(message)?.[1] ?? Number.NaN)
  if (Number.isNaN(code)) return transportError(kube.info.name, kube.server, e instanceof Error ? e : new Error(message))
  const mapped = statusToError({
    context: kube.info.name,
    method: "POST",
    path: `${podPath(target.namespace, target.pod)}/exec`,
    status: code,
    body: `exec into ${whereOf(target)} was refused: HTTP ${code}`
  })
  return mapped._tag === "ApiError" && (code === 426 || code === 501) && mapped.details === undefined
    ? new ApiError({ context: mapped.context, message: mapped.message, code: mapped.code, ...(mapped.reason !== undefined ? { reason: mapped.reason } : {}), details: NO_SPDY })
    : mapped
}

const whereOf = (t: ExecTarget): string => `${t.namespace}/${t.pod} container "${t.container}"`

/**
 * Opens the connection; interrupted while it opens (timeout, cancelled call), it is closed once open. The
 * upgrade is an API request of its own (client-node's, not the REST client's): counted as POST, 101 when open.
 */
const connect = (kube: KubeApi, kubeConfig: KubeConfig, transport: ExecTransportApi, target: ExecTarget, sink: ExecSink): Effect.Effect<ExecConnection, KubeError> =>
  Effect.flatMap(Effect.service(Telemetry), (telemetry) =>
    Effect.callback<{ readonly status: number; readonly connection: ExecConnection }, KubeError>((resume) => {
      const opening = transport.open(kubeConfig, target, sink)
      opening.then((connection) => resume(Effect.succeed({ status: 101, connection })), (e: unknown) => resume(Effect.fail(refused(kube, target, e))))
      return Effect.sync(() => void opening.then((c) => c.close(), () => undefined))
    }).pipe(telemetry.apiRequest(kube.info.name, "POST", `${podPath(target.namespace, target.pod)}/exec`), Effect.map((a) => a.connection)))

/** Waits for the kubelet to close the connection: both streams and the status are complete then. */
const closed = (c: ExecConnection): Effect.Effect<void> => Effect.callback<void>((resume) => c.onClose(() => resume(Effect.void)))

/** One connection, from open to close, closed early by the timeout (which reports what came so far). */
const session = (kube: KubeApi, kubeConfig: KubeConfig, transport: ExecTransportApi, target: ExecTarget, capture: Capture, timeoutMs: number) =>
  Effect.scoped(
    Effect.acquireRelease(connect(kube, kubeConfig, transport, target, capture), (c) => Effect.sync(() => c.close()), { interruptible: true }).pipe(
      Effect.flatMap(closed)
    )
  ).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(timeoutMs),
      orElse: () => {
        const { stdout, stderr } = capture
        return Effect.fail(
          new Timeout({
            context: kube.info.name,
            message: `${JSON.stringify(target.command)} in ${whereOf(target)} did not finish within ${timeoutMs / 1000} s`,
            details: `Connection closed (the process may keep running in the container). Output so far: ${stdout.bytes} bytes stdout, ${stderr.bytes} bytes stderr${
              stdout.bytes + stderr.bytes > 0 ? `; last stdout: ${JSON.stringify(stdout.text.slice(-200))}` : ""
            }. Raise timeout (max 300) for longer commands.`
          })
        )
      }
    })
  )

/** The exit code: Success → 0; NonZeroExitCode → its ExitCode cause; undefined when the runtime said nothing. */
const exitCodeOf = (s: ExecStatus | undefined): number | undefined => {
  if (s?.status === "Success") return 0
  if (s?.reason === "NonZeroExitCode") {
    const cause = s.details?.causes?.find((c) => c.reason === "ExitCode")
    const code = Number(cause?.message)
    return Number.isInteger(code) ? code : undefined
  }
  return undefined
}

/** Why the container cannot take an exec now, when the pod's status says so; undefined when it runs (or is unknown). */
const notRunningReason = (pod: Pod, container: string): string | undefined => {
  if (pod.spec?.nodeName === undefined || pod.spec.nodeName === "") return "the pod is not scheduled to a node yet"
  const status = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.ephemeralContainerStatuses ?? [])
  ].find((c) => c.name === container)
  const state = status?.state
  if (state === undefined || state.running !== undefined) return undefined
  if (state.waiting !== undefined) return `the container is waiting${state.waiting.reason !== undefined ? ` (${state.waiting.reason})` : ""}`
  if (state.terminated !== undefined) {
    return `the container has terminated${state.terminated.reason !== undefined ? ` (${state.terminated.reason})` : ""}`
  }
  return undefined
}

export interface ExecOptions {
  /** Omitted: the pod's default container (kubectl.kubernetes.io/default-container, else the first). */
  readonly container?: string | undefined
  readonly command: ReadonlyArray<string>
  readonly timeoutMs: number
}

export interface ExecResult {
  readonly container: string
  /** Set when the container was chosen for the caller. */
  readonly defaulted?: string
  /** undefined when the connection closed without a status. */
  readonly exitCode: number | undefined
  readonly stdout: StreamOutput
  readonly stderr: StreamOutput
}

/**
 * Runs `command` in a container of the pod. A non-zero exit code is a result; a pod or container that
 * cannot run it is refused before connecting (the refused upgrade would only say "HTTP 400").
 */
export const execInPod = (namespace: string, name: string, options: ExecOptions): Effect.Effect<ExecResult, KubeError | InvalidInput, Kube> =>
  Effect.gen(function*() {
    const kube = yield* Kube
    // exec's WebSocket (client-node): the caller's token in passthrough mode; impersonation is refused
    const kubeConfig = yield* callerKubeConfig(kube, "pods_exec in impersonate mode")
    const pod = yield* getPod(namespace, name)
    const phase = pod.status?.phase
    if (phase === "Succeeded" || phase === "Failed") {
      return yield* new Invalid({
        context: kube.info.name,
        message: `Cannot exec into a container of a completed pod; pod "${name}" is ${phase}`,
        causes: []
      })
    }
    const picked = yield* pickContainer(pod, options.container, { fallbackToFirst: true })
    const notRunning = notRunningReason(pod, picked.name)
    if (notRunning !== undefined) {
      return yield* new Invalid({
        context: kube.info.name,
        message: `Cannot exec into ${namespace}/${name} container "${picked.name}": ${notRunning}`,
        details: "Wait until the container runs (pods_get shows its state), or pick another container.",
        causes: []
      })
    }
    yield* kube.authorize(access({ verb: "create", resource: "pods", subresource: "exec", namespace, name }))
    const target: ExecTarget = { namespace, pod: name, container: picked.name, command: options.command }
    const transport = yield* ExecTransport
    const capture = new Capture()
    yield* kube.throttle(session(kube, kubeConfig, transport, target, capture, options.timeoutMs))
    const status = capture.status
    const exitCode = exitCodeOf(status)
    if (exitCode === undefined && status !== undefined && status.status !== "Success") {
      // the runtime could not run the command at all (e.g. executable not found): no exit code to report
      return yield* new ApiError({
        context: kube.info.name,
        code: status.code ?? 500,
        ...(status.reason !== undefined ? { reason: status.reason } : {}),
        message: `exec of ${JSON.stringify(options.command)} in ${whereOf(target)} failed: ${status.message ?? status.reason ?? "unknown error"}`,
        details: capture.stderr.text.slice(-500)
      })
    }
    return {
      container: picked.name,
      ...(picked.defaulted !== undefined ? { defaulted: picked.defaulted } : {}),
      exitCode,
      stdout: outputOf(capture.stdout),
      stderr: outputOf(capture.stderr)
    }
  })
