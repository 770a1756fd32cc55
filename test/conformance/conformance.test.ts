/**
 * The MCP conformance suite (@modelcontextprotocol/conformance, a real third-party client of the spec) against
 * kube-mcp's HTTP endpoint, stateful and stateless, with the expected failures of test/conformance/baseline.yml.
 * The suite exits 1 on an unexpected failure and on a baseline entry that passes (stale). Each baseline
 * entry must fail for the reason the file gives: a fixture of the suite's own reference server (a `test_*`
 * tool, prompt or resource) that kube-mcp does not have, or "Method not found" for a capability it does not declare.
 *
 * The suite is installed by .ci/run into ~/.cache/kube-mcp/conformance/<version> ($KUBE_MCP_CONFORMANCE
 * points elsewhere); without it this file is skipped, loudly.
 */
import type { ServerCapabilities } from "@modelcontextprotocol/sdk/types.js"
import yaml from "js-yaml"
import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { connectHttp, type HttpServerProcess, REPO, startHttp, STATELESS } from "../support/mcp.js"

export const CONFORMANCE_VERSION = "0.1.16"
const BASELINE = join(REPO, "test/conformance/baseline.yml")
/** Extra expected failures of stateless mode (no sessions by design), each with its reason. */
const BASELINE_STATELESS = join(REPO, "test/conformance/baseline-stateless.yml")

const cli = process.env["KUBE_MCP_CONFORMANCE"] ?? join(homedir(), ".cache/kube-mcp/conformance", CONFORMANCE_VERSION, "node_modules/.bin/conformance")
const available = existsSync(cli)
if (!available) {
  console.warn(`SKIPPED: the MCP conformance suite is not installed at ${cli} (.ci/run installs it: ` +
    `npm install --prefix ~/.cache/kube-mcp/conformance/${CONFORMANCE_VERSION} @modelcontextprotocol/conformance@${CONFORMANCE_VERSION})`)
}

/** Scenarios of an optional capability: "Method not found" is their honest failure only while it is not declared. */
const CAPABILITY_OF: ReadonlyArray<readonly [string, (c: ServerCapabilities) => boolean]> = [
  ["resources-subscribe", (c) => c.resources?.subscribe === true],
  ["resources-unsubscribe", (c) => c.resources?.subscribe === true]
]

/** How a call to one of the suite's own fixtures fails here: it names the fixture. */
const FIXTURE = /Unknown tool "test_\w+"|Tool 'test_\w+' not found|Unknown prompt "test_\w+"|Invalid resource URI "test:\/\//u

const entries = (file: string): ReadonlyArray<string> => {
  const parsed: unknown = yaml.load(readFileSync(file, "utf8"))
  const server = typeof parsed === "object" && parsed !== null && "server" in parsed ? parsed.server : undefined
  if (!Array.isArray(server)) throw new Error(`${file}: no server list`)
  return server.map(String)
}

/** Runs the whole active suite; resolves with the exit code, the output and where the results went. */
const runSuite = (url: string, expected: ReadonlyArray<string>) =>
  new Promise<{ readonly code: number | null; readonly output: string; readonly results: string }>((ok) => {
    const results = mkdtempSync(join(tmpdir(), "kube-mcp-conformance-"))
    const baseline = join(results, "baseline.yml")
    writeFileSync(baseline, yaml.dump({ server: expected }))
    const child = spawn(process.execPath, [cli, "server", "--url", `${url}/mcp`, "--expected-failures", baseline, "--output-dir", results], {
      cwd: results,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout.on("data", (d: Buffer) => void (output += d.toString()))
    child.stderr.on("data", (d: Buffer) => void (output += d.toString()))
    child.on("close", (code) => ok({ code, output, results }))
  })

/** The messages of a scenario's failed (or, with `status`, other) checks, from the suite's results directory. */
const failuresOf = (results: string, scenario: string, status = "FAILURE"): ReadonlyArray<string> => {
  const dir = readdirSync(results).find((d) => d.startsWith(`server-${scenario}-`) || d === scenario)
  if (dir === undefined) return []
  const checks: unknown = JSON.parse(readFileSync(join(results, dir, "checks.json"), "utf8"))
  return Array.isArray(checks)
    ? checks.flatMap((c: unknown) =>
      typeof c === "object" && c !== null && "status" in c && c.status === status
        ? ["errorMessage" in c ? String(c.errorMessage) : JSON.stringify("details" in c ? c.details : c)]
        : []
    )
    : []
}

describe.skipIf(!available).each([
  { mode: "stateful", config: "", extra: [] },
  { mode: "stateless", config: STATELESS, extra: entries(BASELINE_STATELESS) }
])(`MCP conformance suite ${CONFORMANCE_VERSION} (HTTP, $mode)`, ({ config, extra }) => {
  let server: HttpServerProcess
  beforeAll(async () => {
    server = await startHttp({ config })
  })
  afterAll(() => server?.stop())

  it("passes every scenario but the baseline's, and each baseline entry fails only for a suite fixture", async () => {
    const client = await connectHttp(server.url)
    const declared = client.getServerCapabilities() ?? {}
    await client.close()
    const run = await runSuite(server.url, [...entries(BASELINE), ...extra])
    expect(run.code, run.output.slice(-4000)).toBe(0)
    for (const scenario of extra) expect(failuresOf(run.results, scenario, "WARNING").join(), scenario).toContain("did not provide session ID")
    for (const scenario of entries(BASELINE)) {
      const failures = failuresOf(run.results, scenario)
      expect(failures.length, `${scenario}: no failed check recorded\n${run.output.slice(-2000)}`).toBeGreaterThan(0)
      const declares = CAPABILITY_OF.find(([name]) => scenario === name)?.[1]
      const undeclared = declares !== undefined && !declares(declared)
      for (const f of failures) {
        if (undeclared && f.includes("Method not found")) continue
        expect(f, scenario).toMatch(FIXTURE)
      }
    }
  }, 300_000)
})
