/** pods_logs: a container's log, narrowed on the server (tail, since, bytes) and by a regex here. */
import { Effect, Schema } from "effect"
import { parseDurationMs } from "../../config/duration.js"
import { InvalidInput } from "../../errors.js"
import { allContainerLogs, containerLog, type LogQuery } from "../../kube/logs.js"
import { namespaceOr } from "../../kube/scope.js"
import { text } from "../../output/reply.js"
import { clusterTool } from "../../tool/tool.js"
import { Name, NamespaceParam } from "../params.js"

const regexError = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern)
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const ContainerName = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(253))

export const LogsParams = Schema.Struct({
  name: Name.annotate({ description: "pod name" }),
  namespace: Schema.optionalKey(NamespaceParam),
  container: Schema.optionalKey(ContainerName.annotate({
    description: "container to read; required when the pod has several containers (unless all_containers), the answer lists them"
  })),
  all_containers: Schema.optionalKey(Schema.Boolean.annotate({
    description: "read every container (init, regular, ephemeral); each line is prefixed with [container]"
  })),
  tail_lines: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 0, maximum: 100_000 })).annotate({
    description: "only the last N lines (with grep: the last N matching lines)"
  })),
  since: Schema.optionalKey(
    Schema.String.check(
      Schema.isMaxLength(32),
      Schema.makeFilter((s) => {
        const ms = parseDurationMs(s)
        return ms !== undefined && ms > 0 ? true : `not a positive duration such as 30s, 5m, 1h or 2h30m`
      }, { toJsonSchema: () => ({ pattern: "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$|^[0-9]+$" }) })
    ).annotate({
      description: "only lines newer than this duration, e.g. 30s, 5m, 1h, 2h30m (sent as sinceSeconds)"
    })
  ),
  since_time: Schema.optionalKey(
    Schema.String.check(
      Schema.isMaxLength(64),
      Schema.makeFilter((s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s)) ? true : "not an RFC 3339 time such as 2026-01-15T10:00:00Z", {
        // `format` is dropped for portability (jsonSchema.ts); the description says it
        toJsonSchema: () => ({})
      })
    ).annotate({
      description: "only lines at or after this RFC 3339 time, e.g. 2026-01-15T10:00:00Z (not with since)"
    })
  ),
  previous: Schema.optionalKey(Schema.Boolean.annotate({
    description: "the log of the previous (crashed or restarted) instance of the container"
  })),
  timestamps: Schema.optionalKey(Schema.Boolean.annotate({ description: "prefix each line with the runtime's RFC 3339 timestamp" })),
  grep: Schema.optionalKey(
    Schema.String.check(
      Schema.isMinLength(1),
      Schema.isMaxLength(1024),
      Schema.makeFilter((s) => {
        const e = regexError(s)
        return e === undefined ? true : `invalid regular expression: ${e}`
      }, { toJsonSchema: () => ({}) })
    ).annotate({
      description: "JavaScript regular expression; only lines matching it are returned, e.g. ERROR|WARN (case-sensitive; [Ee]rror for both)"
    })
  ),
  limit_bytes: Schema.optionalKey(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 * 1024 * 1024 })).annotate({
    description: "read at most this many bytes of the log from the server (its beginning, after since/tail)"
  }))
})
type LogsInput = typeof LogsParams.Type

/** What narrowed the log, for the "no log lines" answer. */
const filtersOf = (input: LogsInput): string => {
  const parts = [
    input.previous === true ? "previous instance" : undefined,
    input.since !== undefined ? `since ${input.since}` : undefined,
    input.since_time !== undefined ? `since ${input.since_time}` : undefined,
    input.grep !== undefined ? `matching /${input.grep}/` : undefined,
    input.tail_lines !== undefined ? `last ${input.tail_lines}` : undefined,
    input.limit_bytes !== undefined ? `first ${input.limit_bytes} bytes` : undefined
  ].filter((p) => p !== undefined)
  return parts.length > 0 ? ` (${parts.join(", ")})` : ""
}

/** The parameters as the log query (grep and since were validated by the parameter schema). */
const queryOf = (input: LogsInput): LogQuery => ({
  tailLines: input.tail_lines,
  sinceMs: input.since !== undefined ? parseDurationMs(input.since) : undefined,
  sinceTime: input.since_time,
  previous: input.previous,
  timestamps: input.timestamps,
  grep: input.grep !== undefined ? new RegExp(input.grep) : undefined,
  limitBytes: input.limit_bytes
})

const LogsOutput = Schema.Struct({
  pod: Schema.String,
  namespace: Schema.String,
  container: Schema.optionalKey(Schema.String),
  lines: Schema.optionalKey(Schema.Finite.annotate({ description: "log lines in this answer (before any cut)" })),
  defaulted: Schema.optionalKey(Schema.String),
  containers: Schema.optionalKey(Schema.Array(Schema.Struct({ name: Schema.String, lines: Schema.Finite, error: Schema.optionalKey(Schema.String) }))),
  log: Schema.String.annotate({ description: "the log lines; with all_containers each is prefixed with [container]" })
})

export const podsLogs = clusterTool({
  name: "pods_logs",
  description:
    "Read a pod container's log, newest lines kept when the output is cut. Narrow it on the server with tail_lines, since / since_time and limit_bytes, and by line with grep (a regex). A pod with several containers needs container (the error lists them) or all_containers.",
  params: LogsParams,
  output: LogsOutput,
  annotations: { title: "Pod logs", readOnlyHint: true, idempotentHint: true, openWorldHint: true },
  run: (input, kube) =>
    Effect.gen(function*() {
      if (input.container !== undefined && input.all_containers === true) {
        return yield* new InvalidInput({
          message: "Pass either container or all_containers, not both",
          issues: [{ path: "all_containers", message: "not allowed together with container" }]
        })
      }
      if (input.since !== undefined && input.since_time !== undefined) {
        return yield* new InvalidInput({
          message: "Pass either since or since_time, not both",
          issues: [{ path: "since_time", message: "not allowed together with since" }]
        })
      }
      const namespace = namespaceOr(input.namespace, kube.info.namespace)
      const narrow = "tail_lines, since, grep or limit_bytes"
      if (input.all_containers === true) {
        const logs = yield* allContainerLogs(namespace, input.name, queryOf(input))
        const lines = logs.flatMap((l) => [...l.lines.map((line) => `[${l.container}] ${line}`), ...(l.error !== undefined ? [`[${l.container}] (${l.error})`] : [])])
        return text({
          text: lines.length > 0 ? lines.join("\n") : `(no log lines in any container${filtersOf(input)})`,
          data: {
            pod: input.name,
            namespace,
            containers: logs.map((l) => ({ name: l.container, lines: l.lines.length, ...(l.error !== undefined ? { error: l.error } : {}) }))
          },
          field: "log",
          keepTail: true,
          narrow: `${narrow}, or one container`
        })
      }
      const log = yield* containerLog(namespace, input.name, input.container, queryOf(input))
      return text({
        text: log.lines.length > 0 ? log.lines.join("\n") : `(no log lines${filtersOf(input)})`,
        data: {
          pod: input.name,
          namespace,
          container: log.container,
          lines: log.lines.length,
          ...(log.defaulted !== undefined ? { defaulted: log.defaulted } : {})
        },
        field: "log",
        keepTail: true,
        narrow
      })
    })
})
