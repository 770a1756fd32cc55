/**
 * config.example.toml is the documented default configuration: it loads through the real loader, sets
 * every key of KEYS to its documented default with a comment above it, and its commented per-context
 * example loads too. The reference docs carry the tables and the flags rendered from the key declarations.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { parse as parseToml } from "smol-toml"
import { describe, expect, it } from "vitest"
import { loadSettings, parseCli, USAGE } from "../../src/config/load.js"
import { contextKeysTable, flagsBlock, keysTable } from "../../src/config/reference.js"
import { CONTEXT_KEYS, envName, KEYS } from "../../src/config/settings.js"
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

  it("has a comment above every key, naming its flag if it has one", () => {
    const lines = exampleText.split("\n")
    lines.forEach((line, i) => {
      if (/^[a-z_]+ = /.test(line)) expect(lines[i - 1], `comment above "${line}"`).toMatch(/^#/)
    })
    let section = ""
    const commentAbove = new Map<string, string>()
    lines.forEach((line, i) => {
      section = /^\[([a-z.]+)\]$/.exec(line)?.[1] ?? section
      const name = /^([a-z_]+) = /.exec(line)?.[1]
      if (name === undefined) return
      let start = i
      while (lines[start - 1]?.startsWith("#") === true) start--
      commentAbove.set(`${section}.${name}`, lines.slice(start, i).join("\n"))
    })
    expect([...commentAbove.keys()]).toEqual(KEYS.map((k) => k.path.join(".")))
    for (const key of KEYS) {
      if (key.flag !== undefined) expect(commentAbove.get(key.path.join(".")), key.path.join(".")).toContain(`Flag: --${key.flag}`)
    }
  })

  it("its commented [contexts.\"name\"] example loads as per-context overrides", async () => {
    const start = exampleText.indexOf(`# [contexts."prod-cluster"]`)
    expect(start).toBeGreaterThan(0)
    const block = exampleText.slice(start).split("\n").filter((l) => l.startsWith("# ")).map((l) => l.slice(2)).join("\n")
    const prod = lookup(parseToml(block), ["contexts", "prod-cluster"])
    expect(isTree(prod) ? Object.keys(prod) : prod, "the example sets every per-context key").toEqual(CONTEXT_KEYS.map((c) => c.name))
    const file = writeTemp("config.toml", `${exampleText}\n${block}\n`)
    const settings = await load(["--config", file])
    expect(settings.perContext["prod-cluster"]).toEqual({
      readOnly: true,
      requireRbac: true,
      qps: 20,
      burst: 40,
      timeoutMs: 10_000,
      revealSecrets: false,
      deniedResources: ["secrets", "rbac.authorization.k8s.io/clusterroles"],
      allowedNamespaces: ["production"],
      confirmDestructive: true
    })
  })
})

describe("configuration reference", () => {
  it("docs/configuration.md has the keys table, the per-context table and the flags rendered from the declarations", () => {
    expect(CONFIGURATION_MD, "docs/configuration.md: paste keysTable() from src/config/reference.ts").toContain(`\n${keysTable()}\n`)
    expect(CONFIGURATION_MD, "docs/configuration.md: paste contextKeysTable()").toContain(`\n${contextKeysTable()}\n`)
    expect(CONFIGURATION_MD, "docs/configuration.md: paste flagsBlock()").toContain(`\n${flagsBlock()}\n`)
  })

  it("docs/configuration.md has a row for every key with its type, default, variable and flag", () => {
    for (const key of KEYS) {
      const row = CONFIGURATION_MD.split("\n").find((l) => l.startsWith(`| \`${key.path.join(".")}\` |`))
      expect(row, key.path.join(".")).toBeDefined()
      const cells = (row ?? "").split("|").slice(1, -1).map((c) => c.trim())
      expect(cells[1]).toBe(key.kind)
      expect(cells[2]).toBe(`\`${key.default}\``)
      expect(cells[3]).toBe(`\`${key.env}\``)
      expect(key.env).toBe(envName(key.path))
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
