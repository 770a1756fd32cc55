/**
 * The stdio transport: JSON-RPC on stdin/stdout; ends (exit 0) when the client closes stdin. The SDK's
 * serveStdio picks the generation from the opening message (initialize → 2025-11-25; a request with the
 * 2026-07-28 envelope, server/discover first → 2026-07-28) and pins one server from our factory to the connection.
 */
import { serveStdio as serveStdioSdk } from "@modelcontextprotocol/server/stdio"
import { Effect } from "effect"
import { AppSettings } from "../config/appSettings.js"
import { ClusterRegistry } from "../cluster/registry.js"
import { clientNode } from "../kube/clientNode.js"
import { forwardLogs } from "../log.js"
import { serverFactory } from "./server.js"
import type { AnyTool, ToolEnv } from "../tool/tool.js"

// We wait for EOF on stdin ourselves: it is what ends the program (raced against HTTP when both run).
const stdinClosed = Effect.callback<void>((resume) => {
  const done = () => resume(Effect.void)
  process.stdin.once("end", done).once("close", done)
  return Effect.sync(() => {
    process.stdin.off("end", done).off("close", done)
  })
})

export const serveStdio = (tools: ReadonlyArray<AnyTool>) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<ToolEnv>()
    const servers = serverFactory(context, tools, yield* AppSettings, { transport: "stdio" })
    const run = Effect.runForkWith(context)
    yield* (yield* ClusterRegistry).onContextsChanged(servers.listChanged)
    yield* forwardLogs(servers.log)
    yield* Effect.acquireRelease(
      Effect.sync(() =>
        serveStdioSdk(servers.make, { onerror: (e) => void run(Effect.logDebug("stdio transport error", e.message)) })
      ),
      (handle) => Effect.promise(() => handle.close())
    )
    yield* Effect.logInfo("serving MCP on stdio")
    // warm up after the initialize answer has gone (loading it first delayed that answer: ~40 ms of CPU, #17)
    setTimeout(() => void clientNode(), 200).unref()
    yield* stdinClosed
    yield* Effect.logInfo("stdin closed; shutting down")
  }).pipe(Effect.scoped)
