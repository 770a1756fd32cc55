#!/usr/bin/env node
/**
 * The bundle's entry (dist/main.js): turns on Node's module compile cache, then loads the server
 * (src/main.ts, a chunk of its own). It imports nothing else statically: the cache serves only modules
 * compiled after it is enabled, so everything of the server must load through the dynamic import below.
 *
 * The cache (V8 code cache, one subdirectory per Node version) lives in $XDG_CACHE_HOME/kube-mcp or
 * ~/.cache/kube-mcp: writable for a user's npx or global install and for a Nix store path (the store is
 * read-only, the user's cache is not). Where that cannot be created (a container's read-only root
 * filesystem, no home) it tries the temp directory, and otherwise runs without a cache, silently.
 * NODE_COMPILE_CACHE, if set, wins (Node enables it before this runs); NODE_DISABLE_COMPILE_CACHE=1 turns
 * it off.
 */
import * as module from "node:module"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"

const candidates = (): Array<string> => {
  const xdg = process.env["XDG_CACHE_HOME"]
  const home = homedir()
  return [
    ...(xdg !== undefined && xdg !== "" ? [join(xdg, "kube-mcp", "compile-cache")] : []),
    ...(home !== "" ? [join(home, ".cache", "kube-mcp", "compile-cache")] : []),
    join(tmpdir(), `kube-mcp-compile-cache-${process.getuid?.() ?? "user"}`)
  ]
}

const enableCompileCache = (): boolean => {
  // Node < 22.1 has no compile cache
  if (typeof module.enableCompileCache !== "function") return false
  for (const dir of candidates()) {
    try {
      const { status } = module.enableCompileCache(dir)
      if (status === module.constants.compileCacheStatus.ENABLED || status === module.constants.compileCacheStatus.ALREADY_ENABLED) return true
      if (status === module.constants.compileCacheStatus.DISABLED) return false
    } catch {
      // an unusable directory: try the next one
    }
  }
  return false
}

if (enableCompileCache()) {
  // Node writes the cache at a normal exit; an MCP client may kill its server instead, so also write it
  // once the server and the chunks it preloads have been compiled
  setTimeout(() => {
    try {
      module.flushCompileCache()
    } catch {
      // best effort: a cache that cannot be written is no error
    }
  }, 1500).unref()
}

await import("./main.js")
