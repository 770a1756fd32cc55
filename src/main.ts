#!/usr/bin/env node
/** Entry point: parse flags, load settings, wire the layers once, serve the configured transports. */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, References, Runtime } from "effect"
import { AppSettings } from "./config/appSettings.js"
import { ConfigError, loadSettings, parseCli, USAGE } from "./config/load.js"
import type { Settings } from "./config/settings.js"
import { ClusterRegistryLive } from "./cluster/providers.js"
import { ClusterRegistry } from "./cluster/registry.js"
import { LoggerLive } from "./log.js"
import { boundHeap } from "./nodeHeap.js"
import { AuditOpenError, auditLayer } from "./audit/auditLog.js"
import { Telemetry } from "./telemetry/telemetry.js"
import { checkImpersonation, ImpersonationRefused } from "./auth/impersonation.js"
import { serveStdio } from "./mcp/stdio.js"
import { allTools } from "./tools/index.js"
import { VERSION } from "./version.js"

/**
 * One line that says what this server runs on, and a warning when it has nothing to run on. Forked, so the
 * kubeconfig read does not delay the first answer.
 */
const announce = (settings: Settings) =>
  Effect.gen(function*() {
    const status = yield* (yield* ClusterRegistry).status
    yield* Effect.logInfo("kube-mcp started").pipe(Effect.annotateLogs({
      version: VERSION,
      provider: status.provider,
      sources: status.sources,
      contexts: status.contexts,
      default_context: status.current,
      transports: settings.transports,
      read_only: settings.readOnly,
      config: settings.sources
    }))
    if (status.problem !== undefined || status.contexts === 0) {
      yield* Effect.logWarning(
        status.contexts === 0 ? "no usable Kubernetes context: every cluster tool will fail until the source is fixed" : "some contexts could not be read"
      ).pipe(Effect.annotateLogs({ provider: status.provider, sources: status.sources, problem: status.problem ?? "no contexts found" }))
    }
  })

const serve = (settings: Settings) => {
  // the HTTP stack is only loaded when it is used (it is a large part of a cold start)
  const http = settings.transports.includes("http")
    ? Effect.andThen(checkImpersonation, Effect.promise(() => import("./mcp/http.js")).pipe(Effect.flatMap(({ serveHttp }) => serveHttp(allTools))))
    : Effect.never
  // with stdio the client owns the process: when it closes stdin, everything stops
  const program = settings.transports.includes("stdio")
    ? Effect.raceFirst(serveStdio(allTools), http)
    : http
  return Effect.andThen(Effect.forkChild(announce(settings)), program).pipe(
    Effect.ensuring(Effect.logInfo("kube-mcp stopped")),
    Effect.provide(
      Layer.mergeAll(ClusterRegistryLive, auditLayer(settings.audit)).pipe(
        Layer.provideMerge(Telemetry.layer(settings)),
        Layer.provideMerge(Layer.succeed(AppSettings, settings))
      )
    ),
    // expected startup failures (ListenError) are reported by main in one line; anything else is logged whole
    Effect.tapCause((cause) => Cause.hasFails(cause) ? Effect.void : Effect.logError("kube-mcp stopped on an error", cause)),
    Effect.provide(LoggerLive(settings.logLevel))
  )
}

const main = Effect.gen(function*() {
  const cli = yield* parseCli(process.argv.slice(2))
  if (cli.help) return yield* Effect.sync(() => process.stdout.write(`${USAGE}\n`))
  if (cli.version) return yield* Effect.sync(() => process.stdout.write(`kube-mcp ${VERSION}\n`))
  const settings = yield* loadSettings({ cli, env: process.env, cwd: process.cwd() })
  yield* boundHeap(settings) // may restart the process with other node flags: before anything is logged or opened
  yield* serve(settings)
}).pipe(
  Effect.catchTags({
    ConfigError: (e: ConfigError) =>
      Effect.sync(() => {
        process.stderr.write(`kube-mcp: ${e.message}\n`)
        process.exitCode = 2
      }),
    ImpersonationRefused: (e: ImpersonationRefused) =>
      Effect.sync(() => {
        process.stderr.write(`kube-mcp: ${e.message}\n`)
        process.exitCode = 2
      }),
    AuditOpenError: (e: AuditOpenError) =>
      Effect.sync(() => {
        process.stderr.write(`kube-mcp: ${e.message}\n`)
        process.exitCode = 2
      }),
    MetricsListenError: (e) =>
      Effect.sync(() => {
        process.stderr.write(`kube-mcp: ${e.message}\n`)
        process.exitCode = 1
      }),
    ListenError: (e) =>
      Effect.sync(() => {
        process.stderr.write(`kube-mcp: ${e.message}\n`)
        process.exitCode = 1
      })
  })
)

// Effect's default logger writes to stdout, which in stdio mode belongs to JSON-RPC: anything logged before
// LoggerLive is in place goes to stderr instead
/** SIGINT/SIGTERM are how a server is asked to stop: stopping cleanly on one exits 0 (Effect's default is 130). */
const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)

NodeRuntime.runMain(main.pipe(Effect.provideService(References.LogToStderr, true)), { disableErrorReporting: true, teardown })
