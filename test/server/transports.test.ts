/** Transports: stdio lifecycle and hygiene; Streamable HTTP guards (bearer, Host, Origin), stateless mode, probes. */
import { spawn, spawnSync } from "node:child_process"
import { createServer as createNetServer } from "node:net"
import { request } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, clusterInfo, connectHttp, freePort, type HttpServerProcess, NODE_ARGS, REPO, rowsOf, startHttp } from "../support/mcp.js"

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "0" } }
}

/** The server over stdio as a raw child process, collecting what it writes to stdout and stderr. */
const spawnStdio = (logLevel: string, kubeconfig = clusterInfo().kubeconfig) => {
  const child = spawn(process.execPath, [...NODE_ARGS, "--kubeconfig", kubeconfig, "--log-level", logLevel], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"]
  })
  const out = { stdout: "", stderr: "" }
  child.stdout.on("data", (d: Buffer) => (out.stdout += d.toString()))
  child.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()))
  return { child, out }
}

describe("stdio", () => {
  it("writes only JSON-RPC to stdout and exits 0 within 1 s of stdin closing", async () => {
    const { child, out } = spawnStdio("debug")
    const lines = () => out.stdout.split("\n").filter((l) => l.trim() !== "")
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 30_000
      while (lines().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    }
    child.stdin.write(`${JSON.stringify(initialize)}\n`)
    await waitFor(1)
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })}\n`)
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "namespaces_list", arguments: {} } })}\n`)
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "namespaces_list", arguments: { context: "nope" } } })}\n`)
    await waitFor(3)
    const closedAt = Date.now()
    const exit = new Promise<number | null>((ok) => child.once("exit", (code) => ok(code)))
    child.stdin.end()
    const code = await exit
    expect(Date.now() - closedAt).toBeLessThan(1000)
    expect(code).toBe(0)
    for (const line of lines()) expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" })
    expect(lines()).toHaveLength(3)
    // logs went to stderr, as JSON lines
    const logLines = out.stderr.split("\n").filter((l) => l.trim() !== "")
    expect(logLines.length).toBeGreaterThan(0)
    const logs: Array<Record<string, unknown>> = logLines.map((l) => JSON.parse(l))
    // plain lines: time, level, message and the fields of the call; none of Effect's empty internals
    for (const l of logs) {
      expect(Object.keys(l).slice(0, 3)).toEqual(["time", "level", "message"])
      expect(l).not.toHaveProperty("fiberId")
      expect(l).not.toHaveProperty("spans")
    }
    const startup = logs.find((l) => l["message"] === "kube-mcp started")
    expect(startup).toMatchObject({ level: "info", provider: "kubeconfig", sources: [clusterInfo().kubeconfig], contexts: 3, transports: ["stdio"] })
    const calls = logs.filter((l) => l["message"] === "tool call")
    expect(calls).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: "debug", tool: "namespaces_list", context: "dev-cluster", failed: false }),
      expect.objectContaining({ tool: "namespaces_list", context: "nope", failed: true })
    ]))
    expect(logs.at(-1)?.["message"]).toBe("kube-mcp stopped")
  })

  it("warns at startup when the kubeconfig is missing, and keeps serving", async () => {
    const { child, out } = spawnStdio("info", "/nonexistent/kubeconfig")
    child.stdin.write(`${JSON.stringify(initialize)}\n`)
    const deadline = Date.now() + 30_000
    while (!out.stderr.includes("no usable Kubernetes context") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const warning = out.stderr.split("\n").filter((l) => l.includes("no usable Kubernetes context")).map((l) => JSON.parse(l))[0]
    expect(warning).toMatchObject({ level: "warn", sources: ["/nonexistent/kubeconfig"] })
    expect(String(warning?.["problem"])).toContain("/nonexistent/kubeconfig")
    const exit = new Promise<number | null>((ok) => child.once("exit", ok))
    child.stdin.end()
    expect(await exit).toBe(0)
    expect(out.stdout).toContain("serverInfo")
  })

  it("log_level none keeps stderr silent", async () => {
    const { child, out } = spawnStdio("none")
    child.stdin.write(`${JSON.stringify(initialize)}\n`)
    const deadline = Date.now() + 30_000
    while (!out.stdout.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const exit = new Promise<number | null>((ok) => child.once("exit", ok))
    child.stdin.end()
    expect(await exit).toBe(0)
    expect(out.stdout).toContain("serverInfo")
    expect(out.stderr).toBe("")
  })
})

describe("Streamable HTTP with a bearer token", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ env: { KUBE_MCP_HTTP_TOKEN: "s3cret-token" } })
  })
  afterAll(() => server.stop())

  const post = (headers: Record<string, string>) =>
    fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(initialize)
    })

  it("refuses a missing or wrong token with 401", async () => {
    expect((await post({})).status).toBe(401)
    const wrong = await post({ authorization: "Bearer nope" })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get("www-authenticate")).toBe("Bearer")
  })

  it("refuses a foreign Origin and a foreign Host with 403", async () => {
    expect((await post({ authorization: "Bearer s3cret-token", origin: "https://evil.example" })).status).toBe(403)
    // fetch may not set Host: use a raw request, as a DNS-rebinding page's browser would send it
    const status = await new Promise<number | undefined>((ok, fail) => {
      const url = new URL(`${server.url}/mcp`)
      const req = request({ hostname: url.hostname, port: url.port, path: "/mcp", method: "POST", headers: {
        host: "evil.example:8080",
        authorization: "Bearer s3cret-token",
        "content-type": "application/json",
        accept: "application/json, text/event-stream"
      } }, (res) => {
        res.resume()
        ok(res.statusCode)
      })
      req.on("error", fail)
      req.end(JSON.stringify(initialize))
    })
    expect(status).toBe(403)
  })

  it("DELETE /mcp ends a session; the session id is then unknown (404)", async () => {
    const auth = { authorization: "Bearer s3cret-token" }
    const init = await post(auth)
    expect(init.status).toBe(200)
    const sid = init.headers.get("mcp-session-id")
    expect(sid).toBeTruthy()
    await init.text()
    const headers = { ...auth, "mcp-session-id": sid ?? "", "mcp-protocol-version": "2025-06-18" }
    expect((await fetch(`${server.url}/mcp`, { method: "DELETE", headers })).status).toBe(200)
    const after = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" })
    })
    expect(after.status).toBe(404)
  })

  it("serves MCP sessions to a client with the token; probes need no token", async () => {
    const client = await connectHttp(server.url, { authorization: "Bearer s3cret-token" })
    const tools = await client.listTools()
    expect(tools.tools.map((t) => t.name)).toContain("namespaces_list")
    const r = await call(client, "namespaces_list", { context: "prod-cluster" })
    expect(rowsOf(r).map((x) => x["name"])).toContain("production")
    await client.close()
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    const ready = await fetch(`${server.url}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ status: "ready", contexts: 3 })
  })
})

describe("stateless HTTP mode", () => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config: "[server.http]\nstateless = true\n" })
  })
  afterAll(() => server.stop())

  it("serves each POST on its own (no session id) and refuses GET streams", async () => {
    const res = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify(initialize)
    })
    expect(res.status).toBe(200)
    expect(res.headers.get("mcp-session-id")).toBeNull()
    const list = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "namespaces_list", arguments: { context: "prod-cluster" } } })
    })
    expect(list.status).toBe(200)
    expect(JSON.stringify(await list.json())).toContain("production")
    expect((await fetch(`${server.url}/mcp`, { method: "GET", headers: { accept: "text/event-stream" } })).status).toBe(405)
    // the SDK client works against it too
    const client = await connectHttp(server.url)
    expect((await call(client, "config_contexts_list")).isError).toBe(false)
    await client.close()
  })

  it("stops on SIGTERM with exit 0", async () => {
    expect(await server.stop()).toBe(0)
  })
})

describe("HTTP startup failure", () => {
  it("an address in use stops startup with exit 1 and a clear message on stderr", async () => {
    const blocker = createNetServer()
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok))
    const address = blocker.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    try {
      const r = spawnSync(process.execPath, [...NODE_ARGS, "--transport", "http", "--http-address", `127.0.0.1:${port}`], {
        cwd: REPO,
        encoding: "utf8",
        timeout: 30_000
      })
      expect(r.status).toBe(1)
      expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}`)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(r.stdout).toBe("")
    } finally {
      blocker.close()
    }
  })
})

describe("both transports at once", () => {
  it("serves stdio and HTTP from one process", async () => {
    const port = await freePort()
    const child = spawn(process.execPath, [...NODE_ARGS, "--kubeconfig", clusterInfo().kubeconfig, "--transport", "stdio,http", "--http-address", `127.0.0.1:${port}`], {
      cwd: REPO,
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
    const deadline = Date.now() + 30_000
    while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error("HTTP did not come up")
      await new Promise((r) => setTimeout(r, 100))
    }
    const client = await connectHttp(`http://127.0.0.1:${port}`)
    expect((await call(client, "config_contexts_list")).isError).toBe(false)
    await client.close()
    child.stdin.write(`${JSON.stringify(initialize)}\n`)
    while (!stdout.includes("\n") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(JSON.parse(stdout.split("\n")[0] ?? "")).toMatchObject({ id: 1, result: { serverInfo: { name: "kube-mcp" } } })
    const exit = new Promise<number | null>((ok) => child.once("exit", ok))
    child.stdin.end()
    expect(await exit).toBe(0)
  })
})
