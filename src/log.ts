/**
 * Logs are JSON lines on stderr only (in stdio mode stdout carries JSON-RPC and nothing else): `time`,
 * `level`, `message`, then the annotations of the log call (tool, context, ms, …) and, for failures, `cause`.
 * Effect's own JSON logger adds empty `annotations`/`spans` and a `fiberId` no reader needs.
 */
import { Cause, HashMap, Layer, Logger, LogLevel } from "effect"
import type { Settings } from "./config/settings.js"

const LEVELS: Record<Settings["logLevel"], LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

const messageOf = (message: unknown): { readonly message: string; readonly extra: ReadonlyArray<unknown> } => {
  const parts = Array.isArray(message) ? message : [message]
  const [first, ...extra] = parts
  return { message: typeof first === "string" ? first : JSON.stringify(first) ?? String(first), extra }
}

export const lineOf = (o: Logger.Logger.Options<unknown>): string => {
  const { extra, message } = messageOf(o.message)
  const line: Record<string, unknown> = {
    time: o.date.toISOString(),
    level: o.logLevel.label.toLowerCase(),
    message
  }
  for (const [k, v] of HashMap.toEntries(o.annotations)) line[k] = v
  if (extra.length > 0) line["detail"] = extra.map((e) => (Cause.isCause(e) ? Cause.pretty(e) : e instanceof Error ? e.message : e))
  if (!Cause.isEmpty(o.cause)) line["cause"] = Cause.pretty(o.cause)
  return JSON.stringify(line)
}

const jsonLines = Logger.make((o) => {
  process.stderr.write(`${lineOf(o)}\n`)
})

export const LoggerLive = (level: Settings["logLevel"]) =>
  Layer.merge(Logger.replace(Logger.defaultLogger, jsonLines), Logger.minimumLogLevel(LEVELS[level]))
