/**
 * The published package: `npm pack` (its prepack builds the bundle) gives a tarball with dist/ and the
 * docs only, and `npx file:<tarball>` in an empty directory runs: --help, then a real MCP session over stdio
 * (npx takes a bare absolute path for a command to run: a tarball is named `file:/abs/path` or `./rel`).
 * The package declares no dependencies: the bundle holds them, so npx installs the tarball alone, and the
 * bundle runs unpacked where no node_modules can be found.
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, clusterInfo, REPO, rowsOf } from "../support/mcp.js"

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version
const npm = process.platform === "win32" ? "npm.cmd" : "npm"
const npx = process.platform === "win32" ? "npx.cmd" : "npx"

/** The environment of a user's shell: nothing of ours (no KUBE_MCP_*, no KUBECONFIG, no npm_* of vitest's npm). */
const userEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG" && !k.toLowerCase().startsWith("npm_")) env[k] = v
  }
  return env
}

describe("npm pack", () => {
  let packDir = ""
  let emptyDir = ""
  let tarball = ""

  beforeAll(() => {
    packDir = mkdtempSync(join(tmpdir(), "kube-mcp-pack-"))
    emptyDir = mkdtempSync(join(tmpdir(), "kube-mcp-empty-"))
    const out = execFileSync(npm, ["pack", "--json", "--pack-destination", packDir], {
      cwd: REPO,
      env: userEnv(),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 240_000
    })
    // prepack's build output precedes npm's JSON on stdout
    const files = JSON.parse(out.slice(out.indexOf("[\n"))) as Array<{ filename: string }>
    tarball = join(packDir, files[0]?.filename ?? "")
  }, 300_000)

  afterAll(() => {
    for (const dir of [packDir, emptyDir]) if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })

  it("contains the bundle, package.json and README only", () => {
    expect(readdirSync(packDir)).toEqual([`kube-mcp-${VERSION}.tgz`])
    const entries = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n")
    expect(entries).toContain("package/dist/main.js")
    expect(entries).toContain("package/package.json")
    expect(entries).toContain("package/README.md")
    expect(entries.filter((e) => !e.startsWith("package/dist/") && !/^package\/(package\.json|README\.md|LICENSE)$/.test(e))).toEqual([])
    expect(entries.some((e) => e.startsWith("package/dist/chunks/"))).toBe(true)
    expect(entries.some((e) => e.endsWith(".ts"))).toBe(false)
    expect(entries.filter((e) => e.endsWith(".map"))).toEqual([])
  })

  it("declares no runtime dependencies, and the unpacked bundle runs with no node_modules anywhere above it", () => {
    const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as Record<string, unknown>
    for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies"]) expect(manifest[field], field).toBeUndefined()
    const unpacked = mkdtempSync(join(tmpdir(), "kube-mcp-unpacked-"))
    try {
      execFileSync("tar", ["-xzf", tarball, "-C", unpacked])
      const r = spawnSync(process.execPath, [join(unpacked, "package/dist/main.js"), "--version"], { cwd: unpacked, env: userEnv(), encoding: "utf8", timeout: 30_000 })
      expect(r.stderr).toBe("")
      expect(r.stdout).toBe(`kube-mcp ${VERSION}\n`)
      // the temp directory has no node_modules on the way up (a bare import would have failed above)
      expect(existsSync(join(tmpdir(), "node_modules"))).toBe(false)
    } finally {
      rmSync(unpacked, { recursive: true, force: true })
    }
  })

  it("npx <tarball> --help works in an empty directory", () => {
    const r = spawnSync(npx, ["--yes", `file:${tarball}`, "--help"], {
      cwd: emptyDir,
      env: userEnv(),
      encoding: "utf8",
      timeout: 300_000
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Usage: kube-mcp \[options\]/m)
    expect(readdirSync(emptyDir)).toEqual([]) // npx installs into its cache, not here
    const version = spawnSync(npx, ["--yes", `file:${tarball}`, "--version"], { cwd: emptyDir, env: userEnv(), encoding: "utf8", timeout: 120_000 })
    expect(version.stdout).toBe(`kube-mcp ${VERSION}\n`)
  }, 360_000)

  it("the packed server answers initialize, tools/list and a cluster call over stdio", async () => {
    const transport = new StdioClientTransport({
      command: npx,
      args: ["--yes", `file:${tarball}`, "--kubeconfig", clusterInfo().kubeconfig],
      cwd: emptyDir,
      env: userEnv(),
      stderr: "pipe"
    })
    const client = new Client({ name: "kube-mcp-pack-test", version: "0.0.0" })
    await client.connect(transport)
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "kube-mcp", version: VERSION })
      const { tools } = await client.listTools()
      expect(tools.length).toBeGreaterThanOrEqual(20)
      const r = await call(client, "namespaces_list", { context: "dev-cluster" })
      expect(r.isError, r.text).toBe(false)
      expect(rowsOf(r).map((row) => row["name"])).toContain("team-a")
    } finally {
      await client.close()
    }
  }, 120_000)
})
