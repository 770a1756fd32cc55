/**
 * The layering the code keeps (issue #11): tools are thin declarations over the Kubernetes domain layer.
 * - a tool file imports only src/kube/**, the tool kit (src/tool/**, src/output/**), src/tools/params.ts,
 *   src/errors.ts, src/config/appSettings.ts and src/config/duration.ts, never another tool file or a helper under src/tools/**;
 * - src/tools/<domain>/ holds tool files and its index.ts only;
 * - src/kube/** (the domain) never imports the tools, the tool kit or the MCP transports;
 * - src/mcp/catalog/** (resources, prompts, completion) imports no tool and no MCP SDK: it works with either SDK generation.
 * Read from the import statements of the sources themselves, so a new file is checked without listing it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const ROOT = path.resolve(import.meta.dirname, "../..")
const SRC = path.join(ROOT, "src")

const filesUnder = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name)
    return statSync(full).isDirectory() ? filesUnder(full) : full.endsWith(".ts") ? [full] : []
  })

/** The project files a source file imports (relative specifiers, resolved to src/…/x.ts). */
const importsOf = (file: string): Array<string> => {
  const text = readFileSync(file, "utf8")
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.[^"]+)"/g)].map((m) => m[1] ?? "")
  return specs.map((s) => path.relative(ROOT, path.resolve(path.dirname(file), s.replace(/\.js$/, ".ts"))))
}

const rel = (file: string) => path.relative(ROOT, file)
const TOOL_ALLOWED = [/^src\/kube\//, /^src\/tool\//, /^src\/output\//, /^src\/tools\/params\.ts$/, /^src\/errors\.ts$/, /^src\/config\/(appSettings|duration)\.ts$/]
/** Registration points: they list tools, so they import them. */
const isIndex = (file: string) => path.basename(file) === "index.ts"

describe("layout", () => {
  const tools = filesUnder(path.join(SRC, "tools")).filter((f) => !isIndex(f) && rel(f) !== "src/tools/params.ts")

  it("a tool imports only the domain layer, the tool kit, params, errors and the settings", () => {
    const offending = tools.flatMap((f) =>
      importsOf(f).filter((i) => !TOOL_ALLOWED.some((re) => re.test(i))).map((i) => `${rel(f)} imports ${i}`)
    )
    expect(offending).toEqual([])
  })

  it("every file under src/tools declares a tool (helpers live in src/kube or src/output)", () => {
    const helpers = tools.filter((f) => !/\b(clusterTool|localTool|fleetTool)\(/.test(readFileSync(f, "utf8"))).map(rel)
    expect(helpers).toEqual([])
  })

  it("the domain layer depends on no tool, no tool kit and no transport", () => {
    const offending = filesUnder(path.join(SRC, "kube")).flatMap((f) =>
      importsOf(f).filter((i) => /^src\/(tools|tool|mcp)\//.test(i)).map((i) => `${rel(f)} imports ${i}`)
    )
    expect(offending).toEqual([])
  })

  it("the catalog imports no tool and no MCP SDK", () => {
    const files = filesUnder(path.join(SRC, "mcp", "catalog"))
    const offending = files.flatMap((f) => [
      ...importsOf(f).filter((i) => /^src\/(tools|mcp\/(?!catalog\/))/.test(i)).map((i) => `${rel(f)} imports ${i}`),
      ...(/from\s+"@modelcontextprotocol\//.test(readFileSync(f, "utf8")) ? [`${rel(f)} imports the MCP SDK`] : [])
    ])
    expect(files.length).toBeGreaterThan(3)
    expect(offending).toEqual([])
  })

  it("finds the imports it checks (the rule is not vacuous)", () => {
    expect(tools.length).toBeGreaterThan(15)
    expect(tools.every((f) => importsOf(f).some((i) => i.startsWith("src/tool/")))).toBe(true)
  })
})
