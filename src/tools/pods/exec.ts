/** pods_exec: run a command in a container (kubectl exec, no stdin, no TTY) and report both streams and the exit code. */
import { Effect, Schema } from "effect"
import { AppSettings } from "../../config/appSettings.js"
import { DEFAULT_EXEC_TIMEOUT_S, execInPod, type StreamOutput } from "../../kube/exec.js"
import { namespaceOr } from "../../kube/scope.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam } from "../params.js"

/**
 * The newest `room` bytes of a stream (whole lines) and the header that says how much that is. Each stream
 * gets half the budget, so a flood on stdout cannot hide stderr.
 */
const section = (label: string, out: StreamOutput, room: number): { readonly kept: string; readonly text: string } => {
  const body = out.text
  const size = Buffer.byteLength(body)
  if (size === 0) return { kept: "", text: `--- ${label}: (empty) ---` }
  const cutAt = size > room ? size - room : 0
  const kept = (cutAt > 0 || out.dropped > 0
    ? Buffer.from(body).subarray(cutAt).toString("utf8").replace(/^[^\n]*\n/, "")
    : body).replace(/\n$/, "")
  const header = kept.length < body.replace(/\n$/, "").length || out.dropped > 0
    ? `--- ${label} (last ${Buffer.byteLength(kept)} of ${out.bytes} bytes) ---`
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
    description: `seconds to wait for the command to finish (default ${DEFAULT_EXEC_TIMEOUT_S}, max 300); then the connection is closed and a Timeout reported`
  }))
})

export const podsExec = clusterTool({
  name: "pods_exec",
  description:
    "Run a command in a pod's container (like kubectl exec, no stdin, no TTY) and return its stdout, stderr and exit code. A non-zero exit code is a normal result, not an error.",
  params: ExecParams,
  output: ExecOutput,
  annotations: { title: "Exec in a pod", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const done = yield* execInPod(namespace, input.name, {
        container: input.container,
        command: input.command,
        timeoutMs: (input.timeout ?? DEFAULT_EXEC_TIMEOUT_S) * 1000
      })
      const { maxBytes } = yield* AppSettings
      const room = Math.max(512, Math.floor((maxBytes - 1024) / 2))
      const exit = done.exitCode !== undefined ? `exit code ${done.exitCode}` : "exit code unknown (the connection closed without a status)"
      const stdout = section("stdout", done.stdout, room)
      const stderr = section("stderr", done.stderr, room)
      return text({
        text: [stdout.text, stderr.text, `--- ${exit} ---`].join("\n"),
        data: {
          exit_code: done.exitCode ?? null,
          container: done.container,
          stdout: stdout.kept,
          stderr: stderr.kept,
          stdout_bytes: done.stdout.bytes,
          stderr_bytes: done.stderr.bytes,
          ...(done.defaulted !== undefined ? { defaulted: done.defaulted } : {})
        },
        keepTail: true,
        narrow: "a command with less output (e.g. pipe through tail or grep)"
      })
    })
})
