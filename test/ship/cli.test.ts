/**
 * The command line as a user meets it: --help and --version on stdout with exit 0; a bad flag, a bad config
 * file, a bad environment variable → one clear message on stderr and exit code 2, before anything serves.
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { KEYS } from "../../src/config/settings.js"
import { NODE_ARGS, REPO, writeTemp } from "../support/mcp.js"

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version

const run = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KUBE_MCP_")) clean[k] = v
  const r = spawnSync(process.execPath, [...NODE_ARGS, ...args], {
    cwd: REPO,
    env: { ...clean, ...env },
    encoding: "utf8",
    input: "",
    timeout: 30_000
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe("kube-mcp CLI", () => {
  it("--help prints the usage with every flag and exits 0", () => {
    const r = run(["--help"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    expect(r.stdout).toMatch(/^Usage: kube-mcp \[options\]/)
    for (const flag of ["--config", "--help", "--version", ...KEYS.flatMap((k) => (k.flag !== undefined ? [`--${k.flag}`] : []))]) {
      expect(r.stdout).toContain(flag)
    }
    expect(r.stdout).toContain("Precedence: flags > KUBE_MCP_* environment variables > config file > defaults.")
    expect(run(["-h"]).stdout).toBe(r.stdout)
  })

  it("--version prints the package version and exits 0", () => {
    for (const flag of ["--version", "-v"]) {
      const r = run([flag])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe(`kube-mcp ${VERSION}\n`)
    }
  })

  it("an unknown flag or a stray argument: message + exit 2", () => {
    const bad = run(["--bogus"])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe("")
    expect(bad.stderr).toBe("kube-mcp: Unknown option '--bogus'\nRun kube-mcp --help for usage.\n")
    const stray = run(["serve"])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toMatch(/^kube-mcp: .*serve.*\nRun kube-mcp --help for usage\.\n$/)
    const missingValue = run(["--context"])
    expect(missingValue.code).toBe(2)
    expect(missingValue.stderr).toContain("--context")
  })

  it("a config file with an unknown key and bad values names the file and each key", () => {
    const file = writeTemp("config.toml", "[server]\ntransport = [\"stdio\"]\n[kubernetes]\nprovider = \"k8s\"\nqps = -1\n")
    const r = run(["--config", file])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toContain(`kube-mcp: invalid configuration in ${file}:`)
    expect(r.stderr).toContain(`"server.transport": unknown key`)
    expect(r.stderr).toContain(`"kubernetes.provider": expected one of "kubeconfig", "in-cluster", "single"; got "k8s"`)
    expect(r.stderr).toContain(`"kubernetes.qps"`)
  })

  it("an unreadable or unparsable config file: message + exit 2", () => {
    const missing = run(["--config", "/nonexistent/kube-mcp.toml"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("cannot read config file /nonexistent/kube-mcp.toml")
    const broken = writeTemp("config.toml", "[server\n")
    const r = run([], { KUBE_MCP_CONFIG: broken })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`cannot parse config file ${broken}`)
  })

  it("a bad environment variable is named", () => {
    const r = run([], { KUBE_MCP_SECURITY_READ_ONLY: "maybe" })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("KUBE_MCP_SECURITY_READ_ONLY")
    expect(r.stderr).toContain(`"security.read_only"`)
  })

  it("bad flag values and inconsistent settings: message + exit 2", () => {
    const transport = run(["--transport", "carrier-pigeon"])
    expect(transport.code).toBe(2)
    expect(transport.stderr).toContain("command-line flags")
    expect(transport.stderr).toContain(`"server.transports`)
    const single = run(["--provider", "single"])
    expect(single.code).toBe(2)
    expect(single.stderr).toBe("kube-mcp: kubernetes.context: the single provider needs the context it is locked to\n")
    const emptyToken = writeTemp("token", "\n")
    const token = run(["--transport", "http", "--http-address", "127.0.0.1:1"], { KUBE_MCP_SERVER_HTTP_AUTH_TOKEN_FILE: emptyToken })
    expect(token.code).toBe(2)
    expect(token.stderr).toContain(`server.http.auth_token_file: ${emptyToken} is empty`)
  })
})
