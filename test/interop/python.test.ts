/**
 * A third-party MCP implementation: the Python SDK's client (PyPI `mcp`) lists and calls kube-mcp's tools over
 * stdio and Streamable HTTP (stateful and stateless), once with the 2025 initialize handshake ("legacy") and
 * once negotiating 2026-07-28 through server/discover ("auto"). test/interop/python_client.py is the client.
 *
 * The SDK lives in a venv that .ci/run creates ($KUBE_MCP_PYTHON is its python); without it this file is
 * skipped, loudly.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { childEnv, HTTP_MODES, type HttpServerProcess, REPO, serverArgs, startHttp } from "../support/mcp.js"

export const PYTHON_MCP_VERSION = "2.3.0"
const python = process.env["KUBE_MCP_PYTHON"] ?? "/tmp/kube-mcp-pymcp/bin/python"
const CLIENT = join(REPO, "test/interop/python_client.py")

const available = existsSync(python) && spawnSync(python, ["-c", "import mcp"]).status === 0
if (!available) {
  console.warn(`SKIPPED: no Python with the MCP SDK at ${python} (.ci/run makes one: python3 -m venv /tmp/kube-mcp-pymcp && ` +
    `/tmp/kube-mcp-pymcp/bin/pip install mcp==${PYTHON_MCP_VERSION}; or set KUBE_MCP_PYTHON)`)
}

interface Outcome {
  readonly protocol_version: string
  readonly server: string
  readonly tools: ReadonlyArray<string>
  readonly is_error: boolean
  readonly text: string
}

const runClient = (mode: string, args: ReadonlyArray<string>): Outcome => {
  const r = spawnSync(python, [CLIENT, mode, ...args], { encoding: "utf8", timeout: 60_000, env: childEnv({}), cwd: REPO })
  const line = r.stdout.trim().split("\n").at(-1) ?? ""
  if (r.status !== 0 || !line.startsWith("{")) throw new Error(`python client failed (${r.status}): ${r.stderr.slice(-2000)}`)
  return JSON.parse(line)
}

const EXPECTED_VERSION = { legacy: "2025-11-25", auto: "2026-07-28" } as const

const checkOutcome = (o: Outcome, mode: keyof typeof EXPECTED_VERSION) => {
  expect(o.protocol_version).toBe(EXPECTED_VERSION[mode])
  expect(o.server).toBe("kube-mcp")
  expect(o.tools).toContain("namespaces_list")
  expect(o.tools.length).toBeGreaterThan(10)
  expect(o.is_error, o.text).toBe(false)
  expect(o.text).toContain("production")
}

describe.skipIf(!available).each(HTTP_MODES)("Python MCP SDK over Streamable HTTP ($mode)", ({ config }) => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config })
  })
  afterAll(() => server?.stop())

  it.each(["legacy", "auto"] as const)("%s: lists the tools and calls namespaces_list", (mode) => {
    checkOutcome(runClient(mode, ["http", `${server.url}/mcp`]), mode)
  })
})

describe.skipIf(!available)("Python MCP SDK over stdio", () => {
  it.each(["legacy", "auto"] as const)("%s: lists the tools and calls namespaces_list", (mode) => {
    checkOutcome(runClient(mode, ["stdio", process.execPath, ...serverArgs({})]), mode)
  })
})
