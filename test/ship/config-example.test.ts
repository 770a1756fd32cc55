/**
 * config.example.toml is the documented default configuration: it loads through the real loader, sets
 * every key of KEYS to its documented default with a comment above it, and its commented per-context
 * example loads too. The reference docs name every key, variable and flag.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse as parseToml } from "smol-toml"
import { describe, expect, it } from "vitest"
import { loadSettings, parseCli, USAGE } from "../../src/config/load.js"
import { envName, KEYS } from "../../src/config/settings.js"
import { REPO, writeTemp } from "../support/mcp.js"

const EXAMPLE = join(REPO, "config.example.toml")
const exampleText = readFileSync(EXAMPLE, "utf8")
const CONFIGURATION_MD = readFileSync(join(REPO, "docs/configuration.md"), "utf8")
const README = readFileSync(join(REPO, "README.md"), "utf8")

const load = (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}) =>
  Effect.runPromise(Effect.flatMap(parseCli(argv), (cli) => loadSettings({ cli, env, cwd: REPO })))

const isTree = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const lookup = (tree: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((node, key) => (isTree(node) ? node[key] : undefined), tree)

describe("config.example.toml", () => {
  it("loads through the real config loader and equals the built-in defaults", async () => {
    const fromExample = await load(["--config", EXAMPLE])
    const defaults = await load([])
    expect(fromExample.sources).toEqual([EXAMPLE])
    expect({ ...fromExample, sources: [] }).toEqual({ ...defaults, sources: [] })
  })

  it("sets every key to its documented default", () => {
    const tree = parseToml(exampleText)
    for (const key of KEYS) {
      const documented = lookup(parseToml(`v = ${key.default}`), ["v"])
      expect(lookup(tree, key.path), key.path.join(".")).toEqual(documented)
    }
  })

  it("has a comment above every key", () => {
    const lines = exampleText.split("\n")
    lines.forEach((line, i) => {
      if (/^[a-z_]+ = /.test(line)) expect(lines[i - 1], `comment above "${line}"`).toMatch(/^#/)
    })
  })

  it("its commented [contexts.\"name\"] example loads as per-context overrides", async () => {
    const start = exampleText.indexOf(`# [contexts."prod-cluster"]`)
    expect(start).toBeGreaterThan(0)
    const block = exampleText.slice(start).split("\n").filter((l) => l.startsWith("# ")).map((l) => l.slice(2)).join("\n")
    const file = writeTemp("config.toml", `${exampleText}\n${block}\n`)
    const settings = await load(["--config", file])
    expect(settings.perContext["prod-cluster"]).toEqual({
      readOnly: true,
      requireRbac: true,
      qps: 20,
      burst: 40,
      timeoutMs: 10_000,
      revealSecrets: false
    })
  })
})

describe("configuration reference", () => {
  it("docs/configuration.md has a row for every key with its type, default, variable and flag", () => {
    for (const key of KEYS) {
      const row = CONFIGURATION_MD.split("\n").find((l) => l.startsWith(`| \`${key.path.join(".")}\` |`))
      expect(row, key.path.join(".")).toBeDefined()
      const cells = (row ?? "").split("|").slice(1, -1).map((c) => c.trim())
      expect(cells[1]).toBe(key.kind)
      expect(cells[2]).toBe(`\`${key.default}\``)
      expect(cells[3]).toBe(`\`${envName(key.path)}\``)
      expect(cells[4]).toBe(key.flag !== undefined ? `\`--${key.flag}\`` : "")
    }
  })

  it("docs/configuration.md shows the flags exactly as --help prints them", () => {
    const options = USAGE.split("\n").filter((l) => l.startsWith("  -"))
    expect(options.length).toBeGreaterThan(8)
    for (const line of options) expect(CONFIGURATION_MD).toContain(`\n${line.trim()}\n`)
  })

  it("the special environment variables and the precedence rule are documented", () => {
    for (const doc of [CONFIGURATION_MD, README]) {
      expect(doc).toContain("KUBE_MCP_HTTP_TOKEN")
      expect(doc).toContain("KUBE_MCP_CONFIG")
    }
    expect(README).toContain("**command-line flags > `KUBE_MCP_*` environment variables > config file > defaults**")
    for (const key of KEYS) if (key.flag !== undefined) expect(README).toContain(`\`--${key.flag}\``)
  })

  it("every relative link in README.md and docs/*.md points at a file that exists", () => {
    for (const [file, dir] of [["README.md", ""], ["docs/configuration.md", "docs"], ["docs/clients.md", "docs"], ["docs/security.md", "docs"]] as const) {
      const text = readFileSync(join(REPO, file), "utf8")
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = m[1] ?? ""
        if (/^[a-z]+:/.test(target)) continue
        expect(() => readFileSync(join(REPO, dir, target)), `${file} → ${target}`).not.toThrow(/ENOENT/)
      }
    }
  })
})
