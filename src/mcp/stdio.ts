/** The stdio transport: JSON-RPC on stdin/stdout; ends (exit 0) when the client closes stdin. */
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { Effect } from "effect"
import { AppSettings } from "../config/appSettings.js"
import { clientNode } from "../kube/clientNode.js"
import { serverFactory } from "./server.js"
import type { AnyTool, ToolEnv } from "../tool/tool.js"

// The SDK transport never notices EOF on stdin, so we wait for it ourselves.
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
    const server = serverFactory(context, tools, yield* AppSettings, { transport: "stdio", canElicit: true })()
    yield* Effect.acquireRelease(
      Effect.promise(() => server.connect(new StdioServerTransport())),
      () => Effect.promise(() => server.close())
    )
    yield* Effect.logInfo("serving MCP on stdio")
    void clientNode() // warm up while the client is still initializing
    yield* stdinClosed
    yield* Effect.logInfo("stdin closed; shutting down")
  }).pipe(Effect.scoped)
