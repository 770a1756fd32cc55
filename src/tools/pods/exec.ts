/**
 * pods_exec: run a command in a container through the API server's exec subresource.
 *
 * Transport: client-node's `Exec` (WebSocket, channel protocols v5.channel.k8s.io down to channel.k8s.io).
 * client-node has no SPDY client, so there is no SPDY fallback: a server or proxy that refuses the
 * WebSocket upgrade is reported as such (see upgradeError).
 */
import { clientNode } from "../../kube/clientNode.js"
import { Effect, Schema } from "effect"
import { Writable } from "node:stream"
import { transportError } from "../../cluster/apiStatus.js"
import { access, type KubeApi } from "../../kube/Kube.js"
import { AppSettings } from "../../config/appSettings.js"
import { ApiError, Forbidden, Invalid, type KubeError, NotFound, Timeout, Unauthorized } from "../../errors.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam } from "../params.js"
import { pickContainer } from "./containers.js"
import { getPod, namespaceOf, type Pod } from "./schema.js"

/** Output kept per stream while the command runs; the oldest bytes go first (the end says how it finished). */
const MAX_STREAM_BYTES = 4 * 1024 * 1024
const DEFAULT_TIMEOUT_S = 30

/** The status frame (channel 3) the kubelet sends when the command ends. */
const ExecStatus = Schema.Struct({
  status: Schema.optionalKey(Schema.String),
  reason: Schema.optionalKey(Schema.String),
  message: Schema.optionalKey(Schema.String),
  code: Schema.optionalKey(Schema.Finite),
  details: Schema.optionalKey(Schema.Struct({
    causes: Schema.optionalKey(Schema.Array(Schema.Struct({
      reason: Schema.optionalKey(Schema.String),
      message: Schema.optionalKey(Schema.String)
    })))
  }))
})
type ExecStatus = typeof ExecStatus.Type
const decodeStatus = Schema.decodeUnknownOption(ExecStatus)

/** What this module uses of the `ws` WebSocket that Exec resolves with. */
interface ExecSocket {
  close(): void
  on(event: "close", listener: () => void): void
}

/** Collects a stream's bytes, keeping the newest MAX_STREAM_BYTES. */
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

interface Finished {
  readonly status: ExecStatus | undefined
  readonly stdout: Tail
  readonly stderr: Tail
}

const messageOf = (e: unknown): string => {
  if (e instanceof Error) return e.message
  const decoded = Schema.decodeUnknownOption(Schema.Struct({ message: Schema.String }))(e)
  return decoded._tag === "Some" ? decoded.value.message : String(e)
}

/**
 * A failed WebSocket upgrade only tells its HTTP status ("Unexpected server response: 403"); the body is
 * not exposed by client-node, so the status code is mapped here.
 */
const upgradeError = (cluster: KubeApi, where: string, e: unknown): KubeError => {
  const message = messageOf(e)
  const context = cluster.info.name
  const code = Number(/Unexpected server response: (\d+)/.exec(message)?.[1] ?? Number.NaN)
  if (Number.isNaN(code)) return transportError(context, cluster.server, e instanceof Error ? e : new Error(message))
  const common = { context, message: `exec into ${where} was refused: HTTP ${code}` }
  switch (code) {
    case 401:
      return new Unauthorized({ ...common, details: "The credentials of this context were rejected." })
    case 403:
      return new Forbidden({ ...common, verb: "create", resource: "pods/exec", details: "RBAC denied create on pods/exec for this context's user." })
    case 404:
      return new NotFound({ ...common, details: "The pod or container is gone." })
    case 400:
      return new Invalid({
        ...common,
        causes: [],
        details: "The API server rejected the exec request: usually the container is not running (yet), or a proxy refused the WebSocket upgrade."
      })
    default:
      return new ApiError({
        ...common,
        code,
        details: code === 426 || code === 501
          ? "The API server (or a proxy in front of it) does not accept WebSocket exec; kube-mcp has no SPDY fallback (client-node implements WebSocket only)."
          : "The API server refused the exec WebSocket upgrade."
      })
  }
}

const runExec = (
  cluster: KubeApi,
  namespace: string,
  pod: string,
  container: string,
  command: ReadonlyArray<string>,
  timeoutMs: number
): Effect.Effect<Finished, KubeError> =>
  Effect.callback<Finished, KubeError>((resume) => {
    const stdout = new Tail()
    const stderr = new Tail()
    const where = `${namespace}/${pod} container "${container}"`
    let status: ExecStatus | undefined
    let socket: ExecSocket | undefined
    let settled = false
    const settle = (result: Effect.Effect<Finished, KubeError>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket?.close()
      resume(result)
    }
    const timer = setTimeout(() => {
      settle(Effect.fail(
        new Timeout({
          context: cluster.info.name,
          message: `${JSON.stringify(command)} in ${where} did not finish within ${timeoutMs / 1000} s`,
          details: `Connection closed (the process may keep running in the container). Output so far: ${stdout.bytes} bytes stdout, ${stderr.bytes} bytes stderr${
            stdout.bytes + stderr.bytes > 0 ? `; last stdout: ${JSON.stringify(stdout.text.slice(-200))}` : ""
          }. Raise timeout (max 300) for longer commands.`
        })
      ))
    }, timeoutMs)
    clientNode()
      .then(({ Exec }) =>
        new Exec(cluster.kubeConfig).exec(namespace, pod, container, [...command], stdout, stderr, null, false, (s) => {
          const decoded = decodeStatus(s)
          status = decoded._tag === "Some" ? decoded.value : { status: "Unknown" }
        })
      )
      .then(
        (ws: ExecSocket) => {
          socket = ws
          if (settled) {
            ws.close()
            return
          }
          // the kubelet sends the status frame, then the connection closes: both streams are complete then
          ws.on("close", () => settle(Effect.succeed({ status, stdout, stderr })))
        },
        (e: unknown) => settle(Effect.fail(upgradeError(cluster, where, e)))
      )
    // interrupted (the call was cancelled): close the connection, nothing left to report
    return Effect.sync(() => {
      settled = true
      clearTimeout(timer)
      socket?.close()
    })
  })

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

/** Each stream gets half the budget (newest bytes kept), so a flood on stdout cannot hide stderr. */
/** The newest `room` bytes of a stream (whole lines) and the header that says how much that is. */
const section = (label: string, tail: Tail, room: number): { readonly kept: string; readonly text: string } => {
  const body = tail.text
  const size = Buffer.byteLength(body)
  if (size === 0) return { kept: "", text: `--- ${label}: (empty) ---` }
  const cutAt = size > room ? size - room : 0
  const kept = (cutAt > 0 || tail.dropped > 0
    ? Buffer.from(body).subarray(cutAt).toString("utf8").replace(/^[^\n]*\n/, "")
    : body).replace(/\n$/, "")
  const header = kept.length < body.replace(/\n$/, "").length || tail.dropped > 0
    ? `--- ${label} (last ${Buffer.byteLength(kept)} of ${tail.bytes} bytes) ---`
    : `--- ${label} (${size} bytes) ---`
  return { kept, text: `${header}\n${kept}` }
}

const ExecOutput = Schema.Struct({
  exit_code: Schema.NullOr(Schema.Finite).annotate({ description: "null when the connection closed without a status" }),
  container: Schema.String,
  stdout: Schema.String.annotate({ description: "the newest part of stdout when it was long (see stdout_bytes)" }),
  stderr: Schema.String,
  stdout_bytes: Schema.Finite,
  stderr_bytes: Schema.Finite,
  defaulted: Schema.optionalKey(Schema.String)
})

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

export const ExecParams = Schema.Struct({
  name: Name.annotate({ description: "pod name" }),
  namespace: Schema.optionalKey(NamespaceParam),
  container: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253)).annotate({
    description: "container to run in; omit for the pod's default container (kubectl.kubernetes.io/default-container, else the first)"
  })),
  command: Schema.Array(Schema.String.check(Schema.isMaxLength(65_536))).check(Schema.isMinLength(1), Schema.isMaxLength(1024)).annotate({
    description: "the command and its arguments, run without a shell, e.g. [\"ls\", \"-l\", \"/\"]; use [\"sh\", \"-c\", \"...\"] for pipes"
  }),
  timeout: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 300 })).annotate({
    description: `seconds to wait for the command to finish (default ${DEFAULT_TIMEOUT_S}, max 300); then the connection is closed and a Timeout reported`
  }))
})

export const podsExec = clusterTool({
  name: "pods_exec",
  description:
    "Run a command in a pod's container (like kubectl exec, no stdin, no TTY) and return its stdout, stderr and exit code. A non-zero exit code is a normal result, not an error.",
  params: ExecParams,
  output: ExecOutput,
  annotations: { title: "Exec in a pod", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, cluster) =>
    Effect.gen(function*() {
      const namespace = namespaceOf(input.namespace, cluster.info.namespace)
      const pod = yield* getPod(cluster, namespace, input.name)
      const phase = pod.status?.phase
      if (phase === "Succeeded" || phase === "Failed") {
        return yield* new Invalid({
          context: cluster.info.name,
          message: `Cannot exec into a container of a completed pod; pod "${input.name}" is ${phase}`,
          causes: []
        })
      }
      const picked = yield* pickContainer(pod, input.container, { tool: "pods_exec", fallbackToFirst: true })
      // the refused upgrade would only say "HTTP 400": name the reason while we still can
      const notRunning = notRunningReason(pod, picked.name)
      if (notRunning !== undefined) {
        return yield* new Invalid({
          context: cluster.info.name,
          message: `Cannot exec into ${namespace}/${input.name} container "${picked.name}": ${notRunning}`,
          details: "Wait until the container runs (pods_get shows its state), or pick another container.",
          causes: []
        })
      }
      yield* cluster.authorize(access({ verb: "create", resource: "pods", subresource: "exec", namespace, name: input.name }))
      const timeoutMs = (input.timeout ?? DEFAULT_TIMEOUT_S) * 1000
      const done = yield* cluster.throttle(runExec(cluster, namespace, input.name, picked.name, input.command, timeoutMs))
      const exitCode = exitCodeOf(done.status)
      if (exitCode === undefined && done.status !== undefined && done.status.status !== "Success") {
        // the runtime could not run the command at all (e.g. executable not found): no exit code to report
        return yield* new ApiError({
          context: cluster.info.name,
          code: done.status.code ?? 500,
          ...(done.status.reason !== undefined ? { reason: done.status.reason } : {}),
          message: `exec of ${JSON.stringify(input.command)} in ${namespace}/${input.name} container "${picked.name}" failed: ${done.status.message ?? done.status.reason ?? "unknown error"}`,
          details: done.stderr.text.slice(-500)
        })
      }
      const { maxBytes } = yield* AppSettings
      const room = Math.max(512, Math.floor((maxBytes - 1024) / 2))
      const exit = exitCode !== undefined ? `exit code ${exitCode}` : "exit code unknown (the connection closed without a status)"
      const stdout = section("stdout", done.stdout, room)
      const stderr = section("stderr", done.stderr, room)
      return text({
        text: [stdout.text, stderr.text, `--- ${exit} ---`].join("\n"),
        data: {
          exit_code: exitCode ?? null,
          container: picked.name,
          stdout: stdout.kept,
          stderr: stderr.kept,
          stdout_bytes: done.stdout.bytes,
          stderr_bytes: done.stderr.bytes,
          ...(picked.defaulted !== undefined ? { defaulted: picked.defaulted } : {})
        },
        keepTail: true,
        narrow: "a command with less output (e.g. pipe through tail or grep)"
      })
    })
})
