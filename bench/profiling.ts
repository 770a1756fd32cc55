/**
 * What bench/profile.ts (CPU) and bench/memprofile.ts (allocations) share: the server's environment, the
 * connection to it over HTTP, and where a profile's call frame comes from (the src/ file or npm package,
 * through dist's source maps: build them with `node scripts/build.mjs --sourcemap`).
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { readFileSync } from "node:fs"
import { SourceMap, type SourceMapPayload } from "node:module"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { REPO } from "./servers.js"

/** This process's environment without kube-mcp's own settings, plus NAME=VALUE pairs given with --env. */
export const serverEnv = (pairs: ReadonlyArray<string> = []): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG") env[k] = v
  for (const kv of pairs) {
    const i = kv.indexOf("=")
    if (i > 0) env[kv.slice(0, i)] = kv.slice(i + 1)
  }
  return env
}

/** Connects `client` to the server starting on 127.0.0.1:`port`, retrying for up to 30 s. */
export const connectHttp = async (client: Client, port: number): Promise<void> => {
  for (let i = 0;; i++) {
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)))
      return
    } catch (e) {
      if (i > 300) throw e
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}

/** A V8 profile's call frame (only what is read). */
export interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
  columnNumber: number
}

const isPayload = (x: unknown): x is SourceMapPayload =>
  typeof x === "object" && x !== null && "mappings" in x && typeof x.mappings === "string" && "sources" in x && Array.isArray(x.sources)

const maps = new Map<string, SourceMap | undefined>()
const sourceMapFor = (url: string): SourceMap | undefined => {
  if (!url.startsWith("file://")) return undefined
  if (maps.has(url)) return maps.get(url)
  let map: SourceMap | undefined
  try {
    const path = fileURLToPath(url)
    const payload: unknown = JSON.parse(readFileSync(`${path}.map`, "utf8"))
    map = isPayload(payload) ? new SourceMap(payload) : undefined
  } catch {
    map = undefined
  }
  maps.set(url, map)
  return map
}

/** "src/x.ts:12" or "effect (node_modules)" or "node:internal/..." for a call frame. */
export const origin = (cf: CallFrame): { file: string; pkg: string } => {
  if (cf.url === "") return { file: cf.functionName, pkg: cf.functionName }
  if (!cf.url.startsWith("file://")) {
    // node:internal/webstreams/readablestream -> node:internal/webstreams; node:_http_client -> node:_http_client
    const group = cf.url.startsWith("node:internal/") ? cf.url.split("/").slice(0, 2).join("/") : cf.url
    return { file: `${cf.url}:${cf.lineNumber + 1}`, pkg: group }
  }
  const generated = fileURLToPath(cf.url)
  let path = generated
  let line = cf.lineNumber + 1
  const map = sourceMapFor(cf.url)
  if (map !== undefined) {
    const e = map.findEntry(cf.lineNumber, cf.columnNumber)
    if ("originalSource" in e && typeof e.originalSource === "string") {
      // esbuild writes sources relative to the map's directory
      path = e.originalSource.startsWith("file://") ? fileURLToPath(e.originalSource) : resolve(dirname(generated), e.originalSource)
      line = e.originalLine + 1
    }
  }
  // a copy of dist/ elsewhere (bench/peers.ts runs one) still maps to the repo's src/ and node_modules/
  const rel = relative(REPO, path).replace(/^(?:\.\.\/|[^/]+\/)*?(?=(?:src|node_modules)\/)/, "")
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel)
  const pkg = nm?.[1] ?? (rel.startsWith("node:") ? "node (internals)" : rel.startsWith("src/") ? rel.split("/").slice(0, 2).join("/") : rel)
  return { file: `${rel}:${line}`, pkg }
}

