/**
 * Test support: run the real kube-mcp server as a child process and talk to it with an MCP SDK client,
 * over stdio or Streamable HTTP. Every MCP-level test goes through here. Two client generations:
 * SDK v1 (`Client`, protocol 2025-11-25: initialize, sessions) and SDK v2 pinned to 2026-07-28
 * (`ModernClient`: server/discover, the per-request envelope, no session).
 */
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client"
import { StdioClientTransport as ModernStdioTransport } from "@modelcontextprotocol/client/stdio"
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { inject } from "vitest"
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import { modelViews, type ModelViews } from "./modelView.js"
import { freePort } from "./net.js"

export { freePort }

export const REPO = resolve(import.meta.dirname, "../..")
export const MAIN = join(REPO, "src/main.ts")
/** Run the TypeScript sources directly, so tests never run a stale build. */
export const NODE_ARGS = ["--import", "tsx", MAIN]

export const clusterInfo = () => inject("cluster")

export interface ServerOptions {
  /** TOML text written to a temp config file passed with --config. */
  readonly config?: string
  readonly args?: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  /** Default: the test control plane's kubeconfig. */
  readonly kubeconfig?: string
  /** Node arguments that start the server; default: the TypeScript sources through tsx (NODE_ARGS). */
  readonly entry?: ReadonlyArray<string>
  /** The client to connect (one with capabilities and handlers, e.g. elicitation); default: a plain one. */
  readonly client?: Client
}

export const writeTemp = (name: string, text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "kube-mcp-test-"))
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

export const serverArgs = (opts: ServerOptions): Array<string> => [
  ...(opts.entry ?? NODE_ARGS),
  ...(opts.config !== undefined ? ["--config", writeTemp("config.toml", opts.config)] : []),
  ...(opts.args ?? []),
  ...(opts.kubeconfig !== "" ? ["--kubeconfig", opts.kubeconfig ?? clusterInfo().kubeconfig] : [])
]

export const childEnv = (opts: ServerOptions): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG") env[k] = v
  return { ...env, ...opts.env }
}

export interface StdioServer {
  readonly client: Client
  /** The server process. */
  readonly pid: number
  readonly stderr: () => string
  readonly close: () => Promise<void>
}

/** An SDK client connected over stdio to `node <args>`, as an MCP client starts a server. */
export const connectStdio = async (
  p: { readonly args: ReadonlyArray<string>; readonly env: Record<string, string>; readonly cwd: string; readonly client?: Client | undefined }
): Promise<StdioServer> => {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...p.args], env: p.env, cwd: p.cwd, stderr: "pipe" })
  let stderr = ""
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString()
  })
  const client = p.client ?? new Client({ name: "kube-mcp-tests", version: "0.0.0" })
  await client.connect(transport)
  return { client, pid: transport.pid ?? -1, stderr: () => stderr, close: () => client.close() }
}

export const startStdio = (opts: ServerOptions = {}): Promise<StdioServer> =>
  connectStdio({ args: serverArgs(opts), env: childEnv(opts), cwd: REPO, client: opts.client })

export type { ModernClient }

/** The newest protocol revision; a client pinned to it fails loudly instead of falling back. */
export const MODERN = "2026-07-28"

/** An SDK v2 client pinned to 2026-07-28 (capabilities such as elicitation as given). */
export const modernClient = (capabilities: ConstructorParameters<typeof ModernClient>[1] = {}): ModernClient =>
  new ModernClient({ name: "kube-mcp-tests-2026", version: "0.0.0" }, { ...capabilities, versionNegotiation: { mode: { pin: MODERN } } })

export const connectModernHttp = async (url: string, headers: Record<string, string> = {}, given?: ModernClient): Promise<ModernClient> => {
  const client = given ?? modernClient()
  await client.connect(new ModernHttpTransport(new URL(`${url}/mcp`), { requestInit: { headers } }))
  return client
}

/** The server over stdio with a 2026-07-28 client. */
export const startModernStdio = async (opts: ServerOptions & { readonly modern?: ModernClient } = {}): Promise<{ readonly client: ModernClient; readonly close: () => Promise<void> }> => {
  const client = opts.modern ?? modernClient()
  await client.connect(new ModernStdioTransport({ command: process.execPath, args: serverArgs(opts), env: childEnv(opts), cwd: REPO, stderr: "pipe" }))
  return { client, close: () => client.close() }
}

/** The two HTTP modes, as config text: sessions (the default) and stateless. */
export const STATELESS = "[server.http]\nstateless = true\n"
export const HTTP_MODES = [{ mode: "stateful", config: "" }, { mode: "stateless", config: STATELESS }] as const

export interface HttpServerProcess {
  readonly url: string
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly stop: () => Promise<number | null>
}

/** Starts the server with the HTTP transport only and waits for /healthz. */
export const startHttp = async (opts: ServerOptions & { readonly extraConfig?: string } = {}): Promise<HttpServerProcess> => {
  const port = await freePort()
  const child = spawn(process.execPath, [...serverArgs(opts), "--transport", "http", "--http-address", `127.0.0.1:${port}`], {
    cwd: REPO,
    env: childEnv(opts),
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${stderr}`)
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false)
    if (ok) break
    if (Date.now() > deadline) throw new Error(`server did not listen within 30 s: ${stderr}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  const stop = () =>
    new Promise<number | null>((ok) => {
      if (child.exitCode !== null) return ok(child.exitCode)
      child.once("exit", (code) => ok(code))
      child.kill("SIGTERM")
    })
  return { url, child, stderr: () => stderr, stop }
}

export const connectHttp = async (url: string, headers: Record<string, string> = {}, given?: Client): Promise<Client> => {
  const client = given ?? new Client({ name: "kube-mcp-tests", version: "0.0.0" })
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers } }))
  return client
}

export interface ToolCallResult {
  readonly isError: boolean
  readonly text: string
  readonly structured: Record<string, unknown> | undefined
  /** What the model is handed by structured-first and by text-first clients (test/support/modelView.ts). */
  readonly views: ModelViews
  /** The structured error of a failed call ({ type, message, details, cluster, tool, ... }). */
  readonly error: { readonly type: string; readonly message: string; readonly details: string; readonly cluster: string; readonly tool: string; readonly [k: string]: unknown } | undefined
  /** Total bytes of text + structured content, as a client receives them. */
  readonly bytes: number
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** What `call` needs of a client: either SDK generation. */
export interface AnyClient {
  readonly listTools: () => Promise<{ readonly tools: ReadonlyArray<{ readonly name: string; readonly outputSchema?: unknown }> }>
  readonly callTool: (params: { name: string; arguments: Record<string, unknown> }) => Promise<{ readonly [key: string]: unknown; readonly content?: unknown; readonly structuredContent?: unknown; readonly isError?: unknown }>
}

/** Each client's published output schemas, compiled once (Ajv strict, draft 2020-12, as hosts compile them). */
const validators = new WeakMap<AnyClient, Promise<Map<string, ValidateFunction>>>()

const outputValidators = (client: AnyClient): Promise<Map<string, ValidateFunction>> => {
  let v = validators.get(client)
  if (v === undefined) {
    v = client.listTools().then(({ tools }) => {
      const ajv = new Ajv2020({ strict: true, allErrors: true })
      return new Map(tools.flatMap((t) => (isRecord(t.outputSchema) ? [[t.name, ajv.compile(t.outputSchema)] as const] : [])))
    })
    validators.set(client, v)
  }
  return v
}

/**
 * Calls a tool and checks what every result must be: structuredContent present and valid against the tool's
 * published outputSchema (errors included).
 */
export const call = async (client: AnyClient, name: string, args: Record<string, unknown> = {}): Promise<ToolCallResult> => {
  const result = await client.callTool({ name, arguments: args })
  const content = Array.isArray(result.content) ? result.content : []
  const text = content.map((c) => (isRecord(c) && typeof c["text"] === "string" ? c["text"] : "")).join("\n")
  const structured = isRecord(result.structuredContent) ? result.structuredContent : undefined
  const validate = (await outputValidators(client)).get(name)
  if (validate !== undefined) {
    if (structured === undefined) throw new Error(`${name}: no structuredContent (text: ${text.slice(0, 200)})`)
    if (!validate(structured)) {
      throw new Error(`${name}: structuredContent does not match the outputSchema: ${JSON.stringify(validate.errors).slice(0, 600)}`)
    }
  }
  const rawError = structured?.["error"]
  const error = result.isError === true && isRecord(rawError)
    ? {
      ...rawError,
      type: String(rawError["type"]),
      message: String(rawError["message"]),
      details: String(rawError["details"]),
      cluster: String(rawError["cluster"]),
      tool: String(rawError["tool"])
    }
    : undefined
  return {
    isError: result.isError === true,
    text,
    structured,
    views: modelViews({ content: result.content, structuredContent: result.structuredContent }),
    error,
    bytes: Buffer.byteLength(text) + (structured !== undefined ? Buffer.byteLength(JSON.stringify(structured)) : 0)
  }
}

/**
 * Rows of a table result as objects keyed by column, from structuredContent (what structured-first clients
 * see). Every cell must also be in the text table (what text-first clients see), on the row's line.
 */
export const rowsOf = (r: ToolCallResult): Array<Record<string, string>> => {
  const columns = r.structured?.["columns"]
  const rows = r.structured?.["rows"]
  if (!Array.isArray(columns) || !Array.isArray(rows)) throw new Error(`not a table result: ${r.text.slice(0, 300)}`)
  const lines = r.text.split("\n")
  return rows.map((row: unknown, i) => {
    if (!Array.isArray(row)) throw new Error(`row ${i} is not an array of cells`)
    const cells = row.map(String)
    const line = lines.find((l) => cells.every((c) => l.includes(c)) && l.startsWith(cells[0] ?? ""))
    if (line === undefined) throw new Error(`row ${JSON.stringify(cells)} is in structuredContent but not in the text table`)
    return Object.fromEntries(columns.map((c, j) => [String(c), cells[j] ?? ""]))
  })
}

/** A call on dev-cluster (unless `args` name another context) that must succeed. */
export const callOk = async (client: AnyClient, name: string, args: Record<string, unknown>): Promise<ToolCallResult> => {
  const r = await call(client, name, { context: "dev-cluster", ...args })
  if (r.isError) throw new Error(`${name} failed: ${r.text.slice(0, 600)}`)
  return r
}

/** A call on dev-cluster (unless `args` name another context) that must fail with the error `type`, naming the tool. */
export const callFails = async (client: AnyClient, name: string, args: Record<string, unknown>, type: string): Promise<ToolCallResult> => {
  const r = await call(client, name, { context: "dev-cluster", ...args })
  if (!r.isError) throw new Error(`${name} should fail with ${type}: ${r.text.slice(0, 600)}`)
  if (r.error?.type !== type || r.error.tool !== name) throw new Error(`${name}: expected ${type}, got ${r.error?.type ?? "no error object"} (tool ${r.error?.tool ?? "?"}): ${r.text.slice(0, 600)}`)
  return r
}

/** Asserts that each expected string reaches the model in both kinds of client. */
export const inBothViews = (r: ToolCallResult, ...expected: ReadonlyArray<string>): void => {
  for (const e of expected) {
    if (!r.views.text.includes(e)) throw new Error(`text view lacks ${JSON.stringify(e)}: ${r.views.text.slice(0, 300)}`)
    // JSON escapes quotes and newlines: look for the string as JSON would spell it
    const spelled = JSON.stringify(e).slice(1, -1)
    if (!r.views.structured.includes(spelled)) throw new Error(`structured view lacks ${JSON.stringify(e)}: ${r.views.structured.slice(0, 300)}`)
  }
}

/** Retries `f` until it resolves (fixtures that need the cluster to catch up), failing after `timeoutMs`. */
export const retry = async <T>(f: () => Promise<T>, what: string, timeoutMs = 30_000, everyMs = 300): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await f()
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e instanceof Error ? e.message : String(e)}`)
      await new Promise((r) => setTimeout(r, everyMs))
    }
  }
}
