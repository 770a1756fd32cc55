/**
 * Config loading: precedence flags > env > file > defaults, errors that name the key and the source, and
 * everything derived from the one annotated schema (defaults, env names, flags, --help).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Result, Schema } from "effect"
import { parse as parseToml } from "smol-toml"
import { loadSettings, OPTION_LINES, parseCli, USAGE } from "../../src/config/load.js"
import { parseDurationMs } from "../../src/config/duration.js"
import { ConfigFile, CONTEXT_KEYS, envName, KEYS, settingsFor } from "../../src/config/settings.js"
import { writeTemp } from "../support/mcp.js"

const load = (argv: Array<string>, env: Record<string, string> = {}) =>
  parseCli(argv).pipe(Effect.flatMap((cli) => loadSettings({ cli, env, cwd: "/work" })))

describe("config", () => {
  it.effect("defaults", () =>
    Effect.gen(function*() {
      const s = yield* load([])
      expect(s.transports).toEqual(["stdio"])
      expect(s.http).toMatchObject({ host: "127.0.0.1", port: 8080, stateless: false, authToken: undefined })
      expect(s.kubernetes).toMatchObject({ provider: "kubeconfig", kubeconfigPath: "", context: "" })
      expect(s.defaults).toEqual({
        readOnly: false,
        requireRbac: false,
        qps: 100,
        burst: 200,
        timeoutMs: 30_000,
        revealSecrets: false,
        deniedResources: [],
        allowedNamespaces: [],
        confirmDestructive: false
      })
      expect(s.kubernetes).toMatchObject({ contextsAllow: ["*"], contextsDeny: [], fanoutConcurrency: 8, fanoutTimeoutMs: 60_000 })
      expect(s.rbacCacheTtlMs).toBe(5000)
      expect(s.maxBytes).toBe(65536)
    }))

  it.effect("flags > env > file > defaults", () =>
    Effect.gen(function*() {
      const file = writeTemp("c.toml", `
[server]
log_level = "warn"
transports = ["http"]
[kubernetes]
context = "from-file"
qps = 5
timeout = "1m30s"
kubeconfig_path = "~/kc"
`)
      const env = { KUBE_MCP_KUBERNETES_CONTEXT: "from-env", KUBE_MCP_KUBERNETES_QPS: "7", KUBE_MCP_SECURITY_READ_ONLY: "true" }
      const s = yield* load(["--config", file, "--context", "from-flag"], env)
      expect(s.kubernetes.context).toBe("from-flag")
      expect(s.defaults.qps).toBe(7)
      expect(s.readOnly).toBe(true)
      expect(s.logLevel).toBe("warn")
      expect(s.transports).toEqual(["http"])
      expect(s.defaults.timeoutMs).toBe(90_000)
      expect(s.kubernetes.kubeconfigPath).toMatch(/\/kc$/)
      expect(s.kubernetes.kubeconfigPath.startsWith("~")).toBe(false)
      const t = yield* load(["--config", file, "--transport", "stdio", "--transport", "http"], env)
      expect(t.transports).toEqual(["stdio", "http"])
    }))

  it.effect("per-context overrides never loosen a global read_only", () =>
    Effect.gen(function*() {
      const file = writeTemp("c.toml", `
[security]
read_only = true
[contexts."prod"]
read_only = false
qps = 1
timeout = "2s"
`)
      const s = yield* load(["--config", file])
      expect(settingsFor(s, "prod")).toMatchObject({ readOnly: true, qps: 1, timeoutMs: 2000, burst: 200 })
      expect(settingsFor(s, "dev")).toMatchObject({ readOnly: true, qps: 100 })
    }))

  it.effect("unknown keys and bad values name the key and the file", () =>
    Effect.gen(function*() {
      const file = writeTemp("bad.toml", "[kubernetes]\nqpss = 3\nprovider = \"x\"\n[security]\nrbac_cache_ttl = \"soon\"\n")
      const e = yield* Effect.flip(load(["--config", file]))
      expect(e.message).toContain(file)
      expect(e.message).toContain(`"kubernetes.qpss": unknown key`)
      expect(e.message).toContain(`"kubernetes.provider": expected one of "kubeconfig", "in-cluster", "single"; got "x"`)
      expect(e.message).toContain(
        `"security.rbac_cache_ttl": expected a duration like "30s", "1m30s", "500ms" or a number of seconds, got "soon"`
      )
      // one line per key, nothing else
      expect(e.message.split("\n")).toHaveLength(4)
    }))

  it.effect("bad values in every section and per context: one line per key, naming it", () =>
    Effect.gen(function*() {
      const file = writeTemp("bad.toml", `
[server]
transports = ["carrier", "http"]
[server.http]
address = "nope"
max_sessions = 0
session_idle_timeout = true
[kubernetes]
qps = -1
burst = 1.5
[output]
max_bytes = "lots"
[contexts."prod"]
qps = "x"
read_only = "yes"
colour = "red"
[bogus]
`)
      const e = yield* Effect.flip(load(["--config", file]))
      expect(e.message.split("\n").slice(1).sort()).toEqual([
        `  "bogus": unknown key`,
        `  "contexts.prod.colour": unknown key`,
        `  "contexts.prod.qps": expected number, got "x"`,
        `  "contexts.prod.read_only": expected boolean, got "yes"`,
        `  "kubernetes.burst": expected an integer, got 1.5`,
        `  "kubernetes.qps": expected a value greater than 0, got -1`,
        `  "output.max_bytes": expected number, got "lots"`,
        `  "server.http.address": expected host:port (like 127.0.0.1:8080 or [::1]:8080), got "nope"`,
        `  "server.http.max_sessions": expected a value between 1 and 1000000, got 0`,
        `  "server.http.session_idle_timeout": expected a duration like "30s", "1m30s", "500ms" or a number of seconds, got true`,
        `  "server.transports.0": expected one of "stdio", "http"; got "carrier"`
      ])
    }))

  it.effect("the single provider needs kubernetes.context", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(load(["--provider", "single"]))
      expect(e.message).toBe("kubernetes.context: the single provider needs the context it is locked to")
      expect((yield* load(["--provider", "single", "--context", "dev"])).kubernetes).toMatchObject({ provider: "single", context: "dev" })
    }))

  it.effect("bad env values and flags are refused with their source", () =>
    Effect.gen(function*() {
      const env = yield* Effect.flip(load([], { KUBE_MCP_KUBERNETES_BURST: "lots" }))
      expect(env.message).toContain("KUBE_MCP_KUBERNETES_BURST")
      expect(env.message).toContain(`"kubernetes.burst": expected number, got "lots"`)
      const flag = yield* Effect.flip(load(["--transport", "carrier-pigeon"]))
      expect(flag.message).toBe(
        `invalid configuration in command-line flags:\n  "server.transports.0": expected one of "stdio", "http"; got "carrier-pigeon"`
      )
      const unknownFlag = yield* Effect.result(load(["--nope"]))
      expect(Result.isFailure(unknownFlag) && unknownFlag.failure.message).toContain("--nope")
      const syntax = yield* Effect.flip(load(["--config", writeTemp("x.toml", "[server\n")]))
      expect(syntax.message).toContain("cannot parse config file")
      const missing = yield* Effect.flip(load(["--config", "/nonexistent/config.toml"]))
      expect(missing.message).toContain("/nonexistent/config.toml")
    }))

  it.effect("the bearer token comes from KUBE_MCP_HTTP_TOKEN or auth_token_file", () =>
    Effect.gen(function*() {
      const tokenFile = writeTemp("token", "file-token\n")
      const file = writeTemp("c.toml", `[server.http]\nauth_token_file = "${tokenFile}"\n`)
      expect((yield* load(["--config", file])).http.authToken).toBe("file-token")
      expect((yield* load(["--config", file], { KUBE_MCP_HTTP_TOKEN: "env-token" })).http.authToken).toBe("env-token")
      const empty = writeTemp("c.toml", `[server.http]\nauth_token_file = "${writeTemp("t", "  \n")}"\n`)
      expect((yield* Effect.flip(load(["--config", empty]))).message).toContain("is empty")
    }))

  it.effect("a list flag may be repeated and comma-separated; duplicates collapse", () =>
    Effect.gen(function*() {
      const s = yield* load(["--transport", "http,stdio", "--transport", "http", "--read-only", "--log-level", "debug"])
      expect(s.transports).toEqual(["http", "stdio"])
      expect(s.readOnly).toBe(true)
      expect(s.logLevel).toBe("debug")
      const env = yield* load([], { KUBE_MCP_SERVER_TRANSPORTS: "stdio, http", KUBE_MCP_SECURITY_READ_ONLY: "1", KUBE_MCP_KUBERNETES_TIMEOUT: "5" })
      expect(env.transports).toEqual(["stdio", "http"])
      expect(env.readOnly).toBe(true)
      expect(env.defaults.timeoutMs).toBe(5000)
    }))

  it("durations", () => {
    expect(parseDurationMs("30s")).toBe(30_000)
    expect(parseDurationMs("1m30s")).toBe(90_000)
    expect(parseDurationMs("500ms")).toBe(500)
    expect(parseDurationMs("2h")).toBe(7_200_000)
    expect(parseDurationMs(5)).toBe(5000)
    expect(parseDurationMs("5")).toBe(5000)
    expect(parseDurationMs("5 parsecs")).toBeUndefined()
    expect(parseDurationMs("")).toBeUndefined()
    expect(parseDurationMs(-1)).toBeUndefined()
  })
})

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/** A key's documented default (TOML) as the value of its environment variable. */
const envSpelling = (tomlDefault: string): string => {
  const value: unknown = parseToml(`v = ${tomlDefault}`)["v"]
  return Array.isArray(value) ? value.join(",") : String(value)
}

describe("derived from the annotated schema", () => {
  it("every key has one environment variable, KUBE_MCP_<SECTION>_<KEY>, and no two keys share a name or a flag", () => {
    expect(KEYS.length).toBeGreaterThan(20)
    for (const key of KEYS) {
      expect(key.env).toBe(envName(key.path))
      expect(key.env).toMatch(/^KUBE_MCP_[A-Z_]+$/)
    }
    const names = KEYS.map((k) => k.path.join("."))
    expect(new Set(names).size).toBe(names.length)
    expect(new Set(KEYS.map((k) => k.env)).size).toBe(KEYS.length)
    const flags = KEYS.flatMap((k) => (k.flag !== undefined ? [k.flag] : []))
    expect(new Set([...flags, "config", "help", "version"]).size).toBe(flags.length + 3)
    expect(flags).toEqual(["transport", "log-level", "heap", "http-address", "provider", "kubeconfig", "context", "read-only"])
  })

  it("USAGE lists every flag once, with its line, between --config and --help", () => {
    const options = USAGE.split("\n").filter((l) => l.startsWith("  -")).map((l) => l.slice(2))
    expect(options).toEqual(OPTION_LINES)
    expect(options[0]).toMatch(/^--config <file> +TOML config file/)
    expect(options.slice(-2)).toEqual([expect.stringMatching(/^-h, --help +show this help$/), expect.stringMatching(/^-v, --version +print the version$/)])
    for (const key of KEYS) {
      if (key.flag === undefined) {
        expect(key.usage).toBeUndefined()
        continue
      }
      expect(options.filter((l) => l.startsWith(`--${key.flag} `))).toEqual([key.usage])
      // booleans take no value; the others name theirs
      expect(key.usage).toMatch(key.kind === "boolean" ? new RegExp(`^--${key.flag} +[a-z]`) : new RegExp(`^--${key.flag} <[^>]+> +\\S`))
    }
    // the alternatives of a literal-valued key come from its schema
    expect(options).toEqual(expect.arrayContaining([
      expect.stringMatching(/^--provider <name> +kubeconfig \| in-cluster \| single$/),
      expect.stringMatching(/^--log-level <level> +debug \| info \| warn \| error \| none /),
      expect.stringMatching(/^--transport <list> +stdio \| http /)
    ]))
  })

  it("the defaults decode through the schema, and decoding nothing gives them", () => {
    const decode = Schema.decodeUnknownSync(ConfigFile, { onExcessProperty: "error" })
    const none = decode({})
    const tree: Record<string, unknown> = {}
    for (const key of KEYS) {
      let node = tree
      key.path.forEach((part, i) => {
        if (i === key.path.length - 1) node[part] = parseToml(`v = ${key.default}`)["v"]
        else node = isRecord(node[part]) ? node[part] : (node[part] = {})
      })
    }
    expect(decode(tree)).toEqual(none)
    expect(none.kubernetes.timeout).toBe(30_000)
    expect(none.security.rbac_cache_ttl).toBe(5000)
    expect(none.server.http.session_idle_timeout).toBe(1_800_000)
  })

  it.effect("every key can be set through its environment variable and, if it has one, its flag", () =>
    Effect.gen(function*() {
      const defaults = yield* load([])
      for (const key of KEYS) {
        const viaEnv = yield* load([], { [key.env]: envSpelling(key.default) })
        expect({ ...viaEnv, sources: [] }, key.env).toEqual({ ...defaults, sources: [] })
        expect(viaEnv.sources).toEqual([`env: ${key.env}`])
        if (key.flag === undefined || key.kind === "boolean") continue
        const viaFlag = yield* load([`--${key.flag}`, envSpelling(key.default)])
        expect(viaFlag, `--${key.flag}`).toEqual(defaults)
      }
      expect((yield* load(["--read-only"])).readOnly).toBe(true)
    }))

  it("every per-context key overrides a global key of the same name", () => {
    expect(CONTEXT_KEYS.map((c) => c.name)).toEqual([
      "read_only",
      "require_rbac",
      "qps",
      "burst",
      "timeout",
      "reveal_secrets",
      "denied_resources",
      "allowed_namespaces",
      "confirm_destructive"
    ])
    for (const c of CONTEXT_KEYS) expect(c.global?.path.at(-1), c.name).toBe(c.name)
  })
})

describe("config: server.http auth and identity (issue #14)", () => {
  const withFile = (toml: string, env: Record<string, string> = {}) => load(["--config", writeTemp("c.toml", toml)], env)
  const refused = (toml: string, env: Record<string, string> = {}) => Effect.map(Effect.flip(withFile(toml, env)), (e) => e.message)

  it.effect("defaults: no auth, the server's identity; a configured token means auth token", () =>
    Effect.gen(function*() {
      const s = yield* load([])
      expect(s.http).toMatchObject({ auth: "none", identity: "server", oauth: undefined })
      const t = yield* load([], { KUBE_MCP_HTTP_TOKEN: "t0k" })
      expect(t.http).toMatchObject({ auth: "token", authToken: "t0k" })
    }))

  it.effect("oauth: the section becomes OAuthSettings (audience defaults to resource, durations in ms, CA read)", () =>
    Effect.gen(function*() {
      const ca = writeTemp("ca.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
      const s = yield* withFile(`
[server.http]
auth = "oauth"
identity = "passthrough"
[server.http.oauth]
issuer = "https://issuer.example"
resource = "https://mcp.example/mcp"
ca_file = "${ca}"
clock_skew = "1m"
write_scopes = ["mcp:write"]
`)
      expect(s.http.identity).toBe("passthrough")
      expect(s.http.oauth).toMatchObject({
        issuer: "https://issuer.example",
        audience: "https://mcp.example/mcp",
        clockSkewMs: 60_000,
        userClaim: "sub",
        groupsClaim: "groups",
        readScopes: [],
        writeScopes: ["mcp:write"]
      })
      expect(s.http.oauth?.ca).toContain("BEGIN CERTIFICATE")
    }))

  it.effect("each rule is stated when broken", () =>
    Effect.gen(function*() {
      expect(yield* refused(`[server.http]\nauth = "token"\n`)).toContain(`server.http.auth = "token" needs the token`)
      expect(yield* refused(`[server.http]\nidentity = "impersonate"\n`)).toContain(`server.http.identity = "impersonate" needs server.http.auth = "oauth"`)
      expect(yield* refused(`[server.http]\nauth = "oauth"\n`)).toContain("server.http.oauth.issuer must be the issuer's https URL")
      expect(yield* refused(`[server.http]\nauth = "oauth"\n[server.http.oauth]\nissuer = "http://idp.example"\naudience = "a"\n`))
        .toContain("http only on localhost")
      expect(yield* refused(`[server.http]\nauth = "oauth"\n[server.http.oauth]\nissuer = "https://idp.example"\n`))
        .toContain("needs server.http.oauth.audience")
      expect(yield* refused(`[server.http]\nauth = "oauth"\n[server.http.oauth]\nissuer = "https://idp.example"\naudience = "a"\n`, { KUBE_MCP_HTTP_TOKEN: "x" }))
        .toContain(`auth = "oauth" takes no shared token`)
      expect(yield* refused(`[server.http.oauth]\nissuer = "https://idp.example"\n`)).toContain(`set auth = "oauth" to use it`)
      expect(yield* refused(`[server.http]\nauth = "oauth"\n[server.http.oauth]\nissuer = "https://idp.example"\naudience = "a"\nca_file = "/nonexistent/ca.pem"\n`))
        .toContain("server.http.oauth.ca_file: cannot read /nonexistent/ca.pem")
      expect(yield* refused(`[server.http]\nauth = "magic"\n`)).toContain(`expected one of "none", "token", "oauth"`)
    }))
})
