/**
 * Logs are JSON lines on stderr only (in stdio mode stdout carries JSON-RPC and nothing else): `time`,
 * `level`, `message`, then the annotations of the log call (tool, context, ms, …) and, for failures, `cause`.
 * Effect's own JSON logger adds empty `annotations`/`spans` and a `fiberId` no reader needs.
 */
import { Cause, Effect, Layer, Logger, type LogLevel, References } from "effect"
import type { Settings } from "./config/settings.js"

const LEVELS: Record<Settings["logLevel"], LogLevel.LogLevel> = {
  debug: "Debug",
  info: "Info",
  warn: "Warn",
  error: "Error",
  none: "None"
}

const messageOf = (message: unknown): { readonly message: string; readonly extra: ReadonlyArray<unknown> } => {
  const parts = Array.isArray(message) ? message : [message]
  const [first, ...extra] = parts
  return { message: typeof first === "string" ? first : JSON.stringify(first) ?? String(first), extra }
}

const recordOf = (o: Logger.Options<unknown>): Readonly<Record<string, unknown>> => {
  const { extra, message } = messageOf(o.message)
  const line: Record<string, unknown> = {
    time: o.date.toISOString(),
    level: o.logLevel.toLowerCase(),
    message
  }
  for (const [k, v] of Object.entries(o.fiber.getRef(References.CurrentLogAnnotations))) line[k] = v
  if (extra.length > 0) line["detail"] = extra.map((e) => (Cause.isCause(e) ? Cause.pretty(e) : e instanceof Error ? e.message : e))
  if (o.cause.reasons.length > 0) line["cause"] = Cause.pretty(o.cause)
  return line
}

export type LogForward = (level: LogLevel.LogLevel, line: Readonly<Record<string, unknown>>) => void

/** Where log lines go besides stderr: MCP clients (2025-11-25) that asked for them with logging/setLevel. */
const forwards = new Set<LogForward>()
let forwarding = false

/** Hands `forward` every log line at or above the configured level, until the scope closes. */
export const forwardLogs = (forward: LogForward) =>
  Effect.acquireRelease(Effect.sync(() => void forwards.add(forward)), () => Effect.sync(() => void forwards.delete(forward)))

const jsonLines = Logger.make((o) => {
  const line = recordOf(o)
  process.stderr.write(`${JSON.stringify(line)}\n`)
  // a line logged while forwarding (a failed send) is not forwarded again
  if (forwards.size === 0 || forwarding) return
  forwarding = true
  try {
    for (const f of forwards) f(o.logLevel, line)
  } finally {
    forwarding = false
  }
})

/** Replaces the default logger (which writes to stdout) with JSON lines on stderr, at the configured level. */
export const LoggerLive = (level: Settings["logLevel"]) =>
  Layer.mergeAll(Logger.layer([jsonLines]), Layer.succeed(References.MinimumLogLevel, LEVELS[level]))
