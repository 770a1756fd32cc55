/** Reads config.toml, KUBE_MCP_* env vars and CLI flags into one validated Settings (flags > env > file > defaults). */
import { Effect, ParseResult, Schema } from "effect"
import { readFile } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { parse as parseToml } from "smol-toml"
import { parseDurationMs } from "./duration.js"
import { ConfigFile, type ContextSettings, envName, KEYS, type KeyDoc, type Settings } from "./settings.js"

export class ConfigError extends Schema.TaggedError<ConfigError>()("ConfigError", { message: Schema.String }) {}

export interface CliRequest {
  readonly configPath: string | undefined
  readonly help: boolean
  readonly version: boolean
  /** Flag values as a partial config object (same shape as the TOML file). */
  readonly overrides: Record<string, unknown>
}

type Tree = Record<string, unknown>

const isTree = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v)

const setPath = (tree: Tree, keyPath: ReadonlyArray<string>, value: unknown): void => {
  let node = tree
  keyPath.forEach((key, i) => {
    if (i === keyPath.length - 1) {
      node[key] = value
      return
    }
    const next = node[key]
    node = isTree(next) ? next : (node[key] = {})
  })
}

const deepMerge = (base: Tree, over: Tree): Tree => {
  const out: Tree = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k]
    out[k] = isTree(prev) && isTree(v) ? deepMerge(prev, v) : v
  }
  return out
}

const flagKeys = KEYS.filter((k): k is KeyDoc & { flag: string } => k.flag !== undefined)

export const USAGE = `Usage: kube-mcp [options]

MCP server for many Kubernetes clusters: per-call context, read-only mode, masked secrets, output budgets.

Options:
  --config <file>          TOML config file (see config.example.toml)
  --provider <name>        kubeconfig | in-cluster | single
  --kubeconfig <path>      kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)
  --context <name>         single provider: the allowed context; kubeconfig: the default context
  --transport <list>       stdio, http or "stdio,http" (repeatable)
  --http-address <h:p>     address of the HTTP transport (default 127.0.0.1:8080)
  --read-only              hide and refuse every tool that can change a cluster
  --log-level <level>      debug | info | warn | error | none (logs go to stderr)
  -h, --help               show this help
  -v, --version            print the version

Precedence: flags > KUBE_MCP_* environment variables > config file > defaults.`

export const parseCli = (argv: ReadonlyArray<string>): Effect.Effect<CliRequest, ConfigError> =>
  Effect.try({
    try: () =>
      parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
          config: { type: "string" },
          provider: { type: "string" },
          kubeconfig: { type: "string" },
          context: { type: "string" },
          transport: { type: "string", multiple: true },
          "http-address": { type: "string" },
          "read-only": { type: "boolean" },
          "log-level": { type: "string" },
          help: { type: "boolean", short: "h" },
          version: { type: "boolean", short: "v" }
        }
      }).values,
    catch: (e) => new ConfigError({ message: `${e instanceof Error ? e.message : String(e)}\nRun kube-mcp --help for usage.` })
  }).pipe(Effect.map((values) => {
    const overrides: Tree = {}
    for (const key of flagKeys) {
      const raw = values[key.flag as keyof typeof values]
      if (raw === undefined) continue
      const value = Array.isArray(raw)
        ? raw.flatMap((s) => String(s).split(",")).map((s) => s.trim()).filter((s) => s !== "")
        : raw
      setPath(overrides, key.path, value)
    }
    return {
      configPath: values.config,
      help: values.help ?? false,
      version: values.version ?? false,
      overrides
    }
  }))

/** Env values are strings; turn them into the key's type so the schema can check them like TOML values. */
const envValue = (key: KeyDoc, raw: string): unknown => {
  switch (key.kind) {
    case "boolean":
      return raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : raw
    case "number":
      return raw.trim() !== "" && !Number.isNaN(Number(raw)) ? Number(raw) : raw
    case "list":
      return raw.split(",").map((s) => s.trim()).filter((s) => s !== "")
    default:
      return raw
  }
}

const fromEnv = (env: NodeJS.ProcessEnv): { tree: Tree; used: Array<string> } => {
  const tree: Tree = {}
  const used: Array<string> = []
  for (const key of KEYS) {
    const raw = env[envName(key.path)]
    if (raw === undefined) continue
    used.push(envName(key.path))
    setPath(tree, key.path, envValue(key, raw))
  }
  return { tree, used }
}

/** One line per key; literal alternatives merged, the "or absent" branch of optional keys dropped. */
export const describeIssues = (error: ParseResult.ParseError): string => {
  const byKey = new Map<string, Array<string>>()
  const actualByKey = new Map<string, string>()
  for (const i of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const key = i.path.join(".")
    if (i._tag === "Unexpected") {
      byKey.set(key, ["unknown key"])
      continue
    }
    if (/^Expected undefined, actual/.test(i.message) && (byKey.get(key)?.length ?? 0) + [...byKey.keys()].filter((k) => k.startsWith(`${key}.`)).length > 0) continue
    const literal = /^Expected (".*"|\d+|true|false), actual (.*)$/.exec(i.message)
    const list = byKey.get(key) ?? []
    if (literal?.[1] !== undefined) {
      list.push(literal[1])
      actualByKey.set(key, literal[2] ?? "")
    } else if (!/^Expected undefined, actual/.test(i.message)) list.push(i.message)
    byKey.set(key, list)
  }
  return [...byKey.entries()]
    .filter(([, msgs]) => msgs.length > 0)
    .map(([key, msgs]) => {
      const actual = actualByKey.get(key)
      const text = actual !== undefined ? `expected one of ${msgs.join(", ")}; got ${actual}` : msgs.join("; ")
      return `  ${key === "" ? "(top level)" : `"${key}"`}: ${text}`
    })
    .join("\n")
}

const validate = (tree: unknown, source: string) =>
  Schema.decodeUnknown(ConfigFile, { errors: "all", onExcessProperty: "error" })(tree).pipe(
    Effect.mapError((e) => new ConfigError({ message: `invalid configuration in ${source}:\n${describeIssues(e)}` }))
  )

export const expandHome = (p: string, home: string = os.homedir()): string =>
  p === "~" ? home : p.startsWith("~/") ? path.join(home, p.slice(2)) : p

const readConfigFile = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (e) => new ConfigError({ message: `cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(Effect.flatMap((text) =>
    Effect.try({
      try: () => parseToml(text),
      catch: (e) => new ConfigError({ message: `cannot parse config file ${file}: ${e instanceof Error ? e.message : String(e)}` })
    })
  ))

const readTokenFile = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (e) =>
      new ConfigError({ message: `server.http.auth_token_file: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(Effect.map((t) => t.trim()), Effect.filterOrFail((t) => t !== "", () =>
    new ConfigError({ message: `server.http.auth_token_file: ${file} is empty` })))

const splitAddress = (address: string): { host: string; port: number } => {
  const i = address.lastIndexOf(":")
  return { host: address.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port: Number(address.slice(i + 1)) }
}

const ms = (v: string | number | undefined, fallbackMs: number): number =>
  v === undefined ? fallbackMs : parseDurationMs(v) ?? fallbackMs

export interface LoadInput {
  readonly cli: CliRequest
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
}

export const loadSettings = ({ cli, cwd, env }: LoadInput): Effect.Effect<Settings, ConfigError> =>
  Effect.gen(function*() {
    const sources: Array<string> = []
    const configPath = cli.configPath ?? env["KUBE_MCP_CONFIG"]
    let fileTree: Tree = {}
    if (configPath !== undefined && configPath !== "") {
      const abs = path.resolve(cwd, expandHome(configPath))
      fileTree = yield* readConfigFile(abs)
      yield* validate(fileTree, abs)
      sources.push(abs)
    }
    const envPart = fromEnv(env)
    yield* validate(envPart.tree, `environment (${envPart.used.join(", ") || "none"})`)
    if (envPart.used.length > 0) sources.push(`env: ${envPart.used.join(", ")}`)
    yield* validate(cli.overrides, "command-line flags")
    const c = yield* validate(deepMerge(deepMerge(fileTree, envPart.tree), cli.overrides), "merged configuration")

    const k = c.kubernetes ?? {}
    const sec = c.security ?? {}
    const http = c.server?.http ?? {}
    const provider = k.provider ?? "kubeconfig"
    if (provider === "single" && (k.context ?? "") === "") {
      return yield* new ConfigError({ message: "kubernetes.context: the single provider needs the context it is locked to" })
    }
    const tokenFile = http.auth_token_file ?? ""
    const authToken = env["KUBE_MCP_HTTP_TOKEN"] !== undefined && env["KUBE_MCP_HTTP_TOKEN"] !== ""
      ? env["KUBE_MCP_HTTP_TOKEN"]
      : tokenFile !== ""
      ? yield* readTokenFile(path.resolve(cwd, expandHome(tokenFile)))
      : undefined
    const defaults: ContextSettings = {
      readOnly: sec.read_only ?? false,
      requireRbac: sec.require_rbac ?? false,
      qps: k.qps ?? 100,
      burst: k.burst ?? 200,
      timeoutMs: ms(k.timeout, 30_000),
      revealSecrets: sec.reveal_secrets ?? false
    }
    const perContext: Record<string, Partial<ContextSettings>> = {}
    for (const [name, o] of Object.entries(c.contexts ?? {})) {
      perContext[name] = {
        ...(o.read_only !== undefined ? { readOnly: o.read_only } : {}),
        ...(o.require_rbac !== undefined ? { requireRbac: o.require_rbac } : {}),
        ...(o.qps !== undefined ? { qps: o.qps } : {}),
        ...(o.burst !== undefined ? { burst: o.burst } : {}),
        ...(o.timeout !== undefined ? { timeoutMs: ms(o.timeout, defaults.timeoutMs) } : {}),
        ...(o.reveal_secrets !== undefined ? { revealSecrets: o.reveal_secrets } : {})
      }
    }
    const transports: ReadonlyArray<"stdio" | "http"> = c.server?.transports ?? ["stdio"]
    const { host, port } = splitAddress(http.address ?? "127.0.0.1:8080")
    const kubeconfigPath = k.kubeconfig_path ?? ""
    return {
      sources,
      transports: [...new Set(transports)],
      logLevel: c.server?.log_level ?? "info",
      http: {
        host,
        port,
        allowedOrigins: http.allowed_origins ?? [],
        allowedHosts: http.allowed_hosts ?? [],
        authToken,
        stateless: http.stateless ?? false,
        maxSessions: http.max_sessions ?? 1000,
        sessionIdleTimeoutMs: ms(http.session_idle_timeout, 30 * 60_000)
      },
      kubernetes: {
        provider,
        kubeconfigPath: kubeconfigPath === "" ? "" : path.resolve(cwd, expandHome(kubeconfigPath)),
        context: k.context ?? "",
        inClusterDir: k.in_cluster_dir ?? "/var/run/secrets/kubernetes.io/serviceaccount"
      },
      rbacCacheTtlMs: ms(sec.rbac_cache_ttl, 5000),
      readOnly: defaults.readOnly,
      maxBytes: c.output?.max_bytes ?? 65536,
      defaults,
      perContext
    } satisfies Settings
  })
