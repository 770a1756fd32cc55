/**
 * Logs are JSON lines on stderr only (in stdio mode stdout carries JSON-RPC and nothing else): `time`,
 * `level`, `message`, then the annotations of the log call (tool, context, ms, …) and, for failures, `cause`.
 * Effect's own JSON logger adds empty `annotations`/`spans` and a `fiberId` no reader needs.
 */
import { Cause, Layer, Logger, type LogLevel, References } from "effect"
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

export const lineOf = (o: Logger.Options<unknown>): string => {
  const { extra, message } = messageOf(o.message)
  const line: Record<string, unknown> = {
    time: o.date.toISOString(),
    level: o.logLevel.toLowerCase(),
    message
  }
  for (const [k, v] of Object.entries(o.fiber.getRef(References.CurrentLogAnnotations))) line[k] = v
  if (extra.length > 0) line["detail"] = extra.map((e) => (Cause.isCause(e) ? Cause.pretty(e) : e instanceof Error ? e.message : e))
  if (o.cause.reasons.length > 0) line["cause"] = Cause.pretty(o.cause)
  return JSON.stringify(line)
}

const jsonLines = Logger.make((o) => {
  process.stderr.write(`${lineOf(o)}\n`)
})

/** Replaces the default logger (which writes to stdout) with JSON lines on stderr, at the configured level. */
export const LoggerLive = (level: Settings["logLevel"]) =>
  Layer.mergeAll(Logger.layer([jsonLines]), Layer.succeed(References.MinimumLogLevel, LEVELS[level]))
