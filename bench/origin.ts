/**
 * Where a profile's call frame comes from: the src/ file or npm package, through dist's source maps (build
 * them with `node scripts/build.mjs --sourcemap`). Shared by bench/profile.ts (CPU) and bench/memprofile.ts
 * (allocations).
 */
import { readFileSync } from "node:fs"
import { SourceMap, type SourceMapPayload } from "node:module"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { REPO } from "./servers.js"

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

