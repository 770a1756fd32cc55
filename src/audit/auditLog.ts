/**
 * The audit log: one JSON line per tool call (every call, or those of tools that can change a cluster,
 * refused ones included), written and flushed to disk before the call's result is returned, so a crash
 * loses no completed record. Lines carry names, never values: no arguments besides the objects' identities,
 * no Secret data, no tokens, no error messages (an API server's message may quote a field's value).
 */
import { Context, Effect, Layer, Schema, Semaphore } from "effect"
import { type FileHandle, open, rename, stat } from "node:fs/promises"
import type { Settings } from "../config/settings.js"

/** One object a call acted on, as far as the call says. */
export interface AuditObject {
  readonly apiVersion?: string
  readonly kind?: string
  readonly namespace?: string
  readonly name?: string
  /** created, configured, unchanged, deleted, patched, scaled, … */
  readonly outcome?: string
}

export interface AuditRecord {
  readonly time: string
  /** user and subject: the caller's validated token (server.http.auth = "oauth"). */
  readonly caller: { readonly transport: "stdio" | "http"; readonly session?: string; readonly user?: string; readonly subject?: string }
  readonly tool: string
  /** The tool's action: get, list, delete, apply, exec, copy, … */
  readonly verb: string
  readonly context?: string
  /** A call across many contexts: the patterns given. */
  readonly contexts?: ReadonlyArray<string>
  /** resources_copy: the contexts it read from and wrote to. */
  readonly from_context?: string
  readonly to_context?: string
  readonly objects: ReadonlyArray<AuditObject>
  readonly dry_run: boolean
  /** "ok", the objects' outcome when they share one, or the error type (ReadOnly, PolicyDenied, Declined, …). */
  readonly outcome: string
  /** PolicyDenied: the rule. */
  readonly rule?: string
  readonly duration_ms: number
}

export interface AuditLogApi {
  readonly enabled: boolean
  readonly include: Settings["audit"]["include"]
  /** Waits until the line is on disk (or written to stderr); a failure to write is logged, not the call's. */
  readonly record: (entry: AuditRecord) => Effect.Effect<void>
}

/** Off unless main provides a log: tools and tests that do not audit need nothing. */
export const AuditLog = Context.Reference<AuditLogApi>("kube-mcp/AuditLog", {
  defaultValue: () => ({ enabled: false, include: "mutations", record: () => Effect.void })
})

export class AuditOpenError extends Schema.TaggedError<AuditOpenError>()("AuditOpenError", { message: Schema.String }) {}

/** An append-only file, rotated past `maxSize` into path.1 … path.<keep>, every line fsync'ed. */
const fileWriter = (path: string, maxSize: number, keep: number) =>
  Effect.gen(function*() {
    const openFile = () => open(path, "a", 0o600)
    let handle: FileHandle = yield* Effect.acquireRelease(
      Effect.tryPromise({ try: openFile, catch: (e) => new AuditOpenError({ message: `audit.path: cannot open ${path}: ${e instanceof Error ? e.message : String(e)}` }) }),
      () => Effect.promise(() => handle.close().catch(() => undefined))
    )
    let size = (yield* Effect.promise(() => stat(path))).size
    const rotate = async () => {
      await handle.close()
      for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined)
      await rename(path, `${path}.1`)
      handle = await openFile()
      size = 0
    }
    return async (line: string) => {
      const bytes = Buffer.byteLength(line)
      if (size > 0 && size + bytes > maxSize) await rotate()
      await handle.write(line)
      await handle.datasync()
      size += bytes
    }
  })

/** The log `settings.audit` asks for; none when its path is empty. */
export const auditLayer = (settings: Settings["audit"]): Layer.Layer<never, AuditOpenError> =>
  settings.path === ""
    ? Layer.empty
    : Layer.effect(
      AuditLog,
      Effect.gen(function*() {
        const lock = yield* Semaphore.make(1)
        const write = settings.path === "stderr"
          // pipes to stderr are written synchronously on Linux: the line is out when write returns
          ? (line: string) => Promise.resolve(void process.stderr.write(line))
          : yield* fileWriter(settings.path, settings.maxSize, settings.keep)
        const record = (entry: AuditRecord) => {
          const line = `${JSON.stringify(settings.path === "stderr" ? { audit: true, ...entry } : entry)}\n`
          return Effect.tryPromise(() => write(line)).pipe(
            Semaphore.withPermits(lock, 1),
            Effect.catch((e) => Effect.logError("audit log: a record could not be written", e.message))
          )
        }
        return { enabled: true, include: settings.include, record }
      })
    )
