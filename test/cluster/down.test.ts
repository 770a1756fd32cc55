// `stop` / `npm run cluster:down` semantics, on throwaway state dirs (the shared plane stays up):
// every pid recorded in state.json is gone afterwards, nothing else is touched.
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { afterEach, describe, expect, inject, it } from "vitest"
import { REPO_ROOT, leftoverPids, readState, start, startEtcdOnly, stop } from "./harness.js"
import { groupMembers, isRunning, pidExists, sleep, spawnLogged, type ProcessRecord } from "./proc.js"

const run = promisify(execFile)
const info = inject("cluster")
const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), "kube-mcp-down-"))
  dirs.push(d)
  return d
}
const strays: ProcessRecord[] = []

afterEach(async () => {
  // Whatever a failed test left running in its temp dir.
  for (const d of dirs.splice(0)) {
    await stop(d, 2_000)
    rmSync(d, { recursive: true, force: true })
  }
  for (const s of strays.splice(0)) if (isRunning(s)) process.kill(s.pid, "SIGKILL")
})

const cli = (args: string[], stateDir: string) =>
  run(join(REPO_ROOT, "node_modules", ".bin", "tsx"), [join(REPO_ROOT, "test", "cluster", "cli.ts"), ...args], {
    env: { ...process.env, KUBE_MCP_CLUSTER_DIR: stateDir, KUBE_MCP_K8S_BIN: info.binDir }
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e))
      return {
        code: "code" in err && typeof err.code === "number" ? err.code : -1,
        stdout: "stdout" in err ? String(err.stdout) : "",
        stderr: "stderr" in err ? String(err.stderr) : err.message
      }
    }
  )

describe("stop", () => {
  it("kills exactly the recorded processes and removes state.json", async () => {
    const dir = tempDir()
    const etcd = await startEtcdOnly(dir, info.binDir)
    const recorded = readState(dir)?.processes ?? []
    expect(recorded.map((p) => p.pid)).toEqual([etcd.pid])
    expect(isRunning(etcd)).toBe(true)

    const r = await stop(dir)
    expect(r).toEqual({ stopped: [etcd.pid], alreadyGone: [], survivors: [] })
    expect(leftoverPids(recorded.map((p) => p.pid))).toEqual([])
    expect(existsSync(join(dir, "state.json"))).toBe(false)
  })

  it("also stops what a recorded process spawned (its process group)", async () => {
    const dir = tempDir()
    const leader = await spawnLogged("shell", "/bin/sh", ["-c", "sleep 300 & sleep 300 & wait"], join(dir, "shell.log"), 2)
    writeFileSync(join(dir, "state.json"), JSON.stringify({ version: 1, owner: { kind: "test", pid: process.pid }, createdAt: "", ready: false, processes: [leader] }))
    let children: number[] = []
    for (let i = 0; i < 50 && children.length < 2; i++) {
      await sleep(50)
      children = groupMembers(leader.pid).filter((p) => p !== leader.pid)
    }
    expect(children).toHaveLength(2)
    const r = await stop(dir)
    expect(r.survivors).toEqual([])
    expect(leftoverPids([leader.pid, ...children])).toEqual([])
  })

  it("leaves a process alone whose pid matches but whose start time does not (recycled pid)", async () => {
    const dir = tempDir()
    const bystander = await spawnLogged("bystander", "/bin/sleep", ["300"], join(dir, "bystander.log"), 0)
    strays.push(bystander)
    const impostor: ProcessRecord = { ...bystander, startTime: String(Number(bystander.startTime) - 1) }
    writeFileSync(join(dir, "state.json"), JSON.stringify({ version: 1, owner: { kind: "test", pid: process.pid }, createdAt: "", ready: false, processes: [impostor] }))
    const r = await stop(dir, 1_000)
    expect(r).toEqual({ stopped: [], alreadyGone: [bystander.pid], survivors: [] })
    expect(isRunning(bystander)).toBe(true)
  })

  it("`cli.ts status` and `cli.ts down` report and stop by recorded pid", { timeout: 60_000 }, async () => {
    const dir = tempDir()
    const etcd = await startEtcdOnly(dir, info.binDir)
    const st = await cli(["status"], dir)
    // Not healthy (only etcd, never "ready"), so a non-zero exit, but etcd is listed as running.
    expect(st.code).toBe(1)
    expect(st.stdout).toMatch(new RegExp(`running\\s+etcd\\s+pid ${etcd.pid}\\b`))
    const down = await cli(["down"], dir)
    expect(down.code, down.stderr).toBe(0)
    expect(down.stderr).toContain(`stopped pids: ${etcd.pid}`)
    expect(pidExists(etcd.pid)).toBe(false)
    const after = await cli(["status"], dir)
    expect(after.code).toBe(3)
    expect(after.stdout).toContain("not running")
  })

  it("a failed start names the component and its log, and stops what it had started", async () => {
    const dir = tempDir()
    // A bin dir whose kube-apiserver dies at once; the real etcd starts first and must be cleaned up.
    const bin = join(dir, "bin")
    mkdirSync(bin)
    for (const b of ["etcd", "kube-controller-manager", "kube-scheduler", "kwok"]) symlinkSync(join(info.binDir, b), join(bin, b))
    writeFileSync(join(bin, "kube-apiserver"), "#!/bin/sh\necho 'E0000 fake apiserver: cannot start' >&2\nexit 1\n", { mode: 0o755 })
    const error = await start({ stateDir: dir, binDir: bin, workload: false, build: false, log: () => {} }).then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e)))
    )
    expect(error?.message).toMatch(/(dev|prod)-apiserver \(pid \d+\) exited; log .*apiserver\.log/)
    expect(error?.message).toContain("fake apiserver: cannot start")
    expect(existsSync(join(dir, "state.json"))).toBe(false)
    // events.log records which pids the failed start stopped: etcd and the apiserver that outlived its twin.
    const line = /start failed \(attempt 1\).*; stopped pids ([\d,-]+); survivors -$/m.exec(readFileSync(join(dir, "events.log"), "utf8"))
    expect(line).not.toBeNull()
    const stopped = (line?.[1] ?? "").split(",").map(Number).filter((n) => n > 0)
    expect(stopped.length).toBeGreaterThanOrEqual(1)
    expect(leftoverPids(stopped)).toEqual([])
  })

  it("a full API-tier plane (etcd + two apiservers) leaves no process behind", { timeout: 150_000 }, async () => {
    const dir = tempDir()
    const r = await start({ stateDir: dir, binDir: info.binDir, workload: false, build: false, log: () => {} })
    expect(r.reused).toBe(false)
    const recorded = readState(dir)?.processes ?? []
    expect(recorded.map((p) => p.name).sort()).toEqual(["dev-apiserver", "etcd", "prod-apiserver"])
    expect(recorded.map((p) => p.pid).sort()).toEqual([...r.info.pids].sort())
    const kubeconfig = readFileSync(r.info.kubeconfig, "utf8")
    expect(kubeconfig).toContain(r.info.clusters.prod.server)

    const s = await stop(dir)
    expect(s.survivors).toEqual([])
    expect(s.stopped.sort()).toEqual([...r.info.pids].sort())
    expect(leftoverPids(r.info.pids)).toEqual([])
    // The shared plane of this test run is untouched.
    for (const pid of info.pids) expect(pidExists(pid), `shared plane pid ${pid}`).toBe(true)
  })
})
