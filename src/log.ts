/** JSON log lines on stderr only: in stdio mode stdout carries JSON-RPC and nothing else. */
import { Layer, Logger, LogLevel } from "effect"
import type { Settings } from "./config/settings.js"

const LEVELS: Record<Settings["logLevel"], LogLevel.LogLevel> = {
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warning,
  error: LogLevel.Error,
  none: LogLevel.None
}

export const LoggerLive = (level: Settings["logLevel"]) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(LEVELS[level])
  )
