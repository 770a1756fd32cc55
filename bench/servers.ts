/**
 * The three servers the benchmarks compare, shared by bench/peers.ts and bench/tasks.ts: installing the peers
 * from npm, finding kubectl, how each server is launched over stdio, and the bytes of each result as received.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const HERE = dirname(fileURLToPath(import.meta.url))
export const REPO = join(HERE, "..")
export const PEERS_DIR = join(HERE, ".peers")

/** A command's trimmed stdout, or why it could not run (for version lines in reports). */
export const run = (cmd: string, args: ReadonlyArray<string>, cwd = REPO): string => {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim()
  } catch (e) {
    return `unavailable (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`
  }
}

export const KMS_VERSION = "0.0.67"
export const MSK_VERSION = "4.1.7"
const goTarget = (): { os: string; arch: string } => ({
  os: process.platform === "win32" ? "windows" : process.platform,
  arch: process.arch === "x64" ? "amd64" : process.arch
})
export const KMS_PKG = `kubernetes-mcp-server-${goTarget().os}-${goTarget().arch}`
export const KMS_BIN = join(PEERS_DIR, "node_modules", KMS_PKG, "bin", `${KMS_PKG}${process.platform === "win32" ? ".exe" : ""}`)
export const MSK_MAIN = join(PEERS_DIR, "node_modules", "mcp-server-kubernetes", "dist", "index.js")

export const installedVersion = (pkg: string): string | undefined => {
  try {
    const json: unknown = JSON.parse(readFileSync(join(PEERS_DIR, "node_modules", pkg, "package.json"), "utf8"))
    return typeof json === "object" && json !== null && "version" in json && typeof json.version === "string" ? json.version : undefined
  } catch {
    return undefined
  }
}

/**
 * The peers come from npm into bench/.peers. The Go server is the platform package's binary run directly:
 * the `kubernetes-mcp-server` Node wrapper adds a Node start (~100 ms) and prints to stdout on shutdown.
 */
export const ensurePeers = (log: (line: string) => void): void => {
  if (installedVersion(KMS_PKG) === KMS_VERSION && installedVersion("mcp-server-kubernetes") === MSK_VERSION && existsSync(KMS_BIN)) return
  mkdirSync(PEERS_DIR, { recursive: true })
  writeFileSync(
    join(PEERS_DIR, "package.json"),
    JSON.stringify({ name: "kube-mcp-bench-peers", private: true, dependencies: { [KMS_PKG]: KMS_VERSION, "mcp-server-kubernetes": MSK_VERSION } }, null, 2) + "\n"
  )
  log(`installing ${KMS_PKG}@${KMS_VERSION} and mcp-server-kubernetes@${MSK_VERSION} into ${PEERS_DIR}`)
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: PEERS_DIR, stdio: ["ignore", 2, 2] })
  if (r.status !== 0 || !existsSync(KMS_BIN) || !existsSync(MSK_MAIN)) throw new Error(`npm install in ${PEERS_DIR} failed (exit ${String(r.status)})`)
}

/** mcp-server-kubernetes shells out to `kubectl`; the control-plane build (test/cluster/build.sh) makes it. */
export const ensureKubectl = (binDir: string, log: (line: string) => void): string => {
  const kubectl = join(binDir, "kubectl")
  if (existsSync(kubectl)) return kubectl
  log(`no kubectl in ${binDir}; running test/cluster/build.sh (builds only what is missing)`)
  const r = spawnSync("bash", [join(REPO, "test/cluster/build.sh")], { stdio: ["ignore", 2, 2], env: { ...process.env, KUBE_MCP_K8S_BIN: binDir } })
  if (r.status !== 0 || !existsSync(kubectl)) throw new Error(`test/cluster/build.sh failed (exit ${String(r.status)}); kubectl missing`)
  return kubectl
}

export interface Launch {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env: Record<string, string>
}

/** This process's environment without anything that would configure a server behind the launch's back. */
export const baseEnv = (kubectlDir: string): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith("KUBE_MCP_") || k === "KUBECONFIG" || k.startsWith("KUBE_CLIENT_") || k.startsWith("NODE_OPTIONS")) continue
    env[k] = v
  }
  env["PATH"] = `${kubectlDir}:${env["PATH"] ?? ""}`
  return env
}

/** Its default spawn buffer (1 MiB) is too small for `kubectl get pods -A -o json` of 500 pods (ENOBUFS). */
export const MSK_MAX_BUFFER = 64 * 2 ** 20

/** kube-mcp's bundle (`main.js` of a build) over stdio. */
export const oursStdio = (main: string, args: ReadonlyArray<string>, env: Record<string, string>, nodeFlags: ReadonlyArray<string> = []): Launch => ({
  command: process.execPath,
  args: [...nodeFlags, main, ...args],
  env
})

/** kubernetes-mcp-server's platform binary over stdio. */
export const kmsStdio = (kubeconfig: string, env: Record<string, string>): Launch => ({ command: KMS_BIN, args: ["--kubeconfig", kubeconfig], env })

/** mcp-server-kubernetes reads the kubeconfig from KUBECONFIG only and runs kubectl from PATH. */
export const mskEnv = (kubeconfig: string, env: Record<string, string>): Record<string, string> => ({
  ...env,
  KUBECONFIG: kubeconfig,
  SPAWN_MAX_BUFFER: String(MSK_MAX_BUFFER)
})
export const mskStdio = (kubeconfig: string, env: Record<string, string>, nodeFlags: ReadonlyArray<string> = []): Launch => ({
  command: process.execPath,
  args: [...nodeFlags, MSK_MAIN],
  env: mskEnv(kubeconfig, env)
})

/**
 * Wraps the handler the Client installed on connect, to see each result before the SDK parses it: JSON bytes
 * of the last JSON-RPC `result` as received, re-serialized compactly so Go's and Node's encodings compare.
 * Meaningful when one request is in flight.
 */
export const measureResponses = (transport: Transport): (() => number) => {
  let last = Number.NaN
  const inner = transport.onmessage
  transport.onmessage = (message: JSONRPCMessage, extra) => {
    if ("result" in message) last = Buffer.byteLength(JSON.stringify(message.result))
    inner?.(message, extra)
  }
  return () => last
}
