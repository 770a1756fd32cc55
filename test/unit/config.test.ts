/** Config loading: precedence flags > env > file > defaults, and errors that name the key and the source. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { loadSettings, parseCli } from "../../src/config/load.js"
import { parseDurationMs } from "../../src/config/duration.js"
import { settingsFor } from "../../src/config/settings.js"
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
      expect(s.defaults).toEqual({ readOnly: false, requireRbac: false, qps: 100, burst: 200, timeoutMs: 30_000, revealSecrets: false })
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
      expect(e.message).toContain(`"security.rbac_cache_ttl"`)
    }))

  it.effect("bad env values and flags are refused with their source", () =>
    Effect.gen(function*() {
      const env = yield* Effect.flip(load([], { KUBE_MCP_KUBERNETES_BURST: "lots" }))
      expect(env.message).toContain("KUBE_MCP_KUBERNETES_BURST")
      const flag = yield* Effect.flip(load(["--transport", "carrier-pigeon"]))
      expect(flag.message).toContain("command-line flags")
      const unknownFlag = yield* Effect.either(load(["--nope"]))
      expect(Either.isLeft(unknownFlag) && unknownFlag.left.message).toContain("--nope")
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
