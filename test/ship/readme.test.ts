/**
 * The README's two quick-start commands, as written: `npm install && npm run demo` starts a server that
 * answers MCP over HTTP against the demo clusters, and `npm test` is what .ci/run runs. (`npm install` is
 * not re-run here: this checkout's node_modules are shared with concurrent work; the demo part runs for
 * real; .ci/run runs it in its fresh clone and fails when it changes the checkout, e.g. a package-lock.json
 * that lacks other platforms' optional packages because it was written over an existing node_modules.)
 */
import { type ChildProcess, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { call, clusterInfo, connectHttp, freePort, REPO, rowsOf } from "../support/mcp.js"

const README = readFileSync(join(REPO, "README.md"), "utf8")
const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts

/** The commands of the first ```sh block under "## Quick start", comments stripped. */
const quickStart = (): Array<string> => {
  const section = README.slice(README.indexOf("## Quick start"))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ""
  return block.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l !== "")
}

describe("README quick start", () => {
  let demo: ChildProcess | undefined

  afterAll(async () => {
    if (demo?.pid !== undefined && demo.exitCode === null) {
      const exited = new Promise((r) => demo?.once("exit", r))
      process.kill(-demo.pid, "SIGTERM") // npm → sh → node: the whole group this test started
      await exited
    }
  })

  it("is two commands: the demo server and the test suite", () => {
    expect(quickStart()).toEqual(["npm install && npm run demo", "npm test"])
    expect(scripts["demo"]).toBeDefined()
    expect(scripts["test"]).toMatch(/vitest run/)
    expect(readFileSync(join(REPO, ".ci/run"), "utf8")).toMatch(/^npm test$/m)
  })

  it("`npm run demo` serves MCP over HTTP against the demo clusters", async () => {
    const command = quickStart()[0]?.split("&&")[1]?.trim() ?? ""
    expect(command).toBe("npm run demo")
    const port = await freePort()
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG") env[k] = v
    // the running test control plane is the demo one; a free port instead of 8080 (env beats defaults)
    env["KUBE_MCP_CLUSTER_DIR"] = clusterInfo().stateDir
    env["KUBE_MCP_SERVER_HTTP_ADDRESS"] = `127.0.0.1:${port}`
    let output = ""
    demo = spawn("sh", ["-c", command], { cwd: REPO, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    demo.stdout?.on("data", (d: Buffer) => {
      output += d.toString()
    })
    demo.stderr?.on("data", (d: Buffer) => {
      output += d.toString()
    })
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 240_000
    while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
      if (demo.exitCode !== null) throw new Error(`npm run demo exited (${demo.exitCode}):\n${output.slice(-3000)}`)
      if (Date.now() > deadline) throw new Error(`npm run demo did not serve within 240 s:\n${output.slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 250))
    }
    const client = await connectHttp(url)
    try {
      expect(client.getServerVersion()?.name).toBe("kube-mcp")
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["config_contexts_list", "namespaces_list", "pods_list"]))
      const contexts = await call(client, "config_contexts_list")
      expect(contexts.structured?.["current_context"]).toBe("dev-cluster")
      const prod = await call(client, "namespaces_list", { context: "prod-cluster" })
      expect(rowsOf(prod).map((r) => r["name"])).toContain("production")
    } finally {
      await client.close()
    }
  }, 300_000)
})
