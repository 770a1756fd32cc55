/**
 * The published bundle (scripts/build.mjs, as `npm run build` and the image build it) on the Node that
 * runs the tests, over stdio as an MCP client starts it: initialize, tools/list and a tool call that loads
 * the Kubernetes client chunk, with a throw-away kubeconfig (no cluster needed, so this is part of the
 * fast suite, `npm run test:fast`, that CI also runs on the Node floor). Every stderr line is a JSON log
 * line: no runtime warning (Node 22+ deprecates the `punycode` core module that whatwg-url requires;
 * the build bundles the userland package instead). The entry enables Node's compile cache in the user's
 * cache directory and starts silently without one when no directory is writable. server.heap: the
 * restart with bounded V8 heap flags keeps the process (pid, stdio) a client started.
 */
import { execFileSync, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, connectStdio, freePort, REPO } from "../support/mcp.js"
import { BOUNDED_HEAP } from "../../src/nodeHeap.js"

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: a
clusters:
- name: a
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: a
  context:
    cluster: a
    user: u
    namespace: default
users:
- name: u
  user:
    token: bundle-test
`

/** Node ≥ 22.1 has module.enableCompileCache. */
const hasCompileCache = Number(process.versions.node.split(".")[0]) >= 23 || /^22\.([1-9]\d*)\./.test(process.versions.node)

describe("the bundle on this Node", () => {
  let dir = ""
  let kubeconfig = ""

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kube-mcp-bundle-"))
    execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", join(dir, "dist")], { cwd: REPO, stdio: "pipe", timeout: 120_000 })
    kubeconfig = join(dir, "kubeconfig")
    writeFileSync(kubeconfig, KUBECONFIG)
  }, 150_000)

  afterAll(() => {
    if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })

  /** Starts dist/main.js with env on top of this process's (minus KUBE_MCP_*, NODE_COMPILE_CACHE), runs a session, returns stderr. */
  const baseEnv = (): Record<string, string> => {
    const base: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG" && !k.startsWith("NODE_COMPILE_CACHE") && k !== "NODE_OPTIONS") base[k] = v
    }
    return base
  }

  const session = async (env: Record<string, string>, args: ReadonlyArray<string> = [], onStarted: (pid: number) => void = () => undefined): Promise<string> => {
    const server = await connectStdio({ args: [join(dir, "dist/main.js"), "--kubeconfig", kubeconfig, ...args], env: { ...baseEnv(), ...env }, cwd: dir })
    const client = server.client
    try {
      onStarted(server.pid)
      expect(client.getServerVersion()?.name).toBe("kube-mcp")
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("config_contexts_list")
      // reads the kubeconfig through @kubernetes/client-node: loads the chunk with whatwg-url
      const contexts = await call(client, "config_contexts_list")
      expect(contexts.isError, contexts.text).toBe(false)
      expect(contexts.structured?.["current_context"]).toBe("a")
    } finally {
      await client.close()
    }
    return server.stderr()
  }

  const expectJsonLines = (stderr: string) => {
    const lines = stderr.split("\n").filter((l) => l !== "")
    expect(lines.length, "the server logs at least its start").toBeGreaterThan(0)
    for (const line of lines) {
      const parsed = ((): unknown => {
        try {
          return JSON.parse(line)
        } catch {
          return undefined
        }
      })()
      expect(parsed, `a non-JSON line on stderr (Node ${process.version}): ${line}`).toMatchObject({ message: expect.any(String) })
    }
  }

  it("the bundle holds no require of the punycode core module and no ESM import of node:http", () => {
    const chunks = readdirSync(join(dir, "dist/chunks")).filter((f) => f.endsWith(".js"))
    const all = [join(dir, "dist/main.js"), ...chunks.map((f) => join(dir, "dist/chunks", f))].map((f) => readFileSync(f, "utf8")).join("\n")
    // whatwg-url's code is in the bundle (it is what needed punycode) ...
    expect(all).toContain("ucs2")
    // ... but nothing asks Node for its built-in punycode
    expect(all).not.toMatch(/require\(["'](node:)?punycode["']\)|from\s*["'](node:)?punycode["']/)
    // node:http is read through getBuiltinModule, not its ESM facade (which loads undici on Node 22+)
    expect(all).toContain(`getBuiltinModule("node:http")`)
    expect(all).not.toMatch(/from\s*["'](node:)?http["']/)
  })

  it("every stderr line is JSON, and the compile cache is written to the user's cache directory", async () => {
    const cache = join(dir, "xdg-cache")
    expectJsonLines(await session({ XDG_CACHE_HOME: cache }))
    const compileCache = join(cache, "kube-mcp", "compile-cache")
    if (hasCompileCache) {
      // one subdirectory per Node version, holding the V8 code cache of the chunks that were loaded
      const versions = readdirSync(compileCache)
      expect(versions.length).toBe(1)
      expect(readdirSync(join(compileCache, versions[0] ?? "")).length).toBeGreaterThanOrEqual(3)
    } else {
      expect(existsSync(compileCache)).toBe(false)
    }
  })

  it("starts silently without a compile cache when no cache directory is writable", async () => {
    // a path below a regular file cannot become a directory, even for root (ENOTDIR)
    const blocked = join(kubeconfig, "no-dir")
    expectJsonLines(await session({ XDG_CACHE_HOME: blocked, HOME: blocked, TMPDIR: blocked }))
  })

  describe("server.heap", () => {
    // the node flags a process runs with, as the kernel has them (argv after an execve)
    const cmdline = (pid: number): Array<string> => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((a) => a !== "")
    const bounded = `--max-semi-space-size=${BOUNDED_HEAP.semiSpaceMiB}`
    const canRestart = typeof process.execve === "function" && existsSync("/proc/self/cmdline")
    if (!canRestart) console.warn(`SKIPPED server.heap restart tests: Node ${process.version} has no process.execve or there is no /proc`)

    it.skipIf(!canRestart)("an HTTP server restarts itself once with the bounded flags, same pid, and serves", async () => {
      const port = await freePort()
      const child = spawn(process.execPath, [join(dir, "dist/main.js"), "--kubeconfig", kubeconfig, "--transport", "http", "--http-address", `127.0.0.1:${port}`], {
        cwd: dir,
        env: baseEnv(),
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString()
      })
      try {
        const deadline = Date.now() + 20_000
        while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
          expect(child.exitCode, stderr).toBeNull()
          expect(Date.now() < deadline, `no /healthz within 20 s: ${stderr}`).toBe(true)
          await new Promise((r) => setTimeout(r, 100))
        }
        const argv = cmdline(child.pid ?? -1)
        expect(argv).toContain(bounded)
        expect(argv.filter((a) => a === bounded)).toHaveLength(1)
        // the first start logged nothing: one start line, every line JSON
        expectJsonLines(stderr)
        expect(stderr.match(/"serving MCP on/g)).toHaveLength(1)
      } finally {
        child.kill("SIGTERM")
      }
    }, 30_000)

    it.skipIf(!canRestart)("stdio alone keeps Node's defaults; --heap bounded restarts it under the client, which keeps talking to it", async () => {
      let plain: Array<string> = []
      expectJsonLines(await session({}, [], (pid) => {
        plain = cmdline(pid)
      }))
      expect(plain.some((a) => a.startsWith("--max-"))).toBe(false)
      let restarted: Array<string> = []
      // session() lists the tools and calls one after the restart: the client's pipes survived it
      expectJsonLines(await session({}, ["--heap", "bounded"], (pid) => {
        restarted = cmdline(pid)
      }))
      expect(restarted).toContain(bounded)
      // the user's own sizing wins
      let own: Array<string> = []
      await session({ NODE_OPTIONS: "--max-old-space-size=200" }, ["--heap", "bounded"], (pid) => {
        own = cmdline(pid)
      })
      expect(own.some((a) => a.startsWith("--max-"))).toBe(false)
    }, 60_000)
  })
})
