/** Reads config.toml, KUBE_MCP_* env vars and CLI flags into one validated Settings (flags > env > file > defaults). */
import { Effect, Formatter, Schema, SchemaAST, SchemaIssue } from "effect"
import { readFile } from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { type ParseArgsConfig, type ParseArgsOptionDescriptor, parseArgs } from "node:util"
import { parse as parseToml } from "smol-toml"
import { option } from "./key.js"
import { ConfigFile, type ContextSettings, KEYS, type KeyDoc, type OAuthSettings, type Settings, type ValueKind } from "./settings.js"

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

const FLAG_KEYS = KEYS.flatMap((key) => (key.flag !== undefined && key.usage !== undefined ? [{ key, flag: key.flag, usage: key.usage }] : []))

/** The option lines of --help: --config, then every key with a flag, then --help and --version. */
export const OPTION_LINES: ReadonlyArray<string> = [
  option("--config <file>", "TOML config file (see config.example.toml)"),
  ...FLAG_KEYS.map((k) => k.usage),
  option("-h, --help", "show this help"),
  option("-v, --version", "print the version")
]

export const USAGE = `Usage: kube-mcp [options]

MCP server for many Kubernetes clusters: per-call context, read-only mode, masked secrets, output budgets.

Options:
${OPTION_LINES.map((l) => `  ${l}`).join("\n")}

Precedence: flags > KUBE_MCP_* environment variables > config file > defaults.`

const descriptor = (kind: ValueKind): ParseArgsOptionDescriptor =>
  kind === "boolean" ? { type: "boolean" } : kind === "list" ? { type: "string", multiple: true } : { type: "string" }

const OPTIONS: ParseArgsConfig["options"] = {
  config: { type: "string" },
  ...Object.fromEntries(FLAG_KEYS.map(({ flag, key }) => [flag, descriptor(key.kind)])),
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" }
}

type FlagValue = string | boolean | Array<string | boolean> | undefined

/** A list flag may be repeated and each value may be comma-separated. */
const flagValue = (raw: FlagValue): unknown =>
  Array.isArray(raw) ? raw.flatMap((s) => String(s).split(",")).map((s) => s.trim()).filter((s) => s !== "") : raw

export const parseCli = (argv: ReadonlyArray<string>): Effect.Effect<CliRequest, ConfigError> =>
  Effect.try({
    try: () => {
      const config: ParseArgsConfig = { args: [...argv], strict: true, allowPositionals: false, options: OPTIONS }
      return parseArgs(config).values
    },
    catch: (e) => new ConfigError({ message: `${e instanceof Error ? e.message : String(e)}\nRun kube-mcp --help for usage.` })
  }).pipe(Effect.map((values) => {
    const overrides: Tree = {}
    for (const { flag, key } of FLAG_KEYS) {
      const raw = values[flag]
      if (raw !== undefined) setPath(overrides, key.path, flagValue(raw))
    }
    const configPath = values["config"]
    return {
      configPath: typeof configPath === "string" ? configPath : undefined,
      help: values["help"] === true,
      version: values["version"] === true,
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
    const raw = env[key.env]
    if (raw === undefined) continue
    used.push(key.env)
    setPath(tree, key.path, envValue(key, raw))
  }
  return { tree, used }
}

interface Problem {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

const defaultFormat = SchemaIssue.makeFormatterDefault()
/** Effect's own message for a leaf ("Expected a value greater than 0, got -1"), lower-cased like ours. */
const formatIssue = (issue: SchemaIssue.Issue): string => {
  const message = defaultFormat(issue)
  return message.charAt(0).toLowerCase() + message.slice(1)
}

const got = (issue: SchemaIssue.Issue): string => (SchemaIssue.hasInput(issue) ? `; got ${Formatter.format(issue.input)}` : "")

/** The leaves of an issue tree with their paths; unknown keys and literal alternatives in our own words. */
const problems = (issue: SchemaIssue.Issue, at: ReadonlyArray<PropertyKey>): ReadonlyArray<Problem> => {
  switch (issue._tag) {
    case "Pointer":
      return problems(issue.issue, [...at, ...issue.path])
    case "Composite":
      return issue.issues.flatMap((i) => problems(i, at))
    case "Encoding":
      return problems(issue.issue, at)
    case "UnexpectedKey":
      return [{ path: at, message: "unknown key" }]
    case "AnyOf": {
      const literals = issue.ast.types.flatMap((t) => (SchemaAST.isLiteral(t) ? [Formatter.format(t.literal)] : []))
      if (literals.length > 0 && literals.length === issue.ast.types.length) {
        return [{ path: at, message: `expected one of ${literals.join(", ")}${got(issue)}` }]
      }
      return issue.issues.length > 0 ? issue.issues.flatMap((i) => problems(i, at)) : [{ path: at, message: formatIssue(issue) }]
    }
    default:
      return [{ path: at, message: formatIssue(issue) }]
  }
}

/** One line per key, naming it: `"kubernetes.provider": expected one of "kubeconfig", …; got "x"`. */
export const describeIssues = (error: Schema.SchemaError): string => {
  const byKey = new Map<string, Array<string>>()
  for (const p of problems(error.issue, [])) {
    const key = p.path.map(String).join(".")
    const messages = byKey.get(key) ?? []
    if (!messages.includes(p.message)) messages.push(p.message)
    byKey.set(key, messages)
  }
  return [...byKey].map(([key, messages]) => `  ${key === "" ? "(top level)" : `"${key}"`}: ${messages.join("; ")}`).join("\n")
}

const decodeConfig = Schema.decodeUnknownEffect(ConfigFile, { errors: "all", onExcessProperty: "error", reportInput: true })

const validate = (tree: unknown, source: string) =>
  decodeConfig(tree).pipe(
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

/** An absolute https URL; plain http only on a loopback host (a local test issuer). */
const secureUrl = (value: string): boolean => {
  try {
    const u = new URL(value)
    return u.protocol === "https:" || (u.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname))
  } catch {
    return false
  }
}

const readCaFile = (file: string) =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (e) => new ConfigError({ message: `server.http.oauth.ca_file: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(Effect.filterOrFail((t) => t.includes("-----BEGIN CERTIFICATE-----"), () =>
    new ConfigError({ message: `server.http.oauth.ca_file: ${file} holds no PEM certificate` })))

/** The rules between auth, identity, the token and [server.http.oauth], each stated when broken. */
const oauthSettings = (http: ConfigFile["server"]["http"], auth: ConfigFile["server"]["http"]["auth"], hasToken: boolean, cwd: string) =>
  Effect.gen(function*() {
    const o = http.oauth
    const fail = (message: string) => Effect.fail(new ConfigError({ message }))
    if (auth === "token" && !hasToken) {
      return yield* fail(`server.http.auth = "token" needs the token: set server.http.auth_token_file or KUBE_MCP_HTTP_TOKEN`)
    }
    if (http.identity !== "server" && auth !== "oauth") {
      return yield* fail(`server.http.identity = "${http.identity}" needs server.http.auth = "oauth": only a validated access token says who the caller is`)
    }
    if (auth !== "oauth") {
      if (o.issuer !== "") return yield* fail(`server.http.oauth.issuer is set but server.http.auth is "${auth}": set auth = "oauth" to use it`)
      return undefined
    }
    if (hasToken) {
      return yield* fail(`server.http.auth = "oauth" takes no shared token: remove server.http.auth_token_file / KUBE_MCP_HTTP_TOKEN`)
    }
    if (!secureUrl(o.issuer)) {
      return yield* fail(`server.http.oauth.issuer must be the issuer's https URL (http only on localhost/127.0.0.1); got "${o.issuer}"`)
    }
    if (o.jwks_url !== "" && !secureUrl(o.jwks_url)) {
      return yield* fail(`server.http.oauth.jwks_url must be an https URL (http only on localhost/127.0.0.1); got "${o.jwks_url}"`)
    }
    if (o.resource !== "" && !/^https?:\/\/[^/]/.test(o.resource)) {
      return yield* fail(`server.http.oauth.resource must be this server's absolute http(s) URL, like https://mcp.example.com/mcp; got "${o.resource}"`)
    }
    if (o.audience === "" && o.resource === "") {
      return yield* fail(`server.http.auth = "oauth" needs server.http.oauth.audience (the "aud" tokens carry) or server.http.oauth.resource`)
    }
    const ca = o.ca_file === "" ? "" : yield* readCaFile(path.resolve(cwd, expandHome(o.ca_file)))
    return {
      issuer: o.issuer,
      audience: o.audience !== "" ? o.audience : o.resource,
      resource: o.resource,
      jwksUrl: o.jwks_url,
      ca,
      clockSkewMs: o.clock_skew,
      userClaim: o.user_claim,
      userPrefix: o.user_prefix,
      groupsClaim: o.groups_claim,
      groupsPrefix: o.groups_prefix,
      readScopes: o.read_scopes,
      writeScopes: o.write_scopes
    } satisfies OAuthSettings
  })

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
    // every key is present from here on: decoding filled in the defaults
    const { audit, contexts = {}, helm, kubernetes: k, metrics, output, security: sec, server, tracing } = yield* validate(
      deepMerge(deepMerge(fileTree, envPart.tree), cli.overrides),
      "merged configuration"
    )

    if (k.provider === "single" && k.context === "") {
      return yield* new ConfigError({ message: "kubernetes.context: the single provider needs the context it is locked to" })
    }
    if (metrics.enabled && metrics.address === "" && !server.transports.includes("http")) {
      return yield* new ConfigError({
        message: "metrics.enabled: /metrics is served on the HTTP transport's listener, and the http transport is off; " +
          "set metrics.address (a separate listener, e.g. \"127.0.0.1:9464\") or add \"http\" to server.transports"
      })
    }
    if (!metrics.enabled && metrics.address !== "") {
      return yield* new ConfigError({ message: "metrics.address is set but metrics.enabled is false; set metrics.enabled = true to serve /metrics there" })
    }
    const tokenFile = server.http.auth_token_file
    const envToken = env["KUBE_MCP_HTTP_TOKEN"]
    const authToken = envToken !== undefined && envToken !== ""
      ? envToken
      : tokenFile !== ""
      ? yield* readTokenFile(path.resolve(cwd, expandHome(tokenFile)))
      : undefined
    const auth = authToken !== undefined && server.http.auth === "none" ? "token" : server.http.auth
    const oauth = yield* oauthSettings(server.http, auth, authToken !== undefined, cwd)
    const defaults: ContextSettings = {
      readOnly: sec.read_only,
      requireRbac: sec.require_rbac,
      qps: k.qps,
      burst: k.burst,
      timeoutMs: k.timeout,
      revealSecrets: sec.reveal_secrets,
      deniedResources: sec.denied_resources,
      allowedNamespaces: sec.allowed_namespaces,
      confirmDestructive: sec.confirm_destructive
    }
    const perContext: Record<string, Partial<ContextSettings>> = {}
    for (const [name, o] of Object.entries(contexts)) {
      perContext[name] = {
        ...(o.read_only !== undefined ? { readOnly: o.read_only } : {}),
        ...(o.require_rbac !== undefined ? { requireRbac: o.require_rbac } : {}),
        ...(o.qps !== undefined ? { qps: o.qps } : {}),
        ...(o.burst !== undefined ? { burst: o.burst } : {}),
        ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
        ...(o.reveal_secrets !== undefined ? { revealSecrets: o.reveal_secrets } : {}),
        ...(o.denied_resources !== undefined ? { deniedResources: o.denied_resources } : {}),
        ...(o.allowed_namespaces !== undefined ? { allowedNamespaces: o.allowed_namespaces } : {}),
        ...(o.confirm_destructive !== undefined ? { confirmDestructive: o.confirm_destructive } : {})
      }
    }
    const { host, port } = splitAddress(server.http.address)
    return {
      sources,
      transports: [...new Set(server.transports)],
      logLevel: server.log_level,
      heap: server.heap,
      http: {
        host,
        port,
        allowedOrigins: server.http.allowed_origins,
        allowedHosts: server.http.allowed_hosts,
        authToken,
        stateless: server.http.stateless,
        maxSessions: server.http.max_sessions,
        sessionIdleTimeoutMs: server.http.session_idle_timeout,
        auth,
        identity: server.http.identity,
        oauth
      },
      kubernetes: {
        provider: k.provider,
        kubeconfigPath: k.kubeconfig_path === "" ? "" : path.resolve(cwd, expandHome(k.kubeconfig_path)),
        context: k.context,
        inClusterDir: k.in_cluster_dir,
        contextsAllow: k.contexts_allow,
        contextsDeny: k.contexts_deny,
        fanoutConcurrency: k.fanout_concurrency,
        fanoutTimeoutMs: k.fanout_timeout
      },
      audit: {
        path: audit.path === "" || audit.path === "stderr" ? audit.path : path.resolve(cwd, expandHome(audit.path)),
        include: audit.include,
        maxSize: audit.max_size,
        keep: audit.keep
      },
      helm: {
        // a bare name ("helm3") is looked up on PATH; a path is taken relative to the working directory
        binary: helm.binary === "" || !/[/\\]|^~/.test(helm.binary) ? helm.binary : path.resolve(cwd, expandHome(helm.binary)),
        timeoutMs: helm.timeout
      },
      metrics: { enabled: metrics.enabled, listen: metrics.address === "" ? undefined : splitAddress(metrics.address) },
      tracing: { enabled: tracing.enabled, endpoint: tracing.endpoint, serviceName: tracing.service_name },
      rbacCacheTtlMs: sec.rbac_cache_ttl,
      readOnly: defaults.readOnly,
      maxBytes: output.max_bytes,
      defaults,
      perContext
    } satisfies Settings
  })
