/**
 * The configuration model, declared once: `ConfigFile` is the schema of config.toml, and each of its keys is
 * a `key(schema, { default, doc, flag })`. From it come the defaults (filled in by decoding), KEYS (docs
 * table, env names, CLI flags, --help), the per-context overrides and the types of Settings.
 * Precedence: flags > env > file > defaults.
 */
import { Effect, Schema, SchemaIssue, SchemaTransformation } from "effect"
import { formatDuration, parseDurationMs } from "./duration.js"
import { globToRegExp, isGlob } from "./glob.js"
import { contextOverride, key, type KeyMeta, keysOf, toToml, usageLine, type ValueKind } from "./key.js"

export type { ValueKind } from "./key.js"

const DURATION = `a duration like "30s", "1m30s", "500ms" or a number of seconds`

/** "30s", "1m30s", "500ms" or a number of seconds in the file; milliseconds once decoded. */
const Duration = Schema.Union([Schema.String, Schema.Finite]).annotate({ expected: DURATION }).pipe(
  Schema.decodeTo(
    Schema.Finite.annotate({ "kube-mcp/kind": "duration" }),
    SchemaTransformation.transformEffect({
      decode: (input: string | number, options) => {
        const ms = parseDurationMs(input)
        return ms === undefined ? Effect.fail(new SchemaIssue.InvalidValue({ expected: DURATION }, input, options)) : Effect.succeed(ms)
      },
      encode: (ms: number) => Effect.succeed(formatDuration(ms))
    })
  )
)
const Positive = Schema.Finite.check(Schema.isGreaterThan(0))
const Transport = Schema.Literals(["stdio", "http"])
const LogLevel = Schema.Literals(["debug", "info", "warn", "error", "none"])
const Heap = Schema.Literals(["auto", "bounded", "node"])
const Provider = Schema.Literals(["kubeconfig", "in-cluster", "single"])
const Address = Schema.String.check(
  Schema.isPattern(/^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/u, { expected: "host:port (like 127.0.0.1:8080 or [::1]:8080)" })
)
const OptionalAddress = Schema.String.check(
  Schema.isPattern(/^$|^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/u, { expected: "empty, or host:port (like 127.0.0.1:9464 or [::1]:9464)" })
)
const HttpUrl = Schema.String.check(
  Schema.isPattern(/^https?:\/\/[^\s/?#]+(\/\S*)?$/u, { expected: "an http:// or https:// URL (like http://127.0.0.1:4318/v1/traces)" })
)

// The keys that [contexts."name"] can override, declared here so both tables use the same declaration.
const qps = key(Positive, { default: 100, doc: "Requests per second to each context's API server (token bucket, one per context)." })
const burst = key(Positive.check(Schema.isInt()), { default: 200, doc: "Requests allowed at once before `qps` applies, per context." })
const timeout = key(Duration, { default: "30s", doc: "Timeout of one request to an API server." })
const requireRbac = key(Schema.Boolean, {
  default: false,
  doc: "Before every API action, a SelfSubjectAccessReview on the target context; a denial is `Forbidden` and nothing is sent."
})
const readOnly = key(Schema.Boolean, {
  default: false,
  doc: "Hide every tool that can change a cluster and refuse it if called anyway (`ReadOnly` error).",
  flag: { name: "read-only", help: "hide and refuse every tool that can change a cluster" }
})
const revealSecrets = key(Schema.Boolean, {
  default: false,
  doc: "Show Secret values. Off: values masked in every result; keys and byte sizes kept."
})

/** A resource as RBAC rules name it, its group before a slash unless it is core. */
const ResourceName = Schema.String.check(
  Schema.isPattern(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[a-z0-9]+$/u, {
    expected: "a resource as RBAC rules name it: plural, lower-case, its API group before a slash unless core " +
      "(\"secrets\", \"apps/deployments\", \"rbac.authorization.k8s.io/clusterroles\")"
  })
)
const deniedResources = key(Schema.Array(ResourceName), {
  default: [],
  doc: "Resources no request may touch, as RBAC rules name them (`\"secrets\"`, `\"apps/deployments\"`): any verb, any " +
    "namespace, subresources included; refused with `PolicyDenied` before anything is sent (fan-out and export included)."
})
const allowedNamespaces = key(Schema.Array(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(63))), {
  default: [],
  doc: "When not empty, the only namespaces whose objects may be read or changed; a list across all namespaces is refused " +
    "(`PolicyDenied`). Cluster-scoped resources (nodes, namespaces) stay readable unless denied_resources names them."
})
const confirmDestructive = key(Schema.Boolean, {
  default: false,
  doc: "Every destructive call (delete, apply/patch/scale that can remove data) asks the user first through MCP elicitation; " +
    "dry runs never ask. A client that cannot ask gets `ConfirmationRequired`, never a silent allow."
})

/** Settings that may differ per kubeconfig context (`[contexts."name"]`); absent keys take the global value. */
const ContextOverrides = Schema.Struct({
  read_only: contextOverride(readOnly),
  require_rbac: contextOverride(requireRbac),
  qps: contextOverride(qps),
  burst: contextOverride(burst),
  timeout: contextOverride(timeout),
  reveal_secrets: contextOverride(revealSecrets),
  denied_resources: contextOverride(deniedResources),
  allowed_namespaces: contextOverride(allowedNamespaces),
  confirm_destructive: contextOverride(confirmDestructive)
})

/** The shape of config.toml: every key optional (decoding fills in its default), unknown keys rejected. */
export const ConfigFile = Schema.Struct({
  server: Schema.Struct({
    transports: key(Schema.Array(Transport).check(Schema.isMinLength(1)), {
      default: ["stdio"],
      doc: "Transports to serve: `\"stdio\"`, `\"http\"` or both.",
      flag: { name: "transport", arg: "list", help: "(comma-separated, repeatable)" }
    }),
    log_level: key(LogLevel, {
      default: "info",
      doc: "`debug`, `info`, `warn`, `error` or `none`. Logs are JSON lines on stderr, never on stdout.",
      flag: { name: "log-level", arg: "level", help: "(logs go to stderr)" }
    }),
    heap: key(Heap, {
      default: "auto",
      doc: "V8's heap sizing. `bounded`: young semi-spaces of 8 MiB and an old-space limit of 1 GiB (never above Node's own, " +
        "e.g. a container's), which halves peak RSS under load; the server restarts itself with these node flags once, " +
        "right after reading its configuration (Node ≥ 22.15, not Windows). `node`: Node's defaults. `auto`: `bounded` when " +
        "the HTTP transport is on, `node` for stdio alone (no restart in a client's start-up). Node flags or NODE_OPTIONS " +
        "that size the heap win over both.",
      flag: { name: "heap", arg: "mode", help: "(V8 heap sizing; auto: bounded when serving HTTP)" }
    }),
    http: Schema.Struct({
      address: key(Address, {
        default: "127.0.0.1:8080",
        doc: "`host:port` of the Streamable HTTP endpoint (`/mcp`, `/healthz`, `/readyz`). IPv6 as `[::1]:8080`.",
        flag: { name: "http-address", arg: "h:p", help: "address of the HTTP transport (default 127.0.0.1:8080)" }
      }),
      allowed_origins: key(Schema.Array(Schema.String), {
        default: [],
        doc: "Browser `Origin`s allowed on `/mcp` besides loopback ones (`http://localhost:*`, `http://127.0.0.1:*`); " +
          "`\"*\"` allows any. Requests without `Origin` are not affected."
      }),
      allowed_hosts: key(Schema.Array(Schema.String), {
        default: [],
        doc: "`Host` headers accepted on `/mcp` besides `localhost`, `127.0.0.1`, `[::1]` and the bind host (DNS-rebinding guard). " +
          "Bound to `0.0.0.0` with this list empty, any `Host` is accepted."
      }),
      auth_token_file: key(Schema.String, {
        default: "",
        doc: "File whose content (trimmed) is the bearer token `/mcp` requires. Empty: no token. " +
          "`KUBE_MCP_HTTP_TOKEN` sets the token itself and wins."
      }),
      stateless: key(Schema.Boolean, {
        default: false,
        doc: "No MCP sessions: every POST stands alone (JSON responses, SSE only for a call that asks for progress; " +
          "GET and DELETE answer 405), so replicas behind a Service can share the load."
      }),
      max_sessions: key(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1_000_000 })), {
        default: 1000,
        doc: "Open MCP sessions at most. Past it an `initialize` is refused with HTTP 503 and a JSON-RPC error saying so, " +
          "until sessions close (`DELETE /mcp`) or expire."
      }),
      session_idle_timeout: key(Duration, {
        default: "30m",
        doc: "A session unused this long is closed and everything it held released; its next request gets 404 " +
          "\"session expired\" and the client re-initializes (most clients never send `DELETE`)."
      }),
      // identity keys (issue #14): see docs/security.md
      auth: key(Schema.Literals(["none", "token", "oauth"]), {
        default: "none",
        doc: "How `/mcp` authenticates callers: `none`; `token` (the shared bearer token of `auth_token_file` / " +
          "`KUBE_MCP_HTTP_TOKEN`; a configured token turns `none` into `token`); `oauth` (OAuth 2.1 access tokens, JWTs " +
          "of `[server.http.oauth]` issuer, with Protected Resource Metadata at `/.well-known/oauth-protected-resource`)."
      }),
      identity: key(Schema.Literals(["server", "impersonate", "passthrough"]), {
        default: "server",
        doc: "Whose identity the API servers see for an HTTP call: `server` (the server's kubeconfig or ServiceAccount); " +
          "`impersonate` (the server's identity with `Impersonate-User`/`Impersonate-Group` of the caller's token; start-up " +
          "fails unless the server may impersonate); `passthrough` (the caller's token is sent instead, for clusters that " +
          "trust the same issuer). The last two need `auth = \"oauth\"`; `pods_exec` is refused in impersonate mode."
      }),
      oauth: Schema.Struct({
        issuer: key(Schema.String, {
          default: "",
          doc: "`auth = \"oauth\"`: the authorization server's issuer URL; tokens must carry it as `iss` (required)."
        }),
        audience: key(Schema.String, {
          default: "",
          doc: "The `aud` every token must carry (this resource). Empty: `resource`. One of the two is required."
        }),
        resource: key(Schema.String, {
          default: "",
          doc: "This server's canonical URL (`https://mcp.example.com/mcp`), published as `resource` in the Protected " +
            "Resource Metadata. Empty: `http://<Host header>/mcp`."
        }),
        jwks_url: key(Schema.String, {
          default: "",
          doc: "Where the issuer's signing keys (JWKS) are. Empty: the `jwks_uri` of the issuer's discovery document " +
            "(`/.well-known/openid-configuration`, else `/.well-known/oauth-authorization-server`)."
        }),
        ca_file: key(Schema.String, {
          default: "",
          doc: "PEM file of the CA(s) to trust for the issuer's discovery and JWKS over HTTPS, besides the system's."
        }),
        clock_skew: key(Duration, {
          default: "30s",
          doc: "How far `exp` and `nbf` may be off because clocks differ."
        }),
        user_claim: key(Schema.String.check(Schema.isMinLength(1)), {
          default: "sub",
          doc: "The claim naming the user (impersonation, audit log), e.g. `email`."
        }),
        user_prefix: key(Schema.String, {
          default: "",
          doc: "Prefixed to the user name, as the API server's own OIDC claim mapping does (`oidc:`), so impersonated " +
            "names match the RBAC bindings written for that issuer."
        }),
        groups_claim: key(Schema.String, {
          default: "groups",
          doc: "The claim listing the user's groups (a list or one string; absent: none)."
        }),
        groups_prefix: key(Schema.String, {
          default: "",
          doc: "Prefixed to every group name (as `user_prefix`)."
        }),
        read_scopes: key(Schema.Array(Schema.String.check(Schema.isMinLength(1))), {
          default: [],
          doc: "When not empty, a token needs one of these scopes (or a write scope) to use `/mcp` at all (else HTTP 403 `insufficient_scope`)."
        }),
        write_scopes: key(Schema.Array(Schema.String.check(Schema.isMinLength(1))), {
          default: [],
          doc: "When not empty, calling a tool that can change a cluster needs one of these scopes (else HTTP 403 " +
            "`insufficient_scope` naming them); read tools need only `read_scopes`."
        })
      }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({})))
    }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({})))
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  kubernetes: Schema.Struct({
    provider: key(Provider, {
      default: "kubeconfig",
      doc: "`kubeconfig`, `in-cluster` or `single` (see [Providers](#providers)).",
      flag: { name: "provider", arg: "name" }
    }),
    kubeconfig_path: key(Schema.String, {
      default: "",
      doc: "Kubeconfig file (`~`, absolute, or relative to the working directory). " +
        "Empty: every path in `$KUBECONFIG`, merged, else `~/.kube/config`.",
      flag: { name: "kubeconfig", arg: "path", help: "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)" }
    }),
    context: key(Schema.String, {
      default: "",
      doc: "`single`: the one allowed context (required). " +
        "`kubeconfig`: the default context for calls that name none, instead of the kubeconfig's `current-context`.",
      flag: { name: "context", arg: "name", help: "single provider: the allowed context; kubeconfig: the default context" }
    }),
    qps,
    burst,
    timeout,
    in_cluster_dir: key(Schema.String, {
      default: "/var/run/secrets/kubernetes.io/serviceaccount",
      doc: "`in-cluster`: directory with the ServiceAccount's `token`, `ca.crt` and `namespace`."
    }),
    contexts_allow: key(Schema.Array(Schema.String.check(Schema.isMinLength(1))), {
      default: ["*"],
      doc: "Context names or patterns (`*`, `?`) the server may use; any other context of the kubeconfig does not exist " +
        "for it: not listed, `UnknownContext` when named, never selected by `contexts`."
    }),
    contexts_deny: key(Schema.Array(Schema.String.check(Schema.isMinLength(1))), {
      default: [],
      doc: "Context names or patterns hidden even when contexts_allow matches them (deny wins)."
    }),
    fanout_concurrency: key(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 64 })), {
      default: 8,
      doc: "How many contexts one call with `contexts` (fan-out, clusters_overview, resources_compare) works on at a time (1 to 64)."
    }),
    fanout_timeout: key(Duration, {
      default: "60s",
      doc: "Deadline of one call across many contexts: a context that has not answered by then is reported as `Timeout` " +
        "and the others' answers are returned. Each request still has the context's own `timeout`."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  security: Schema.Struct({
    require_rbac: requireRbac,
    rbac_cache_ttl: key(Duration, {
      default: 5,
      doc: "How long one RBAC decision is cached, per context (a number of seconds or a duration)."
    }),
    read_only: readOnly,
    reveal_secrets: revealSecrets,
    denied_resources: deniedResources,
    allowed_namespaces: allowedNamespaces,
    confirm_destructive: confirmDestructive
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  audit: Schema.Struct({
    path: key(Schema.String, {
      default: "",
      doc: "Audit log: one JSON line per call, written and flushed (fsync) before the result is returned. A file path, " +
        "`\"stderr\"` (lines marked `\"audit\": true`, for a cluster's log pipeline), or empty for none."
    }),
    include: key(Schema.Literals(["mutations", "all"]), {
      default: "mutations",
      doc: "`mutations`: calls of tools that can change a cluster (refused ones included); `all`: every tool call."
    }),
    max_size: key(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1024, maximum: 1024 * 1024 * 1024 })), {
      default: 10 * 1024 * 1024,
      doc: "Bytes after which the audit file is rotated (`path` → `path.1` → … → `path.<keep>`)."
    }),
    keep: key(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 100 })), {
      default: 5,
      doc: "Rotated audit files kept besides the current one."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  output: Schema.Struct({
    max_bytes: key(Schema.Finite.check(Schema.isInt(), Schema.isBetween({ minimum: 1024, maximum: 16 * 1024 * 1024 })), {
      default: 65536,
      doc: "Byte budget of one tool result (1024 to 16777216); longer results are cut with a note on how to narrow."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  helm: Schema.Struct({
    binary: key(Schema.String.check(Schema.isMaxLength(4096)), {
      default: "",
      doc: "The `helm` binary the helm write tools (install, upgrade, rollback, uninstall) run: a path, a name looked " +
        "up on PATH, or empty for `helm` on PATH; without one they fail with `HelmUnavailable`. The read tools (helm_list, helm_get, helm_history) need no binary: they decode the " +
        "release records the cluster stores."
    }),
    timeout: key(Duration, {
      default: "5m",
      doc: "How long one helm write may run (passed as `--timeout`; the process is killed 30s after it)."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  metrics: Schema.Struct({
    enabled: key(Schema.Boolean, {
      default: false,
      doc: "Collect Prometheus metrics (tool calls, latency, API requests, rate-limiter waits, sessions, process) and serve " +
        "them at `GET /metrics`: on the HTTP transport's listener behind the same Host check and bearer token as `/mcp`, " +
        "or on `metrics.address`. See [docs/operations.md](operations.md)."
    }),
    address: key(OptionalAddress, {
      default: "",
      doc: "`host:port` of a separate listener that serves only `GET /metrics`, without authentication (bind it to loopback " +
        "or a port only the scraper reaches). Empty: `/metrics` is on the HTTP transport's listener, which then must be enabled."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  tracing: Schema.Struct({
    enabled: key(Schema.Boolean, {
      default: false,
      doc: "Export OpenTelemetry traces over OTLP/HTTP (JSON): a span per tool call, continuing the client's trace when the " +
        "request's `params._meta.traceparent` carries one, and a child span per API request."
    }),
    endpoint: key(HttpUrl, {
      default: "http://127.0.0.1:4318/v1/traces",
      doc: "The OTLP/HTTP traces endpoint spans are sent to (a collector's `/v1/traces`)."
    }),
    service_name: key(Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(256)), {
      default: "kube-mcp",
      doc: "`service.name` of the exported spans' resource."
    })
  }).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
  contexts: Schema.optionalKey(Schema.Record(Schema.String, ContextOverrides))
})
/** config.toml as decoded: every key present (defaults filled in), durations in milliseconds. */
export type ConfigFile = typeof ConfigFile.Type

/** One key of config.toml, as the docs, the environment and the command line know it. */
export interface KeyDoc {
  readonly path: ReadonlyArray<string>
  readonly kind: ValueKind
  /** The default, written as in config.toml. */
  readonly default: string
  /** `KUBE_MCP_<SECTION>_<KEY>`. */
  readonly env: string
  /** The long flag, without "--", for the keys that have one. */
  readonly flag?: string
  /** The flag's line in --help. */
  readonly usage?: string
  /** Markdown: what the key does. */
  readonly doc: string
}

export const envName = (path: ReadonlyArray<string>): string => `KUBE_MCP_${path.join("_").toUpperCase()}`

const keyDoc = (path: ReadonlyArray<string>, meta: KeyMeta): KeyDoc => ({
  path,
  kind: meta.kind,
  default: toToml(meta.default),
  env: envName(path),
  doc: meta.doc,
  ...(meta.flag !== undefined ? { flag: meta.flag.name, usage: usageLine(meta, meta.flag) } : {})
})

const fileKeys = keysOf(ConfigFile.ast)

/** Every key of config.toml, in file order. */
export const KEYS: ReadonlyArray<KeyDoc> = fileKeys.map((k) => keyDoc(k.path, k.meta))

/** The keys of `[contexts."name"]`, each with the global key whose value it defaults to. */
export const CONTEXT_KEYS: ReadonlyArray<{ readonly name: string; readonly global: KeyDoc | undefined }> = keysOf(
  ContextOverrides.ast
).map((o) => ({ name: o.path.join("."), global: KEYS[fileKeys.findIndex((k) => k.meta === o.meta)] }))

/** `[server.http.oauth]`, validated: issuer and audience set, `resource` "" when taken from the request. */
export interface OAuthSettings {
  readonly issuer: string
  readonly audience: string
  readonly resource: string
  readonly jwksUrl: string
  /** PEM text, "" for the system CAs only. */
  readonly ca: string
  readonly clockSkewMs: number
  readonly userClaim: string
  readonly userPrefix: string
  readonly groupsClaim: string
  readonly groupsPrefix: string
  readonly readScopes: ReadonlyArray<string>
  readonly writeScopes: ReadonlyArray<string>
}

/** Effective settings of one context after per-context overrides. */
export interface ContextSettings {
  readonly readOnly: boolean
  readonly requireRbac: boolean
  readonly qps: number
  readonly burst: number
  readonly timeoutMs: number
  readonly revealSecrets: boolean
  /** RBAC-style resource names ("secrets", "apps/deployments") no request may touch. */
  readonly deniedResources: ReadonlyArray<string>
  /** Empty: every namespace. */
  readonly allowedNamespaces: ReadonlyArray<string>
  readonly confirmDestructive: boolean
}

export interface Settings {
  readonly sources: ReadonlyArray<string>
  readonly transports: ConfigFile["server"]["transports"]
  readonly logLevel: ConfigFile["server"]["log_level"]
  readonly heap: ConfigFile["server"]["heap"]
  readonly http: {
    readonly host: string
    readonly port: number
    readonly allowedOrigins: ConfigFile["server"]["http"]["allowed_origins"]
    readonly allowedHosts: ConfigFile["server"]["http"]["allowed_hosts"]
    readonly authToken: string | undefined
    readonly stateless: boolean
    readonly maxSessions: number
    readonly sessionIdleTimeoutMs: number
    /** "token" exactly when authToken is set. */
    readonly auth: ConfigFile["server"]["http"]["auth"]
    readonly identity: ConfigFile["server"]["http"]["identity"]
    /** Set exactly when auth is "oauth". */
    readonly oauth: OAuthSettings | undefined
  }
  readonly kubernetes: {
    readonly provider: ConfigFile["kubernetes"]["provider"]
    readonly kubeconfigPath: string
    readonly context: string
    readonly inClusterDir: string
    readonly contextsAllow: ReadonlyArray<string>
    readonly contextsDeny: ReadonlyArray<string>
    readonly fanoutConcurrency: number
    readonly fanoutTimeoutMs: number
  }
  readonly audit: {
    /** "" = off; "stderr"; or an absolute file path. */
    readonly path: string
    readonly include: ConfigFile["audit"]["include"]
    readonly maxSize: number
    readonly keep: number
  }
  readonly helm: {
    /** "" = find `helm` on PATH. */
    readonly binary: string
    readonly timeoutMs: number
  }
  readonly metrics: {
    readonly enabled: boolean
    /** A separate /metrics listener; absent: /metrics is on the HTTP transport's listener. */
    readonly listen: { readonly host: string; readonly port: number } | undefined
  }
  readonly tracing: {
    readonly enabled: boolean
    readonly endpoint: string
    readonly serviceName: string
  }
  readonly rbacCacheTtlMs: number
  readonly readOnly: boolean
  readonly maxBytes: number
  readonly defaults: ContextSettings
  readonly perContext: Readonly<Record<string, Partial<ContextSettings>>>
}

/**
 * One context's settings: the global values, then every `[contexts."<pattern>"]` table whose pattern matches
 * the name (in file order, a later table overriding an earlier one), then the table of its exact name.
 */
export const settingsFor = (settings: Settings, context: string): ContextSettings => {
  const tables = Object.entries(settings.perContext)
  const patterns = tables.filter(([p]) => isGlob(p) && globToRegExp(p).test(context)).map(([, o]) => o)
  const exact = settings.perContext[context]
  const merged: ContextSettings = Object.assign({}, settings.defaults, ...patterns, exact)
  // a global read_only can never be loosened per context
  return { ...merged, readOnly: settings.readOnly || merged.readOnly }
}
