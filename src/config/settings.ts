/**
 * The configuration model: one table of keys drives the TOML schema, env overrides, CLI flags and docs,
 * so the four can never disagree. Precedence: flags > env > file > defaults.
 */
import { Schema } from "effect"
import { parseDurationMs } from "./duration.js"

const Duration = Schema.Union(Schema.String, Schema.Number).pipe(
  Schema.filter((v) => parseDurationMs(v) !== undefined || "a duration like \"30s\", \"1m30s\", \"500ms\" or a number of seconds")
)
const Positive = Schema.Number.pipe(Schema.positive())
const Transport = Schema.Literal("stdio", "http")
const LogLevel = Schema.Literal("debug", "info", "warn", "error", "none")
const Provider = Schema.Literal("kubeconfig", "in-cluster", "single")

/** Settings that may differ per kubeconfig context (`[contexts."name"]`). */
const ContextOverrides = Schema.Struct({
  read_only: Schema.optional(Schema.Boolean),
  require_rbac: Schema.optional(Schema.Boolean),
  qps: Schema.optional(Positive),
  burst: Schema.optional(Positive.pipe(Schema.int())),
  timeout: Schema.optional(Duration),
  reveal_secrets: Schema.optional(Schema.Boolean)
})

/** The shape of config.toml; every key optional (defaults fill the gaps), unknown keys rejected. */
export const ConfigFile = Schema.Struct({
  server: Schema.optional(Schema.Struct({
    transports: Schema.optional(Schema.Array(Transport).pipe(Schema.minItems(1))),
    log_level: Schema.optional(LogLevel),
    http: Schema.optional(Schema.Struct({
      address: Schema.optional(Schema.String.pipe(Schema.pattern(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/))),
      allowed_origins: Schema.optional(Schema.Array(Schema.String)),
      allowed_hosts: Schema.optional(Schema.Array(Schema.String)),
      auth_token_file: Schema.optional(Schema.String),
      stateless: Schema.optional(Schema.Boolean),
      max_sessions: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1, 1_000_000))),
      session_idle_timeout: Schema.optional(Duration)
    }))
  })),
  kubernetes: Schema.optional(Schema.Struct({
    provider: Schema.optional(Provider),
    kubeconfig_path: Schema.optional(Schema.String),
    context: Schema.optional(Schema.String),
    qps: Schema.optional(Positive),
    burst: Schema.optional(Positive.pipe(Schema.int())),
    timeout: Schema.optional(Duration),
    in_cluster_dir: Schema.optional(Schema.String)
  })),
  security: Schema.optional(Schema.Struct({
    require_rbac: Schema.optional(Schema.Boolean),
    rbac_cache_ttl: Schema.optional(Duration),
    read_only: Schema.optional(Schema.Boolean),
    reveal_secrets: Schema.optional(Schema.Boolean)
  })),
  output: Schema.optional(Schema.Struct({
    max_bytes: Schema.optional(Schema.Number.pipe(Schema.int(), Schema.between(1024, 16 * 1024 * 1024)))
  })),
  contexts: Schema.optional(Schema.Record({ key: Schema.String, value: ContextOverrides }))
})
export type ConfigFile = typeof ConfigFile.Type

export type ValueKind = "string" | "number" | "boolean" | "list" | "duration"

/** One scalar key: where it lives, how env/flags spell it, its default and what it does. */
export interface KeyDoc {
  readonly path: readonly [string, ...string[]]
  readonly kind: ValueKind
  readonly default: string
  readonly flag?: string
  readonly doc: string
}

export const KEYS: ReadonlyArray<KeyDoc> = [
  { path: ["server", "transports"], kind: "list", default: `["stdio"]`, flag: "transport", doc: "Transports to serve: \"stdio\", \"http\" or both." },
  { path: ["server", "log_level"], kind: "string", default: `"info"`, flag: "log-level", doc: "debug | info | warn | error | none. Logs are JSON lines on stderr." },
  { path: ["server", "http", "address"], kind: "string", default: `"127.0.0.1:8080"`, flag: "http-address", doc: "host:port of the Streamable HTTP endpoint (/mcp, /healthz, /readyz)." },
  { path: ["server", "http", "allowed_origins"], kind: "list", default: "[]", doc: "Browser Origins allowed besides loopback ones (http://localhost:*, http://127.0.0.1:*)." },
  { path: ["server", "http", "allowed_hosts"], kind: "list", default: "[]", doc: "Host headers allowed besides localhost/127.0.0.1/[::1] and the bind address (DNS-rebinding guard)." },
  { path: ["server", "http", "auth_token_file"], kind: "string", default: `""`, doc: "File holding a bearer token required on /mcp (env KUBE_MCP_HTTP_TOKEN sets the token itself)." },
  { path: ["server", "http", "stateless"], kind: "boolean", default: "false", doc: "No MCP sessions: every POST stands alone, so replicas behind a Service can share load." },
  { path: ["server", "http", "max_sessions"], kind: "number", default: "1000", doc: "Open MCP sessions at most; past it an initialize is refused with HTTP 503 until sessions close or expire." },
  { path: ["server", "http", "session_idle_timeout"], kind: "duration", default: `"30m"`, doc: "A session unused this long is closed; its next request gets 404 \"session expired\" and the client re-initializes." },
  { path: ["kubernetes", "provider"], kind: "string", default: `"kubeconfig"`, flag: "provider", doc: "kubeconfig | in-cluster | single." },
  { path: ["kubernetes", "kubeconfig_path"], kind: "string", default: `""`, flag: "kubeconfig", doc: "Kubeconfig file (~, absolute or relative). Empty: $KUBECONFIG (several paths merged) else ~/.kube/config." },
  { path: ["kubernetes", "context"], kind: "string", default: `""`, flag: "context", doc: "single: the one allowed context (required). kubeconfig: overrides current-context as the default." },
  { path: ["kubernetes", "qps"], kind: "number", default: "100", doc: "Requests per second per context (token bucket)." },
  { path: ["kubernetes", "burst"], kind: "number", default: "200", doc: "Burst per context." },
  { path: ["kubernetes", "timeout"], kind: "duration", default: `"30s"`, doc: "Per-request timeout against the API server." },
  { path: ["kubernetes", "in_cluster_dir"], kind: "string", default: `"/var/run/secrets/kubernetes.io/serviceaccount"`, doc: "in-cluster: directory with token, ca.crt and namespace." },
  { path: ["security", "require_rbac"], kind: "boolean", default: "false", doc: "Check every API action with a SelfSubjectAccessReview on the target context first." },
  { path: ["security", "rbac_cache_ttl"], kind: "duration", default: "5", doc: "How long an RBAC decision is cached per context (seconds or a duration)." },
  { path: ["security", "read_only"], kind: "boolean", default: "false", flag: "read-only", doc: "Hide and refuse every tool that can change a cluster." },
  { path: ["security", "reveal_secrets"], kind: "boolean", default: "false", doc: "Show Secret values. Off: values masked everywhere, keys and sizes kept." },
  { path: ["output", "max_bytes"], kind: "number", default: "65536", doc: "Byte budget of one tool result; longer results are cut with a note on how to narrow." }
]

export const envName = (path: ReadonlyArray<string>): string => `KUBE_MCP_${path.join("_").toUpperCase()}`

/** Effective settings of one context after per-context overrides. */
export interface ContextSettings {
  readonly readOnly: boolean
  readonly requireRbac: boolean
  readonly qps: number
  readonly burst: number
  readonly timeoutMs: number
  readonly revealSecrets: boolean
}

export interface Settings {
  readonly sources: ReadonlyArray<string>
  readonly transports: ReadonlyArray<"stdio" | "http">
  readonly logLevel: "debug" | "info" | "warn" | "error" | "none"
  readonly http: {
    readonly host: string
    readonly port: number
    readonly allowedOrigins: ReadonlyArray<string>
    readonly allowedHosts: ReadonlyArray<string>
    readonly authToken: string | undefined
    readonly stateless: boolean
    readonly maxSessions: number
    readonly sessionIdleTimeoutMs: number
  }
  readonly kubernetes: {
    readonly provider: "kubeconfig" | "in-cluster" | "single"
    readonly kubeconfigPath: string
    readonly context: string
    readonly inClusterDir: string
  }
  readonly rbacCacheTtlMs: number
  readonly readOnly: boolean
  readonly maxBytes: number
  readonly defaults: ContextSettings
  readonly perContext: Readonly<Record<string, Partial<ContextSettings>>>
}

export const settingsFor = (settings: Settings, context: string): ContextSettings => ({
  ...settings.defaults,
  ...settings.perContext[context],
  // a global read_only can never be loosened per context
  readOnly: settings.readOnly || (settings.perContext[context]?.readOnly ?? false)
})
